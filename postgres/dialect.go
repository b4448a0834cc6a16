package postgres

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorestless/restless"
)

// Dialect is the restless.Dialect of PostgreSQL: dollar placeholders
// ($1, $2, ...), RETURNING, row locks with FOR UPDATE and PostgreSQL's
// error codes (SQLSTATE) classified like SQLite's result codes.
var Dialect restless.Dialect = dialect{}

var _ restless.ValueChecker = dialect{}

type dialect struct{}

func (dialect) Name() string                      { return "postgres" }
func (dialect) LockRows() string                  { return "FOR UPDATE" }
func (dialect) Placeholder() sq.PlaceholderFormat { return sq.Dollar }

// Function returns the SQL functions as PostgreSQL spells them; sessions
// opened by [Open] run in UTC, so LOCALTIMESTAMP is UTC too.
func (dialect) Function(f restless.SQLFunction) string {
	switch f {
	case restless.CurrentTimestamp, restless.CurrentDate, restless.LocalTimestamp:
		return string(f)
	}
	return "NULL"
}

// BindValue binds timestamps in UTC: pgx writes a time's wall clock into a
// timestamp column without a time zone, so "10:00+02:00" must arrive as
// 08:00 UTC to mean the same instant in both column kinds.
//
// UUIDs are bound in lowercase, the form PostgreSQL answers, so keys from
// requests compare equal with keys read back.
func (dialect) BindValue(t restless.ValueType, v any) any {
	switch x := v.(type) {
	case time.Time:
		if t == restless.Timestamp {
			return x.UTC()
		}
	case string:
		if t == restless.UUID {
			return strings.ToLower(x)
		}
	}
	return v
}

// CheckValue refuses text PostgreSQL cannot store or compare: text with
// the character U+0000, and bytes that are not UTF-8. Without it such a
// value would fail inside the database (SQLSTATE 22021) as a 500 on reads.
func (dialect) CheckValue(t restless.ValueType, v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.RawMessage:
		s = string(x)
	default:
		return nil
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("must not contain the character U+0000")
	}
	if !utf8.ValidString(s) {
		return errors.New("must be UTF-8 text")
	}
	return nil
}

// keyColumn finds the first column in the detail of a unique or foreign
// key violation, such as `Key (owner_id)=(9) is not present in table
// "person".`
var keyColumn = regexp.MustCompile(`^Key \(([^,)]+)`)

// Classify maps SQLSTATE codes: 23505 unique, 23502 not null, 23514 and
// the data exceptions (22xxx) a value the column cannot hold, 23503
// foreign key, and 40001 serialization failure, 40P01 deadlock, 55P03
// lock not available and 57014 statement timeout as busy (503).
func (dialect) Classify(err error) restless.DBError {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		// pgx refuses, before sending, a value its column type cannot
		// hold, such as an int8 value for an int4 column.
		if strings.Contains(err.Error(), "failed to encode args[") {
			return restless.DBError{Kind: restless.DBCheck}
		}
		return restless.DBError{}
	}
	key := func() string {
		if m := keyColumn.FindStringSubmatch(pe.Detail); m != nil {
			return strings.Trim(m[1], `"`)
		}
		return ""
	}
	switch pe.Code {
	case "23505":
		return restless.DBError{Kind: restless.DBUnique, Column: key()}
	case "23502":
		return restless.DBError{Kind: restless.DBNotNull, Column: pe.ColumnName}
	case "23503":
		return restless.DBError{Kind: restless.DBForeignKey, Column: key()}
	case "23514", "22001", "22003", "22007", "22008", "22P02", "22021", "22P05":
		return restless.DBError{Kind: restless.DBCheck, Column: pe.ColumnName}
	case "40001", "40P01", "55P03", "57014":
		return restless.DBError{Kind: restless.DBBusy}
	}
	return restless.DBError{}
}
