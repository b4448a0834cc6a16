package query

import (
	"context"
	"encoding/json"

	sq "github.com/Masterminds/squirrel"
)

// A Resolver tells Parse which names a resource type has. Parse checks
// every name in a request against it before any SQL is built, and takes
// the SQL from it, never from the request.
type Resolver interface {
	// Type returns the JSON:API type name.
	Type() string
	// Field returns the attribute (or "id") called name, if clients may
	// filter and sort by it.
	Field(name string) (Field, bool)
	// Relation returns the relationship called name.
	Relation(name string) (Relation, bool)
	// Member reports whether name is an attribute or relationship a
	// sparse fieldset may name.
	Member(name string) bool
}

// A Field is a filterable, sortable value of a resource.
type Field struct {
	// Name is the member name.
	Name string
	// Expr is the trusted SQL expression that reads the value.
	Expr string
	// Text says the value is text, so the like operators apply.
	Text bool
	// FromJSON converts a JSON value into a bind parameter; its error
	// completes the sentence "The value ...".
	FromJSON func(raw json.RawMessage) (any, error)
	// FromText converts a query-string value into a bind parameter.
	FromText func(s string) (any, error)
	// AppendJSON appends a value read from the database as JSON that
	// FromJSON accepts, for cursors.
	AppendJSON func(b []byte, v any) []byte
}

// A Relation is a relationship filters and sorts may go through.
type Relation struct {
	// Name is the member name.
	Name string
	// ToMany says the relationship holds many resources ("any");
	// otherwise it holds one ("has").
	ToMany bool
	// Target resolves the related type's names.
	Target Resolver
	// Key is the SQL expression of the outer row that Matches selects
	// values of: the id for a to-many, the foreign key for a to-one.
	Key string
	// Matches returns a query selecting one column, values of Key that
	// have a related resource meeting cond (nil for any related
	// resource). It must apply the related type's row filter and select
	// no NULLs, so that NOT IN is safe.
	Matches func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error)
	// Lookup returns a scalar subquery reading field of the related
	// resource of the outer row, for sorting; nil when unsupported.
	Lookup func(ctx context.Context, field Field) (sq.Sqlizer, error)
	// ID is the to-one foreign key as a field, so the simple filter form
	// can compare it with ids (filter[owner]=1,2).
	ID *Field
}
