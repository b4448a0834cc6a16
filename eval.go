package restless

import (
	"fmt"
	"net/http"

	"github.com/gorestless/restless/query"
)

// Eval returns the handler of a function evaluation endpoint, Flask-Restless
// style: GET with functions=[{"name": "sum", "field": "age"}] (or the
// legacy q={"functions": [...]}) evaluates the functions over the
// resources the filters select and answers a document whose data is null
// and whose meta holds the results, keyed like "sum__age". The functions
// are count, sum, avg, min, max and count_distinct.
//
//	mux.Handle("/api/eval/person", api.Eval(person))
func (a *API) Eval(res Resource) http.Handler {
	return &evalHandler{api: a, plan: a.register(newPlan(res))}
}

type evalHandler struct {
	api  *API
	plan *plan
}

func (h *evalHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		options(w, "GET, HEAD, OPTIONS")
		return
	default:
		methodNotAllowed(w, r, "GET, HEAD, OPTIONS")
		return
	}
	p := h.plan
	if p.schema.NoEval {
		WriteError(w, r, &Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("Function evaluation is switched off for %q.", p.schema.Type)})
		return
	}
	c := h.api.queryConfig(r, p, false)
	c.Functions = true
	c.Include = false
	params, err := h.api.parseQuery(r, h.plan, c)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	meta, err := h.api.evaluate(r, p, params)
	if err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	l := h.api.linker(r)
	WriteDocument(w, r, http.StatusOK, &Document{Meta: meta, Links: &Links{Self: withQuery(l.base+"/eval/"+p.schema.CollectionPath(), r.URL.Query())}})
}

// evaluate runs the functions of params over the filtered rows.
func (a *API) evaluate(r *http.Request, p *plan, params query.Params) (map[string]any, error) {
	meta := map[string]any{}
	if len(params.Functions) == 0 {
		return meta, nil
	}
	base, err := a.rowsOf(r.Context(), p)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(params.Functions))
	for i, f := range params.Functions {
		cols[i] = f.SQL
	}
	text, args, err := where(base.Columns(cols...), params.Filter).PlaceholderFormat(a.dialect().Placeholder()).ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build evaluation: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := a.scanOne(r.Context(), text, args, ptrs...); err != nil {
		return nil, err
	}
	for i, f := range params.Functions {
		var raw []byte
		switch f.Name {
		case "count", "count_distinct":
			raw = appendValue(nil, Integer, vals[i])
		case "sum", "avg":
			raw = appendValue(nil, Float, vals[i])
		default:
			raw = f.Field.AppendJSON(nil, vals[i])
		}
		meta[f.Key] = rawJSON(raw)
	}
	return meta, nil
}

// rawJSON is encoded JSON kept as is in a meta map.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
