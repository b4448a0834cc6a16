package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// provisionCreate creates a Provisioner's resource: Provision, then the
// row in one transaction, in which then runs last, before the commit.
// When the row fails after Provision succeeded, an Unprovisioner undoes
// Provision.
func (a *API) provisionCreate(ctx context.Context, r *http.Request, p *plan, l *linker, in *input, key any,
	then func(tx *sql.Tx, obj *Object) error) (*Object, error) {
	pr := p.res.(Provisioner)
	if err := safely(func() error { return pr.Provision(ctx, key, in.values) }); err != nil {
		return nil, err
	}
	var obj *Object
	err := a.inTx(ctx, func(tx *sql.Tx) error {
		return safely(func() error {
			var err error
			if obj, err = a.createTx(ctx, tx, p, l, in, key); err != nil {
				return err
			}
			if then != nil {
				return then(tx, obj)
			}
			return nil
		})
	})
	if err != nil {
		if u, ok := p.res.(Unprovisioner); ok {
			uerr := safely(func() error { return u.Unprovision(context.WithoutCancel(ctx), key, in.values) })
			if uerr != nil {
				a.logger().ErrorContext(ctx, "restless: unprovision", "type", p.schema.Type, "err", uerr,
					"request_id", RequestIDFromContext(r.Context()))
			}
		}
		return nil, err
	}
	return obj, nil
}

// safely runs fn, the resource's code in a job, turning a panic into an
// error: a job runs outside any handler and its middleware.
func safely(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("restless: panic: %v", v)
		}
	}()
	return fn()
}

// provision answers a valid POST to a Provisioner's collection: with a
// job runner, 202 and a job document (or, with Prefer: wait=N, the result
// if it comes in time); without one, 201 once the work is done.
func (h *collectionHandler) provision(w http.ResponseWriter, r *http.Request, in *input, key any) {
	a, p := h.api, h.plan
	l := a.linker(r)
	// A body naming related resources that do not exist is refused now,
	// not by a failed job.
	if err := a.checkLinksNow(r.Context(), in); err != nil {
		WriteError(w, r, a.writeError(r, p.schema, in, err))
		return
	}
	if a.Jobs == nil {
		obj, err := a.provisionCreate(r.Context(), r, p, l, in, key, nil)
		if err != nil {
			WriteError(w, r, a.writeError(r, p.schema, in, err))
			return
		}
		writeCreated(w, r, in, obj)
		return
	}
	scope, err := jobScope(r.Context(), p.res)
	if err != nil {
		WriteError(w, r, a.readError(r, p.schema, err))
		return
	}
	w.Header().Add("Vary", "Prefer")
	wait, waitAsked := preferWait(r.Header)
	jb, err := a.Jobs.submit(r, p, in, key, scope)
	if err != nil {
		WriteError(w, r, a.writeError(r, p.schema, in, err))
		return
	}
	if waitAsked {
		wait = min(wait, a.Jobs.maxWait())
		w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
		t := time.NewTimer(wait)
		select {
		case <-jb.done:
			t.Stop()
			jb.mu.Lock()
			obj, errs := jb.obj, jb.errs
			jb.mu.Unlock()
			if obj != nil {
				writeCreated(w, r, in, obj)
				return
			}
			WriteError(w, r, joinErrors(errs))
			return
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	rec, err := a.Jobs.sql.loadJob(r.Context(), a.DB, jb.id)
	if err != nil {
		WriteError(w, r, a.jobError(r, err))
		return
	}
	obj := jobObject(l, rec, nil)
	w.Header().Set("Content-Location", obj.Links.Self)
	w.Header().Set("Retry-After", "1")
	WriteDocument(w, r, http.StatusAccepted, &Document{Data: obj, Links: &Links{Self: obj.Links.Self}})
}

// writeCreated answers a POST that created obj.
func writeCreated(w http.ResponseWriter, r *http.Request, in *input, obj *Object) {
	w.Header().Set("Location", obj.Links.Self)
	WriteDocument(w, r, http.StatusCreated, &Document{Data: obj, Links: &Links{Self: obj.Links.Self}})
}

// joinErrors returns errs as one error for WriteError.
func joinErrors(errs []*Error) error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// checkLinksNow checks, outside any write, that the resources a body's
// relationships name exist and are visible.
func (a *API) checkLinksNow(ctx context.Context, in *input) error {
	if len(in.links) == 0 {
		return nil
	}
	tx, err := a.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return a.checkLinks(ctx, tx, in)
}

// jobScope returns the scope of the request in ctx for jobs of res.
func jobScope(ctx context.Context, res Resource) (string, error) {
	if s, ok := res.(JobScoper); ok {
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

// jobObject returns the resource object of a job; obj is the
// created resource of a complete job.
func jobObject(l *linker, rec *jobRecord, obj *Object) *Object {
	attrs := map[string]any{
		"state":        rec.state,
		"resourceType": rec.typ,
		"created":      time.UnixMilli(rec.created).UTC().Format(time.RFC3339Nano),
		"updated":      time.UnixMilli(rec.updated).UTC().Format(time.RFC3339Nano),
	}
	if rec.state == JobFailed && len(rec.errors) > 0 {
		attrs["errors"] = rec.errors
	}
	raw, _ := json.Marshal(attrs)
	self := l.base + "/jobs/" + url.PathEscape(rec.id)
	rel := &RelationshipObject{Name: "resource", Data: json.RawMessage("null")}
	if obj != nil {
		rel.Data = identifier(rec.typ, obj.ID)
		rel.Links = &Links{Related: obj.Links.Self}
	}
	return &Object{Type: "jobs", ID: rec.id, Attributes: raw, Relationships: []*RelationshipObject{rel},
		Links: &Links{Self: self}}
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
	if _, err := a.parseQuery(r, nil, a.writeConfig(r, nil)); err != nil {
		WriteError(w, r, err)
		return
	}
	notFound := NewError(http.StatusNotFound, "No job with this id exists.")
	id := r.PathValue("id")
	if a.Jobs == nil || !validJobID(id) {
		WriteError(w, r, notFound)
		return
	}
	ctx := r.Context()
	rec, err := a.Jobs.load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		WriteError(w, r, notFound)
		return
	}
	if err != nil {
		WriteError(w, r, a.jobError(r, err))
		return
	}
	p, ok := a.lookupType(rec.typ)
	if !ok {
		WriteError(w, r, notFound)
		return
	}
	// The job is shown only to requests that may read its resource.
	if scope, err := jobScope(ctx, p.res); err != nil || scope != rec.scope {
		WriteError(w, r, notFound)
		return
	}
	if _, err := p.res.Select(ctx); err != nil {
		WriteError(w, r, notFound)
		return
	}
	l := a.linker(r)
	var obj *Object
	if rec.state == JobComplete {
		key, ok := a.parseID(p.schema.ID, rec.result)
		if !ok {
			WriteError(w, r, notFound)
			return
		}
		obj, err = a.findOne(ctx, readDB{a}, p, l, key)
		if errors.Is(err, ErrNotFound) {
			WriteError(w, r, notFound)
			return
		}
		if err != nil {
			WriteError(w, r, a.readError(r, p.schema, err))
			return
		}
	}
	jo := jobObject(l, rec, obj)
	doc := &Document{Data: jo, Links: &Links{Self: jo.Links.Self}}
	switch rec.state {
	case JobComplete:
		// The JSON:API recommendation: 303 to the created resource.
		w.Header().Set("Location", obj.Links.Self)
		WriteDocument(w, r, http.StatusSeeOther, doc)
		return
	case JobPending, JobRunning:
		w.Header().Set("Retry-After", "1")
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

// load reads a job; a pending or running job whose lease expired is
// failed first, by whichever server reads it.
func (j *Jobs) load(ctx context.Context, id string) (*jobRecord, error) {
	if !j.isStarted() {
		return nil, errNotStarted
	}
	rec, err := j.sql.loadJob(ctx, j.api.DB, id)
	if err != nil || !rec.expired || (rec.state != JobPending && rec.state != JobRunning) {
		return rec, err
	}
	body, err := jsonErrors([]*Error{errStopped})
	if err != nil {
		return nil, err
	}
	if err := j.sql.exec(ctx, j.api.writeDB(), j.sql.reapID, body, id); err != nil {
		return nil, err
	}
	// Read from the writer: the reader may not see the change yet.
	return j.sql.loadJob(ctx, j.api.writeDB(), id)
}

// jobError turns a failure to read the jobs table into the error the
// client sees.
func (a *API) jobError(r *http.Request, err error) error {
	if a.dialect().Classify(err).Kind == DBBusy {
		return &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	}
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	a.logger().ErrorContext(r.Context(), "restless: read job", "err", err, "request_id", RequestIDFromContext(r.Context()))
	return &Error{Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "The server could not read the job."}
}
