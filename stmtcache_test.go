package restless

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
	a := &API{DB: db, PreparedStatements: 4}
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
	c := a.stmts()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Len() > 4 || len(c.m) != c.lru.Len() {
		t.Errorf("cache holds %d statements (%d keys), want at most 4", c.lru.Len(), len(c.m))
	}
	for e := c.lru.Front(); e != nil; e = e.Next() {
		if cs := e.Value.(*cachedStmt); cs.users != 0 || cs.evicted {
			t.Errorf("statement %q: users %d evicted %v after all queries", cs.text, cs.users, cs.evicted)
		}
	}
}
