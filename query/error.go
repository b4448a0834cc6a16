package query

import (
	"errors"
	"fmt"
	"strings"
)

// An Error reports a query parameter the server cannot accept.
type Error struct {
	// Param is the name of the parameter at fault, such as "page[size]".
	Param string
	// Err describes the problem.
	Err error
	// Meta carries machine-readable detail, such as the maximum page size.
	Meta map[string]any
}

// Error returns a message naming the parameter.
func (e *Error) Error() string { return "query: " + e.Param + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }

// Detail returns a sentence for the client.
func (e *Error) Detail() string {
	msg := e.Err.Error()
	return fmt.Sprintf("The query parameter %q is invalid: %s.", e.Param, msg)
}

var (
	errRepeated      = errors.New("it may appear only once")
	errPositive      = errors.New("it must be a positive integer")
	errPageTooBig    = errors.New("it is larger than the maximum page size")
	errPageTooFar    = errors.New("the page lies beyond any possible result")
	errNotCollection = errors.New("only collections are paginated")
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
