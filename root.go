package restless

import "net/http"

// rootHandler serves GET {prefix}: a document with data null whose
// meta.modelinfo describes each type, as Flask-Restless does, whose
// meta.operations names the atomic operations endpoint and its media type,
// and whose links lead to each collection and to the API's description.
type rootHandler struct {
	api   *API
	plans []*plan
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
	if _, err := h.api.parseQuery(r, nil, h.api.writeConfig(r, nil)); err != nil {
		WriteError(w, r, err)
		return
	}
	l := h.api.linker(r)
	info := map[string]any{}
	links := &Links{Self: l.base}
	if h.api.Description != nil {
		links.DescribedBy = l.base + "/openapi.json"
	}
	for _, p := range h.plans {
		url := l.collection(p.schema)
		info[p.schema.Type] = map[string]any{"primarykey": p.schema.ID.Column, "url": url}
		if links.Others == nil {
			links.Others = map[string]string{}
		}
		links.Others[p.schema.Type] = url
	}
	// The operations endpoint is advertised with the media type it
	// requires.
	ops := map[string]any{"url": l.base + "/operations", "mediaType": atomicMediaType}
	WriteDocument(w, r, http.StatusOK, &Document{Links: links, Meta: map[string]any{"modelinfo": info, "operations": ops}})
}
