package restless

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// relHandler serves the related and relationship endpoints of one type:
// /{path}/{id}/{rel} and /{path}/{id}/relationships/{rel}.
type relHandler struct {
	api *API
	t   *engine.Type
	// linkage says the handler serves /relationships/{rel}.
	linkage bool
}

func (h *relHandler) allow(rel *resource.Relationship) string {
	if !h.linkage || rel.ReadOnly || !h.t.Allows(resource.OpUpdate) {
		return "GET, HEAD, OPTIONS"
	}
	if rel.Kind == resource.ToOne {
		return "GET, HEAD, PATCH, OPTIONS"
	}
	return "GET, HEAD, PATCH, POST, DELETE, OPTIONS"
}

func (h *relHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, s := h.api, h.t.Schema()
	rel, ok := s.Relationship(r.PathValue("rel"))
	if !ok {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("The type %q has no relationship %q.", s.Type, r.PathValue("rel"))})
		return
	}
	target, ok := a.engine().Lookup(rel.Type)
	if !ok {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("The relationship %q leads to a type this API does not serve.", rel.Name)})
		return
	}
	allow := h.allow(rel)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if h.linkage {
			h.getLinkage(w, r, rel, target)
		} else {
			h.getRelated(w, r, rel, target)
		}
	case http.MethodOptions:
		options(w, allow)
	case http.MethodPatch, http.MethodPost, http.MethodDelete:
		if !h.linkage || (rel.Kind == resource.ToOne && r.Method != http.MethodPatch) {
			methodNotAllowed(w, r, allow)
			return
		}
		h.change(w, r, rel)
	default:
		methodNotAllowed(w, r, allow)
	}
}

// parent returns the resource the URL names, as the request may see it,
// and its key.
func (h *relHandler) parent(r *http.Request, l *engine.Linker) (*jsonapi.Object, any, error) {
	_, id, err := h.api.key(r, h.t)
	if err != nil {
		return nil, nil, err
	}
	obj, err := h.api.engine().Find(r.Context(), h.t, l, nil, id)
	return obj, id, err
}

func (h *relHandler) getRelated(w http.ResponseWriter, r *http.Request, rel *resource.Relationship, target *engine.Type) {
	a, e := h.api, h.api.engine()
	collection := rel.Kind != resource.ToOne
	params, err := parseQuery(r, a.queryConfig(r, target, collection))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	l := a.linker(r)
	parent, parentID, err := h.parent(r, l)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	self := parent.Links.Self + "/" + rel.Name
	if collection {
		doc, err := listDocument(r, e, target, l, params, self, func() (*engine.Page, error) {
			return e.ListRelated(r.Context(), target, l, rel, parentID, params)
		})
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteDocument(w, r, http.StatusOK, doc)
		return
	}
	doc := &jsonapi.Document{Links: &jsonapi.Links{Self: withQuery(self, r.URL.Query())}}
	obj, err := e.FindRelated(r.Context(), target, l, parent, rel, params.Fields[target.Schema().Type])
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if obj != nil {
		doc.Data = obj
		if doc.Included, err = e.Complete(r.Context(), target, l, []*jsonapi.Object{obj}, params); err != nil {
			a.writeError(w, r, err)
			return
		}
	} else if len(params.Include) > 0 {
		doc.Included = []*jsonapi.Object{}
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

func (h *relHandler) getLinkage(w http.ResponseWriter, r *http.Request, rel *resource.Relationship, target *engine.Type) {
	a, e := h.api, h.api.engine()
	collection := rel.Kind != resource.ToOne
	c := a.queryConfig(r, target, collection)
	c.Include = false
	params, err := parseQuery(r, c)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	l := a.linker(r)
	parent, parentID, err := h.parent(r, l)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	base := parent.Links.Self
	links := &jsonapi.Links{Self: base + "/relationships/" + rel.Name, Related: base + "/" + rel.Name}
	if !collection {
		data := json.RawMessage("null")
		if ro := parent.Relationship(rel.Name); ro != nil && ro.Data != nil {
			data = ro.Data
		}
		WriteDocument(w, r, http.StatusOK, &jsonapi.Document{Data: data, Links: links})
		return
	}
	doc, err := listDocument(r, e, target, l, params, links.Self, func() (*engine.Page, error) {
		return e.ListLinkage(r.Context(), target, l, rel, parentID, params)
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	doc.Links.Related = links.Related
	WriteDocument(w, r, http.StatusOK, doc)
}

// change runs PATCH, POST or DELETE on a relationship endpoint.
func (h *relHandler) change(w http.ResponseWriter, r *http.Request, rel *resource.Relationship) {
	a, t := h.api, h.t
	e := a.engine()
	if _, err := parseQuery(r, a.writeConfig(r, t)); err != nil {
		a.writeError(w, r, err)
		return
	}
	if rel.ReadOnly || !t.Allows(resource.OpUpdate) {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
			Detail: fmt.Sprintf("The relationship %q cannot be changed.", rel.Name)})
		return
	}
	op := map[string]resource.LinkOp{http.MethodPatch: resource.LinkReplace, http.MethodPost: resource.LinkAdd, http.MethodDelete: resource.LinkRemove}[r.Method]
	if rel.Kind != resource.ToOne && ((op == resource.LinkReplace && rel.NoReplace) || (op == resource.LinkRemove && rel.NoRemove)) {
		a.writeError(w, r, &jsonapi.Error{Status: http.StatusForbidden, Title: "Forbidden",
			Detail: fmt.Sprintf("The relationship %q does not allow this change.", rel.Name)})
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	lk, err := e.DecodeRelationship(rel, body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	_, parent, err := a.key(r, t)
	if err == nil {
		err = e.ChangeRelationship(r.Context(), t, a.linker(r), parent, lk, op)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
