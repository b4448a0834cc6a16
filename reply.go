package restless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/gorestless/restless/internal/etag"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/negotiate"
)

// WriteDocument replies to r with status and the document d. A 200 reply
// to GET or HEAD carries a strong ETag, and is a 304 without a body when
// the request's If-None-Match lists it.
func WriteDocument(w http.ResponseWriter, r *http.Request, status int, d *jsonapi.Document) {
	buf := getBuffer()
	defer putBuffer(buf)
	b, err := d.AppendJSON((*buf)[:0])
	if err != nil {
		WriteError(w, r, err)
		return
	}
	b = append(b, '\n')
	*buf = b
	h := w.Header()
	if status == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		tag := etag.Of(b)
		h.Set("ETag", tag)
		if notModified(w, r, tag) {
			return
		}
	}
	h.Set("Content-Type", contentType(r, d.Profile...))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeMeta replies with a document of top-level meta only.
func writeMeta(w http.ResponseWriter, r *http.Request, status int, meta map[string]any) {
	b, err := json.Marshal(struct {
		Meta    map[string]any `json:"meta"`
		JSONAPI struct {
			Version string `json:"version"`
		} `json:"jsonapi"`
	}{Meta: meta, JSONAPI: struct {
		Version string `json:"version"`
	}{"1.1"}})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", contentType(r))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// notModified answers a GET or HEAD whose If-None-Match lists the
// response's tag with 304 and no body.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || !etag.Matches(inm, tag, true) {
		return false
	}
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusNotModified)
	return true
}

// contentType returns the media type of a response to r that applies the
// given profiles, and the Atomic Operations extension when the request
// applied it (only the operations endpoint lets such a request through).
func contentType(r *http.Request, profiles ...string) string {
	var ext []string
	if res, ok := negotiate.FromContext(r.Context()); ok && slices.Contains(res.RequestExt, AtomicExt) {
		ext = []string{AtomicExt}
	}
	if len(profiles) == 0 && ext == nil {
		return negotiate.MediaType
	}
	return negotiate.FormatMediaType(ext, profiles)
}

// methodNotAllowed replies 405 with the Allow header.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	WriteError(w, r, &jsonapi.Error{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
		Detail: fmt.Sprintf("This endpoint does not support %s; it supports %s.", r.Method, allow)})
}

// options answers an OPTIONS request with the Allow header.
func options(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	w.WriteHeader(http.StatusNoContent)
}

// withQuery returns link with the query v.
func withQuery(link string, v url.Values) string {
	if len(v) == 0 {
		return link
	}
	return link + "?" + v.Encode()
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuffer() *[]byte { return bufPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > 1<<20 {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// WriteError replies to r with err as a JSON:API error document: the
// error objects jsonapi.ErrorObjects gives err (an *jsonapi.Error its own
// status, resource.ErrNotFound 404, a query parameter's error 400 with
// source.parameter, a body over its limit 413, a cancelled request 503,
// anything else a 500 that says only that the request failed), with the
// request id (see package middleware) as the id of each. Several errors
// share the most general status of theirs. A 503 carries Retry-After.
//
// The causes of 500s are logged with slog.Default(); the API's own
// handlers log them with the API's Logger.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, slog.Default(), err)
}

func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	errs := errorObjects(r.Context(), log, err)
	status := jsonapi.StatusOf(errs)
	if retryAfter(err) {
		w.Header().Set("Retry-After", "1")
	}
	id := middleware.RequestIDFromContext(r.Context())
	for _, e := range errs {
		if e.ID == "" {
			e.ID = id
		}
	}
	jsonapi.WriteErrors(w, contentType(r), status, errs...)
}

// errorObjects returns the error objects of err, logging with log the
// causes the client is not shown.
func errorObjects(ctx context.Context, log *slog.Logger, err error) []*jsonapi.Error {
	errs := jsonapi.ErrorObjects(err)
	for _, e := range errs {
		if e.Status >= http.StatusInternalServerError && e.Err != nil {
			log.ErrorContext(ctx, "restless: request failed", "status", e.Status, "err", e.Err,
				"request_id", middleware.RequestIDFromContext(ctx))
		}
	}
	return errs
}

// retryAfter reports whether a reply to err asks the client to try again
// shortly: a 503 the server chose (a busy database, a full job queue) or
// a request that took too long; not a client that went away.
func retryAfter(err error) bool {
	var e *jsonapi.Error
	return errors.As(err, &e) && e.Status == http.StatusServiceUnavailable || errors.Is(err, context.DeadlineExceeded)
}
