package restless_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"go.uber.org/goleak"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// slowCTE is a condition SQLite needs minutes to evaluate: it counts a
// recursive CTE to a billion.
const slowCTE = `(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c) > 0`

// slowPerson is the person resource whose every read runs slowCTE.
type slowPerson struct{ *resource.Table }

func (p slowPerson) Select(ctx context.Context) (sq.SelectBuilder, error) {
	b, err := p.Table.Select(ctx)
	return b.Where(slowCTE), err
}

// blockingPerson is the person resource whose BeforeWrite hook signals
// entered and then waits until the request's context ends.
type blockingPerson struct {
	*resource.Table
	entered chan struct{}
}

func (p blockingPerson) BeforeWrite(ctx context.Context, w *resource.Write) error {
	close(p.entered)
	<-ctx.Done()
	return ctx.Err()
}

// cancelServer serves res over a SQLite file with the demo data and
// reports on done when each request's handler has returned.
func cancelServer(t *testing.T, res ...resource.Resource) (*httptest.Server, *sqlite.DB, chan struct{}) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "cancel.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, demo.Schema); err != nil {
		t.Fatal(err)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase,
		Logger: discardLogger()}
	h, err := api.Handler(res...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		h.ServeHTTP(w, r)
	}))
	return srv, db, done
}

// cancelAfter sends a request that the client abandons after wait (or
// when ready closes, if not nil) and returns when the client has given
// up.
func cancelAfter(t *testing.T, srv *httptest.Server, method, path, body string, ready chan struct{}, wait time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	go func() {
		if ready != nil {
			select {
			case <-ready:
			case <-time.After(10 * time.Second):
			}
		}
		time.Sleep(wait)
		cancel()
	}()
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("%s %s answered %d before the client went away", method, path, resp.StatusCode)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%s %s: %v, want the client's cancellation", method, path, err)
	}
}

// waitHandler waits for the handler to return: the cancelled query must
// stop long before it would have finished.
func waitHandler(t *testing.T, done chan struct{}, since time.Time) {
	t.Helper()
	select {
	case <-done:
		t.Logf("the handler returned %v after the client went away", time.Since(since).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the handler still runs 5 s after the client went away: the query was not cancelled")
	}
}

// writerFree checks that a write transaction can start at once and that
// no connection is in use.
func writerFree(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tx, err := db.Writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("the writer is not free: %v", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE person SET age = age WHERE id = 1`); err != nil {
		t.Fatalf("the writer cannot write: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		n    func() int
	}{{"writer", func() int { return db.Writer.Stats().InUse }}, {"reader", func() int { return db.Reader.Stats().InUse }}} {
		if n := p.n(); n != 0 {
			t.Errorf("%d %s connections still in use", n, p.name)
		}
	}
}

// TestClientGoneCancelsQuery checks that a client that goes away cancels
// the query its request runs, on reads and inside a write transaction,
// and leaves no transaction open and no goroutine behind.
func TestClientGoneCancelsQuery(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("slow-read", func(t *testing.T) {
		srv, db, done := cancelServer(t, slowPerson{demo.Person()}, demo.Computer())
		defer srv.Close()
		defer db.Close()
		cancelAfter(t, srv, "GET", "/api/person", "", nil, 200*time.Millisecond)
		waitHandler(t, done, time.Now())
		writerFree(t, db)
	})
	t.Run("slow-read-in-write", func(t *testing.T) {
		// The insert succeeds and the read of the new row inside the same
		// transaction is slow: cancelling must roll the insert back.
		srv, db, done := cancelServer(t, slowPerson{demo.Person()}, demo.Computer())
		defer srv.Close()
		defer db.Close()
		cancelAfter(t, srv, "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada"}}}`, nil, 300*time.Millisecond)
		waitHandler(t, done, time.Now())
		writerFree(t, db)
		var n int
		if err := db.Reader.QueryRow(`SELECT count(*) FROM person WHERE name = 'Ada'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d rows of the cancelled create (%v), want 0", n, err)
		}
	})
	t.Run("blocked-hook", func(t *testing.T) {
		entered := make(chan struct{})
		srv, db, done := cancelServer(t, blockingPerson{demo.Person(), entered}, demo.Computer())
		defer srv.Close()
		defer db.Close()
		cancelAfter(t, srv, "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"name":"Gone"}}}`, entered, 0)
		waitHandler(t, done, time.Now())
		writerFree(t, db)
		var name string
		if err := db.Reader.QueryRow(`SELECT name FROM person WHERE id = 1`).Scan(&name); err != nil || name != "Jeffrey" {
			t.Errorf("name = %q (%v), want the unchanged Jeffrey", name, err)
		}
	})
}
