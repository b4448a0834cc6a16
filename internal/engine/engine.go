// Package engine is restless's SQL engine: it turns requests already
// parsed into reads and writes of resources, and rows into JSON:API
// objects. It knows the types an API serves (their plans, see [Type]),
// builds every statement with squirrel, keeps the prepared statements and
// SQL texts it has seen, and runs each write in one transaction with the
// resource's hooks. It knows nothing of HTTP: package restless parses
// requests, calls an [Engine] and writes the replies.
//
// An Engine is built once per API and shared by all its handlers; it is
// safe for concurrent use. Registering a type, which handlers do when they
// are built, is the only change it sees; the read path takes no lock for
// it (the type map is replaced whole, and read with one atomic load).
package engine

import (
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/resource"
)

// DefaultPreparedStatements is the size of each prepared-statement cache
// when Config.PreparedStatements is zero.
const DefaultPreparedStatements = 256

// DefaultMaxIncluded is the most included resources of a response when
// Config.MaxIncluded is zero.
const DefaultMaxIncluded = 1000

// DefaultMaxBulk is the most resources one bulk change may change when
// BulkSelection.Max is zero.
const DefaultMaxBulk = 1000

// Config is what an Engine is built from.
type Config struct {
	// DB runs reads.
	DB *sql.DB
	// WriteDB runs writes; nil means DB.
	WriteDB *sql.DB
	// Dialect describes the database; nil means standard SQL with
	// question-mark placeholders and no classification of failures.
	Dialect dialect.Dialect
	// PreparedStatements is the size of the read and of the write
	// statement cache; zero means DefaultPreparedStatements, a negative
	// number no caches.
	PreparedStatements int
	// MaxIncluded is the most included resources of one response; zero
	// means DefaultMaxIncluded.
	MaxIncluded int
	// Logger receives what the engine cannot report to a client, such as
	// a failed Unprovision; nil means slog.Default().
	Logger *slog.Logger
}

// An Engine serves the resource types registered with it from one
// database.
type Engine struct {
	db, writeDB *sql.DB
	d           dialect.Dialect
	maxIncluded int
	log         *slog.Logger

	// types maps each type name to its Type. Register replaces the map
	// whole, under mu; readers load it without a lock.
	types atomic.Pointer[map[string]*Type]
	mu    sync.Mutex

	stmts  *stmtCache  // prepared reads; nil when off
	writes *writeStmts // prepared writes; nil when off
	texts  *sqlTexts   // SQL texts of reads
}

// New returns an Engine for the database c describes.
func New(c Config) *Engine {
	e := &Engine{db: c.DB, writeDB: c.WriteDB, d: c.Dialect, maxIncluded: c.MaxIncluded, log: c.Logger,
		texts: newSQLTexts()}
	if e.writeDB == nil {
		e.writeDB = e.db
	}
	if e.d == nil {
		e.d = plainDialect{}
	}
	if e.maxIncluded <= 0 {
		e.maxIncluded = DefaultMaxIncluded
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if n := c.PreparedStatements; n >= 0 {
		if n == 0 {
			n = DefaultPreparedStatements
		}
		if e.db != nil {
			e.stmts = newStmtCache(e.db, n)
		}
		if e.writeDB != nil {
			e.writes = newWriteStmts(e.writeDB, n)
		}
	}
	types := map[string]*Type{}
	e.types.Store(&types)
	return e
}

// Dialect returns the engine's dialect.
func (e *Engine) Dialect() dialect.Dialect { return e.d }

// Register makes res's type known to the engine and returns its Type. It
// reports a schema that cannot be served. The first resource registered
// for a type name is the one other types' relationships, filters and
// includes lead to; registering the same resource again returns its Type.
func (e *Engine) Register(res resource.Resource) (*Type, error) {
	s := res.Schema()
	if s == nil {
		return nil, fmt.Errorf("restless: resource %T has no schema", res)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := *e.types.Load()
	if t, ok := old[s.Type]; ok {
		if t.res == res {
			return t, nil
		}
		return newType(res), nil
	}
	t := newType(res)
	types := make(map[string]*Type, len(old)+1)
	for k, v := range old {
		types[k] = v
	}
	types[s.Type] = t
	e.types.Store(&types)
	return t, nil
}

// Lookup returns the registered Type of the type name typ.
func (e *Engine) Lookup(typ string) (*Type, bool) {
	t, ok := (*e.types.Load())[typ]
	return t, ok
}

// checkValue asks the dialect, if it is a ValueChecker, whether v can be
// stored.
func (e *Engine) checkValue(t resource.ValueType, v any) error {
	if c, ok := e.d.(dialect.ValueChecker); ok {
		return c.CheckValue(t, v)
	}
	return nil
}

// ParseID returns the key the text s names in t, in the form the dialect
// binds (so that it compares equal with keys read back: PostgreSQL
// answers UUIDs in lowercase). It reports false for text that cannot be a
// key of t: not a decimal int64 for an integer key, not a UUID for a UUID
// key, or a value the dialect cannot hold.
func (e *Engine) ParseID(t *Type, s string) (any, bool) {
	id := t.schema.ID
	v, ok := parseID(id, s)
	if !ok || e.checkValue(idType(id), v) != nil {
		return nil, false
	}
	return e.d.BindValue(idType(id), v), true
}

// plainDialect is used when an API has no Dialect: standard SQL with
// question-mark placeholders and no error classification.
type plainDialect struct{}

func (plainDialect) Name() string                              { return "sql" }
func (plainDialect) Placeholder() sq.PlaceholderFormat         { return sq.Question }
func (plainDialect) Function(f resource.SQLFunction) string    { return string(f) }
func (plainDialect) BindValue(t resource.ValueType, v any) any { return v }
func (plainDialect) Classify(err error) dialect.Failure        { return dialect.Failure{} }
func (plainDialect) LockRows() string                          { return "" }
