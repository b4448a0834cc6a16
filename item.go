package restless

import (
	"fmt"
	"net/http"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// itemHandler serves one resource: GET, PATCH and DELETE.
type itemHandler struct {
	api *API
	t   *engine.Type
}

func (h *itemHandler) allow() string {
	s := "GET, HEAD"
	if h.t.Allows(resource.OpUpdate) {
		s += ", PATCH"
	}
	if h.t.Allows(resource.OpDelete) {
		s += ", DELETE"
	}
	return s + ", OPTIONS"
}

func (h *itemHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.get(w, r)
	case http.MethodPatch:
		h.patch(w, r)
	case http.MethodDelete:
		if !h.t.Allows(resource.OpDelete) {
			methodNotAllowed(w, r, h.allow())
			return
		}
		h.delete(w, r)
	case http.MethodOptions:
		options(w, h.allow())
	default:
		methodNotAllowed(w, r, h.allow())
	}
}

func (h *itemHandler) get(w http.ResponseWriter, r *http.Request) {
	a, t := h.api, h.t
	params, err := parseQuery(r, a.queryConfig(r, t, false))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	_, id, err := a.key(r, t)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	e, l := a.engine(), a.linker(r)
	obj, err := e.Find(r.Context(), t, l, params.Fields[t.Schema().Type], id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	doc := &jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: withQuery(obj.Links.Self, r.URL.Query())}}
	if doc.Included, err = e.Complete(r.Context(), t, l, []*jsonapi.Object{obj}, params); err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

func (h *itemHandler) patch(w http.ResponseWriter, r *http.Request) {
	a, t := h.api, h.t
	e := a.engine()
	if _, err := parseQuery(r, a.writeConfig(r, t)); err != nil {
		a.writeError(w, r, err)
		return
	}
	raw, id, keyErr := a.key(r, t)
	body, err := a.readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, err := e.DecodeObject(body, t, resource.OpUpdate)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in.IfMatch = r.Header.Get("If-Match")
	if *in.ID != raw {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusConflict, Title: "ID Mismatch",
			Detail: fmt.Sprintf("The id %q does not match the id %q in the URL.", *in.ID, raw), Source: jsonapi.Pointer("/data/id")})
		return
	}
	if keyErr != nil {
		a.writeError(w, r, keyErr)
		return
	}
	if !t.Allows(resource.OpUpdate) {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusForbidden, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", t.Schema().Type)})
		return
	}
	obj, err := e.Update(r.Context(), t, a.linker(r), id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteDocument(w, r, http.StatusOK, &jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: obj.Links.Self}})
}

func (h *itemHandler) delete(w http.ResponseWriter, r *http.Request) {
	a, t := h.api, h.t
	if _, err := parseQuery(r, a.writeConfig(r, t)); err != nil {
		a.writeError(w, r, err)
		return
	}
	_, id, err := a.key(r, t)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.engine().Delete(r.Context(), t, a.linker(r), id, r.Header.Get("If-Match")); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
