package resource

import (
	"fmt"
	"strings"
	"time"
)

// ValueType is the type of an attribute's values.
type ValueType int

// The attribute value types.
const (
	// String is text.
	String ValueType = iota
	// Integer is a 64-bit integer, exact on the wire.
	Integer
	// Float is a 64-bit floating-point number.
	Float
	// Boolean is true or false.
	Boolean
	// Date is a calendar date, YYYY-MM-DD on the wire.
	Date
	// Timestamp is an instant, RFC 3339 in UTC on the wire.
	Timestamp
	// JSON is any JSON value, stored as text.
	JSON
	// UUID is a UUID in its 8-4-4-4-12 text form, such as a PostgreSQL
	// uuid column (which answers it in lowercase). Text that is no UUID is
	// refused before it reaches the database (400). Keys that are UUIDs
	// are String keys with [ID].UUID set.
	UUID
)

// String returns the JSON Schema-like name of t.
func (t ValueType) String() string {
	switch t {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Float:
		return "number"
	case Boolean:
		return "boolean"
	case Date:
		return "date"
	case Timestamp:
		return "date-time"
	case JSON:
		return "json"
	case UUID:
		return "uuid"
	}
	return fmt.Sprintf("ValueType(%d)", int(t))
}

// Values maps attribute names to values, and to-one relationship names to
// the key of the related resource (or nil). Decoded request values have these
// Go types: nil, string, int64, float64, bool, time.Time (UTC; midnight
// for dates), [encoding/json.RawMessage] for JSON attributes, and
// [SQLFunction] for the strings CURRENT_TIMESTAMP, CURRENT_DATE and
// LOCALTIMESTAMP.
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

// Wire formats of dates and timestamps.
const (
	DateFormat      = "2006-01-02"
	TimestampFormat = time.RFC3339Nano
)

// QuoteIdent quotes a SQL identifier with double quotes, doubling any
// quote inside it, the standard form SQLite and PostgreSQL share.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
