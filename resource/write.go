package resource

import "database/sql"

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

// LinkOp says how a to-many relationship changes.
type LinkOp int

// The to-many changes.
const (
	// LinkReplace replaces every member.
	LinkReplace LinkOp = iota + 1
	// LinkAdd adds members.
	LinkAdd
	// LinkRemove removes members.
	LinkRemove
)

// A LinkChange is a change to a to-many relationship, as the write hooks
// see it.
type LinkChange struct {
	// Name is the relationship.
	Name string
	// Op is the change.
	Op LinkOp
	// IDs are the keys of the related resources named.
	IDs []any
}
