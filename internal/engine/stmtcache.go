package engine

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// A stmtCache keeps prepared statements of one database, so a request
// whose SQL text was seen before skips parsing and planning it. It is
// bounded: when a new statement does not fit, one not used since the
// clock hand last passed it is closed (the CLOCK approximation of least
// recently used; squirrel's StmtCache is unbounded).
//
// A hit takes no lock: the statements are in a sync.Map, and a use is
// counted with one atomic add, so that a statement evicted meanwhile is
// closed only when its last user releases it. Only a miss, which
// prepares a statement, takes the mutex that orders the clock.
type stmtCache struct {
	db  *sql.DB
	max int
	m   sync.Map // text → *cachedStmt

	mu   sync.Mutex
	ring []*cachedStmt // the cached statements, in clock order
	hand int
}

// The bits of cachedStmt.state above its count of users.
const (
	stmtEvicted = 1 << 40 // out of the cache: no new users
	stmtClosed  = 1 << 41 // closed, by whoever saw the last user leave
)

type cachedStmt struct {
	text  string
	stmt  *sql.Stmt
	state atomic.Int64 // users, plus stmtEvicted and stmtClosed
	used  atomic.Bool  // used since the clock hand last passed
}

// acquire counts a use of cs, or reports false when cs was evicted.
func (cs *cachedStmt) acquire() bool {
	if cs.state.Add(1)&stmtEvicted != 0 {
		cs.release()
		return false
	}
	if !cs.used.Load() {
		cs.used.Store(true)
	}
	return true
}

// release ends a use of cs; the last user of an evicted statement
// closes it.
func (cs *cachedStmt) release() {
	if cs.state.Add(-1) == stmtEvicted {
		cs.closeOnce()
	}
}

// evict takes cs out of use; it is closed now if no one uses it.
func (cs *cachedStmt) evict() {
	if cs.state.Add(stmtEvicted) == stmtEvicted {
		cs.closeOnce()
	}
}

func (cs *cachedStmt) closeOnce() {
	if cs.state.CompareAndSwap(stmtEvicted, stmtEvicted|stmtClosed) {
		cs.stmt.Close()
	}
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max}
}

// get returns the prepared statement of text, preparing it if needed.
// The caller must call release once it has started its query: a
// statement evicted meanwhile is closed only then. (Rows already
// returned keep a closed statement alive until they close.)
func (c *stmtCache) get(ctx context.Context, text string) (*cachedStmt, error) {
	if cs := c.lookup(text); cs != nil {
		return cs, nil
	}
	s, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs := c.lookup(text); cs != nil {
		// Another request prepared it meanwhile.
		s.Close()
		return cs, nil
	}
	cs := &cachedStmt{text: text, stmt: s}
	cs.state.Store(1)
	cs.used.Store(true)
	c.m.Store(text, cs)
	if len(c.ring) < c.max {
		c.ring = append(c.ring, cs)
		return cs, nil
	}
	for {
		old := c.ring[c.hand]
		if old.used.Swap(false) {
			c.hand = (c.hand + 1) % len(c.ring)
			continue
		}
		c.m.Delete(old.text)
		old.evict()
		c.ring[c.hand] = cs
		c.hand = (c.hand + 1) % len(c.ring)
		return cs, nil
	}
}

// lookup returns the prepared statement of text if it is cached, or nil.
// Like get, a statement returned needs a release.
func (c *stmtCache) lookup(text string) *cachedStmt {
	v, ok := c.m.Load(text)
	if !ok {
		return nil
	}
	if cs := v.(*cachedStmt); cs.acquire() {
		return cs
	}
	return nil
}

// release ends a use of cs begun by get or lookup.
func (c *stmtCache) release(cs *cachedStmt) { cs.release() }
