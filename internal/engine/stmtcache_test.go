package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"database/sql"

	_ "modernc.org/sqlite"
)

// TestStmtCacheBounded runs many distinct statements from many goroutines
// through a small cache: every query succeeds although statements are
// evicted and closed while others use them, and the cache stays bounded.
func TestStmtCacheBounded(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:/stmtcache-test?vfs=memdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxIdleConns(4)
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	a := New(Config{DB: db, PreparedStatements: 4})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				text := fmt.Sprintf("SELECT count(*) + %d FROM t WHERE x > ?", (g*7+i)%13)
				var n int
				if err := a.scanOne(ctx, text, []any{0}, &n); err != nil {
					t.Errorf("query %q: %v", text, err)
					return
				}
				if want := 3 + (g*7+i)%13; n != want {
					t.Errorf("query %q = %d, want %d", text, n, want)
				}
			}
		}()
	}
	wg.Wait()
	c := a.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := 0
	c.m.Range(func(any, any) bool { keys++; return true })
	if len(c.ring) > 4 || keys != len(c.ring) {
		t.Errorf("cache holds %d statements (%d keys), want at most 4", len(c.ring), keys)
	}
	for _, cs := range c.ring {
		if n := cs.state.Load(); n != 0 {
			t.Errorf("statement %q: state %#x after all queries, want no users and not evicted", cs.text, n)
		}
	}
}
