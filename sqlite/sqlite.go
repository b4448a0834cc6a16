// Package sqlite connects restless to SQLite through modernc.org/sqlite, a
// pure-Go driver: it opens a database the way that holds under concurrent
// load and provides the [Dialect] that maps SQLite's behaviour and errors.
//
// SQLite allows one writer at a time. [Open] returns two handles on one
// file: a writer with a single connection whose transactions take the
// write lock when they begin (_txlock=immediate), so a read-then-write
// transaction never fails with SQLITE_BUSY halfway, and a pool of readers
// that WAL mode lets run beside the writer.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is a SQLite database opened for restless.
type DB struct {
	// Reader is the pool for reads.
	Reader *sql.DB
	// Writer has one connection for writes.
	Writer *sql.DB
	// keep holds an in-memory database open.
	keepDB *sql.DB
	keep   *sql.Conn
}

// pragmas are set on every connection.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_time_format=sqlite"

// DSN returns the data source name restless uses for the file at path.
// write adds _txlock=immediate.
func DSN(path string, write bool) string {
	dsn := "file:" + escapePath(path) + "?" + pragmas
	if write {
		dsn += "&_txlock=immediate"
	}
	return dsn
}

func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(p)
}

// Open opens the SQLite file at path, creating it if needed.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, DSN(path, false), DSN(path, true), false)
}

// OpenMemory opens a new, empty in-memory database shared by all the
// connections of the returned DB. It lives until Close.
func OpenMemory(ctx context.Context) (*DB, error) {
	var b [8]byte
	rand.Read(b[:])
	name := "/restless-" + hex.EncodeToString(b[:])
	base := "file:" + name + "?vfs=memdb&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_time_format=sqlite"
	return open(ctx, base, base+"&_txlock=immediate", true)
}

func open(ctx context.Context, readDSN, writeDSN string, memory bool) (*DB, error) {
	w, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{Writer: w}
	if memory {
		// A memdb database disappears with its last connection: hold one.
		if db.keepDB, err = sql.Open("sqlite", readDSN); err == nil {
			db.keep, err = db.keepDB.Conn(ctx)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
	}
	// The writer connects first, so WAL mode is set before readers open.
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	r, err := sql.Open("sqlite", readDSN)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.Reader = r
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	if db.Reader != nil {
		errs = append(errs, db.Reader.Close())
	}
	errs = append(errs, db.Writer.Close())
	if db.keep != nil {
		errs = append(errs, db.keep.Close())
	}
	if db.keepDB != nil {
		errs = append(errs, db.keepDB.Close())
	}
	return errors.Join(errs...)
}

// Exec runs SQL statements, such as a schema, on the writer.
func (db *DB) Exec(ctx context.Context, statements string) error {
	if _, err := db.Writer.ExecContext(ctx, statements); err != nil {
		return fmt.Errorf("sqlite: exec: %w", err)
	}
	return nil
}
