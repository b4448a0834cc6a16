// Package dialect describes what differs between the SQL databases
// restless runs on. Packages sqlite and postgres each provide a
// [Dialect]; nothing else in restless assumes either database.
//
// A Dialect's required methods cover every request: placeholders, SQL
// functions, how values are bound, how failures are classified and how
// rows are locked. Further needs are optional capabilities, found by a
// type assertion as net/http finds http.Flusher: a [ValueChecker]
// refuses values before they reach the database, and the job runner
// (package jobs) reads the database's time through a [Clock] and, where
// a [Locker] exists, serialises the creation of its table with it.
package dialect

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/resource"
)

// A Dialect is everything restless needs to know about one SQL database
// product on every request.
type Dialect interface {
	// Name returns the product name, such as "sqlite", for messages.
	Name() string
	// Placeholder returns the bind-parameter format. It is applied only to
	// the outermost statement; nested builders use squirrel.Question.
	Placeholder() sq.PlaceholderFormat
	// Function returns the SQL expression for f, such as
	// "datetime('now','localtime')" for LocalTimestamp on SQLite.
	Function(f resource.SQLFunction) string
	// BindValue converts a decoded value of type t (see
	// [resource.Values]) into the value bound for the database.
	BindValue(t resource.ValueType, v any) any
	// Classify says what kind of failure err is, so the handlers can map
	// it to a status without showing SQL to the client.
	Classify(err error) Failure
	// LockRows returns the clause that locks the rows a SELECT reads until
	// the transaction ends ("FOR UPDATE"), or "" where transactions are
	// serialized anyway, as SQLite's are.
	LockRows() string
}

// A ValueChecker is a [Dialect] that refuses, before any SQL runs, values
// its database cannot hold, such as text with the character U+0000 in
// PostgreSQL. A refused attribute value is a 400 pointing at the
// attribute, a refused filter value a 400 naming the parameter, and a
// refused id names no resource (404).
type ValueChecker interface {
	// CheckValue returns why the value v of type t cannot be stored,
	// phrased to follow "The attribute "x" ...", or nil.
	CheckValue(t resource.ValueType, v any) error
}

// A Clock is a [Dialect] whose database can tell the time, so that
// servers whose clocks disagree share one: the job runner's leases are
// measured by it.
type Clock interface {
	// NowMillis returns the SQL expression of the database's current
	// time in whole milliseconds since 1970 (UTC), as a 64-bit integer.
	NowMillis() string
}

// A Locker is a [Dialect] whose database has locks a transaction holds
// until it ends, beside its row locks (PostgreSQL's advisory locks).
// Where a database serialises writers anyway, as SQLite does, a Dialect
// need not be one.
type Locker interface {
	// LockStatement returns the statement that takes the lock named key
	// for the rest of the transaction, waiting for it if another
	// transaction holds it.
	LockStatement(key int64) string
}

// FailureKind classifies a database failure.
type FailureKind int

// The database failure kinds.
const (
	// Other is any failure not listed below: a 500.
	Other FailureKind = iota
	// Unique is a unique or primary-key violation: 409.
	Unique
	// NotNull is a NOT NULL violation: 400.
	NotNull
	// Check is a CHECK violation or a value the column cannot hold: 400.
	Check
	// ForeignKey is a foreign-key violation: 404 with a pointer at the
	// member that set the key when a create or update refers to a row
	// that does not exist, 409 when a delete removes a row still
	// referred to.
	ForeignKey
	// Busy is a lock or serialization failure, a deadlock or a
	// statement timeout, worth retrying: 503 with Retry-After.
	Busy
)

// Failure is a classified database failure.
type Failure struct {
	// Kind classifies the failure.
	Kind FailureKind
	// Column is the column at fault, when the database names one.
	Column string
}
