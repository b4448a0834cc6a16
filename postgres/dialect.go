package postgres

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/resource"
)

// Dialect is the dialect.Dialect of PostgreSQL: dollar placeholders
// ($1, $2, ...), RETURNING, row locks with FOR UPDATE and PostgreSQL's
// error codes (SQLSTATE) classified like SQLite's result codes.
var Dialect dialect.Dialect = pgDialect{}

var (
	_ dialect.ValueChecker = pgDialect{}
	_ dialect.Clock        = pgDialect{}
	_ dialect.Locker       = pgDialect{}
)

type pgDialect struct{}

func (pgDialect) Name() string                      { return "postgres" }
func (pgDialect) LockRows() string                  { return "FOR UPDATE" }
func (pgDialect) Placeholder() sq.PlaceholderFormat { return sq.Dollar }

// NowMillis reads the server's clock_timestamp(): the time now, not at the
// start of the transaction.
func (pgDialect) NowMillis() string {
	return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
}

// LockStatement takes a transaction-scoped advisory lock.
func (pgDialect) LockStatement(key int64) string {
	return "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(key, 10) + ")"
}

// Function returns the SQL functions as PostgreSQL spells them; sessions
// opened by [Open] run in UTC, so LOCALTIMESTAMP is UTC too.
func (pgDialect) Function(f resource.SQLFunction) string {
	switch f {
	case resource.CurrentTimestamp, resource.CurrentDate, resource.LocalTimestamp:
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
func (pgDialect) BindValue(t resource.ValueType, v any) any {
	switch x := v.(type) {
	case time.Time:
		if t == resource.Timestamp {
			return x.UTC()
		}
	case string:
		if t == resource.UUID {
			return strings.ToLower(x)
		}
	}
	return v
}

// CheckValue refuses text PostgreSQL cannot store or compare: text with
// the character U+0000, and bytes that are not UTF-8. Without it such a
// value would fail inside the database (SQLSTATE 22021) as a 500 on reads.
func (pgDialect) CheckValue(t resource.ValueType, v any) error {
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
func (pgDialect) Classify(err error) dialect.Failure {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		// pgx refuses, before sending, a value its column type cannot
		// hold, such as an int8 value for an int4 column.
		if strings.Contains(err.Error(), "failed to encode args[") {
			return dialect.Failure{Kind: dialect.Check}
		}
		return dialect.Failure{}
	}
	key := func() string {
		if m := keyColumn.FindStringSubmatch(pe.Detail); m != nil {
			return strings.Trim(m[1], `"`)
		}
		return ""
	}
	switch pe.Code {
	case "23505":
		return dialect.Failure{Kind: dialect.Unique, Column: key()}
	case "23502":
		return dialect.Failure{Kind: dialect.NotNull, Column: pe.ColumnName}
	case "23503":
		return dialect.Failure{Kind: dialect.ForeignKey, Column: key()}
	case "23514", "22001", "22003", "22007", "22008", "22P02", "22021", "22P05":
		return dialect.Failure{Kind: dialect.Check, Column: pe.ColumnName}
	case "40001", "40P01", "55P03", "57014":
		return dialect.Failure{Kind: dialect.Busy}
	}
	return dialect.Failure{}
}
