package restless_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/postgres"
)

// The replica test runs this test binary again as two servers of one
// PostgreSQL schema: TestReplicaServerProcess is the server.
const envReplica = "RESTLESS_TEST_REPLICA" // the DSN, with the schema's search_path

// replicaBase is the BaseURL of every replica, the address of the load
// balancer in front of them: their links and ETags agree.
const replicaBase = "http://replicas.example"

// gatedMachines is the demo's computer type made a Provisioner whose work
// waits, when the vendor is "gate:FILE", until FILE exists: the test
// decides when a job finishes, across processes, without guessing times.
type gatedMachines struct{ resource.Creator }

func (m gatedMachines) Provision(ctx context.Context, id any, v resource.Values) error {
	vendor, _ := v["vendor"].(string)
	if file, ok := strings.CutPrefix(vendor, "gate:"); ok {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := os.Stat(file); err == nil {
				break
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	v["vendor"] = "provisioned"
	return nil
}

// TestReplicaServerProcess is not a test of its own: TestReplicas starts
// the test binary with it as a replica on 127.0.0.1, which prints its
// address and serves until its standard input closes or it gets SIGTERM,
// then shuts down as a real server does. A failed shutdown fails the
// process.
func TestReplicaServerProcess(t *testing.T) {
	dsn := os.Getenv(envReplica)
	if dsn == "" {
		t.Skip("runs only as a child process of TestReplicas")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := &restless.API{DB: db, Dialect: postgres.Dialect, Prefix: "/api", BaseURL: replicaBase,
		Jobs: &jobs.Runner{MaxWait: time.Minute}}
	if err := api.Jobs.Start(ctx, api.JobStore()); err != nil {
		t.Fatal(err)
	}
	h, err := api.Handler(demo.Person(), gatedMachines{demo.Computer()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("ADDR %s\n", ln.Addr())
	<-ctx.Done()

	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Errorf("server shutdown: %v", err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("serve: %v", err)
	}
	if err := api.Jobs.Shutdown(sctx); err != nil {
		t.Errorf("jobs shutdown: %v", err)
	}
}

// openDemoSchema creates a fresh schema with the demo tables on
// RESTLESS_TEST_POSTGRES, or skips. It returns the DSN of the schema, whose
// connections carry the application name app (for pg_stat_activity), a
// pool on it and one on the database; the test's cleanup drops the schema
// and checks it is gone. The replica and concurrency tests use it.
func openDemoSchema(t *testing.T) (dsn, app string, db, admin *sql.DB) {
	t.Helper()
	base := os.Getenv("RESTLESS_TEST_POSTGRES")
	if base == "" {
		t.Skip("RESTLESS_TEST_POSTGRES is not set: set it to a PostgreSQL DSN, such as " +
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable, to run this test")
	}
	ctx := context.Background()
	admin, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "replica_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	// Registered first, so it runs last: after the servers have stopped.
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		var n int
		if err := admin.QueryRow(`SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil || n != 0 {
			t.Errorf("schema %s is still there (%d, %v)", schema, n, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	dsn = base + sep + "search_path=" + schema + "&application_name=" + schema
	conn, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.Exec(demo.PostgresSchema); err != nil {
		t.Fatal(err)
	}
	return dsn, schema, conn, admin
}

// TestReplicas starts two server processes on one PostgreSQL schema and
// shows that they behave as one service: what one writes the other
// serves, a job accepted by one is answered by the other, and of two
// conditional PATCHes through different processes exactly one wins.
func TestReplicas(t *testing.T) {
	skipShort(t)
	dsn, app, db, admin := openDemoSchema(t)
	began := time.Now()
	// Both start at once, as replicas do: both create restless_jobs.
	a := spawnServer(t, "TestReplicaServerProcess", envReplica+"="+dsn)
	b := spawnServer(t, "TestReplicaServerProcess", envReplica+"="+dsn)
	a.await(t)
	b.await(t)
	t.Logf("two replicas listening after %v", time.Since(began).Round(time.Millisecond))

	t.Run("resource", func(t *testing.T) { replicaResource(t, a, b) })
	t.Run("job", func(t *testing.T) { replicaJob(t, db, a, b) })
	t.Run("if-match", func(t *testing.T) { replicaIfMatch(t, db, a, b) })

	// A stops on SIGTERM, B when its standard input closes; both must
	// shut down cleanly on their own.
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	b.stdin.Close()
	for name, s := range map[string]*jobServer{"A": a, "B": b} {
		select {
		case <-s.done:
			if s.err != nil {
				t.Errorf("replica %s did not stop cleanly: %v\n%s", name, s.err, s.out)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("replica %s still runs 30s after it was asked to stop", name)
		}
	}
	var unfinished int
	if err := db.QueryRow(`SELECT count(*) FROM restless_jobs WHERE state IN ('pending', 'running')`).Scan(&unfinished); err != nil {
		t.Fatal(err)
	}
	if unfinished != 0 {
		t.Errorf("%d jobs left pending or running", unfinished)
	}
	// The servers' connections close with them; PostgreSQL notices
	// shortly after. The test's own pool carries the same name: close it.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var n int
		if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
			app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections of the replicas are still open 30s after they stopped", n)
		}
	}
	t.Logf("whole run %v", time.Since(began).Round(time.Millisecond))
}

// dataOf returns the primary data of a document.
func dataOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var d struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &d); err != nil || d.Data == nil {
		t.Fatalf("not a document with one resource object: %v\n%s", err, body)
	}
	return d.Data
}

// replicaResource: a person created, changed and deleted through one
// replica is seen so through the other, with the same document and ETag.
func replicaResource(t *testing.T, a, b *jobServer) {
	code, hdr, body := a.call(t, "POST", "/api/person",
		`{"data":{"type":"person","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36}}}`)
	if code != http.StatusCreated {
		t.Fatalf("POST through A: %d\n%s", code, body)
	}
	created := dataOf(t, body)
	path, ok := strings.CutPrefix(hdr.Get("Location"), replicaBase)
	if !ok || path != "/api/person/4" {
		t.Fatalf("Location %q, want %s/api/person/4", hdr.Get("Location"), replicaBase)
	}

	codeB, hdrB, bodyB := b.call(t, "GET", path, "")
	if codeB != http.StatusOK || !reflect.DeepEqual(dataOf(t, bodyB), created) {
		t.Fatalf("GET through B: %d\n%s\nwant the data of\n%s", codeB, bodyB, body)
	}
	codeA, hdrA, bodyA := a.call(t, "GET", path, "")
	tag := hdrB.Get("ETag")
	if codeA != http.StatusOK || !bytes.Equal(bodyA, bodyB) || tag == "" || hdrA.Get("ETag") != tag {
		t.Fatalf("GET through A and B differ: %d %q %q\n%s\n%s", codeA, hdrA.Get("ETag"), tag, bodyA, bodyB)
	}

	code, _, body = b.callWith(t, "PATCH", path, `{"data":{"type":"person","id":"4","attributes":{"name":"Ada L"}}}`,
		http.Header{"If-Match": {tag}})
	if code != http.StatusOK || !strings.Contains(string(body), `"name":"Ada L"`) {
		t.Fatalf("PATCH through B with A's ETag: %d\n%s", code, body)
	}
	patched := dataOf(t, body)
	codeA, hdrA, bodyA = a.call(t, "GET", path, "")
	if codeA != http.StatusOK || !reflect.DeepEqual(dataOf(t, bodyA), patched) || hdrA.Get("ETag") == tag {
		t.Fatalf("GET through A after B's PATCH: %d %q\n%s\nwant the data of\n%s", codeA, hdrA.Get("ETag"), bodyA, body)
	}
	code, _, body = a.callWith(t, "PATCH", path, `{"data":{"type":"person","id":"4","attributes":{"age":37}}}`,
		http.Header{"If-Match": {tag}})
	if code != http.StatusPreconditionFailed || !strings.Contains(string(body), `"status":"412"`) {
		t.Fatalf("PATCH through A with the ETag B's PATCH outdated: %d\n%s", code, body)
	}

	if code, _, body = a.call(t, "DELETE", path, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE through A: %d\n%s", code, body)
	}
	if code, _, body = b.call(t, "GET", path, ""); code != http.StatusNotFound || !strings.Contains(string(body), `"status":"404"`) {
		t.Fatalf("GET through B after A's DELETE: %d\n%s", code, body)
	}
}

// replicaJob: a job accepted by A is answered by B while it waits and
// once it is complete; a POST that A answers with Prefer: wait is seen so
// by B.
func replicaJob(t *testing.T, db *sql.DB, a, b *jobServer) {
	gate := filepath.Join(t.TempDir(), "gate")
	code, hdr, body := a.call(t, "POST", "/api/computer",
		fmt.Sprintf(`{"data":{"type":"computer","attributes":{"name":"hal","vendor":%q}}}`, "gate:"+gate))
	if code != http.StatusAccepted {
		t.Fatalf("POST through A: %d\n%s", code, body)
	}
	jobPath, ok := strings.CutPrefix(hdr.Get("Content-Location"), replicaBase)
	id, isJob := strings.CutPrefix(jobPath, "/api/jobs/")
	if !ok || !isJob || id == "" {
		t.Fatalf("Content-Location %q", hdr.Get("Content-Location"))
	}

	// The work waits for the gate: B sees the job pending, then running.
	polls := 0
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		code, state, body := b.jobState(t, id)
		polls++
		if code != http.StatusOK || state != jobs.Pending && state != jobs.Running {
			t.Fatalf("the waiting job through B: %d %q\n%s", code, state, body)
		}
		if state == jobs.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is still pending after 60s")
		}
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		code, state, body := b.jobState(t, id)
		polls++
		if code == http.StatusSeeOther {
			break
		}
		if code != http.StatusOK || state != jobs.Running {
			t.Fatalf("the released job through B: %d %q\n%s", code, state, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is still running 60s after its gate opened")
		}
	}
	t.Logf("%d polls through B", polls)
	want := replicaBase + "/api/computer/4"
	for name, s := range map[string]*jobServer{"A": a, "B": b} {
		if code, hdr, body := s.call(t, "GET", jobPath, ""); code != http.StatusSeeOther || hdr.Get("Location") != want {
			t.Errorf("the complete job through %s: %d, Location %q, want 303 to %s\n%s", name, code, hdr.Get("Location"), want, body)
		}
	}
	code, _, body = b.call(t, "GET", "/api/computer/4", "")
	if code != http.StatusOK || !strings.Contains(string(body), `"name":"hal"`) || !strings.Contains(string(body), `"vendor":"provisioned"`) {
		t.Fatalf("GET through B of the job's computer: %d\n%s", code, body)
	}

	// Prefer: wait on A, then B's view.
	code, hdr, body = a.callWith(t, "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"eve"}}}`,
		http.Header{"Prefer": {"wait=60"}})
	if code != http.StatusCreated || hdr.Get("Preference-Applied") != "wait=60" || hdr.Get("Location") != replicaBase+"/api/computer/5" {
		t.Fatalf("POST through A with Prefer: wait=60: %d %v\n%s", code, hdr, body)
	}
	created := dataOf(t, body)
	codeB, _, bodyB := b.call(t, "GET", "/api/computer/5", "")
	if codeB != http.StatusOK || !reflect.DeepEqual(dataOf(t, bodyB), created) {
		t.Fatalf("GET through B: %d\n%s\nwant the data of\n%s", codeB, bodyB, body)
	}
	var waited string
	if err := db.QueryRow(`SELECT id FROM restless_jobs WHERE result = '5'`).Scan(&waited); err != nil {
		t.Fatalf("the job of computer 5: %v", err)
	}
	if code, hdr, body := b.call(t, "GET", "/api/jobs/"+waited, ""); code != http.StatusSeeOther || hdr.Get("Location") != replicaBase+"/api/computer/5" {
		t.Errorf("the waited-for job through B: %d, Location %q\n%s", code, hdr.Get("Location"), body)
	}
}

// replicaIfMatch: in each round the two replicas get a PATCH with the same
// If-Match at the same moment; exactly one wins and its value stays.
func replicaIfMatch(t *testing.T, db *sql.DB, a, b *jobServer) {
	const rounds = 20
	servers := []*jobServer{a, b}
	names := []string{"A", "B"}
	wins := make([]int, 2)
	for round := range rounds {
		reader := servers[round%2]
		code, hdr, body := reader.call(t, "GET", "/api/person/1", "")
		tag := hdr.Get("ETag")
		if code != http.StatusOK || tag == "" {
			t.Fatalf("GET: %d %q\n%s", code, tag, body)
		}
		type result struct {
			code int
			body []byte
			err  error
		}
		var results [2]result
		ages := [2]int{1000 + 2*round, 1001 + 2*round}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range servers {
			body := `{"data":{"type":"person","id":"1","attributes":{"age":` + strconv.Itoa(ages[i]) + `}}}`
			wg.Go(func() {
				<-start
				code, _, resp, err := s.send("PATCH", "/api/person/1", body, http.Header{"If-Match": {tag}})
				results[i] = result{code: code, body: resp, err: err}
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, r := range results {
			switch {
			case r.err != nil:
				t.Fatalf("round %d: PATCH through %s: %v", round, names[i], r.err)
			case r.code == http.StatusOK && winner < 0:
				winner = i
			case r.code == http.StatusOK:
				t.Errorf("round %d: the PATCHes through A and B both won", round)
			case r.code == http.StatusPreconditionFailed && strings.Contains(string(r.body), `"status":"412"`):
			default:
				t.Errorf("round %d: PATCH through %s: %d\n%s", round, names[i], r.code, r.body)
			}
		}
		if winner < 0 {
			t.Errorf("round %d: no PATCH won: %d and %d", round, results[0].code, results[1].code)
			continue
		}
		wins[winner]++
		var age int
		if err := db.QueryRow(`SELECT age FROM person WHERE id = 1`).Scan(&age); err != nil {
			t.Fatal(err)
		}
		if age != ages[winner] {
			t.Errorf("round %d: %s won, but the row holds age %d, not %d", round, names[winner], age, ages[winner])
		}
		// The loser's replica serves the winner's version.
		code, _, body = servers[1-winner].call(t, "GET", "/api/person/1", "")
		if code != http.StatusOK || !reflect.DeepEqual(dataOf(t, body), dataOf(t, results[winner].body)) {
			t.Errorf("round %d: GET through %s: %d\n%s\nwant the data of the winner's\n%s", round, names[1-winner], code, body, results[winner].body)
		}
	}
	t.Logf("%d rounds: A won %d, B won %d", rounds, wins[0], wins[1])
}

// TestReplicaLockTimeout: a write that waits for a row lock held
// elsewhere (another replica's transaction) longer than the DSN's
// lock_timeout or statement_timeout is answered 503 with Retry-After and
// changes nothing; once the lock is gone the same write succeeds.
func TestReplicaLockTimeout(t *testing.T) {
	dsn, _, db, _ := openDemoSchema(t)
	for _, limit := range []string{"lock_timeout=300ms", "statement_timeout=300ms"} {
		t.Run(limit, func(t *testing.T) {
			ctx := context.Background()
			pool, err := postgres.Open(ctx, dsn+"&"+limit)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			api := &restless.API{DB: pool, Dialect: postgres.Dialect, Prefix: "/api", BaseURL: replicaBase}
			h, err := api.Handler(demo.Person())
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			s := &jobServer{base: srv.URL}

			// The other replica's transaction.
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`SELECT 1 FROM person WHERE id = 2 FOR UPDATE`); err != nil {
				t.Fatal(err)
			}
			patch := `{"data":{"type":"person","id":"2","attributes":{"age":50}}}`
			code, hdr, body := s.call(t, "PATCH", "/api/person/2", patch)
			if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") != "1" ||
				!strings.Contains(string(body), `"status":"503"`) || strings.Contains(string(body), "person") {
				t.Errorf("PATCH of a locked row: %d, Retry-After %q\n%s", code, hdr.Get("Retry-After"), body)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			var age int
			if err := db.QueryRow(`SELECT age FROM person WHERE id = 2`).Scan(&age); err != nil || age != 41 {
				t.Errorf("after the refused PATCH, age is %d (%v), want 41", age, err)
			}
			if code, _, body := s.call(t, "PATCH", "/api/person/2", patch); code != http.StatusOK {
				t.Errorf("PATCH once the lock is gone: %d\n%s", code, body)
			}
			if _, err := db.Exec(`UPDATE person SET age = 41 WHERE id = 2`); err != nil {
				t.Fatal(err)
			}
		})
	}
}
