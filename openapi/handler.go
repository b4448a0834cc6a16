package openapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
)

// Handler serves the OpenAPI description of the endpoints api serves for
// res (the same arguments as api.Handler), built once, as JSON with the
// Content-Type application/vnd.oai.openapi+json;version=3.1 and a strong
// ETag. GET and HEAD are answered (304 when If-None-Match lists the tag),
// OPTIONS with Allow, and other methods with a 405 error document. The
// document lists {Prefix}/openapi.json itself, since the handler is meant
// to be the API's Description. Build it before setting api.Description:
//
//	h, err := openapi.Handler(api, person, computer)
//	api.Description = h
func Handler(api *restless.API, res ...resource.Resource) (http.Handler, error) {
	doc, err := build(api, res, true)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode the document: %w", err)
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return &handler{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// handler serves one encoded document.
type handler struct {
	body []byte
	etag string
}

const allow = "GET, HEAD, OPTIONS"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allow)
		restless.WriteError(w, r, &jsonapi.Error{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
			Detail: fmt.Sprintf("This endpoint does not support %s; it supports %s.", r.Method, allow)})
		return
	}
	hd := w.Header()
	hd.Set("ETag", h.etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matches(inm, h.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Length", strconv.Itoa(len(h.body)))
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(h.body)
	}
}

// matches reports whether an If-None-Match value lists tag, comparing
// weakly as RFC 9110 requires.
func matches(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
