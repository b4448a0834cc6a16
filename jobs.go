package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// The HTTP side of slow creations (resource.Provisioner, package jobs):
// the reply to their POST and the job endpoint {Prefix}/jobs/{id}.

// provision answers a valid POST to a Provisioner's collection: with a
// job runner, 202 and a job document (or, with Prefer: wait=N, the result
// if it comes in time); without one, 201 once the work is done.
func (h *collectionHandler) provision(w http.ResponseWriter, r *http.Request, in *engine.Input, key any) {
	a, t := h.api, h.t
	e, l := a.engine(), a.linker(r)
	// A body naming related resources that do not exist is refused now,
	// not by a failed job.
	if err := e.CheckLinks(r.Context(), t, in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if a.Jobs == nil {
		obj, err := e.Provision(r.Context(), t, l, in, key, nil)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeCreated(w, r, obj)
		return
	}
	scope, err := jobScope(r.Context(), t.Resource())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Add("Vary", "Prefer")
	wait, waitAsked := preferWait(r.Header)
	jb, err := a.Jobs.Submit(r.Context(), t.Schema().Type, scope,
		func(ctx context.Context, complete func(tx *sql.Tx, id string) error) (*jsonapi.Object, error) {
			return e.Provision(ctx, t, l, in, key, func(tx *sql.Tx, obj *jsonapi.Object) error {
				return complete(tx, obj.ID)
			})
		})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if waitAsked {
		wait = a.Jobs.CapWait(wait)
		w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
		timer := time.NewTimer(wait)
		select {
		case <-jb.Done():
			timer.Stop()
			obj, errs := jb.Result()
			if obj != nil {
				writeCreated(w, r, obj)
				return
			}
			a.writeError(w, r, joinErrors(errs))
			return
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	rec, err := a.Jobs.Load(r.Context(), jb.ID())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	obj := jobObject(l, rec, nil)
	w.Header().Set("Content-Location", obj.Links.Self)
	w.Header().Set("Retry-After", "1")
	WriteDocument(w, r, http.StatusAccepted, &jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: obj.Links.Self}})
}

// joinErrors returns errs as one error for writeError.
func joinErrors(errs []*jsonapi.Error) error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// jobScope returns the scope of the request in ctx for jobs of res.
func jobScope(ctx context.Context, res resource.Resource) (string, error) {
	if s, ok := res.(resource.JobScoper); ok {
		return s.JobScope(ctx)
	}
	return "", nil
}

// preferWait returns the wait=N preference of RFC 7240 in h, if any.
// Preferences that cannot be understood are ignored, as the RFC says.
func preferWait(h http.Header) (time.Duration, bool) {
	for _, v := range h.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			if i := strings.IndexByte(pref, ';'); i >= 0 {
				pref = pref[:i]
			}
			name, val, ok := strings.Cut(strings.TrimSpace(pref), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseUint(val, 10, 31)
			if err != nil {
				continue
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}

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
	notFound := jsonapi.NewError(http.StatusNotFound, "No job with this id exists.")
	id := r.PathValue("id")
	if a.Jobs == nil || !jobs.ValidID(id) {
		a.writeError(w, r, notFound)
		return
	}
	ctx := r.Context()
	rec, err := a.Jobs.Load(ctx, id)
	if errors.Is(err, resource.ErrNotFound) {
		a.writeError(w, r, notFound)
		return
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, ok := e.Lookup(rec.Type)
	if !ok {
		a.writeError(w, r, notFound)
		return
	}
	// The job is shown only to requests that may read its resource.
	if scope, err := jobScope(ctx, t.Resource()); err != nil || scope != rec.Scope {
		a.writeError(w, r, notFound)
		return
	}
	if _, err := t.Resource().Select(ctx); err != nil {
		a.writeError(w, r, notFound)
		return
	}
	l := a.linker(r)
	var obj *jsonapi.Object
	if rec.State == jobs.Complete {
		key, ok := e.ParseID(t, rec.Result)
		if !ok {
			a.writeError(w, r, notFound)
			return
		}
		obj, err = e.Find(ctx, t, l, nil, key)
		if errors.Is(err, resource.ErrNotFound) {
			a.writeError(w, r, notFound)
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
