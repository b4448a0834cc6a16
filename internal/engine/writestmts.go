package engine

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxPending bounds the statements waiting to be prepared.
const maxPending = 16

// writeStmts are the prepared statements of writes, on the engine's write
// database. A statement is prepared outside any transaction (with SQLite
// the writer has a single connection, which a transaction holds), so a
// write meeting a statement for the first time runs it unprepared and
// notes it; once its transaction has ended, it prepares the statements
// noted. Later writes run them through tx.StmtContext, which reuses the
// statement prepared on the transaction's connection.
type writeStmts struct {
	cache *stmtCache

	// waiting is len(pending), so a transaction's end need not take mu
	// to see that nothing waits.
	waiting atomic.Int32
	mu      sync.Mutex
	pending map[string]bool
}

func newWriteStmts(db *sql.DB, max int) *writeStmts {
	return &writeStmts{cache: newStmtCache(db, max), pending: map[string]bool{}}
}

// lookup returns the prepared statement of text, or nil after noting
// text for prepareAfterTx.
func (w *writeStmts) lookup(text string) *cachedStmt {
	if cs := w.cache.lookup(text); cs != nil {
		return cs
	}
	w.mu.Lock()
	if len(w.pending) < maxPending && !w.pending[text] {
		w.pending[text] = true
		w.waiting.Add(1)
	}
	w.mu.Unlock()
	return nil
}

// prepareNoted prepares the statements noted by lookup. It runs after a
// write transaction has ended; a failure to prepare only means the
// statement runs unprepared next time. A nil w (no cache) does nothing.
func (w *writeStmts) prepareNoted(ctx context.Context) {
	if w == nil || w.waiting.Load() == 0 {
		return
	}
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.mu.Unlock()
		return
	}
	texts := make([]string, 0, len(w.pending))
	for text := range w.pending {
		texts = append(texts, text)
	}
	clear(w.pending)
	w.waiting.Store(0)
	w.mu.Unlock()
	for _, text := range texts {
		if cs, err := w.cache.get(ctx, text); err == nil {
			w.cache.release(cs)
		}
	}
}

// query runs a query of a write in tx, through the cache; a nil w (no
// cache) runs it unprepared.
func (w *writeStmts) query(ctx context.Context, tx *sql.Tx, text string, args ...any) (*sql.Rows, error) {
	if w == nil {
		return tx.QueryContext(ctx, text, args...)
	}
	cs := w.lookup(text)
	if cs == nil {
		return tx.QueryContext(ctx, text, args...)
	}
	defer w.cache.release(cs)
	return tx.StmtContext(ctx, cs.stmt).QueryContext(ctx, args...)
}

// txReader is the queryer of reads inside a write's transaction: the
// transaction, through the write statement cache.
type txReader struct {
	w  *writeStmts
	tx *sql.Tx
}

func (r txReader) QueryContext(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return r.w.query(ctx, r.tx, text, args...)
}
