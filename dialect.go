package restless

import (
	"strings"

	sq "github.com/Masterminds/squirrel"
)

// A Dialect is everything restless needs to know about one SQL database
// product. Packages sqlite and postgres provide the two supported ones;
// nothing outside a Dialect assumes either.
type Dialect interface {
	// Name returns the product name, such as "sqlite".
	Name() string
	// Placeholder returns the bind-parameter format. It is applied only to
	// the outermost statement; nested builders use squirrel.Question.
	Placeholder() sq.PlaceholderFormat
	// Function returns the SQL expression for f, such as
	// "datetime('now','localtime')" for LocalTimestamp on SQLite.
	Function(f SQLFunction) string
	// BindValue converts a decoded value of type t (see [Values]) into the
	// value bound for the database.
	BindValue(t ValueType, v any) any
	// Classify says what kind of failure err is, so the handlers can map
	// it to a status without showing SQL to the client.
	Classify(err error) DBError
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
	CheckValue(t ValueType, v any) error
}

// checkValue asks the dialect, if it is a ValueChecker, whether v can be
// stored.
func (a *API) checkValue(t ValueType, v any) error {
	if c, ok := a.dialect().(ValueChecker); ok {
		return c.CheckValue(t, v)
	}
	return nil
}

// parseID is id.parse refusing, too, ids the dialect cannot hold, and
// returning the key in the form the dialect binds, so that it compares
// equal with keys read back (PostgreSQL answers UUIDs in lowercase).
func (a *API) parseID(id ID, s string) (any, bool) {
	v, ok := id.parse(s)
	if !ok || a.checkValue(id.valueType(), v) != nil {
		return nil, false
	}
	return a.dialect().BindValue(id.valueType(), v), true
}

// DBErrorKind classifies a database failure.
type DBErrorKind int

// The database failure kinds.
const (
	// DBOther is any failure not listed below: a 500.
	DBOther DBErrorKind = iota
	// DBUnique is a unique or primary-key violation: 409.
	DBUnique
	// DBNotNull is a NOT NULL violation: 400.
	DBNotNull
	// DBCheck is a CHECK violation or a value the column cannot hold: 400.
	DBCheck
	// DBForeignKey is a foreign-key violation: 404 with a pointer at the
	// member that set the key when a create or update refers to a row
	// that does not exist, 409 when a delete removes a row still
	// referred to.
	DBForeignKey
	// DBBusy is a lock or serialization failure, a deadlock or a
	// statement timeout, worth retrying: 503 with Retry-After.
	DBBusy
)

// DBError is a classified database failure.
type DBError struct {
	// Kind classifies the failure.
	Kind DBErrorKind
	// Column is the column at fault, when the database names one.
	Column string
}

// plainDialect is used when an API has no Dialect: standard SQL with
// question-mark placeholders and no error classification.
type plainDialect struct{}

func (plainDialect) Name() string                      { return "sql" }
func (plainDialect) Placeholder() sq.PlaceholderFormat { return sq.Question }
func (plainDialect) Function(f SQLFunction) string     { return string(f) }
func (plainDialect) BindValue(t ValueType, v any) any  { return v }
func (plainDialect) Classify(err error) DBError        { return DBError{} }
func (plainDialect) LockRows() string                  { return "" }

// QuoteIdent quotes a SQL identifier with double quotes, doubling any
// quote inside it, the standard form SQLite and PostgreSQL share.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
