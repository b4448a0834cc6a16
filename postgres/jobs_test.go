package postgres_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
)

// gatedMachines is the demo's computer type made a Provisioner whose work
// waits for gate.
type gatedMachines struct {
	resource.Creator
	gate chan struct{}
}

func (m gatedMachines) Provision(ctx context.Context, id any, v resource.Values) error {
	select {
	case <-m.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jobServer is one "server": an API with its own job runner on the
// shared schema.
type jobServer struct {
	api *restless.API
	h   http.Handler
}

func newJobServer(t *testing.T, base *restless.API, res resource.Resource, lease time.Duration) *jobServer {
	t.Helper()
	api := &restless.API{DB: base.DB, Dialect: base.Dialect, Prefix: "/api", BaseURL: "http://example.com",
		Jobs: &jobs.Runner{Lease: lease}}
	if err := api.Jobs.Start(context.Background(), api.JobStore()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		api.Jobs.Shutdown(ctx)
	})
	h, err := api.Handler(demo.Person(), res)
	if err != nil {
		t.Fatal(err)
	}
	return &jobServer{api: api, h: h}
}

func (s *jobServer) do(method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func jobState(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var d struct {
		Data struct {
			Attributes struct {
				State  string            `json:"state"`
				Errors []json.RawMessage `json:"errors"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("not a job document: %s", rec.Body)
	}
	return d.Data.Attributes.State
}

// The claim, renewal, completion and reaping of jobs on PostgreSQL: a job
// of one server is answered by another, a dead server's job is failed, a
// live server's job is never taken over.
func TestPostgresJobs(t *testing.T) {
	base := openTest(t)
	m := gatedMachines{Creator: demo.Computer(), gate: make(chan struct{})}
	lease := 300 * time.Millisecond
	a := newJobServer(t, base, m, lease)
	b := newJobServer(t, base, m, lease)

	post := a.do("POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"hal"}}}`)
	if post.Code != http.StatusAccepted {
		t.Fatalf("POST: %d\n%s", post.Code, post.Body)
	}
	loc := strings.TrimPrefix(post.Header().Get("Content-Location"), "http://example.com")

	// A dead server's job, its lease long expired.
	if _, err := base.DB.Exec(`INSERT INTO restless_jobs (id, type, state, owner, lease_until, created, updated)
		VALUES ('deadjobdeadjobdeadjob0', 'computer', 'running', 'gone', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}

	// For four leases B reaps: the dead job fails, A's never does.
	ctx := context.Background()
	var reaped int64
	for start := time.Now(); time.Since(start) < 4*lease; time.Sleep(20 * time.Millisecond) {
		n, err := b.api.Jobs.Reap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reaped += n
		if got := b.do("GET", loc, ""); got.Code != http.StatusOK || jobState(t, got) != "running" && jobState(t, got) != "pending" {
			t.Fatalf("the live job on B: %d\n%s", got.Code, got.Body)
		}
	}
	if reaped != 1 {
		t.Errorf("reaped %d jobs, want the dead one", reaped)
	}
	dead := b.do("GET", "/api/jobs/deadjobdeadjobdeadjob0", "")
	if dead.Code != http.StatusOK || jobState(t, dead) != "failed" || !strings.Contains(dead.Body.String(), `"status":"503"`) {
		t.Errorf("the dead server's job: %d\n%s", dead.Code, dead.Body)
	}

	close(m.gate)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := b.do("GET", loc, "")
		if got.Code == http.StatusSeeOther {
			if l := got.Header().Get("Location"); l != "http://example.com/api/computer/4" {
				t.Errorf("Location %q", l)
			}
			break
		}
		if got.Code != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("GET on B: %d\n%s", got.Code, got.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var name string
	if err := base.DB.QueryRow(`SELECT name FROM computer WHERE id = 4`).Scan(&name); err != nil || name != "hal" {
		t.Errorf("computer 4: %q, %v", name, err)
	}
}

// A job whose lease expired is failed by the server that reads it, and its
// server can then no longer complete it: no resource is made.
func TestPostgresJobLost(t *testing.T) {
	base := openTest(t)
	m := gatedMachines{Creator: demo.Computer(), gate: make(chan struct{})}
	a := newJobServer(t, base, m, 30*time.Second)
	b := newJobServer(t, base, m, 30*time.Second)
	post := a.do("POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"hal"}}}`)
	if post.Code != http.StatusAccepted {
		t.Fatalf("POST: %d\n%s", post.Code, post.Body)
	}
	loc := strings.TrimPrefix(post.Header().Get("Content-Location"), "http://example.com")
	id := strings.TrimPrefix(loc, "/api/jobs/")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var state string
		base.DB.QueryRow(`SELECT state FROM restless_jobs WHERE id = $1`, id).Scan(&state)
		if state == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is %q, not running", state)
		}
	}
	// As if A had stalled past its lease.
	if _, err := base.DB.Exec(`UPDATE restless_jobs SET lease_until = 0 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if got := b.do("GET", loc, ""); got.Code != http.StatusOK || jobState(t, got) != "failed" {
		t.Fatalf("GET on B of an expired job: %d\n%s", got.Code, got.Body)
	}
	close(m.gate)
	time.Sleep(200 * time.Millisecond)
	var n int
	base.DB.QueryRow(`SELECT count(*) FROM computer WHERE name = 'hal'`).Scan(&n)
	if n != 0 {
		t.Errorf("a lost job made its resource")
	}
	if got := a.do("GET", loc, ""); jobState(t, got) != "failed" {
		t.Errorf("A shows its lost job as %q\n%s", jobState(t, got), got.Body)
	}
}
