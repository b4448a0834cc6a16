package jsonapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// An Error is a JSON:API error object. It is also a Go error, so code that
// serves a request, such as a resource's write hook, may return one to
// control the response; [ErrorObjects] turns any other error into error
// objects.
type Error struct {
	// ID identifies this occurrence of the problem. The writers of
	// package restless and package middleware fill it with the request id
	// when it is empty.
	ID string
	// Status is the HTTP status code.
	Status int
	// Code is an application-specific error code.
	Code string
	// Title is a short summary of the kind of problem; empty means the
	// status text.
	Title string
	// Detail explains this occurrence of the problem.
	Detail string
	// Source names the part of the request that caused the problem.
	Source *ErrorSource
	// Meta holds non-standard information about the error.
	Meta map[string]any
	// Links are the error's about and type links.
	Links *ErrorLinks
	// Err is the cause. It is logged, never sent.
	Err error
}

// ErrorLinks are the links of an error object.
type ErrorLinks struct {
	// About leads to details about this occurrence of the problem.
	About string `json:"about,omitempty"`
	// Type identifies the kind of problem, such as a profile's error type.
	Type string `json:"type,omitempty"`
}

// An ErrorSource points at the part of a request that caused an [Error].
// A non-nil ErrorSource whose fields are all empty points at the whole
// request document (the JSON Pointer "").
type ErrorSource struct {
	// Pointer is a JSON Pointer (RFC 6901) into the request document.
	Pointer string
	// Parameter names the query parameter that caused the error.
	Parameter string
	// Header names the request header that caused the error.
	Header string
}

// Pointer returns an ErrorSource pointing at p in the request document.
func Pointer(p string) *ErrorSource { return &ErrorSource{Pointer: p} }

// Parameter returns an ErrorSource naming the query parameter name.
func Parameter(name string) *ErrorSource { return &ErrorSource{Parameter: name} }

// Header returns an ErrorSource naming the request header name.
func Header(name string) *ErrorSource { return &ErrorSource{Header: name} }

// MarshalJSON encodes the source as a JSON:API source object.
func (s *ErrorSource) MarshalJSON() ([]byte, error) {
	m := make(map[string]string, 1)
	if s.Parameter != "" {
		m["parameter"] = s.Parameter
	}
	if s.Header != "" {
		m["header"] = s.Header
	}
	if s.Pointer != "" || len(m) == 0 {
		m["pointer"] = s.Pointer
	}
	return json.Marshal(m)
}

// NewError returns an Error with status, the status text as title, and
// detail.
func NewError(status int, detail string) *Error {
	return &Error{Status: status, Title: http.StatusText(status), Detail: detail}
}

// Error returns the detail, or the title when there is none.
func (e *Error) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return "restless: " + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// MarshalJSON encodes e as a JSON:API error object.
func (e *Error) MarshalJSON() ([]byte, error) {
	type wire struct {
		ID     string         `json:"id,omitempty"`
		Links  *ErrorLinks    `json:"links,omitempty"`
		Status string         `json:"status,omitempty"`
		Code   string         `json:"code,omitempty"`
		Title  string         `json:"title,omitempty"`
		Detail string         `json:"detail,omitempty"`
		Source *ErrorSource   `json:"source,omitempty"`
		Meta   map[string]any `json:"meta,omitempty"`
	}
	w := wire{ID: e.ID, Links: e.Links, Code: e.Code, Title: e.Title, Detail: e.Detail, Source: e.Source, Meta: e.Meta}
	if e.Status != 0 {
		w.Status = strconv.Itoa(e.Status)
	}
	return json.Marshal(w)
}

// EscapePointer escapes a member name for a JSON Pointer (RFC 6901), so
// "/data/attributes/" + EscapePointer(name) points at the attribute
// whatever its name.
func EscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
