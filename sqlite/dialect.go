package sqlite

import (
	"errors"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless"
)

// Dialect is the restless.Dialect of SQLite.
var Dialect restless.Dialect = dialect{}

type dialect struct{}

func (dialect) Name() string { return "sqlite" }

// LockRows is empty: the writer's transactions take the write lock when
// they begin (_txlock=immediate), so they never interleave.
func (dialect) LockRows() string                  { return "" }
func (dialect) Placeholder() sq.PlaceholderFormat { return sq.Question }

func (dialect) Function(f restless.SQLFunction) string {
	switch f {
	case restless.CurrentTimestamp:
		// CURRENT_TIMESTAMP has whole seconds; this keeps milliseconds.
		return "strftime('%Y-%m-%d %H:%M:%f', 'now')"
	case restless.CurrentDate:
		return "CURRENT_DATE"
	case restless.LocalTimestamp:
		// SQLite has no LOCALTIMESTAMP.
		return "strftime('%Y-%m-%d %H:%M:%f', 'now', 'localtime')"
	}
	return "NULL"
}

// BindValue stores dates as YYYY-MM-DD text and timestamps as UTC text in
// SQLite's own format, so they sort and compare as text.
func (dialect) BindValue(t restless.ValueType, v any) any {
	tm, ok := v.(time.Time)
	if !ok {
		return v
	}
	if t == restless.Date {
		return tm.Format(restless.DateFormat)
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

func (dialect) Classify(err error) restless.DBError {
	var c coder
	if !errors.As(err, &c) {
		return restless.DBError{}
	}
	msg := c.Error()
	switch code := c.Code(); {
	case code == codeUnique || code == codePrimaryKey:
		return restless.DBError{Kind: restless.DBUnique, Column: column(msg, "constraint failed: ")}
	case code == codeNotNull:
		return restless.DBError{Kind: restless.DBNotNull, Column: column(msg, "constraint failed: ")}
	case code == codeCheck || code == codeDataType:
		return restless.DBError{Kind: restless.DBCheck, Column: column(msg, "constraint failed: ")}
	case code == codeForeignKey || code == codeTrigger && strings.Contains(msg, "FOREIGN KEY"):
		return restless.DBError{Kind: restless.DBForeignKey}
	case code&0xff == codeBusy || code&0xff == codeLocked:
		return restless.DBError{Kind: restless.DBBusy}
	}
	return restless.DBError{}
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
