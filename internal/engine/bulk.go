package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/dialect"
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

// bulkKeys selects, and locks where the dialect can, the keys of at most
// limit rows of p that filter selects, in key order.
func (tx *Tx) bulkKeys(ctx context.Context, p *Type, op resource.Op, filter sq.Sqlizer, limit int) ([]any, error) {
	b, err := p.rows(ctx)
	if err != nil {
		return nil, err
	}
	b = where(b.Columns(p.idExpr), filter)
	if sd := p.schema.SoftDelete; op == resource.OpDelete && sd != nil && sd.Visible {
		// Rows already deactivated are not deleted again.
		b = b.Where(live(sd, p.schema.Table))
	}
	b = b.OrderBy(p.idExpr).Limit(uint64(limit))
	if lock := tx.e.d.LockRows(); lock != "" {
		b = b.Suffix(lock)
	}
	return tx.keys(ctx, b)
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
func bulkFailure(d dialect.Dialect, s *resource.Schema, in *Input, err error) error {
	var re *bulkRowError
	if !errors.As(err, &re) {
		return writeFailure(d, s, in, err)
	}
	out := writeFailure(d, s, in, re.err)
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

// bulk updates (with in) or deletes every resource of p that sel
// selects, at most limit, and returns how many it changed.
func (tx *Tx) bulk(ctx context.Context, p *Type, l *Linker, op resource.Op, sel BulkSelection, in *Input, limit int) (int, error) {
	if in != nil {
		// The related resources are checked once for all rows.
		if err := tx.checkLinks(ctx, in); err != nil {
			return 0, err
		}
	}
	ids, err := tx.bulkKeys(ctx, p, op, sel.Filter, limit+1)
	if err != nil {
		return 0, err
	}
	if len(ids) > limit {
		tooMany := &jsonapi.Error{Status: 400, Title: "Too Many Resources",
			Detail: fmt.Sprintf("The filter selects more than %d resources, the most one bulk change may change; narrow the filter.", limit),
			Meta:   map[string]any{"max": limit}}
		if len(sel.Params) == 1 {
			tooMany.Source = jsonapi.Parameter(sel.Params[0])
		}
		return 0, tooMany
	}
	for _, id := range ids {
		var err error
		if op == resource.OpUpdate {
			// Each row gets its own values: a BeforeWrite hook may
			// change them.
			_, err = tx.update(ctx, p, l, id, &Input{values: maps.Clone(in.values)})
		} else {
			err = tx.remove(ctx, p, l, id, "")
		}
		if err != nil {
			return 0, &bulkRowError{id: id, err: err}
		}
	}
	return len(ids), nil
}
