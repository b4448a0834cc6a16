package restless

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/query"
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
// whole change is one transaction (see engine.Bulk).

// bulkMethods returns the methods t's collection answers as bulk changes,
// each preceded by ", ", for the Allow header.
func bulkMethods(t *engine.Type) string {
	s := ""
	if t.BulkAllows(resource.OpUpdate) {
		s += ", PATCH"
	}
	if t.BulkAllows(resource.OpDelete) {
		s += ", DELETE"
	}
	return s
}

// bulk serves PATCH and DELETE on a collection.
func (h *collectionHandler) bulk(w http.ResponseWriter, r *http.Request) {
	a, t := h.api, h.t
	e := a.engine()
	op := resource.OpUpdate
	if r.Method == http.MethodDelete {
		op = resource.OpDelete
	}
	if !t.BulkAllows(op) {
		methodNotAllowed(w, r, h.allow())
		return
	}
	sel, err := h.bulkFilter(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if im := strings.TrimSpace(r.Header.Get("If-Match")); im != "" && im != "*" {
		// A bulk change has no representation whose entity tag could match.
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusPreconditionFailed, Title: "Precondition Failed",
			Detail: "A bulk change has no entity tag; If-Match may only be \"*\". Send If-Match with PATCH or DELETE of each resource instead.",
			Source: jsonapi.Header("If-Match")})
		return
	}
	var in *engine.Input
	if op == resource.OpUpdate {
		body, err := a.readBody(w, r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if in, err = e.DecodeBulk(body, t); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	n, err := e.Bulk(r.Context(), t, a.linker(r), op, sel, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	key := "num_modified"
	if op == resource.OpDelete {
		key = "num_deleted"
	}
	writeMeta(w, r, http.StatusOK, map[string]any{key: n})
}

// bulkFilter parses the query of a bulk request: filters only, in any of
// the forms a collection takes (filter[objects], filter[name][op] and the
// legacy q), checked against the schema.
func (h *collectionHandler) bulkFilter(r *http.Request) (engine.BulkSelection, error) {
	t := h.t
	sel := engine.BulkSelection{Max: h.api.MaxBulk}
	v, err := query.Values(r.URL.RawQuery)
	if err != nil {
		return sel, err
	}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		family, _, _ := strings.Cut(name, "[")
		switch {
		case family == "filter" || name == "q":
			sel.Params = append(sel.Params, name)
		case name == "sort", family == "page", family == "fields", name == "include", name == "withCount", name == "functions":
			return sel, &query.Error{Param: name,
				Err: errors.New("a bulk change takes only filters, not sorting, pagination, sparse fieldsets, include, withCount or functions")}
		}
	}
	// Functions, unlike Collection, admits filters without sorting and
	// pagination; functions themselves are refused above and below.
	e := h.api.engine()
	c := query.Config{Resolver: e.Resolver(t), Types: e.ResolverOf, Functions: true}
	params, err := query.Parse(r.Context(), v, c)
	if err != nil {
		return sel, err
	}
	if params.Single {
		return sel, &query.Error{Param: params.SingleParam, Err: errors.New("a bulk change cannot ask for a single resource")}
	}
	if len(params.Functions) > 0 {
		return sel, &query.Error{Param: "q", Err: errors.New("a bulk change cannot evaluate functions")}
	}
	sel.Filter = params.Filter
	if s := t.Schema(); unfiltered(sel.Filter) && !s.BulkUnfiltered {
		e := &jsonapi.Error{Status: http.StatusBadRequest, Title: "Filter Required",
			Detail: fmt.Sprintf("A bulk PATCH or DELETE of %q resources needs a filter (filter[objects], filter[name] or q) that selects the resources to change.", s.Type)}
		if len(sel.Params) > 0 {
			e.Source = jsonapi.Parameter(sel.Params[0])
		}
		return sel, e
	}
	return sel, nil
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
