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
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultStatementTimeout is the statement_timeout [Open] gives every
// session unless a [StatementTimeout] option says otherwise: a statement
// running longer is cancelled by the server, and the request fails with
// 503 Service Unavailable instead of holding a connection and its locks.
const DefaultStatementTimeout = 30 * time.Second

// An Option changes how [Open] configures the sessions it opens.
type Option func(*options)

type options struct {
	timeout    time.Duration
	timeoutSet bool
	params     map[string]string
}

// StatementTimeout sets the sessions' statement_timeout, rounded down to
// milliseconds; 0 switches the limit off. It overrides a statement_timeout
// in the DSN.
func StatementTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout, o.timeoutSet = d, true }
}

// Param sets a run-time parameter of every session, such as
// Param("search_path", "tenant1") or Param("application_name", "api").
// It overrides a parameter of the same name from the DSN. The TimeZone
// stays UTC and statement_timeout is set with [StatementTimeout].
func Param(name, value string) Option {
	return func(o *options) { o.params[name] = value }
}

// Open connects to the database named by dsn, such as
// "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" (URL or
// key=value form), and checks the connection.
//
// Every session runs in UTC (TimeZone=UTC), so CURRENT_TIMESTAMP and
// timestamps without a time zone mean UTC whatever the server's or the
// DSN's setting, and statements time out after [DefaultStatementTimeout]
// unless the DSN (statement_timeout=...) or opts say otherwise.
func Open(ctx context.Context, dsn string, opts ...Option) (*sql.DB, error) {
	o := options{timeout: DefaultStatementTimeout, params: map[string]string{}}
	for _, f := range opts {
		f(&o)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	for k, v := range o.params {
		cfg.RuntimeParams[k] = v
	}
	inDSN := false
	for k := range cfg.RuntimeParams {
		// Run-time parameter names are case-insensitive: drop other
		// spellings of those Open sets.
		switch strings.ToLower(k) {
		case "timezone":
			delete(cfg.RuntimeParams, k)
		case "statement_timeout":
			if o.timeoutSet {
				delete(cfg.RuntimeParams, k)
			} else {
				inDSN = true
			}
		}
	}
	cfg.RuntimeParams["TimeZone"] = "UTC"
	if !inDSN {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.timeout.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return db, nil
}
