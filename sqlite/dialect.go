package sqlite

import (
	"errors"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/resource"
)

// Dialect is the dialect.Dialect of SQLite.
var Dialect dialect.Dialect = sqliteDialect{}

var _ dialect.Clock = sqliteDialect{}

type sqliteDialect struct{}

func (sqliteDialect) Name() string { return "sqlite" }

// LockRows is empty: the writer's transactions take the write lock when
// they begin (_txlock=immediate), so they never interleave.
func (sqliteDialect) LockRows() string                  { return "" }
func (sqliteDialect) Placeholder() sq.PlaceholderFormat { return sq.Question }

// NowMillis reads SQLite's clock, which is the host's, to the
// millisecond.
func (sqliteDialect) NowMillis() string {
	return `CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)`
}

func (sqliteDialect) Function(f resource.SQLFunction) string {
	switch f {
	case resource.CurrentTimestamp:
		// CURRENT_TIMESTAMP has whole seconds; this keeps milliseconds.
		return "strftime('%Y-%m-%d %H:%M:%f', 'now')"
	case resource.CurrentDate:
		return "CURRENT_DATE"
	case resource.LocalTimestamp:
		// SQLite has no LOCALTIMESTAMP.
		return "strftime('%Y-%m-%d %H:%M:%f', 'now', 'localtime')"
	}
	return "NULL"
}

// BindValue stores dates as YYYY-MM-DD text and timestamps as UTC text in
// SQLite's own format, so they sort and compare as text.
func (sqliteDialect) BindValue(t resource.ValueType, v any) any {
	tm, ok := v.(time.Time)
	if !ok {
		return v
	}
	if t == resource.Date {
		return tm.Format(resource.DateFormat)
	}
	return tm.UTC().Format("2006-01-02 15:04:05.999999999")
}

// SQLite result codes, primary and extended.
const (
	codeBusy           = 5
	codeLocked         = 6
	codeConstraint     = 19
	codeCheck          = 275
	codeForeignKey     = 787
	codeNotNull        = 1299
	codePrimaryKey     = 1555
	codeTrigger        = 1811
	codeUnique         = 2067
	codeDataType       = 3091
	codeBusyRecovery   = 261
	codeBusySnapshot   = 517
	codeLockedSharedCC = 262
)

// coder is the method of modernc.org/sqlite's *Error.
type coder interface {
	error
	Code() int
}

func (sqliteDialect) Classify(err error) dialect.Failure {
	var c coder
	if !errors.As(err, &c) {
		return dialect.Failure{}
	}
	msg := c.Error()
	switch code := c.Code(); {
	case code == codeUnique || code == codePrimaryKey:
		return dialect.Failure{Kind: dialect.Unique, Column: column(msg, "constraint failed: ")}
	case code == codeNotNull:
		return dialect.Failure{Kind: dialect.NotNull, Column: column(msg, "constraint failed: ")}
	case code == codeCheck || code == codeDataType:
		return dialect.Failure{Kind: dialect.Check, Column: column(msg, "constraint failed: ")}
	case code == codeForeignKey || code == codeTrigger && strings.Contains(msg, "FOREIGN KEY"):
		return dialect.Failure{Kind: dialect.ForeignKey}
	case code&0xff == codeBusy || code&0xff == codeLocked:
		return dialect.Failure{Kind: dialect.Busy}
	}
	return dialect.Failure{}
}

// column extracts the first column from a message such as
// "UNIQUE constraint failed: person.name (2067)".
func column(msg, after string) string {
	i := strings.LastIndex(msg, after)
	if i < 0 {
		return ""
	}
	s := msg[i+len(after):]
	if j := strings.IndexAny(s, ", ("); j >= 0 {
		s = s[:j]
	}
	if j := strings.LastIndexByte(s, '.'); j >= 0 {
		s = s[j+1:]
	}
	return s
}
