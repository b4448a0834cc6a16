package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// The engine's errors carry their status as a number: the statuses are
// part of JSON:API's error objects, and the engine speaks no HTTP.

// answered reports whether err already says how it is answered: a
// *jsonapi.Error, an error that presents itself (jsonapi.Presenter,
// jsonapi.StatusCoder: resource.ErrNotFound, a query parameter's error),
// or a cancelled or timed-out context.
func answered(err error) bool {
	var (
		e  *jsonapi.Error
		p  jsonapi.Presenter
		sc jsonapi.StatusCoder
	)
	return errors.As(err, &e) || errors.As(err, &p) || errors.As(err, &sc) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// writeFailure turns a failure of a write of s into the error the client
// sees: errors that say how they are answered (a *jsonapi.Error,
// resource.ErrNotFound, a cancelled context) pass through, classified
// database errors become 4xx or 503 with a pointer at the member at
// fault in the request document in (nil for a delete), and anything else
// a 500 whose cause is kept for the log, never sent. A nil err is nil.
func writeFailure(d dialect.Dialect, s *resource.Schema, in *Input, err error) error {
	if err == nil || answered(err) {
		return err
	}
	c := d.Classify(err)
	ptr := func() *jsonapi.ErrorSource {
		if c.Column == "" {
			return nil
		}
		if c.Column == s.ID.Column {
			if in != nil && in.ID != nil {
				return jsonapi.Pointer("/data/id")
			}
			return nil
		}
		for _, at := range s.Attributes {
			if at.Column == c.Column {
				if in != nil {
					if _, ok := in.values[at.Name]; ok {
						return jsonapi.Pointer("/data/attributes/" + jsonapi.EscapePointer(at.Name))
					}
				}
				return jsonapi.Pointer("/data")
			}
		}
		for _, rel := range s.Relationships {
			if rel.Kind == resource.ToOne && rel.ForeignKey == c.Column {
				if in != nil {
					if _, ok := in.values[rel.Name]; ok {
						return jsonapi.Pointer("/data/relationships/" + jsonapi.EscapePointer(rel.Name))
					}
				}
				return jsonapi.Pointer("/data")
			}
		}
		return nil
	}
	name, member := c.Column, "attribute"
	for _, at := range s.Attributes {
		if at.Column == c.Column {
			name = at.Name
		}
	}
	for _, rel := range s.Relationships {
		if rel.Kind == resource.ToOne && rel.ForeignKey == c.Column {
			name, member = rel.Name, "relationship"
		}
	}
	switch c.Kind {
	case dialect.Unique:
		if c.Column == s.ID.Column && c.Column != "" {
			return &jsonapi.Error{Status: 409, Title: "Conflict", Detail: "A resource with this id already exists.", Source: ptr()}
		}
		detail := "The value conflicts with an existing resource."
		if name != "" {
			detail = fmt.Sprintf("Another resource already has this value of %q.", name)
		}
		return &jsonapi.Error{Status: 409, Title: "Conflict", Detail: detail, Source: ptr()}
	case dialect.NotNull:
		detail := "A required value is missing."
		if name != "" {
			detail = fmt.Sprintf("The %s %q must have a value.", member, name)
		}
		return &jsonapi.Error{Status: 400, Title: "Missing Value", Detail: detail, Source: ptr()}
	case dialect.Check:
		return &jsonapi.Error{Status: 400, Title: "Invalid Value", Detail: "A value breaks a rule of the database.", Source: ptr()}
	case dialect.ForeignKey:
		if in == nil {
			return &jsonapi.Error{Status: 409, Title: "Conflict", Detail: "Other resources still refer to this resource."}
		}
		return &jsonapi.Error{Status: 404, Title: "Related Resource Not Found",
			Detail: "A related resource the document refers to does not exist.", Source: in.foreignKeyPointer(s, c.Column)}
	case dialect.Busy:
		return &jsonapi.Error{Status: 503, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	}
	return &jsonapi.Error{Status: 500, Title: "Internal Server Error", Detail: "The server could not complete the write.",
		Err: fmt.Errorf("write %s: %w", s.Type, err)}
}

// foreignKeyPointer points at the member of the document that set the
// foreign key column col: the to-one relationship or attribute writing it,
// or, when the database does not name the column (SQLite), the document's
// only to-one relationship. It is nil when no member can be named.
func (in *Input) foreignKeyPointer(s *resource.Schema, col string) *jsonapi.ErrorSource {
	var only *Linkage
	n := 0
	for _, lk := range in.links {
		if lk.rel.Kind != resource.ToOne {
			continue
		}
		if col != "" && lk.rel.ForeignKey == col {
			return jsonapi.Pointer(lk.ptr)
		}
		only = lk
		n++
	}
	if col != "" {
		for _, at := range s.Attributes {
			if _, ok := in.values[at.Name]; ok && at.Column == col {
				return jsonapi.Pointer("/data/attributes/" + jsonapi.EscapePointer(at.Name))
			}
		}
		return nil
	}
	if n == 1 {
		return jsonapi.Pointer(only.ptr)
	}
	// An attribute that writes a to-one relationship's foreign key.
	var ptr *jsonapi.ErrorSource
	for _, at := range s.Attributes {
		if _, ok := in.values[at.Name]; !ok || at.Column == "" {
			continue
		}
		for _, r := range s.Relationships {
			if r.Kind == resource.ToOne && r.ForeignKey == at.Column {
				if ptr != nil {
					return nil
				}
				ptr = jsonapi.Pointer("/data/attributes/" + jsonapi.EscapePointer(at.Name))
			}
		}
	}
	if n == 0 {
		return ptr
	}
	return nil
}

// readFailure turns a failure of a read of s into the error the client
// sees, as writeFailure does for writes. A nil err is nil.
func readFailure(d dialect.Dialect, s *resource.Schema, err error) error {
	if err == nil || answered(err) {
		return err
	}
	switch d.Classify(err).Kind {
	case dialect.Busy:
		return &jsonapi.Error{Status: 503, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	case dialect.Check:
		// A read binds only values from the query, such as a filter's.
		return &jsonapi.Error{Status: 400, Title: "Invalid Value", Detail: "A value in the query does not fit the type of what it is compared with."}
	}
	return &jsonapi.Error{Status: 500, Title: "Internal Server Error", Detail: "The server could not read the resource.",
		Err: fmt.Errorf("read %s: %w", s.Type, err)}
}

// errOutOfView is the answer to a write that would leave the row where
// the request cannot see it.
var errOutOfView = &jsonapi.Error{Status: 403, Title: "Forbidden",
	Detail: "The write would move the resource outside what this request may see."}

// errPreconditionFailed answers an If-Match that no longer matches.
var errPreconditionFailed = &jsonapi.Error{Status: 412, Title: "Precondition Failed",
	Detail: "The resource changed since the entity tag in If-Match was issued; fetch it again.", Source: jsonapi.Header("If-Match")}

// badDocument is a 400 pointing into the request document.
func badDocument(pointer, detail string) *jsonapi.Error {
	return &jsonapi.Error{Status: 400, Title: "Invalid Document", Detail: detail, Source: jsonapi.Pointer(pointer)}
}

func notFoundAt(ptr, typ, id string) *jsonapi.Error {
	return &jsonapi.Error{Status: 404, Title: "Related Resource Not Found",
		Detail: fmt.Sprintf("There is no %q resource with the id %q.", typ, id), Source: jsonapi.Pointer(ptr)}
}
