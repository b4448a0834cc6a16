package restless_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/jobs"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/faultdb"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// faultTables are the tables a write may touch; faultDump reads them all.
var faultTables = []string{"person", "computer", "users", "friendship"}

// faultSeed adds users and friendships to the demo data, so the
// many-to-many paths have something to change.
const faultSeed = `
INSERT INTO users (email, password, gender, active, mom, created) VALUES
    ('a@x', 'pa', 'f', 1, NULL, '2024-01-01 00:00:00'),
    ('b@x', 'pb', 'm', 1, 'a@x', '2024-01-01 00:00:00'),
    ('c@x', 'pc', 'f', 0, NULL, '2024-01-01 00:00:00');
INSERT INTO friendship (user_id, friend_id, met, created) VALUES
    ('a@x', 'b@x', 'school', '2024-01-01 00:00:00'),
    ('b@x', 'c@x', 'work', '2024-01-01 00:00:00');`

// faultTemplate writes a demo database file with users and returns its
// bytes, which every run of a fault loop starts from.
func faultTemplate(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "template.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, demo.Schema+demo.UsersSchema+faultSeed); err != nil {
		t.Fatal(err)
	}
	// Closing the last connection checkpoints the WAL into the file.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sqliteDriver returns the registered modernc driver, for wrapping.
func sqliteDriver(t *testing.T) driver.Driver {
	t.Helper()
	db, err := sql.Open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Driver()
}

// faultEnv returns an env over a copy of template whose API writes through
// a connection that in counts and fails.
func faultEnv(t *testing.T, template []byte, in *faultdb.Injector) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "run.db")
	if err := os.WriteFile(path, template, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Writer.Close()
	db.Writer = faultdb.Open(sqliteDriver(t), sqlite.DSN(path, true), in)
	db.Writer.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase,
		Logger: discardLogger()}
	person, computer := demo.Person(), demo.Computer()
	person.Bulk, computer.Bulk = true, true
	h, err := api.Handler(person, computer, demo.Users())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, backend: "sqlite", db: envDB{Reader: db.Reader, Writer: db.Writer}, api: api, h: h}
}

// faultDump returns every row of every table, sorted, read past the API.
func faultDump(t *testing.T, e *env) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tb := range faultTables {
		rows := e.rows(tb)
		slices.Sort(rows)
		out[tb] = rows
	}
	return out
}

// faultCase is one write path; atomic ones are posted to the operations
// endpoint. Async job completion has its own test,
// TestFaultInjectionAsyncJob.
type faultCase struct {
	name, method, path, body string
	atomic                   bool
}

func faultCases() []faultCase {
	rel := func(typ, id string) string { return `{"type":"` + typ + `","id":"` + id + `"}` }
	return []faultCase{
		{"create-with-to-many", "POST", "/api/person",
			`{"data":{"type":"person","attributes":{"name":"Ada","age":36},"relationships":{"computers":{"data":[` + rel("computer", "1") + `,` + rel("computer", "3") + `]}}}}`, false},
		{"create-with-to-one", "POST", "/api/computer",
			`{"data":{"type":"computer","attributes":{"name":"zx81","vendor":"Sinclair"},"relationships":{"owner":{"data":` + rel("person", "2") + `}}}}`, false},
		{"create-with-many-to-many", "POST", "/api/users",
			`{"data":{"type":"users","id":"new@x","attributes":{"gender":"f","password":"s"},"relationships":{"mom":{"data":` + rel("users", "a@x") + `},"friends":{"data":[` + rel("users", "a@x") + `,` + rel("users", "c@x") + `]}}}}`, false},
		{"patch-with-to-many", "PATCH", "/api/person/1",
			`{"data":{"type":"person","id":"1","attributes":{"name":"Jeff","age":36},"relationships":{"computers":{"data":[` + rel("computer", "3") + `]}}}}`, false},
		{"patch-with-many-to-many", "PATCH", "/api/users/a@x",
			`{"data":{"type":"users","id":"a@x","attributes":{"gender":"x"},"relationships":{"mom":{"data":` + rel("users", "c@x") + `},"friends":{"data":[` + rel("users", "c@x") + `]}}}}`, false},
		{"relationship-post-to-many", "POST", "/api/person/2/relationships/computers",
			`{"data":[` + rel("computer", "1") + `,` + rel("computer", "2") + `]}`, false},
		{"relationship-patch-to-many", "PATCH", "/api/person/2/relationships/computers",
			`{"data":[` + rel("computer", "1") + `]}`, false},
		{"relationship-delete-to-many", "DELETE", "/api/person/1/relationships/computers",
			`{"data":[` + rel("computer", "2") + `]}`, false},
		{"relationship-patch-to-one", "PATCH", "/api/computer/1/relationships/owner",
			`{"data":` + rel("person", "3") + `}`, false},
		{"relationship-clear-to-one", "PATCH", "/api/computer/1/relationships/owner", `{"data":null}`, false},
		{"relationship-post-many-to-many", "POST", "/api/users/a@x/relationships/friends",
			`{"data":[` + rel("users", "c@x") + `]}`, false},
		{"relationship-patch-many-to-many", "PATCH", "/api/users/a@x/relationships/friends",
			`{"data":[` + rel("users", "c@x") + `]}`, false},
		{"relationship-delete-many-to-many", "DELETE", "/api/users/b@x/relationships/friends",
			`{"data":[` + rel("users", "c@x") + `]}`, false},
		{"delete", "DELETE", "/api/computer/3", "", false},
		{"delete-cascade", "DELETE", "/api/users/c@x", "", false},
		{"bulk-patch", "PATCH", "/api/person?filter%5Bage%5D%5Bgte%5D=30",
			`{"data":{"type":"person","attributes":{"age":77},"relationships":{}}}`, false},
		{"bulk-patch-to-one", "PATCH", "/api/computer?filter%5Bowner%5D=1",
			`{"data":{"type":"computer","attributes":{"vendor":"IBM"},"relationships":{"owner":{"data":` + rel("person", "3") + `}}}}`, false},
		{"bulk-delete", "DELETE", "/api/computer?filter%5Bvendor%5D=Dell,Apple", "", false},
		{"atomic-one", "POST", "/api/operations",
			`{"atomic:operations":[{"op":"add","data":{"type":"person","attributes":{"name":"Ada"}}}]}`, true},
		{"atomic-five", "POST", "/api/operations", `{"atomic:operations":[` +
			`{"op":"add","data":{"type":"person","lid":"ada","attributes":{"name":"Ada"}}},` +
			`{"op":"add","data":{"type":"computer","attributes":{"name":"zx81"},"relationships":{"owner":{"data":{"type":"person","lid":"ada"}}}}},` +
			`{"op":"update","data":{"type":"person","id":"1","attributes":{"age":50}}},` +
			`{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":{"type":"person","lid":"ada"}},` +
			`{"op":"remove","ref":{"type":"computer","id":"3"}}]}`, true},
		{"atomic-many-to-many", "POST", "/api/operations", `{"atomic:operations":[` +
			`{"op":"add","data":{"type":"users","id":"d@x","relationships":{"friends":{"data":[{"type":"users","id":"a@x"}]}}}},` +
			`{"op":"add","ref":{"type":"users","id":"a@x","relationship":"friends"},"data":[{"type":"users","id":"d@x"}]},` +
			`{"op":"remove","ref":{"type":"users","id":"c@x"}}]}`, true},
	}
}

// TestFaultInjection runs every write path once for each database call it
// makes, failing that call (with an error, and with driver.ErrBadConn),
// and checks that the client gets a JSON:API error, the database holds
// exactly what it held before, and the write connection is free and out
// of any transaction. With -short or -race only the plain error is
// injected.
func TestFaultInjection(t *testing.T) {
	template := faultTemplate(t)
	kinds := []struct {
		name string
		err  error
	}{{"error", nil}, {"bad-conn", driver.ErrBadConn}}
	if testing.Short() || raceEnabled {
		kinds = kinds[:1]
	}
	total := 0
	for _, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			for _, kind := range kinds {
				calls := 0
				for n := 1; ; n++ {
					in := &faultdb.Injector{}
					e := faultEnv(t, template, in)
					before := faultDump(t, e)
					in.Arm(n, kind.err)
					var res *response
					if fc.atomic {
						res = e.atomic(fc.body)
					} else {
						res = e.do(fc.method, fc.path, fc.body)
					}
					hit := in.Hit()
					in.Disarm()
					if hit == "" {
						// Call n was never made: the path makes n-1 calls and
						// must succeed when none fails.
						if res.Code >= 300 {
							t.Fatalf("%s without a fault: status %d\n%s", kind.name, res.Code, res.Body)
						}
						if n == 1 {
							t.Fatalf("the write made no database call")
						}
						calls = n - 1
						break
					}
					total++
					ops := strings.Join(in.Ops(), ",")
					if res.Code < 400 {
						// database/sql retries a Begin that fails with
						// ErrBadConn on another connection, and a call after
						// the commit (such as preparing a statement for a
						// cache) finds the write done; nothing else may
						// succeed.
						if !(kind.err == driver.ErrBadConn && hit == "begin") && !faultAfterCommit(in.Ops(), n) {
							t.Errorf("%s at call %d (%s): status %d, want an error; calls %s", kind.name, n, hit, res.Code, ops)
						}
					} else {
						wantErrorDoc(t, res)
						if diff := cmp.Diff(before, faultDump(t, e)); diff != "" {
							t.Errorf("%s at call %d (%s) changed the database (-before +after):\n%s\ncalls %s", kind.name, n, hit, diff, ops)
						}
					}
					if n := e.db.Writer.Stats().InUse; n != 0 {
						t.Errorf("%s at call %d (%s): %d write connections in use after the request", kind.name, n, hit, n)
					}
					// The writer is out of any transaction and works.
					tx, err := e.db.Writer.BeginTx(context.Background(), nil)
					if err != nil {
						t.Fatalf("%s at call %d (%s): writer unusable: %v", kind.name, n, hit, err)
					}
					if _, err := tx.Exec(`UPDATE person SET age = age WHERE id = 1`); err != nil {
						t.Errorf("%s at call %d (%s): writer unusable: %v", kind.name, n, hit, err)
					}
					tx.Rollback()
				}
				t.Logf("%s: %d database calls, each failed in turn with %s", fc.name, calls, kind.name)
			}
		})
	}
	t.Logf("fault points injected: %d over %d write paths", total, len(faultCases()))
}

// faultAfterCommit reports whether counted call n of ops came after a
// commit (rollbacks are listed but not counted).
func faultAfterCommit(ops []string, n int) bool {
	committed, count := false, 0
	for _, op := range ops {
		if op == "rollback" {
			continue
		}
		count++
		if count == n {
			return committed
		}
		if op == "commit" {
			committed = true
		}
	}
	return false
}

// wantErrorDoc checks that res is a JSON:API error document whose
// status matches the response's.
func wantErrorDoc(t *testing.T, res *response) {
	t.Helper()
	if !strings.Contains(string(res.Body), `"errors"`) || !strings.Contains(string(res.Body), fmt.Sprintf(`"status":"%d"`, res.Code)) {
		t.Errorf("status %d without a matching error document: %s", res.Code, res.Body)
	}
	if res.Code == http.StatusInternalServerError && strings.Contains(string(res.Body), "faultdb") {
		t.Errorf("the error document reveals the driver error: %s", res.Body)
	}
}

// discardLogger drops the logs of failures the tests cause on purpose.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// faultProvisioner is the demo computer as a Provisioner whose work
// always succeeds, so only injected faults fail its jobs.
type faultProvisioner struct{ *resource.Table }

func (faultProvisioner) Provision(ctx context.Context, id any, v resource.Values) error { return nil }

// TestFaultInjectionAsyncJob fails each database call of an async create
// in turn, from the POST that queues the job to the commit that completes
// it: the POST answers with an error, or the job ends failed; either way
// the demo tables are as before. The run with no fault completes the job.
func TestFaultInjectionAsyncJob(t *testing.T) {
	template := faultTemplate(t)
	body := `{"data":{"type":"computer","attributes":{"name":"hal","vendor":"IBM"},"relationships":{"owner":{"data":{"type":"person","id":"2"}}}}}`
	postErrors, failedJobs := 0, 0
	for n := 1; ; n++ {
		in := &faultdb.Injector{}
		e := faultEnv(t, template, in)
		runner := &jobs.Runner{}
		e.api.Jobs = runner
		if err := runner.Start(context.Background(), e.api.JobStore()); err != nil {
			t.Fatal(err)
		}
		h, err := e.api.Handler(demo.Person(), faultProvisioner{demo.Computer()})
		if err != nil {
			t.Fatal(err)
		}
		e.h = h
		before := faultDump(t, e)
		in.Arm(n, nil)
		res := e.do("POST", "/api/computer", body)
		state := ""
		if res.Code == http.StatusAccepted {
			self := strings.TrimPrefix(decodeJob(t, res).Data.Links["self"], testBase)
			deadline := time.Now().Add(10 * time.Second)
			for state != jobs.Complete && state != jobs.Failed {
				if time.Now().After(deadline) {
					t.Fatalf("call %d: the job is still %q after 10 s", n, state)
				}
				time.Sleep(5 * time.Millisecond)
				r := e.do("GET", self, "", "Accept", "application/vnd.api+json")
				if r.Code != http.StatusOK && r.Code != http.StatusSeeOther {
					t.Fatalf("call %d: GET %s: %d %s", n, self, r.Code, r.Body)
				}
				if r.Code == http.StatusSeeOther {
					state = jobs.Complete
				} else {
					state = decodeJob(t, r).Data.Attributes.State
				}
			}
		}
		hit := in.Hit()
		in.Disarm()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		runner.Shutdown(ctx)
		cancel()
		if hit == "" {
			if state != jobs.Complete {
				t.Fatalf("without a fault: POST %d, job %q", res.Code, state)
			}
			t.Logf("async create: %d database calls, each failed in turn: %d refused the POST, %d failed the job", n-1, postErrors, failedJobs)
			return
		}
		if faultAfterCommit(in.Ops(), n) {
			// The job's row is committed; a later call that fails (such
			// as preparing a statement for a cache) cannot undo it.
			if state != jobs.Complete {
				t.Errorf("fault at call %d (%s) after the commit: job %q, want complete", n, hit, state)
			}
			continue
		}
		switch {
		case res.Code >= 400:
			postErrors++
			wantErrorDoc(t, res)
		case res.Code == http.StatusAccepted && state == jobs.Failed:
			failedJobs++
		default:
			t.Errorf("fault at call %d (%s): POST %d, job %q; want an error or a failed job; calls %v", n, hit, res.Code, state, in.Ops())
		}
		if diff := cmp.Diff(before, faultDump(t, e)); diff != "" {
			t.Errorf("fault at call %d (%s) changed the database (-before +after):\n%s", n, hit, diff)
		}
	}
}
