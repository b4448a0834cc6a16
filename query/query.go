// Package query parses the JSON:API query parameters of a request into
// [Params]. It knows nothing of HTTP statuses or documents: a bad parameter
// is an [*Error] naming the parameter, which the restless package turns into
// a 400 error document with source.parameter.
package query

import (
	"net/url"
	"strconv"
	"strings"
)

// Defaults for page sizes.
const (
	DefaultPageSize = 10
	DefaultMaxPage  = 100
)

// Params holds the parsed query parameters of one request.
type Params struct {
	// Page is the requested page.
	Page Page
}

// Page is a page-based pagination request: page[number] counts from 1.
type Page struct {
	Number int
	Size   int
}

// Offset returns the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// Config bounds what Parse accepts. The zero value uses
// DefaultPageSize and DefaultMaxPage.
type Config struct {
	// PageSize is the page size when page[size] is absent.
	PageSize int
	// MaxPageSize is the largest page[size] accepted.
	MaxPageSize int
	// Collection says whether the request is for a collection; item
	// requests take no pagination parameters.
	Collection bool
	// Ignore lists parameter names that other layers handle (such as a
	// JSONP "callback"); Parse skips them.
	Ignore []string
}

func (c Config) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return DefaultPageSize
}

func (c Config) maxPageSize() int {
	if c.MaxPageSize > 0 {
		return c.MaxPageSize
	}
	return DefaultMaxPage
}

// Parse parses the query parameters v. Any parameter it does not support is
// an error, as JSON:API requires.
func Parse(v url.Values, c Config) (Params, error) {
	p := Params{Page: Page{Number: 1, Size: c.pageSize()}}
	for name, vals := range v {
		if ignored(name, c.Ignore) {
			continue
		}
		val := vals[len(vals)-1]
		if len(vals) > 1 {
			return p, &Error{Param: name, Err: errRepeated}
		}
		switch name {
		case "page[number]", "page[size]":
			if !c.Collection {
				return p, &Error{Param: name, Err: errNotCollection}
			}
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 {
				return p, &Error{Param: name, Err: errPositive}
			}
			if name == "page[number]" {
				p.Page.Number = n
			} else {
				if n > c.maxPageSize() {
					return p, &Error{Param: name, Err: errPageTooBig, Meta: map[string]any{"page": map[string]any{"maxSize": c.maxPageSize()}}}
				}
				p.Page.Size = n
			}
		default:
			return p, &Error{Param: name, Err: unsupported(name)}
		}
	}
	if p.Page.Number > maxPageNumber(p.Page.Size) {
		return p, &Error{Param: "page[number]", Err: errPageTooFar}
	}
	return p, nil
}

// maxPageNumber keeps (number-1)*size inside an int64 offset.
func maxPageNumber(size int) int {
	return int(int64(1<<53) / int64(size))
}

func ignored(name string, list []string) bool {
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}
