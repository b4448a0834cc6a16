package resource

import (
	"context"

	sq "github.com/Masterminds/squirrel"
)

// A Resource is one JSON:API resource type backed by SQL. Most programs
// declare a [Table]; a Resource of one's own builds its queries itself.
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
// (a *jsonapi.Error to control the response) rolls the write back.
type BeforeWriter interface {
	BeforeWrite(ctx context.Context, w *Write) error
}

// An AfterWriter is a Resource with a hook that runs inside the write's
// transaction after the statement, before the commit. Returning an error
// rolls the write back.
type AfterWriter interface {
	AfterWrite(ctx context.Context, w *Write) error
}

// A HookReporter is a [BeforeWriter] or [AfterWriter] that says which of
// its hooks do something for an operation. A resource that implements the
// hook interfaces without reporting counts as having both hooks. Writes
// without hooks take shorter paths: an update without a BeforeWrite hook
// need not read the row before changing it, and a write without an
// AfterWrite hook can read the written row back with the statement itself
// (RETURNING). What the client sees is the same either way.
type HookReporter interface {
	// WriteHooks reports whether BeforeWrite and AfterWrite do anything
	// for op.
	WriteHooks(op Op) (before, after bool)
}

// ErrNotFound is returned by a Resource's code, such as a write hook,
// when the requested resource does not exist or the request may not see
// it. It is answered with a 404.
var ErrNotFound error = notFound{}

type notFound struct{}

func (notFound) Error() string   { return "restless: not found" }
func (notFound) StatusCode() int { return 404 }

// Detail is the sentence the 404 error object carries.
func (notFound) Detail() string { return "The requested resource does not exist." }
