package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
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

// DefaultMaxBulk is the most resources one bulk request may change when
// API.MaxBulk is zero.
const DefaultMaxBulk = 1000

func (a *API) maxBulk() int {
	if a.MaxBulk > 0 {
		return a.MaxBulk
	}
	return DefaultMaxBulk
}

// bulkAllowed reports whether p's collection answers op (OpUpdate for
// PATCH, OpDelete for DELETE) as a bulk change.
func bulkAllowed(p *plan, op Op) bool {
	return p.schema.Bulk && allows(p.res, op)
}

// bulkMethods returns the methods p's collection answers as bulk changes,
// each preceded by ", ", for the Allow header.
func bulkMethods(p *plan) string {
	s := ""
	if bulkAllowed(p, OpUpdate) {
		s += ", PATCH"
	}
	if bulkAllowed(p, OpDelete) {
		s += ", DELETE"
	}
	return s
}

// bulk serves PATCH and DELETE on a collection.
func (h *collectionHandler) bulk(w http.ResponseWriter, r *http.Request) {
	p := h.plan
	op := OpUpdate
	if r.Method == http.MethodDelete {
		op = OpDelete
	}
	if !bulkAllowed(p, op) {
		methodNotAllowed(w, r, h.allow())
		return
	}
	sel, err := h.api.bulkFilter(r, p)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if im := strings.TrimSpace(r.Header.Get("If-Match")); im != "" && im != "*" {
		// A bulk change has no representation whose entity tag could match.
		WriteError(w, r, &Error{Status: http.StatusPreconditionFailed, Title: "Precondition Failed",
			Detail: "A bulk change has no entity tag; If-Match may only be \"*\". Send If-Match with PATCH or DELETE of each resource instead.",
			Source: Header("If-Match")})
		return
	}
	var in *input
	if op == OpUpdate {
		body, err := h.api.readBody(w, r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if in, err = h.api.decodeBulk(body, p.schema); err != nil {
			WriteError(w, r, err)
			return
		}
	}
	n, err := h.api.bulkChange(r.Context(), p, h.api.linker(r), op, sel, in)
	if err != nil {
		WriteError(w, r, h.api.bulkError(r, p.schema, in, err))
		return
	}
	key := "num_modified"
	if op == OpDelete {
		key = "num_deleted"
	}
	writeMeta(w, r, http.StatusOK, map[string]any{key: n})
}

// bulkFilter parses the query of a bulk request: filters only, in any of
// the forms a collection takes (filter[objects], filter[name][op] and the
// legacy q), checked against the schema.
func (a *API) bulkFilter(r *http.Request, p *plan) (*bulkSelection, error) {
	v, err := query.Values(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	sel := &bulkSelection{}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		family, _, _ := strings.Cut(name, "[")
		switch {
		case family == "filter" || name == "q":
			sel.params = append(sel.params, name)
		case name == "sort", family == "page", family == "fields", name == "include", name == "withCount", name == "functions":
			return nil, &query.Error{Param: name,
				Err: errors.New("a bulk change takes only filters, not sorting, pagination, sparse fieldsets, include, withCount or functions")}
		}
	}
	// Functions, unlike Collection, admits filters without sorting and
	// pagination; functions themselves are refused above and below.
	c := query.Config{Resolver: a.resolver(p), Types: a.resolverOf, Functions: true}
	params, err := query.Parse(r.Context(), v, c)
	if err != nil {
		return nil, err
	}
	if params.Single {
		return nil, &query.Error{Param: params.SingleParam, Err: errors.New("a bulk change cannot ask for a single resource")}
	}
	if len(params.Functions) > 0 {
		return nil, &query.Error{Param: "q", Err: errors.New("a bulk change cannot evaluate functions")}
	}
	sel.filter = params.Filter
	if unfiltered(sel.filter) && !p.schema.BulkUnfiltered {
		e := &Error{Status: http.StatusBadRequest, Title: "Filter Required",
			Detail: fmt.Sprintf("A bulk PATCH or DELETE of %q resources needs a filter (filter[objects], filter[name] or q) that selects the resources to change.", p.schema.Type)}
		if len(sel.params) > 0 {
			e.Source = Parameter(sel.params[0])
		}
		return nil, e
	}
	return sel, nil
}

// bulkSelection is the parsed query of a bulk request.
type bulkSelection struct {
	filter sq.Sqlizer
	// params are the filter parameters the request gave, sorted.
	params []string
}

// unfiltered reports whether c selects every row: nil, or a conjunction
// of nothing (filter[objects]=[], q={"filters": []}).
func unfiltered(c sq.Sqlizer) bool {
	switch c := c.(type) {
	case nil:
		return true
	case sq.And:
		for _, x := range c {
			if !unfiltered(x) {
				return false
			}
		}
		return true
	}
	return false
}

// decodeBulk parses the document of a bulk PATCH: a resource object of
// schema s with a type and no id, whose attributes and to-one
// relationships are validated as a PATCH of one resource's are.
func (a *API) decodeBulk(body []byte, s *Schema) (*input, error) {
	// OpCreate: unlike a PATCH of one resource, the object has no id.
	in, err := a.decodeObject(body, s, OpCreate)
	if err != nil {
		return nil, err
	}
	if in.id != nil {
		return nil, badDocument("/data/id", `A bulk change selects its resources with the filter: the resource object must have no "id".`)
	}
	for _, lk := range in.links {
		if lk.rel.Kind != ToOne {
			return nil, &Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
				Detail: fmt.Sprintf("A bulk change cannot set the to-many relationship %q; change it on each resource.", lk.rel.Name),
				Source: Pointer("/data/relationships/" + escapePointer(lk.rel.Name))}
		}
	}
	return in, nil
}

// bulkChange updates (with in) or deletes every resource of p that sel
// selects, in one transaction, and returns how many it changed.
func (a *API) bulkChange(ctx context.Context, p *plan, l *linker, op Op, sel *bulkSelection, in *input) (int, error) {
	limit := a.maxBulk()
	n := 0
	err := a.inTx(ctx, func(tx *sql.Tx) error {
		if in != nil {
			// The related resources are checked once for all rows.
			if err := a.checkLinks(ctx, tx, in); err != nil {
				return err
			}
		}
		ids, err := a.bulkKeys(ctx, tx, p, op, sel.filter, limit+1)
		if err != nil {
			return err
		}
		if len(ids) > limit {
			e := &Error{Status: http.StatusBadRequest, Title: "Too Many Resources",
				Detail: fmt.Sprintf("The filter selects more than %d resources, the most one bulk change may change; narrow the filter.", limit),
				Meta:   map[string]any{"max": limit}}
			if len(sel.params) == 1 {
				e.Source = Parameter(sel.params[0])
			}
			return e
		}
		for _, id := range ids {
			var err error
			if op == OpUpdate {
				// Each row gets its own values: a BeforeWrite hook may
				// change them.
				_, err = a.updateTx(ctx, tx, p, l, id, &input{values: maps.Clone(in.values)})
			} else {
				err = a.removeTx(ctx, tx, p, l, id, "")
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
func (a *API) bulkKeys(ctx context.Context, tx *sql.Tx, p *plan, op Op, filter sq.Sqlizer, limit int) ([]any, error) {
	b, err := a.rowsOf(ctx, p)
	if err != nil {
		return nil, err
	}
	b = where(b.Columns(p.idExpr), filter)
	if sd := p.schema.SoftDelete; op == OpDelete && sd != nil && sd.Visible {
		// Rows already deactivated are not deleted again.
		b = b.Where(sd.live(p.schema.Table))
	}
	b = b.OrderBy(p.idExpr).Limit(uint64(limit))
	if lock := a.dialect().LockRows(); lock != "" {
		b = b.Suffix(lock)
	}
	return a.keys(ctx, tx, b)
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

// bulkError turns the failure of a bulk change into the error the client
// sees, as writeError does for one resource; the failure of one row names
// the row's id in the error's meta.
func (a *API) bulkError(r *http.Request, s *Schema, in *input, err error) error {
	var re *bulkRowError
	if !errors.As(err, &re) {
		return a.writeError(r, s, in, err)
	}
	out := a.writeError(r, s, in, re.err)
	if errors.Is(out, ErrNotFound) {
		// The resource's Update or Delete did not reach a row its Select
		// showed and the transaction locked.
		out = NewError(http.StatusNotFound, fmt.Sprintf("The %q resource %q could not be changed.", s.Type, formatID(re.id)))
	}
	var e *Error
	if !errors.As(out, &e) {
		return out
	}
	c := *e // errors such as errOutOfView are shared
	c.Meta = maps.Clone(e.Meta)
	if c.Meta == nil {
		c.Meta = map[string]any{}
	}
	c.Meta["id"] = formatID(re.id)
	return &c
}

// writeMeta replies with a document of top-level meta only.
func writeMeta(w http.ResponseWriter, r *http.Request, status int, meta map[string]any) {
	b, err := json.Marshal(struct {
		Meta    map[string]any `json:"meta"`
		JSONAPI jsonapiObject  `json:"jsonapi"`
	}{meta, version11})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", contentType(r))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
