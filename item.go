package restless

import (
	"fmt"
	"net/http"
)

type itemHandler struct {
	api  *API
	plan *plan
}

func (h *itemHandler) allow() string {
	s := "GET, HEAD"
	if allows(h.plan.res, OpUpdate) {
		s += ", PATCH"
	}
	if allows(h.plan.res, OpDelete) {
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
		if !allows(h.plan.res, OpDelete) {
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

// key returns the key named by the URL, or ErrNotFound when the text
// cannot be a key.
func (h *itemHandler) key(r *http.Request) (string, any, error) {
	raw := r.PathValue("id")
	id, ok := h.api.parseID(h.plan.schema.ID, raw)
	if !ok {
		return raw, nil, ErrNotFound
	}
	return raw, id, nil
}

func (h *itemHandler) get(w http.ResponseWriter, r *http.Request) {
	params, err := h.api.parseQuery(r, h.plan, h.api.queryConfig(r, h.plan, false))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p := h.plan.only(params.Fields[h.plan.schema.Type])
	_, id, err := h.key(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	l := h.api.linker(r)
	obj, err := h.api.findOne(r.Context(), readDB{h.api}, p, l, id)
	if err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	doc := &Document{Data: obj, Links: &Links{Self: withQuery(obj.Links.Self, r.URL.Query())}}
	if err := h.api.complete(r, l, h.plan, []*Object{obj}, params, doc); err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

func (h *itemHandler) patch(w http.ResponseWriter, r *http.Request) {
	p := h.plan
	if _, err := h.api.parseQuery(r, p, h.api.writeConfig(r, p)); err != nil {
		WriteError(w, r, err)
		return
	}
	raw, id, err := h.key(r)
	body, berr := h.api.readBody(w, r)
	if berr != nil {
		WriteError(w, r, berr)
		return
	}
	in, derr := h.api.decodeObject(body, p.schema, OpUpdate)
	if derr != nil {
		WriteError(w, r, derr)
		return
	}
	in.ifMatch = r.Header.Get("If-Match")
	if *in.id != raw {
		WriteError(w, r, &Error{Status: http.StatusConflict, Title: "ID Mismatch",
			Detail: fmt.Sprintf("The id %q does not match the id %q in the URL.", *in.id, raw), Source: Pointer("/data/id")})
		return
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if !allows(p.res, OpUpdate) {
		WriteError(w, r, &Error{Status: http.StatusForbidden, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", p.schema.Type)})
		return
	}
	l := h.api.linker(r)
	obj, err := h.api.update(r.Context(), p, l, in, id)
	if err != nil {
		WriteError(w, r, h.api.writeError(r, p.schema, in, err))
		return
	}
	WriteDocument(w, r, http.StatusOK, &Document{Data: obj, Links: &Links{Self: obj.Links.Self}})
}

func (h *itemHandler) delete(w http.ResponseWriter, r *http.Request) {
	p := h.plan
	if _, err := h.api.parseQuery(r, p, h.api.writeConfig(r, p)); err != nil {
		WriteError(w, r, err)
		return
	}
	_, id, err := h.key(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if err := h.api.remove(r.Context(), p, h.api.linker(r), id, r.Header.Get("If-Match")); err != nil {
		WriteError(w, r, h.api.writeError(r, p.schema, nil, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
