package restless

import (
	"net/http"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
)

// rootHandler serves GET {prefix}: a document with data null whose
// meta.modelinfo describes each type, as Flask-Restless does, whose
// meta.operations names the atomic operations endpoint and its media type,
// and whose links lead to each collection and to the API's description.
type rootHandler struct {
	api   *API
	types []*engine.Type
}

func (h *rootHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		options(w, "GET, HEAD, OPTIONS")
		return
	default:
		methodNotAllowed(w, r, "GET, HEAD, OPTIONS")
		return
	}
	a := h.api
	if _, err := parseQuery(r, a.writeConfig(r, nil)); err != nil {
		a.writeError(w, r, err)
		return
	}
	l := a.linker(r)
	info := map[string]any{}
	links := &jsonapi.Links{Self: l.Base()}
	if a.Description != nil {
		links.DescribedBy = l.Base() + "/openapi.json"
	}
	for _, t := range h.types {
		s := t.Schema()
		url := l.Collection(s)
		info[s.Type] = map[string]any{"primarykey": s.ID.Column, "url": url}
		if links.Others == nil {
			links.Others = map[string]string{}
		}
		links.Others[s.Type] = url
	}
	// The operations endpoint is advertised with the media type it
	// requires.
	ops := map[string]any{"url": l.Base() + "/operations", "mediaType": atomicMediaType}
	WriteDocument(w, r, http.StatusOK, &jsonapi.Document{Links: links, Meta: map[string]any{"modelinfo": info, "operations": ops}})
}
