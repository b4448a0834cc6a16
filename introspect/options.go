package introspect

import (
	"github.com/gorestless/restless/resource"
)

// Options adjusts what introspection exposes. Columns are named
// "table.column". The zero value exposes every table by the rules of the
// package documentation.
type Options struct {
	// Tables, if not empty, lists the only tables used, join tables
	// included.
	Tables []string
	// ExcludeColumns lists columns that are never readable nor writable,
	// such as password hashes.
	ExcludeColumns []string
	// WriteOnly lists columns accepted on writes and never shown.
	WriteOnly []string
	// Rename maps "table" to a type name, and "table.column" or
	// "table.relationship" to a member name.
	Rename map[string]string
	// ReadOnly refuses every write to every resource.
	ReadOnly bool
	// ClientIDs lets clients choose the id on create for every resource,
	// not only those whose key has no default.
	ClientIDs bool
	// SoftDelete maps a table to the column DELETE deactivates instead
	// of removing the row: a timestamp or date column becomes the
	// deletion time, any other column a boolean flag. See
	// [restless.SoftDelete].
	SoftDelete map[string]string
	// Bulk lists tables on which a filter may select the rows a PATCH or
	// DELETE on the collection changes.
	Bulk []string
}

// Result is what introspection found.
type Result struct {
	// Tables are the resources, sorted by table name.
	Tables []*resource.Table
	// Warnings say, one sentence each, which tables, columns and
	// relationships were left out and why.
	Warnings []string
}

// Resources returns the tables as restless resources, for
// [restless.API.Handler].
func (r *Result) Resources() []resource.Resource {
	out := make([]resource.Resource, len(r.Tables))
	for i, t := range r.Tables {
		out[i] = t
	}
	return out
}
