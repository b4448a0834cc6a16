// Package query parses the JSON:API query parameters of a request into
// [Params]: filters (Flask-Restless's filter objects, the simple
// filter[name]=value form and the legacy q search), sorting, pagination by
// page number, offset or cursor, sparse fieldsets and function
// evaluation.
//
// Every name in a request is checked against a [Resolver] before any SQL
// is built, and every value becomes a bind parameter. The package knows
// nothing of HTTP statuses or documents: a bad parameter is an [*Error]
// naming the parameter, which the restless package turns into a 400 error
// document with source.parameter.
package query

import (
	"context"
	"errors"
	"net/url"
	"strings"

	sq "github.com/Masterminds/squirrel"
)

// Defaults for page sizes.
const (
	DefaultPageSize = 10
	DefaultMaxPage  = 100
)

// Params holds the parsed query parameters of one request.
type Params struct {
	// Filter is the condition rows must meet; nil for none.
	Filter sq.Sqlizer
	// Single asks for exactly one resource object rather than a list.
	Single bool
	// SingleParam is the parameter that asked for Single.
	SingleParam string
	// Sort is the order, always ending in the id so it is total. It is
	// nil for requests that are not for a collection.
	Sort []Sort
	// Page is the requested page.
	Page Page
	// Fields maps types to the members a sparse fieldset keeps.
	Fields map[string][]string
	// Functions are the functions to evaluate.
	Functions []Function
	// Profiles lists the profiles applied to the response.
	Profiles []string
	// Include lists the relationship paths to include, such as
	// [["computers"], ["computers", "owner"]].
	Include [][]string
	// WithCount lists the to-many relationships whose size each resource
	// object gives as meta.count (withCount=computers).
	WithCount []string
}

// Config says what a request may ask for.
type Config struct {
	// Resolver resolves the names of the requested type. Without one,
	// only pagination is accepted.
	Resolver Resolver
	// Types resolves other types' names for fields[TYPE].
	Types func(typ string) (Resolver, bool)
	// PageSize is the page size when none is asked for; zero means 10.
	PageSize int
	// MaxPageSize is the largest page size; zero means 100.
	MaxPageSize int
	// Collection says the request is for a collection, which alone may be
	// filtered, sorted and paginated.
	Collection bool
	// Functions says the request is for function evaluation, which may
	// be filtered but not sorted or paginated.
	Functions bool
	// Cursor says the client asked for the cursor pagination profile in
	// its Accept header.
	Cursor bool
	// Ignore lists parameter names other layers handle, such as a JSONP
	// "callback".
	Ignore []string
	// Include says the endpoint returns resources, so include and
	// withCount apply.
	Include bool
	// IncludeDepth is the longest include path; zero means 3.
	IncludeDepth int
	// IncludePaths is the most include paths; zero means 10.
	IncludePaths int
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

// Parse parses the query parameters v. Any parameter it does not support
// is an error, as JSON:API requires. The lowercase names q (the legacy
// search), functions (evaluation) and callback (JSONP) are accepted as
// exceptions, because Flask-Restless clients send them.
func Parse(ctx context.Context, v url.Values, c Config) (Params, error) {
	p := Params{}
	var conds sq.And
	pageParams := map[string]string{}
	pageFrom := map[string]string{} // page key → the parameter it came from
	var sortParam, legacy string
	hasSort, hasLegacy := false, false
	sortFrom := "sort" // the parameter the sort came from
	comp := &compiler{ctx: ctx}
	for name, vals := range v {
		if ignored(name, c.Ignore) || name == "callback" {
			continue
		}
		if len(vals) > 1 {
			return p, &Error{Param: name, Err: errRepeated}
		}
		val := vals[0]
		family, rest, _ := strings.Cut(name, "[")
		switch {
		case family == "page" && strings.HasSuffix(rest, "]") && !strings.Contains(rest, "["):
			if !c.Collection {
				return p, &Error{Param: name, Err: errNotCollection}
			}
			pageParams[strings.TrimSuffix(rest, "]")] = val
		case name == "sort":
			if !c.Collection || c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			sortParam, hasSort = val, true
		case family == "filter" && rest != "":
			if !(c.Collection || c.Functions) || c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			cond, single, err := filterParam(comp, c.Resolver, name, val)
			if err != nil {
				return p, err
			}
			if single {
				p.Single, p.SingleParam = true, name
			}
			if cond != nil {
				conds = append(conds, cond)
			}
		case family == "fields" && strings.HasSuffix(rest, "]") && !strings.Contains(rest, "["):
			if c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			typ := strings.TrimSuffix(rest, "]")
			names, err := parseFields(c, typ, val)
			if err != nil {
				return p, &Error{Param: name, Err: err}
			}
			if p.Fields == nil {
				p.Fields = map[string][]string{}
			}
			p.Fields[typ] = names
		case name == "include":
			if !c.Include || c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			paths, err := parseInclude(c, val)
			if err != nil {
				return p, &Error{Param: name, Err: err}
			}
			p.Include = paths
		case name == "withCount":
			if !c.Include || c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			names, err := parseWithCount(c.Resolver, val)
			if err != nil {
				return p, &Error{Param: name, Err: err}
			}
			p.WithCount = names
		case name == "q":
			if (!c.Collection && !c.Functions) || c.Resolver == nil {
				return p, &Error{Param: name, Err: unsupported(name)}
			}
			legacy, hasLegacy = val, true
		case name == "functions":
			if !c.Functions {
				return p, paramErr(name, "only evaluation endpoints take functions")
			}
			fns, err := parseFunctions(c.Resolver, []byte(val))
			if err != nil {
				return p, &Error{Param: name, Err: err}
			}
			p.Functions = append(p.Functions, fns...)
		default:
			return p, &Error{Param: name, Err: unsupported(name)}
		}
	}
	if hasLegacy {
		l, err := parseLegacy(comp, c, legacy)
		if err != nil {
			return p, err
		}
		if l.filter != nil {
			conds = append(conds, l.filter)
		}
		if l.single && !p.Single {
			p.Single, p.SingleParam = true, "q"
		}
		p.Functions = append(p.Functions, l.functions...)
		if l.sort != "" {
			if hasSort {
				return p, paramErr("q", "it may not order the results when sort is given")
			}
			sortParam, hasSort, sortFrom = l.sort, true, "q"
		}
		for k, v := range l.page {
			if _, dup := pageParams[k]; dup {
				return p, paramErr("q", "it may not set a limit or offset when page parameters are given")
			}
			pageParams[k] = v
			pageFrom[k] = "q"
		}
	}
	if len(conds) == 1 {
		p.Filter = conds[0]
	} else if len(conds) > 1 {
		p.Filter = conds
	}
	if c.Collection && c.Resolver != nil {
		id, _ := c.Resolver.Field("id")
		if hasSort {
			keys, err := parseSort(ctx, c.Resolver, sortParam)
			if err != nil {
				return p, &Error{Param: sortFrom, Err: err}
			}
			p.Sort = keys
		}
		p.Sort = withTiebreak(p.Sort, id)
	}
	page, err := parsePage(c, pageParams, pageFrom, p.Sort)
	if err != nil {
		return p, err
	}
	p.Page = page
	if page.Style == PageCursor {
		p.Profiles = []string{CursorProfile}
	}
	return p, nil
}

// filterParam handles one filter[...] parameter.
func filterParam(comp *compiler, r Resolver, name, val string) (sq.Sqlizer, bool, error) {
	inner := strings.TrimPrefix(name, "filter[")
	field, rest, ok := strings.Cut(inner, "]")
	if !ok || field == "" {
		return nil, false, paramErr(name, "it is not of the form filter[name] or filter[name][op]")
	}
	switch field {
	case "objects":
		if rest != "" {
			return nil, false, paramErr(name, "filter[objects] takes no operator")
		}
		cond, err := comp.filterList(r, []byte(val), false)
		if err != nil {
			return nil, false, &Error{Param: name, Err: err}
		}
		return cond, false, nil
	case "single":
		if rest != "" {
			return nil, false, paramErr(name, "filter[single] takes no operator")
		}
		switch val {
		case "1", "true":
			return nil, true, nil
		case "0", "false":
			return nil, false, nil
		}
		return nil, false, paramErr(name, "it must be 1 or 0")
	}
	op := ""
	if rest != "" {
		if !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") || strings.Count(rest, "[") != 1 {
			return nil, false, paramErr(name, "it is not of the form filter[name] or filter[name][op]")
		}
		op = rest[1 : len(rest)-1]
	}
	cond, err := simpleFilter(r, field, op, val)
	if err != nil {
		return nil, false, &Error{Param: name, Err: err}
	}
	if _, isField := r.Field(field); !isField {
		if rel, ok := r.Relation(field); ok && rel.ID != nil && rel.Matches != nil {
			if cond, err = visibleOnly(comp.ctx, rel, op, cond); err != nil {
				return nil, false, &Error{Param: name, Err: err}
			}
		}
	}
	return cond, false, nil
}

// visibleOnly restricts a simple filter on a to-one relationship's key
// (filter[owner]=2) to rows whose related resource the request may see. A
// related resource hidden by its row filter counts as none, as the
// relationship's linkage shows it, so that the filter cannot reveal that
// a hidden resource exists or which rows refer to it.
func visibleOnly(ctx context.Context, rel Relation, opName string, cond sq.Sqlizer) (sq.Sqlizer, error) {
	sub, err := rel.Matches(ctx, nil)
	if err != nil {
		return nil, err
	}
	visible := sq.And{sq.NotEq{rel.Key: nil}, sq.Expr(rel.Key+" IN (?)", sub)}
	if operators[opName] == "is_null" {
		return sq.Or{cond, not{visible}}, nil
	}
	return sq.And{cond, visible}, nil
}

// parsePage reads the page parameters.
func parsePage(c Config, params, from map[string]string, keys []Sort) (Page, error) {
	p := Page{Style: PageNumber, Number: 1, Size: c.pageSize()}
	has := func(k string) bool { _, ok := params[k]; return ok }
	// name is the parameter a page key came from.
	name := func(k string) string {
		if f, ok := from[k]; ok {
			return f
		}
		return "page[" + k + "]"
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if has(k) {
				return name(k)
			}
		}
		return ""
	}
	for k := range params {
		switch k {
		case "number", "size", "offset", "limit", "after", "before":
		default:
			return p, &Error{Param: name(k), Err: unsupported(name(k))}
		}
	}
	cursor := (c.Cursor && c.Collection) || has("after") || has("before")
	if cursor {
		p.Style = PageCursor
		if n := first("number", "offset", "limit"); n != "" {
			return p, paramErr(n, "it cannot be combined with cursor pagination")
		}
		if has("after") && has("before") {
			return p, &Error{Param: name("before"), Err: errors.New("range pagination (page[after] with page[before]) is not supported"), Type: ErrTypeRangeNotAllowed}
		}
	} else if has("offset") || has("limit") {
		p.Style = PageOffset
		if has("number") || has("size") {
			return p, paramErr(first("offset", "limit"), "page[offset] and page[limit] cannot be combined with page[number] and page[size]")
		}
	}
	sizeKey := "size"
	if p.Style == PageOffset {
		sizeKey = "limit"
	}
	if s, ok := params[sizeKey]; ok {
		sizeParam := name(sizeKey)
		n, err := parsePositive(sizeParam, s)
		if err != nil {
			return p, err
		}
		if n > c.maxPageSize() {
			e := &Error{Param: sizeParam, Err: errPageTooBig, Meta: map[string]any{"page": map[string]any{"maxSize": c.maxPageSize()}}}
			if p.Style == PageCursor {
				e.Type = ErrTypeMaxSize
			}
			return p, e
		}
		p.Size = n
	}
	switch p.Style {
	case PageNumber:
		if s, ok := params["number"]; ok {
			n, err := parsePositive(name("number"), s)
			if err != nil {
				return p, err
			}
			p.Number = n
		}
		// Divide rather than multiply: (number-1)*size overflows for a
		// page number near the int64 limit and wraps to a negative start.
		if int64(p.Number-1) > (1<<53)/int64(p.Size) {
			return p, &Error{Param: "page[number]", Err: errPageTooFar}
		}
		p.Start = (p.Number - 1) * p.Size
	case PageOffset:
		if s, ok := params["offset"]; ok {
			n, err := parseNonNegative(name("offset"), s)
			if err != nil {
				return p, err
			}
			if n > 1<<53 {
				return p, &Error{Param: name("offset"), Err: errPageTooFar}
			}
			p.Start = n
		}
	case PageCursor:
		if len(keys) == 0 {
			return p, paramErr("page[after]", "cursor pagination needs a sortable collection")
		}
		for _, k := range []string{"after", "before"} {
			if s, ok := params[k]; ok {
				vals, err := decodeCursor(keys, s)
				if err != nil {
					return p, &Error{Param: "page[" + k + "]", Err: err}
				}
				if k == "after" {
					p.After = vals
				} else {
					p.Before = vals
				}
			}
		}
	}
	return p, nil
}

func ignored(name string, list []string) bool {
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}
