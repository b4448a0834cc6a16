// Package faultdb wraps a database/sql driver so that tests can make one
// chosen call fail: the Nth Begin, Prepare, Exec, Query, row fetch or
// Commit after [Injector.Arm]. It follows the fault loops of SQLite's
// malloc and I/O-error tests and of Go's own fakedb: a test runs an
// operation once for every call it makes, failing a different call each
// time, and checks that nothing was half-written.
//
// Only tests use it; it lives under internal so it is no part of the API.
package faultdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
)

// ErrInjected is the error an armed call returns, unless Arm was given
// another one.
var ErrInjected = errors.New("faultdb: injected fault")

// An Injector counts the calls of the connections it wraps and fails the
// call it is armed for. Its methods are safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	calls  int
	failAt int
	err    error
	hit    string
	ops    []string
}

// Arm resets the count and makes call n (1-based) fail with err; nil err
// means ErrInjected and n <= 0 fails nothing but still counts.
func (in *Injector) Arm(n int, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if err == nil {
		err = ErrInjected
	}
	in.calls, in.failAt, in.err, in.hit, in.ops = 0, n, err, "", nil
}

// Disarm stops failing calls.
func (in *Injector) Disarm() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.failAt = 0
}

// Calls returns the number of calls counted since Arm.
func (in *Injector) Calls() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls
}

// Hit returns the kind of call that failed ("begin", "exec", ...), or ""
// if the armed call has not happened.
func (in *Injector) Hit() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.hit
}

// Ops returns the kinds of the calls counted since Arm, in order;
// rollbacks are listed but never fail and are not counted.
func (in *Injector) Ops() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.ops...)
}

// call counts one call of kind op and returns the injected error if it is
// the armed one.
func (in *Injector) call(op string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.calls++
	in.ops = append(in.ops, op)
	if in.failAt > 0 && in.calls == in.failAt {
		in.hit = op
		return in.err
	}
	return nil
}

func (in *Injector) note(op string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ops = append(in.ops, op)
}

// Open returns a *sql.DB whose connections come from d with the data
// source name dsn and whose calls in counts and fails.
func Open(d driver.Driver, dsn string, in *Injector) *sql.DB {
	return sql.OpenDB(&connector{d: d, dsn: dsn, in: in})
}

type connector struct {
	d   driver.Driver
	dsn string
	in  *Injector
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	var (
		dc  driver.Conn
		err error
	)
	if dctx, ok := c.d.(driver.DriverContext); ok {
		var cn driver.Connector
		if cn, err = dctx.OpenConnector(c.dsn); err != nil {
			return nil, err
		}
		dc, err = cn.Connect(ctx)
	} else {
		dc, err = c.d.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	return &conn{c: dc, in: c.in}, nil
}

func (c *connector) Driver() driver.Driver { return c.d }

// conn wraps a driver connection. After an injected driver.ErrBadConn it
// reports itself invalid, so the pool discards it as it would a broken
// one.
type conn struct {
	c   driver.Conn
	in  *Injector
	bad bool
}

func (c *conn) fail(op string) error {
	err := c.in.call(op)
	if errors.Is(err, driver.ErrBadConn) {
		c.bad = true
	}
	return err
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.fail("prepare"); err != nil {
		return nil, err
	}
	var (
		s   driver.Stmt
		err error
	)
	if p, ok := c.c.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, query)
	} else {
		s, err = c.c.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &stmt{s: s, c: c}, nil
}

func (c *conn) Close() error { return c.c.Close() }

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.fail("begin"); err != nil {
		return nil, err
	}
	var (
		t   driver.Tx
		err error
	)
	if b, ok := c.c.(driver.ConnBeginTx); ok {
		t, err = b.BeginTx(ctx, opts)
	} else {
		//lint:ignore SA1019 the fallback for drivers without BeginTx
		t, err = c.c.Begin()
	}
	if err != nil {
		return nil, err
	}
	return &tx{t: t, c: c}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.c.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.fail("exec"); err != nil {
		return nil, err
	}
	return e.ExecContext(ctx, query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.c.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.fail("query"); err != nil {
		return nil, err
	}
	r, err := q.QueryContext(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return &rows{r: r, c: c}, nil
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.c.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if c.bad {
		return driver.ErrBadConn
	}
	if r, ok := c.c.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if c.bad {
		return false
	}
	if v, ok := c.c.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.c.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// tx wraps a transaction. An injected Commit failure rolls the real
// transaction back, as a failed COMMIT does.
type tx struct {
	t driver.Tx
	c *conn
}

func (t *tx) Commit() error {
	if err := t.c.fail("commit"); err != nil {
		if rerr := t.t.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	return t.t.Commit()
}

func (t *tx) Rollback() error {
	t.c.in.note("rollback")
	return t.t.Rollback()
}

type stmt struct {
	s driver.Stmt
	c *conn
}

func (s *stmt) Close() error  { return s.s.Close() }
func (s *stmt) NumInput() int { return s.s.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.fail("exec"); err != nil {
		return nil, err
	}
	if e, ok := s.s.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	//lint:ignore SA1019 the fallback for drivers without ExecContext
	return s.s.Exec(values(args))
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.fail("query"); err != nil {
		return nil, err
	}
	var (
		r   driver.Rows
		err error
	)
	if q, ok := s.s.(driver.StmtQueryContext); ok {
		r, err = q.QueryContext(ctx, args)
	} else {
		//lint:ignore SA1019 the fallback for drivers without QueryContext
		r, err = s.s.Query(values(args))
	}
	if err != nil {
		return nil, err
	}
	return &rows{r: r, c: s.c}, nil
}

func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.s.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.c.CheckNamedValue(nv)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

// rows wraps a result set; each fetch of a row is a call that can fail.
type rows struct {
	r driver.Rows
	c *conn
}

func (r *rows) Columns() []string { return r.r.Columns() }
func (r *rows) Close() error      { return r.r.Close() }

func (r *rows) Next(dest []driver.Value) error {
	if err := r.c.fail("next"); err != nil {
		return err
	}
	return r.r.Next(dest)
}
