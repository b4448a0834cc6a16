package jsonapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// A Presenter is an error that knows the error objects it is answered
// with, such as a query parameter's error in package query.
type Presenter interface {
	error
	// JSONAPIErrors returns the error objects; ErrorObjects copies them.
	JSONAPIErrors() []*Error
}

// A StatusCoder is an error that names the status of its reply and no
// more, such as resource.ErrNotFound. Its error object has the status
// text as title and, if the error has a Detail() string method, that
// detail.
type StatusCoder interface {
	error
	StatusCode() int
}

// ErrorObjects returns the error objects that answer err. It is the one
// place where a Go error becomes JSON:API:
//
//   - an [*Error] is itself (a copy, with the status text as title if it
//     has none);
//   - a [Presenter] gives its own objects, a [StatusCoder] its status;
//   - an [*http.MaxBytesError] is a 413;
//   - context.DeadlineExceeded and context.Canceled are a 503;
//   - errors joined with [errors.Join] give the objects of each;
//   - anything else is a 500 that says only that the request failed,
//     with err as its Err.
//
// Objects of status 500 or more whose Err is set have a cause the client
// is not shown: the caller should log it.
func ErrorObjects(err error) []*Error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []*Error
		for _, e := range joined.Unwrap() {
			if e != nil {
				out = append(out, ErrorObjects(e)...)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	var (
		e   *Error
		p   Presenter
		sc  StatusCoder
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &e):
		return []*Error{withTitle(e)}
	case errors.As(err, &p):
		objs := p.JSONAPIErrors()
		out := make([]*Error, len(objs))
		for i, o := range objs {
			out[i] = withTitle(o)
		}
		return out
	case errors.As(err, &sc):
		o := NewError(sc.StatusCode(), "")
		if d, ok := sc.(interface{ Detail() string }); ok {
			o.Detail = d.Detail()
		}
		return []*Error{o}
	case errors.As(err, &mbe):
		return []*Error{NewError(http.StatusRequestEntityTooLarge, "The request body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes.")}
	case errors.Is(err, context.DeadlineExceeded):
		return []*Error{NewError(http.StatusServiceUnavailable, "The request took too long; try again later.")}
	case errors.Is(err, context.Canceled):
		return []*Error{NewError(http.StatusServiceUnavailable, "The request was cancelled.")}
	}
	o := NewError(http.StatusInternalServerError, "The server could not complete the request.")
	o.Err = err
	return []*Error{o}
}

// withTitle returns a copy of e whose title is the status text if e has
// none.
func withTitle(e *Error) *Error {
	c := *e
	if c.Title == "" {
		c.Title = http.StatusText(c.Status)
	}
	return &c
}

// StatusOf returns the status of a reply holding errs: their status when
// they share one, else the most general class (400 for a 404 beside a
// 409).
func StatusOf(errs []*Error) int {
	if len(errs) == 0 {
		return http.StatusInternalServerError
	}
	status := errs[0].Status
	for _, e := range errs[1:] {
		if e.Status != status {
			return status / 100 * 100
		}
	}
	return status
}

// MarshalErrors encodes an error document holding errs, with the jsonapi
// member.
func MarshalErrors(errs ...*Error) ([]byte, error) {
	return json.Marshal(struct {
		Errors  []*Error `json:"errors"`
		JSONAPI struct {
			Version string `json:"version"`
		} `json:"jsonapi"`
	}{Errors: errs, JSONAPI: struct {
		Version string `json:"version"`
	}{"1.1"}})
}

// WriteErrors replies with status and an error document holding errs,
// of the media type mediaType (such as [MediaType]). It drops the
// response headers that would describe another reply (Content-Length,
// ETag, Location) and sets X-Content-Type-Options: nosniff. A document
// that cannot be encoded (a Meta value encoding/json refuses) becomes a
// plain 500 error document.
func WriteErrors(w http.ResponseWriter, mediaType string, status int, errs ...*Error) {
	body, err := MarshalErrors(errs...)
	if err != nil {
		body = []byte(`{"errors":[{"status":"500","title":"Internal Server Error"}]}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	h.Del("Location")
	h.Set("Content-Type", mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
