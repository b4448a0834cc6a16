package restless_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/postgres"
	"github.com/gorestless/restless/sqlite"
)

// stressDuration is how long the concurrency tests run: 3 s (1 s with
// -short), or RESTLESS_STRESS_DURATION (such as "60s") for a long run.
func stressDuration(t *testing.T) time.Duration {
	if s := os.Getenv("RESTLESS_STRESS_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("RESTLESS_STRESS_DURATION: %v", err)
		}
		return d
	}
	if testing.Short() {
		return time.Second
	}
	return 3 * time.Second
}

// stressWorkers is the number of concurrent clients: 16, or
// RESTLESS_STRESS_WORKERS.
func stressWorkers(t *testing.T) int {
	if s := os.Getenv("RESTLESS_STRESS_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("RESTLESS_STRESS_WORKERS: %q is not a positive integer", s)
		}
		return n
	}
	return 16
}

// stressRow is what the acknowledged writes say a row holds.
type stressRow struct {
	id     string
	vendor string
	// unsure says a write to the row was not acknowledged either way, so
	// its vendor (or its existence) is unknown.
	unsure bool
}

// stressResult is the outcome of a run.
type stressResult struct {
	mu       sync.Mutex
	byStatus map[int]int
	acked    map[string]int // "create", "patch", "delete" → acknowledged
	live     map[string]*stressRow
	gone     map[string]bool // names whose delete was acknowledged
	maybe    map[string]bool // names whose create or delete was not answered
	requests int
}

func (r *stressResult) count(status int) {
	r.mu.Lock()
	r.byStatus[status]++
	r.requests++
	r.mu.Unlock()
}

// stressRun has workers clients create, patch, delete and read computers
// through srv for d, each touching only rows it created, and logs every
// acknowledged write.
func stressRun(t *testing.T, srv *httptest.Server, workers int, d time.Duration) *stressResult {
	t.Helper()
	res := &stressResult{byStatus: map[int]int{}, acked: map[string]int{}, live: map[string]*stressRow{},
		gone: map[string]bool{}, maybe: map[string]bool{}}
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = workers
	client.Timeout = 30 * time.Second
	defer client.CloseIdleConnections()
	send := func(method, path, body string) (int, []byte, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, srv.URL+path, rd)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Accept", "application/vnd.api+json")
		if body != "" {
			req.Header.Set("Content-Type", "application/vnd.api+json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res.count(resp.StatusCode)
		return resp.StatusCode, b, err
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			var mine []string // names of own live rows
			seq := 0
			for time.Now().Before(deadline) {
				op := rng.IntN(10)
				switch {
				case op < 4 || len(mine) == 0:
					seq++
					name := fmt.Sprintf("w%d-%d", w, seq)
					vendor := name + "-v0"
					body := fmt.Sprintf(`{"data":{"type":"computer","attributes":{"name":%q,"vendor":%q}}}`, name, vendor)
					status, b, err := send("POST", "/api/computer", body)
					if err != nil || status != http.StatusCreated {
						res.mu.Lock()
						res.maybe[name] = true
						res.mu.Unlock()
						continue
					}
					var doc struct {
						Data struct {
							ID string `json:"id"`
						} `json:"data"`
					}
					if err := json.Unmarshal(b, &doc); err != nil || doc.Data.ID == "" {
						t.Errorf("create %s: bad document %s", name, b)
						continue
					}
					res.mu.Lock()
					res.acked["create"]++
					res.live[name] = &stressRow{id: doc.Data.ID, vendor: vendor}
					res.mu.Unlock()
					mine = append(mine, name)
				case op < 7:
					name := mine[rng.IntN(len(mine))]
					res.mu.Lock()
					row := res.live[name]
					res.mu.Unlock()
					seq++
					vendor := fmt.Sprintf("%s-v%d", name, seq)
					body := fmt.Sprintf(`{"data":{"type":"computer","id":%q,"attributes":{"vendor":%q}}}`, row.id, vendor)
					status, _, err := send("PATCH", "/api/computer/"+row.id, body)
					res.mu.Lock()
					if err == nil && status == http.StatusOK {
						res.acked["patch"]++
						row.vendor = vendor
					} else {
						row.unsure = true
					}
					res.mu.Unlock()
				case op < 9:
					i := rng.IntN(len(mine))
					name := mine[i]
					res.mu.Lock()
					row := res.live[name]
					res.mu.Unlock()
					status, _, err := send("DELETE", "/api/computer/"+row.id, "")
					res.mu.Lock()
					if err == nil && status == http.StatusNoContent {
						res.acked["delete"]++
						delete(res.live, name)
						res.gone[name] = true
						mine = append(mine[:i], mine[i+1:]...)
					} else {
						res.maybe[name] = true
					}
					res.mu.Unlock()
				default:
					status, _, err := send("GET", "/api/computer?filter[name][like]="+fmt.Sprintf("w%d-%%25", w)+"&sort=-id&page[size]=5", "")
					if err == nil && status != http.StatusOK {
						t.Errorf("read: status %d", status)
					}
				}
			}
		}()
	}
	wg.Wait()
	return res
}

// stressCheck compares the rows of db with the log of acknowledged writes.
func stressCheck(t *testing.T, db *sql.DB, res *stressResult, d time.Duration) {
	t.Helper()
	rows, err := db.Query(`SELECT id, name, vendor FROM computer WHERE name LIKE 'w%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := map[string]stressRow{}
	n := 0
	for rows.Next() {
		var id int64
		var name, vendor string
		if err := rows.Scan(&id, &name, &vendor); err != nil {
			t.Fatal(err)
		}
		n++
		if _, dup := found[name]; dup {
			t.Errorf("row %q appears twice", name)
		}
		found[name] = stressRow{id: strconv.FormatInt(id, 10), vendor: vendor}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost, wrong, unexpected := 0, 0, 0
	for name, want := range res.live {
		got, ok := found[name]
		switch {
		case !ok:
			lost++
			t.Errorf("acknowledged row %q (id %s) is missing", name, want.id)
		case got.id != want.id:
			wrong++
			t.Errorf("row %q has id %s, acknowledged %s", name, got.id, want.id)
		case got.vendor != want.vendor && !want.unsure:
			wrong++
			t.Errorf("row %q has vendor %q, last acknowledged %q", name, got.vendor, want.vendor)
		}
	}
	for name := range found {
		if _, ok := res.live[name]; !ok && !res.maybe[name] {
			unexpected++
			if res.gone[name] {
				t.Errorf("row %q is present though its delete was acknowledged", name)
			} else {
				t.Errorf("row %q was never acknowledged", name)
			}
		}
	}
	statuses := make([]int, 0, len(res.byStatus))
	for s := range res.byStatus {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	var hist []string
	for _, s := range statuses {
		hist = append(hist, fmt.Sprintf("%d×%d", s, res.byStatus[s]))
		if s >= 500 {
			t.Errorf("%d responses with status %d", res.byStatus[s], s)
		}
	}
	t.Logf("%s: %d requests (%.0f/s); acknowledged creates %d, patches %d, deletes %d; rows expected %d, found %d; lost %d, wrong %d, unexpected %d, unanswered %d; statuses %s",
		d, res.requests, float64(res.requests)/d.Seconds(), res.acked["create"], res.acked["patch"], res.acked["delete"],
		len(res.live), n, lost, wrong, unexpected, len(res.maybe), strings.Join(hist, " "))
}

// TestConcurrentWritesSQLite runs concurrent clients over a SQLite WAL
// file: no 5xx (no SQLITE_BUSY reaches a client), every acknowledged write
// is in the table exactly once, the file passes integrity_check, and no
// goroutine outlives the server.
func TestConcurrentWritesSQLite(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stress.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, demo.Schema); err != nil {
		t.Fatal(err)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase}
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	d := stressDuration(t)
	res := stressRun(t, srv, stressWorkers(t), d)
	srv.Close()
	stressCheck(t, db.Reader, res, d)
	var check string
	if err := db.Reader.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v; want ok", check, err)
	}
	var mode string
	if err := db.Reader.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}

// TestConcurrentWritesPostgres is the same run on PostgreSQL, when
// RESTLESS_TEST_POSTGRES names a server.
func TestConcurrentWritesPostgres(t *testing.T) {
	db, app := postgresDemo(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	api := &restless.API{DB: db, Dialect: postgres.Dialect, Prefix: "/api", BaseURL: testBase}
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	d := stressDuration(t)
	res := stressRun(t, srv, stressWorkers(t), d)
	srv.Close()
	stressCheck(t, db, res, d)
	var active int
	if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND application_name = $1`, app).Scan(&active); err != nil {
		t.Fatal(err)
	}
	if active != 0 {
		t.Errorf("%d connections idle in a transaction after the run", active)
	}
}

// postgresDemo returns a pool on a fresh schema of RESTLESS_TEST_POSTGRES
// holding every demo table (dropped when the test ends) and the schema's
// application name, or skips.
func postgresDemo(t *testing.T) (*sql.DB, string) {
	t.Helper()
	_, app, db, _ := openDemoSchema(t)
	if _, err := db.Exec(demo.PostgresUsersSchema); err != nil {
		t.Fatal(err)
	}
	return db, app
}
