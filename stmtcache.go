package restless

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// DefaultPreparedStatements is the size of an API's prepared-statement
// cache when PreparedStatements is zero.
const DefaultPreparedStatements = 256

// A stmtCache keeps the most recently used prepared read statements of one
// database, so a request whose SQL text was seen before skips parsing and
// planning it. It is bounded: the least recently used statement is closed
// when a new one does not fit. (squirrel's StmtCache is unbounded.)
type stmtCache struct {
	db  *sql.DB
	max int

	mu  sync.Mutex
	lru *list.List // of *cachedStmt, most recent first
	m   map[string]*list.Element
}

type cachedStmt struct {
	text    string
	stmt    *sql.Stmt
	users   int  // callers between get and release
	evicted bool // closed by the last release
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, lru: list.New(), m: map[string]*list.Element{}}
}

// get returns the prepared statement of text, preparing it if needed.
// The caller must call release once it has started its query: a
// statement evicted meanwhile is closed only then. (Rows already
// returned keep a closed statement alive until they close.)
func (c *stmtCache) get(ctx context.Context, text string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.m[text]; ok {
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		cs.users++
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	s, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[text]; ok {
		// Another request prepared it meanwhile.
		s.Close()
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		cs.users++
		return cs, nil
	}
	cs := &cachedStmt{text: text, stmt: s, users: 1}
	c.m[text] = c.lru.PushFront(cs)
	for c.lru.Len() > c.max {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.m, old.text)
		if old.users == 0 {
			old.stmt.Close()
		} else {
			old.evicted = true
		}
	}
	return cs, nil
}

// lookup returns the prepared statement of text if it is cached, or nil.
// Like get, a statement returned needs a release.
func (c *stmtCache) lookup(text string) *cachedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[text]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	cs := e.Value.(*cachedStmt)
	cs.users++
	return cs
}

// release ends a use of cs begun by get.
func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.users--
	if cs.evicted && cs.users == 0 {
		cs.stmt.Close()
	}
}

// stmts returns the API's statement cache, or nil when it is off.
func (a *API) stmts() *stmtCache {
	if a.PreparedStatements < 0 || a.DB == nil {
		return nil
	}
	reg := a.registry()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.stmts == nil {
		n := a.PreparedStatements
		if n == 0 {
			n = DefaultPreparedStatements
		}
		reg.stmts = newStmtCache(a.DB, n)
	}
	return reg.stmts
}

// query runs a read on the API's DB through the statement cache.
func (a *API) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	if c := a.stmts(); c != nil {
		cs, err := c.get(ctx, text)
		if err != nil {
			return nil, err
		}
		defer c.release(cs)
		return cs.stmt.QueryContext(ctx, args...)
	}
	return a.DB.QueryContext(ctx, text, args...)
}

// readDB is the queryer of reads outside a transaction: the API's DB
// through the statement cache.
type readDB struct{ a *API }

func (r readDB) QueryContext(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return r.a.query(ctx, text, args...)
}

// scanOne runs a read that returns one row and scans it into dest.
func (a *API) scanOne(ctx context.Context, text string, args []any, dest ...any) error {
	rows, err := a.query(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
