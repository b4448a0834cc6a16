package restless

import (
	"fmt"
	"net/http"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
)

// evalHandler serves GET {prefix}/eval/{path}: function evaluation.
type evalHandler struct {
	api *API
	t   *engine.Type
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
	a, t := h.api, h.t
	s := t.Schema()
	if s.NoEval {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("Function evaluation is switched off for %q.", s.Type)})
		return
	}
	c := a.queryConfig(r, t, false)
	c.Functions = true
	c.Include = false
	params, err := parseQuery(r, c)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	meta, err := a.engine().Evaluate(r.Context(), t, params)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	l := a.linker(r)
	WriteDocument(w, r, http.StatusOK, &jsonapi.Document{Meta: meta,
		Links: &jsonapi.Links{Self: withQuery(l.Base()+"/eval/"+s.CollectionPath(), r.URL.Query())}})
}
