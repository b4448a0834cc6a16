package restless

import (
	"context"
	"database/sql"

	sq "github.com/Masterminds/squirrel"
)

// A Resource is one JSON:API resource type backed by SQL. Package resource
// holds ready implementations; most users declare a [resource.Table].
//
// Write support is optional: a Resource that also implements [Creator],
// [Updater] or [Deleter] accepts POST, PATCH or DELETE.
type Resource interface {
	// Schema describes the type: its name, id, attributes and
	// relationships. It must return the same value on every call.
	Schema() *Schema
	// Select returns the base query for reads: FROM, joins and the row
	// filter for the request in ctx (a tenant, say). The handler adds the
	// columns from the Schema, the id condition, ordering and paging;
	// Select must not.
	Select(ctx context.Context) (sq.SelectBuilder, error)
}

// A Creator is a Resource that accepts POST.
type Creator interface {
	Resource
	// Insert returns the statement that creates a row from v, whose keys
	// are attribute names and whose values are ready for SQL. id is the
	// client-generated id, or nil when the database assigns one. Insert
	// adds the values the resource sets itself, such as a tenant column
	// taken from ctx. The handler appends a RETURNING clause for the id.
	Insert(ctx context.Context, id any, v Values) (sq.InsertBuilder, error)
}

// An Updater is a Resource that accepts PATCH.
type Updater interface {
	Resource
	// Update returns the statement that changes the row with the given id.
	// v holds only the attributes present in the request and is never
	// empty. The statement must apply the same row filter as Select.
	Update(ctx context.Context, id any, v Values) (sq.UpdateBuilder, error)
}

// A Deleter is a Resource that accepts DELETE.
type Deleter interface {
	Resource
	// Delete returns the statement that deletes the row with the given id.
	// The statement must apply the same row filter as Select.
	Delete(ctx context.Context, id any) (sq.DeleteBuilder, error)
}

// An Allower is a Resource that switches operations off at run time even
// though it implements the interface for them. The handlers answer a
// refused create or delete with 405 and a refused update with 403.
type Allower interface {
	Allows(op Op) bool
}

// A BeforeWriter is a Resource with a hook that runs inside the write's
// transaction before each create, update or delete. Returning an error
// (an [*Error] to control the response) rolls the write back.
type BeforeWriter interface {
	BeforeWrite(ctx context.Context, w *Write) error
}

// An AfterWriter is a Resource with a hook that runs inside the write's
// transaction after the statement, before the commit. Returning an error
// rolls the write back.
type AfterWriter interface {
	AfterWrite(ctx context.Context, w *Write) error
}

// Op names a write operation.
type Op int

// The write operations.
const (
	OpCreate Op = iota + 1
	OpUpdate
	OpDelete
)

// String returns the operation's name.
func (o Op) String() string {
	switch o {
	case OpCreate:
		return "create"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Values maps attribute names to values, and to-one relationship names to
// the key of the related resource (or nil). Decoded request values have these
// Go types: nil, string, int64, float64, bool, time.Time (UTC; midnight
// for dates), [json.RawMessage] for JSON attributes, and [SQLFunction] for
// the strings CURRENT_TIMESTAMP, CURRENT_DATE and LOCALTIMESTAMP.
type Values map[string]any

// SQLFunction is a value computed by the database when the row is written.
type SQLFunction string

// The SQL functions a client may send as the value of a date or timestamp
// attribute.
const (
	CurrentTimestamp SQLFunction = "CURRENT_TIMESTAMP"
	CurrentDate      SQLFunction = "CURRENT_DATE"
	LocalTimestamp   SQLFunction = "LOCALTIMESTAMP"
)

// A Write describes one create, update or delete to the write hooks.
type Write struct {
	// Op is the operation.
	Op Op
	// Resource is the resource written.
	Resource Resource
	// ID is the key of the row: the client-generated id or nil before a
	// create's statement, the assigned key after it.
	ID any
	// Values holds the attributes to write, and the to-one relationships
	// by name with the related key (nil for a delete). A BeforeWrite hook
	// may change them.
	Values Values
	// Links lists the changes to to-many relationships.
	Links []LinkChange
	// Tx is the write's transaction.
	Tx *sql.Tx
}
