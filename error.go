package restless

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gorestless/restless/jsonp"
	"github.com/gorestless/restless/negotiate"
	"github.com/gorestless/restless/query"
)

// An Error is a JSON:API error object. It is also a Go error, so a
// [Resource] or a write hook may return one to control the response;
// any other error is reported as a 500 whose cause is logged, not sent.
type Error struct {
	// ID identifies this occurrence of the problem. WriteError fills it
	// with the request id (see [ContextWithRequestID]) when it is empty.
	ID string
	// Status is the HTTP status code.
	Status int
	// Code is an application-specific error code.
	Code string
	// Title is a short summary of the kind of problem.
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

// ErrNotFound is returned by a Resource when the requested resource does not
// exist or the request may not see it. WriteError answers it with 404.
var ErrNotFound = errors.New("restless: not found")

// NewError returns an Error with status, the status text as title, and
// detail.
func NewError(status int, detail string) *Error {
	return &Error{Status: status, Title: http.StatusText(status), Detail: detail}
}

// WriteError replies to r with err as a JSON:API error document. It maps
// *Error (its own status), ErrNotFound (404), *query.Error (400 with
// source.parameter), *negotiate.Error (406 or 415), *jsonp.Error (400 or
// 403 with source.parameter), *http.MaxBytesError (413)
// and context cancellation (503); anything else becomes a 500 whose cause is
// logged with log/slog and never sent. Joined errors (errors.Join) of *Error
// values are written as one document with several error objects; the most
// general status is used for the response.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	errs := ErrorObjects(r.Context(), err)
	status := errs[0].Status
	for _, e := range errs[1:] {
		if e.Status != status {
			status = status / 100 * 100
			break
		}
	}
	if ra := retryAfter(err); ra > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ra))
	}
	WriteErrors(w, r, status, errs...)
}

// WriteErrors replies to r with status and an error document holding errs.
// Empty ids are filled with the request id.
func WriteErrors(w http.ResponseWriter, r *http.Request, status int, errs ...*Error) {
	id := RequestIDFromContext(r.Context())
	for _, e := range errs {
		if e.ID == "" {
			e.ID = id
		}
	}
	body, err := json.Marshal(struct {
		Errors  []*Error       `json:"errors"`
		JSONAPI *jsonapiObject `json:"jsonapi"`
	}{errs, &version11})
	if err != nil {
		body = []byte(`{"errors":[{"status":"500","title":"Internal Server Error"}]}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	h.Del("Location")
	h.Set("Content-Type", contentType(r))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// ErrorObjects converts err into the JSON:API error objects WriteError would
// send, logging causes that are not sent.
func ErrorObjects(ctx context.Context, err error) []*Error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []*Error
		for _, e := range joined.Unwrap() {
			if e != nil {
				out = append(out, ErrorObjects(ctx, e)...)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	var (
		e   *Error
		qe  *query.Error
		ne  *negotiate.Error
		mbe *http.MaxBytesError
		je  *jsonp.Error
	)
	switch {
	case errors.As(err, &e):
		if e.Err != nil && e.Status >= 500 {
			slog.ErrorContext(ctx, "restless: request failed", "status", e.Status, "err", e.Err, "request_id", RequestIDFromContext(ctx))
		}
		c := *e
		if c.Title == "" {
			c.Title = http.StatusText(c.Status)
		}
		return []*Error{&c}
	case errors.Is(err, ErrNotFound):
		return []*Error{NewError(http.StatusNotFound, "The requested resource does not exist.")}
	case errors.As(err, &qe):
		e := &Error{Status: http.StatusBadRequest, Title: "Invalid Query Parameter", Detail: qe.Detail(), Source: Parameter(qe.Param), Meta: qe.Meta}
		if qe.Type != "" {
			e.Links = &ErrorLinks{Type: qe.Type}
		}
		return []*Error{e}
	case errors.As(err, &ne):
		return []*Error{{Status: ne.Status, Title: http.StatusText(ne.Status), Detail: ne.Detail, Source: headerSource(ne.Header)}}
	case errors.As(err, &je):
		return []*Error{{Status: je.Status, Title: http.StatusText(je.Status), Detail: je.Detail, Source: Parameter(je.Param)}}
	case errors.As(err, &mbe):
		return []*Error{NewError(http.StatusRequestEntityTooLarge, "The request body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes.")}
	case errors.Is(err, context.DeadlineExceeded):
		return []*Error{NewError(http.StatusServiceUnavailable, "The request took too long; try again later.")}
	case errors.Is(err, context.Canceled):
		return []*Error{NewError(http.StatusServiceUnavailable, "The request was cancelled.")}
	}
	slog.ErrorContext(ctx, "restless: internal error", "err", err, "request_id", RequestIDFromContext(ctx))
	return []*Error{NewError(http.StatusInternalServerError, "The server could not complete the request.")}
}

func headerSource(h string) *ErrorSource {
	if h == "" {
		return nil
	}
	return Header(h)
}

// retryAfter returns the Retry-After seconds for a 503 error, or 0.
func retryAfter(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusServiceUnavailable {
		return 1
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return 1
	}
	return 0
}
