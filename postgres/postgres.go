// Package postgres connects restless to PostgreSQL through pgx's
// database/sql driver and provides the [Dialect] that maps PostgreSQL's
// placeholders, functions and errors.
//
// Handlers keep no state of their own, so any number of processes may
// serve one PostgreSQL database.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/gorestless/restless"
)

// Open connects to the database named by dsn, such as
// "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", and checks
// the connection.
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return db, nil
}

// Dialect is the restless.Dialect of PostgreSQL.
var Dialect restless.Dialect = dialect{}

type dialect struct{}

func (dialect) Name() string                      { return "postgres" }
func (dialect) LockRows() string                  { return "FOR UPDATE" }
func (dialect) Placeholder() sq.PlaceholderFormat { return sq.Dollar }

func (dialect) Function(f restless.SQLFunction) string {
	switch f {
	case restless.CurrentTimestamp, restless.CurrentDate, restless.LocalTimestamp:
		return string(f)
	}
	return "NULL"
}

func (dialect) BindValue(t restless.ValueType, v any) any { return v }

var keyColumn = regexp.MustCompile(`^Key \(([^,)]+)`)

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
	switch pe.Code {
	case "23505":
		col := ""
		if m := keyColumn.FindStringSubmatch(pe.Detail); m != nil {
			col = m[1]
		}
		return restless.DBError{Kind: restless.DBUnique, Column: col}
	case "23502":
		return restless.DBError{Kind: restless.DBNotNull, Column: pe.ColumnName}
	case "23514", "22001", "22003", "22007", "22008", "22P02":
		return restless.DBError{Kind: restless.DBCheck, Column: pe.ColumnName}
	case "23503":
		return restless.DBError{Kind: restless.DBForeignKey}
	case "40001", "40P01", "55P03", "57014":
		return restless.DBError{Kind: restless.DBBusy}
	}
	return restless.DBError{}
}
