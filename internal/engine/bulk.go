package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// Bulk changes by filter (Flask-Restless's PATCH /api/person?q=... with
// num_modified). A resource whose Schema sets Bulk answers PATCH and
// DELETE on its collection:
//
//	PATCH /api/person?filter[objects]=[{"name":"age","op":"lt","val":18}]
//	{"data": {"type": "person", "attributes": {"minor": true}}}
//
// changes every resource the filter selects and answers 200 with
// {"meta": {"num_modified": N}}; DELETE likewise answers num_deleted. The
// whole change is one transaction. It selects the keys of the matching
// rows first, through the resource's row filter (and, where the dialect
// has it, FOR UPDATE, in key order so concurrent bulk changes lock in the
// same order), then updates or deletes each row exactly as a PATCH or
// DELETE of that one resource would: through the resource's Updater or
// Deleter, with BeforeWrite and AfterWrite for every row, and refusing
// the whole change when a row would leave what the request may see. One
// statement per row is slower than one UPDATE for all, but it is the only
// way the hooks can see, and change, each row's write.

// DecodeBulk parses the document of a bulk PATCH: a resource object of
// type p with a type and no id, whose attributes and to-one
// relationships are validated as a PATCH of one resource's are.
func (e *Engine) DecodeBulk(body []byte, p *Type) (*Input, error) {
	// OpCreate: unlike a PATCH of one resource, the object has no id.
	in, err := e.DecodeObject(body, p, resource.OpCreate)
	if err != nil {
		return nil, err
	}
	if in.ID != nil {
		return nil, badDocument("/data/id", `A bulk change selects its resources with the filter: the resource object must have no "id".`)
	}
	for _, lk := range in.links {
		if lk.rel.Kind != resource.ToOne {
			return nil, &jsonapi.Error{Status: 403, Title: "Relationship Not Writable",
				Detail: fmt.Sprintf("A bulk change cannot set the to-many relationship %q; change it on each resource.", lk.rel.Name),
				Source: jsonapi.Pointer("/data/relationships/" + jsonapi.EscapePointer(lk.rel.Name))}
		}
	}
	return in, nil
}

// A BulkSelection is what a bulk request selects.
type BulkSelection struct {
	// Filter selects the resources; nil selects every one the request
	// may see.
	Filter sq.Sqlizer
	// Params are the filter parameters the request gave, sorted, for
	// the source of errors about the selection.
	Params []string
	// Max is the most resources the change may change; zero means
	// DefaultMaxBulk.
	Max int
}

// Bulk updates (with in) or deletes (in is nil) every resource of p that
// sel selects, in one transaction, and returns how many it changed. Each
// is written as a PATCH or DELETE of that one resource would be (row
// filter, hooks); a selection of more than sel.Max is a 400
// before anything is written, and the failure of one row names its id in
// the error's meta.
func (e *Engine) Bulk(ctx context.Context, p *Type, l *Linker, op resource.Op, sel BulkSelection, in *Input) (int, error) {
	n, err := e.bulk(ctx, p, l, op, sel, in)
	return n, e.bulkFailure(p.schema, in, err)
}

func (e *Engine) bulk(ctx context.Context, p *Type, l *Linker, op resource.Op, sel BulkSelection, in *Input) (int, error) {
	limit := sel.Max
	if limit <= 0 {
		limit = DefaultMaxBulk
	}
	n := 0
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		if in != nil {
			// The related resources are checked once for all rows.
			if err := e.checkLinks(ctx, tx, in); err != nil {
				return err
			}
		}
		ids, err := e.bulkKeys(ctx, tx, p, op, sel.Filter, limit+1)
		if err != nil {
			return err
		}
		if len(ids) > limit {
			tooMany := &jsonapi.Error{Status: 400, Title: "Too Many Resources",
				Detail: fmt.Sprintf("The filter selects more than %d resources, the most one bulk change may change; narrow the filter.", limit),
				Meta:   map[string]any{"max": limit}}
			if len(sel.Params) == 1 {
				tooMany.Source = jsonapi.Parameter(sel.Params[0])
			}
			return tooMany
		}
		for _, id := range ids {
			var err error
			if op == resource.OpUpdate {
				// Each row gets its own values: a BeforeWrite hook may
				// change them.
				_, err = e.updateTx(ctx, tx, p, l, id, &Input{values: maps.Clone(in.values)})
			} else {
				err = e.removeTx(ctx, tx, p, l, id, "")
			}
			if err != nil {
				return &bulkRowError{id: id, err: err}
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// bulkKeys selects, and locks where the dialect can, the keys of at most
// limit rows of p that filter selects, in key order.
func (e *Engine) bulkKeys(ctx context.Context, tx *sql.Tx, p *Type, op resource.Op, filter sq.Sqlizer, limit int) ([]any, error) {
	b, err := e.rowsOf(ctx, p)
	if err != nil {
		return nil, err
	}
	b = where(b.Columns(p.idExpr), filter)
	if sd := p.schema.SoftDelete; op == resource.OpDelete && sd != nil && sd.Visible {
		// Rows already deactivated are not deleted again.
		b = b.Where(live(sd, p.schema.Table))
	}
	b = b.OrderBy(p.idExpr).Limit(uint64(limit))
	if lock := e.d.LockRows(); lock != "" {
		b = b.Suffix(lock)
	}
	return e.keys(ctx, tx, b)
}

// bulkRowError is the failure of one row of a bulk change.
type bulkRowError struct {
	id  any
	err error
}

func (e *bulkRowError) Error() string {
	return fmt.Sprintf("restless: bulk change of %v: %v", e.id, e.err)
}

func (e *bulkRowError) Unwrap() error { return e.err }

// bulkFailure turns the failure of a bulk change into the error the
// client sees, as writeFailure does for one resource; the failure of one
// row names the row's id in the error's meta.
func (e *Engine) bulkFailure(s *resource.Schema, in *Input, err error) error {
	var re *bulkRowError
	if !errors.As(err, &re) {
		return e.writeFailure(s, in, err)
	}
	out := e.writeFailure(s, in, re.err)
	if errors.Is(out, resource.ErrNotFound) {
		// The resource's Update or Delete did not reach a row its Select
		// showed and the transaction locked.
		out = &jsonapi.Error{Status: 404, Title: "Not Found", Detail: fmt.Sprintf("The %q resource %q could not be changed.", s.Type, formatID(re.id))}
	}
	var je *jsonapi.Error
	if !errors.As(out, &je) {
		return out
	}
	c := *je // errors such as errOutOfView are shared
	c.Meta = maps.Clone(je.Meta)
	if c.Meta == nil {
		c.Meta = map[string]any{}
	}
	c.Meta["id"] = formatID(re.id)
	return &c
}
