package query

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorestless/restless/jsonapi"
)

// An Error reports a query parameter the server cannot accept.
type Error struct {
	// Param is the name of the parameter at fault, such as "page[size]".
	Param string
	// Err describes the problem; its text completes the sentence "The
	// query parameter ... is invalid: ...".
	Err error
	// Meta carries machine-readable detail, such as the maximum page size.
	Meta map[string]any
	// Type is a URI identifying the kind of error, such as a profile's
	// error type; empty for none.
	Type string
}

// Error returns a message naming the parameter.
func (e *Error) Error() string { return "query: " + e.Param + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }

// Detail returns a sentence for the client.
func (e *Error) Detail() string {
	return fmt.Sprintf("The query parameter %q is invalid: %s.", e.Param, e.Err.Error())
}

func paramErr(param string, format string, args ...any) *Error {
	return &Error{Param: param, Err: fmt.Errorf(format, args...)}
}

var (
	errRepeated      = errors.New("it may appear only once")
	errPositive      = errors.New("it must be a positive integer")
	errNonNegative   = errors.New("it must be a non-negative integer")
	errPageTooBig    = errors.New("it is larger than the maximum page size")
	errPageTooFar    = errors.New("the page lies beyond any possible result")
	errNotCollection = errors.New("only collections are paginated, filtered or sorted")
)

// ErrUnsupported is wrapped by errors for parameters the server does not
// support.
var ErrUnsupported = errors.New("query: unsupported parameter")

func unsupported(name string) error {
	family := name
	if i := strings.IndexByte(family, '['); i >= 0 {
		family = family[:i]
	}
	switch family {
	case "sort", "filter", "include", "fields", "page":
		return unsupportedError("this endpoint does not support it")
	}
	return unsupportedError("it is not a parameter this server knows")
}

type unsupportedError string

func (e unsupportedError) Error() string        { return string(e) }
func (e unsupportedError) Is(target error) bool { return target == ErrUnsupported }

// JSONAPIErrors presents the error as a 400 whose source is the
// parameter, with the error's meta and its type as the links' type.
func (e *Error) JSONAPIErrors() []*jsonapi.Error {
	o := &jsonapi.Error{Status: http.StatusBadRequest, Title: "Invalid Query Parameter", Detail: e.Detail(),
		Source: jsonapi.Parameter(e.Param), Meta: e.Meta}
	if e.Type != "" {
		o.Links = &jsonapi.ErrorLinks{Type: e.Type}
	}
	return []*jsonapi.Error{o}
}
