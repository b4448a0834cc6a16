package restless

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// The job endpoint {Prefix}/jobs/{id}, where a client follows the slow
// creation of a resource.Provisioner (see package jobs and
// collectionHandler.provision).

// jobObject returns the resource object of a job; obj is the created
// resource of a complete job.
func jobObject(l *engine.Linker, rec *jobs.Record, obj *jsonapi.Object) *jsonapi.Object {
	attrs := map[string]any{
		"state":        rec.State,
		"resourceType": rec.Type,
		"created":      rec.Created.Format(time.RFC3339Nano),
		"updated":      rec.Updated.Format(time.RFC3339Nano),
	}
	if rec.State == jobs.Failed && len(rec.Errors) > 0 {
		attrs["errors"] = rec.Errors
	}
	raw, _ := json.Marshal(attrs)
	self := l.Base() + "/jobs/" + url.PathEscape(rec.ID)
	rel := &jsonapi.RelationshipObject{Name: "resource", Data: json.RawMessage("null")}
	if obj != nil {
		rel.Data = identifier(rec.Type, obj.ID)
		rel.Links = &jsonapi.Links{Related: obj.Links.Self}
	}
	return &jsonapi.Object{Type: "jobs", ID: rec.ID, Attributes: raw, Relationships: []*jsonapi.RelationshipObject{rel},
		Links: &jsonapi.Links{Self: self}}
}

// identifier encodes the resource identifier of typ and id.
func identifier(typ, id string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}{typ, id})
	return b
}

// jobHandler serves GET {prefix}/jobs/{id}.
type jobHandler struct {
	api *API
}

const jobAllow = "GET, HEAD, OPTIONS"

func (h *jobHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		options(w, jobAllow)
		return
	default:
		methodNotAllowed(w, r, jobAllow)
		return
	}
	a := h.api
	e := a.engine()
	if _, err := parseQuery(r, a.writeConfig(r, nil)); err != nil {
		a.writeError(w, r, err)
		return
	}
	noJob := jsonapi.NewError(http.StatusNotFound, "No job with this id exists.")
	id := r.PathValue("id")
	if a.Jobs == nil || !jobs.ValidID(id) {
		a.writeError(w, r, noJob)
		return
	}
	ctx := r.Context()
	rec, err := a.Jobs.Load(ctx, id)
	if errors.Is(err, resource.ErrNotFound) {
		a.writeError(w, r, noJob)
		return
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, ok := e.Lookup(rec.Type)
	if !ok {
		a.writeError(w, r, noJob)
		return
	}
	// The job is shown only to requests that may read its resource.
	if scope, err := jobScope(ctx, t.Resource()); err != nil || scope != rec.Scope {
		a.writeError(w, r, noJob)
		return
	}
	if _, err := t.Resource().Select(ctx); err != nil {
		a.writeError(w, r, noJob)
		return
	}
	l := a.linker(r)
	var obj *jsonapi.Object
	if rec.State == jobs.Complete {
		key, ok := e.ParseID(t, rec.Result)
		if !ok {
			a.writeError(w, r, noJob)
			return
		}
		obj, err = e.Find(ctx, t, l, nil, key)
		if errors.Is(err, resource.ErrNotFound) {
			a.writeError(w, r, noJob)
			return
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	jo := jobObject(l, rec, obj)
	doc := &jsonapi.Document{Data: jo, Links: &jsonapi.Links{Self: jo.Links.Self}}
	switch rec.State {
	case jobs.Complete:
		// The JSON:API recommendation: 303 to the created resource.
		w.Header().Set("Location", obj.Links.Self)
		WriteDocument(w, r, http.StatusSeeOther, doc)
		return
	case jobs.Pending, jobs.Running:
		w.Header().Set("Retry-After", "1")
	}
	WriteDocument(w, r, http.StatusOK, doc)
}
