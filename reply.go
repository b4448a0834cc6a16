package restless

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/gorestless/restless/internal/etag"
	"github.com/gorestless/restless/jsonapi"
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
