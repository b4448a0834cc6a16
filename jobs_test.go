package restless_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorestless/restless/dialect"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/jsonapi"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// machines is the demo's computer type made a Provisioner: Provision
// waits for gate (when set), fails with err (when set), and otherwise
// sets the vendor to "provisioned".
type machines struct {
	*resource.Table
	gate    chan struct{}
	err     error
	started chan string // receives the job id when Provision starts
	undone  atomic.Int32
	panics  bool
	// onCancel runs when the work is cancelled while it waits for gate.
	onCancel func()
	mu       sync.Mutex
	calls    int
}

// callCount returns how many times Provision ran.
func (m *machines) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

func newMachines() *machines {
	return &machines{Table: demo.Computer(), started: make(chan string, 100)}
}

func (m *machines) Provision(ctx context.Context, id any, v resource.Values) error {
	m.mu.Lock()
	m.calls++
	m.mu.Unlock()
	jid, _ := jobs.IDFromContext(ctx)
	m.started <- jid
	if m.gate != nil {
		select {
		case <-m.gate:
		case <-ctx.Done():
			if m.onCancel != nil {
				m.onCancel()
			}
			return ctx.Err()
		}
	}
	if m.err != nil {
		return m.err
	}
	if m.panics {
		panic("provisioning went wrong")
	}
	v["vendor"] = "provisioned"
	return nil
}

func (m *machines) Unprovision(ctx context.Context, id any, v resource.Values) error {
	m.undone.Add(1)
	return nil
}

// newJobsEnv is newEnv with a job runner: the demo's person and the given
// computer resource.
func newJobsEnv(t *testing.T, runner *jobs.Runner, computer resource.Resource, more ...resource.Resource) *env {
	t.Helper()
	return newEnvWith(t, func(api *restless.API) {
		api.Jobs = runner
		if runner == nil {
			return
		}
		if err := runner.Start(context.Background(), api.JobStore()); err != nil {
			t.Fatal(err)
		}
		// Runs before the database is closed.
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			runner.Shutdown(ctx)
		})
	}, append([]resource.Resource{demo.Person(), computer}, more...)...)
}

const newMachine = `{"data":{"type":"computer","attributes":{"name":"hal","vendor":"IBM"},
	"relationships":{"owner":{"data":{"type":"person","id":"2"}}}}}`

// jobDoc is the part of a job document the tests read.
type jobDoc struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			State        string            `json:"state"`
			ResourceType string            `json:"resourceType"`
			Created      string            `json:"created"`
			Updated      string            `json:"updated"`
			Errors       []json.RawMessage `json:"errors"`
		} `json:"attributes"`
		Relationships struct {
			Resource struct {
				Data  json.RawMessage   `json:"data"`
				Links map[string]string `json:"links"`
			} `json:"resource"`
		} `json:"relationships"`
		Links map[string]string `json:"links"`
	} `json:"data"`
	Links map[string]string `json:"links"`
}

func decodeJob(t *testing.T, res *response) jobDoc {
	t.Helper()
	var d jobDoc
	if err := json.Unmarshal(res.Body, &d); err != nil {
		t.Fatalf("not a job document: %v\n%s", err, res.Body)
	}
	if d.Data.Type != "jobs" || d.Data.ID == "" {
		t.Fatalf("not a job document: %s", res.Body)
	}
	return d
}

// poll GETs path until done accepts the reply, for at most 10 seconds.
func (e *env) poll(path string, done func(*response) bool, hdr ...string) *response {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := e.do("GET", path, "", hdr...)
		if done(res) {
			return res
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("GET %s: still %d after 10s:\n%s", path, res.Code, res.Body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// path returns the path of an absolute test link.
func linkPath(link string) string { return strings.TrimPrefix(link, testBase) }

func (e *env) jobRows() int {
	e.t.Helper()
	var n int
	if err := e.query(`SELECT count(*) FROM restless_jobs`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestJobAsyncCreate(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		e := newJobsEnv(t, &jobs.Runner{}, m)

		res := e.do("POST", "/api/computer", newMachine)
		if res.Code != http.StatusAccepted {
			t.Fatalf("POST: status %d, want 202\n%s", res.Code, res.Body)
		}
		loc := res.Header.Get("Content-Location")
		job := decodeJob(t, res)
		if want := testBase + "/api/jobs/" + job.Data.ID; loc != want || job.Data.Links["self"] != want || job.Links["self"] != want {
			t.Errorf("Content-Location %q, links %v, %v; want %q", loc, job.Data.Links, job.Links, want)
		}
		if len(job.Data.ID) != 22 {
			t.Errorf("job id %q is not 128 bits in base64url", job.Data.ID)
		}
		if s := job.Data.Attributes.State; s != "pending" && s != "running" {
			t.Errorf("state %q, want pending or running", s)
		}
		if job.Data.Attributes.ResourceType != "computer" || string(job.Data.Relationships.Resource.Data) != "null" {
			t.Errorf("job document: %s", res.Body)
		}
		if res.Header.Get("Location") != "" || res.Header.Get("Retry-After") == "" || !slices.Contains(res.Header.Values("Vary"), "Prefer") {
			t.Errorf("headers: %v", res.Header)
		}
		jid := <-m.started
		if jid != job.Data.ID {
			t.Errorf("JobIDFromContext = %q, want %q", jid, job.Data.ID)
		}

		// Running: 200 with the state, and no computer yet.
		res = e.do("GET", linkPath(loc), "")
		if res.Code != http.StatusOK {
			t.Fatalf("GET job: %d\n%s", res.Code, res.Body)
		}
		if s := decodeJob(t, res).Data.Attributes.State; s != "running" {
			t.Errorf("state %q, want running", s)
		}
		if res.Header.Get("ETag") == "" || res.Header.Get("Retry-After") != "1" {
			t.Errorf("headers of a running job: %v", res.Header)
		}
		var n int
		e.query(`SELECT count(*) FROM computer WHERE name = 'hal'`).Scan(&n)
		if n != 0 {
			t.Errorf("the row exists before the job completed")
		}

		close(m.gate)
		res = e.poll(linkPath(loc), func(r *response) bool { return r.Code != http.StatusOK })
		if res.Code != http.StatusSeeOther {
			t.Fatalf("GET job: %d, want 303\n%s", res.Code, res.Body)
		}
		var id int
		var vendor string
		if err := e.query(`SELECT id, vendor FROM computer WHERE name = 'hal'`).Scan(&id, &vendor); err != nil {
			t.Fatal(err)
		}
		if vendor != "provisioned" {
			t.Errorf("vendor %q: Provision's change of the values was not written", vendor)
		}
		item := testBase + "/api/computer/4"
		if id != 4 || res.Header.Get("Location") != item {
			t.Errorf("Location %q, row id %d; want %s", res.Header.Get("Location"), id, item)
		}
		done := decodeJob(t, res)
		if done.Data.Attributes.State != "complete" || string(done.Data.Relationships.Resource.Data) != `{"type":"computer","id":"4"}` ||
			done.Data.Relationships.Resource.Links["related"] != item {
			t.Errorf("complete job: %s", res.Body)
		}
		got := e.do("GET", linkPath(item), "")
		if got.Code != 200 || !strings.Contains(string(got.Body), `"vendor":"provisioned"`) || !strings.Contains(string(got.Body), `"owner":{`) {
			t.Errorf("GET %s: %d %s", item, got.Code, got.Body)
		}
		if m.undone.Load() != 0 {
			t.Errorf("Unprovision ran after a success")
		}
	})
}

func TestJobPreferWait(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		e := newJobsEnv(t, &jobs.Runner{MaxWait: 2 * time.Second}, m)
		res := e.do("POST", "/api/computer", newMachine, "Prefer", "wait=5")
		if res.Code != http.StatusCreated {
			t.Fatalf("POST with Prefer: wait=5: %d, want 201\n%s", res.Code, res.Body)
		}
		if got := res.Header.Get("Preference-Applied"); got != "wait=2" {
			t.Errorf("Preference-Applied %q, want wait=2 (the cap)", got)
		}
		if res.Header.Get("Location") != testBase+"/api/computer/4" || !slices.Contains(res.Header.Values("Vary"), "Prefer") {
			t.Errorf("headers: %v", res.Header)
		}
		var doc struct {
			Data struct {
				Type, ID   string
				Attributes map[string]any
			}
		}
		json.Unmarshal(res.Body, &doc)
		if doc.Data.Type != "computer" || doc.Data.ID != "4" || doc.Data.Attributes["vendor"] != "provisioned" {
			t.Errorf("body: %s", res.Body)
		}

		// Work that does not finish in time: 202 after the wait.
		m.gate = make(chan struct{})
		defer close(m.gate)
		start := time.Now()
		res = e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "deep thought", 1), "Prefer", `respond-async, wait=1`)
		if res.Code != http.StatusAccepted || res.Header.Get("Preference-Applied") != "wait=1" {
			t.Fatalf("POST: %d, Preference-Applied %q; want 202, wait=1\n%s", res.Code, res.Header.Get("Preference-Applied"), res.Body)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("answered after %v, before the wait of 1s", d)
		}
		if s := decodeJob(t, res).Data.Attributes.State; s != "running" {
			t.Errorf("state %q, want running", s)
		}
	})
}

func TestPreferWaitIgnored(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		defer close(m.gate)
		e := newJobsEnv(t, &jobs.Runner{}, m)
		for i, prefer := range []string{"wait=soon", "wait=-1", "wait", "handling=lenient"} {
			body := strings.Replace(newMachine, "hal", "hal"+string(rune('a'+i)), 1)
			res := e.do("POST", "/api/computer", body, "Prefer", prefer)
			if res.Code != http.StatusAccepted || res.Header.Get("Preference-Applied") != "" {
				t.Errorf("Prefer: %s: %d, Preference-Applied %q; want 202 and none", prefer, res.Code, res.Header.Get("Preference-Applied"))
			}
		}
	})
}

func TestJobFails(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		quota := &jsonapi.Error{Status: http.StatusUnprocessableEntity, Title: "Quota Exceeded", Detail: "No machines are left in this region."}
		tests := []struct {
			name   string
			err    error
			panics bool
			body   string
			status string
			title  string
			undone int32
		}{
			{"provision returns an Error", quota, false, newMachine, "422", "Quota Exceeded", 0},
			{"provision returns another error", errors.New("cloud on fire"), false, newMachine, "500", "Internal Server Error", 0},
			{"provision panics", nil, true, newMachine, "500", "Internal Server Error", 0},
			{"the row conflicts after provision", nil, false, strings.Replace(newMachine, "hal", "lixie", 1), "409", "Conflict", 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := newMachines()
				m.err, m.panics = tt.err, tt.panics
				e := newJobsEnv(t, &jobs.Runner{}, m)
				var loc string
				e.unchanged(func() {
					res := e.do("POST", "/api/computer", tt.body)
					if res.Code != http.StatusAccepted {
						t.Fatalf("POST: %d\n%s", res.Code, res.Body)
					}
					loc = linkPath(res.Header.Get("Content-Location"))
					e.poll(loc, func(r *response) bool { return decodeJob(t, r).Data.Attributes.State == "failed" })
				}, "computer", "person")
				res := e.do("GET", loc, "")
				if res.Code != http.StatusOK {
					t.Fatalf("GET failed job: %d, want 200", res.Code)
				}
				job := decodeJob(t, res)
				if len(job.Data.Attributes.Errors) != 1 {
					t.Fatalf("errors: %s", res.Body)
				}
				var e0 map[string]any
				json.Unmarshal(job.Data.Attributes.Errors[0], &e0)
				if e0["status"] != tt.status || e0["title"] != tt.title || e0["detail"] == nil {
					t.Errorf("error %v, want status %s title %q", e0, tt.status, tt.title)
				}
				if strings.Contains(string(res.Body), "fire") || strings.Contains(string(res.Body), "wrong") || strings.Contains(strings.ToLower(string(res.Body)), "unique") {
					t.Errorf("the job shows the cause: %s", res.Body)
				}
				if got := m.undone.Load(); got != tt.undone {
					t.Errorf("Unprovision ran %d times, want %d", got, tt.undone)
				}
			})
		}

		// With Prefer: wait, a job that fails in time answers with its errors.
		m := newMachines()
		m.err = quota
		e := newJobsEnv(t, &jobs.Runner{}, m)
		res := e.do("POST", "/api/computer", newMachine, "Prefer", "wait=5")
		got := wantError(t, res, http.StatusUnprocessableEntity, "")
		if got["title"] != "Quota Exceeded" || res.Header.Get("Preference-Applied") != "wait=5" {
			t.Errorf("error %v, headers %v", got, res.Header)
		}
	})
}

// A body that cannot make a resource is refused at POST time, with no job.
func TestJobValidatesAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		e := newJobsEnv(t, &jobs.Runner{}, m)
		tests := []struct {
			name, body string
			status     int
			source     string
		}{
			{"unknown attribute", `{"data":{"type":"computer","attributes":{"colour":"red"}}}`, 400, "/data/attributes/colour"},
			{"wrong type", `{"data":{"type":"person","attributes":{"name":"x"}}}`, 409, "/data/type"},
			{"client id", `{"data":{"type":"computer","id":"9","attributes":{"name":"x"}}}`, 403, "/data/id"},
			{"missing owner", `{"data":{"type":"computer","attributes":{"name":"x"},"relationships":{"owner":{"data":{"type":"person","id":"99"}}}}}`,
				404, "/data/relationships/owner/data/id"},
			{"not JSON", `{"data":`, 400, "/"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.unchanged(func() {
					wantError(t, e.do("POST", "/api/computer", tt.body), tt.status, tt.source)
				}, "computer")
			})
		}
		if n := e.jobRows(); n != 0 {
			t.Errorf("%d jobs recorded for refused requests", n)
		}
		if n := m.callCount(); n != 0 {
			t.Errorf("Provision ran %d times for refused requests", n)
		}
	})
}

func TestJobQueueFull(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		e := newJobsEnv(t, &jobs.Runner{Workers: 1, Queue: 1}, m)
		for i, name := range []string{"a", "b"} {
			res := e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", name, 1))
			if res.Code != http.StatusAccepted {
				t.Fatalf("POST %d: %d\n%s", i, res.Code, res.Body)
			}
		}
		res := e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "c", 1))
		wantError(t, res, http.StatusServiceUnavailable, "")
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
		if n := e.jobRows(); n != 2 {
			t.Errorf("%d jobs recorded, want 2", n)
		}
		close(m.gate)
		// Once the queue drains, jobs are taken again.
		deadline := time.Now().Add(10 * time.Second)
		for {
			res := e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "c", 1))
			if res.Code == http.StatusAccepted {
				break
			}
			if res.Code != http.StatusServiceUnavailable || time.Now().After(deadline) {
				t.Fatalf("POST after the queue drained: %d\n%s", res.Code, res.Body)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func TestJobNotFound(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newJobsEnv(t, &jobs.Runner{}, newMachines())
		for _, p := range []string{"/api/jobs/AAAAAAAAAAAAAAAAAAAAAA", "/api/jobs/1", "/api/jobs/" + strings.Repeat("x", 100)} {
			wantError(t, e.do("GET", p, ""), http.StatusNotFound, "")
		}
		res := e.do("DELETE", "/api/jobs/AAAAAAAAAAAAAAAAAAAAAA", "")
		wantError(t, res, http.StatusMethodNotAllowed, "")
		if res.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("Allow %q", res.Header.Get("Allow"))
		}
		wantError(t, e.do("GET", "/api/jobs/AAAAAAAAAAAAAAAAAAAAAA?sort=x", ""), http.StatusBadRequest, "?sort")
	})
}

type teamHeader struct{}

// teamMachines is machines with a row filter and a job scope taken from
// the X-Team header.
type teamMachines struct{ *machines }

func (m teamMachines) JobScope(ctx context.Context) (string, error) {
	team, _ := ctx.Value(teamHeader{}).(string)
	if team == "" {
		return "", errors.New("no team")
	}
	return team, nil
}

func withTeamHeader(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), teamHeader{}, r.Header.Get("X-Team"))))
	})
}

// A job is shown only to requests that may read its resource.
func TestJobVisibility(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		for _, scoped := range []bool{false, true} {
			name := map[bool]string{false: "row filter", true: "job scope"}[scoped]
			t.Run(name, func(t *testing.T) {
				m := newMachines()
				m.gate = make(chan struct{})
				// The row filter shows team red the computers whose vendor is
				// "provisioned"; other teams see none.
				m.Table.Filter = func(ctx context.Context) (sq.Sqlizer, error) {
					if ctx.Value(teamHeader{}) == "red" {
						return sq.Eq{`"computer"."vendor"`: "provisioned"}, nil
					}
					return sq.Eq{`"computer"."vendor"`: "nobody"}, nil
				}
				var res resource.Resource = m
				if scoped {
					res = teamMachines{m}
				}
				e := newJobsEnv(t, &jobs.Runner{}, res)
				e.h = withTeamHeader(e.h)
				post := e.do("POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"hal"}}}`, "X-Team", "red")
				if post.Code != http.StatusAccepted {
					t.Fatalf("POST: %d\n%s", post.Code, post.Body)
				}
				loc := linkPath(post.Header.Get("Content-Location"))
				if got := e.do("GET", loc, "", "X-Team", "red").Code; got != http.StatusOK {
					t.Errorf("red, running: %d, want 200", got)
				}
				blue := e.do("GET", loc, "", "X-Team", "blue").Code
				if want := map[bool]int{false: 200, true: 404}[scoped]; blue != want {
					t.Errorf("blue, running: %d, want %d", blue, want)
				}
				close(m.gate)
				e.poll(loc, func(r *response) bool { return r.Code == http.StatusSeeOther }, "X-Team", "red")
				if got := e.do("GET", loc, "", "X-Team", "red").Code; got != http.StatusSeeOther {
					t.Errorf("red, complete: %d, want 303", got)
				}
				wantError(t, e.do("GET", loc, "", "X-Team", "blue"), http.StatusNotFound, "")
			})
		}
	})
}

func TestJobShutdown(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		jobs := &jobs.Runner{Workers: 1}
		e := newJobsEnv(t, jobs, m)
		running := e.do("POST", "/api/computer", newMachine)
		<-m.started
		queued := e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "eve", 1))
		if running.Code != http.StatusAccepted || queued.Code != http.StatusAccepted {
			t.Fatalf("POST: %d, %d", running.Code, queued.Code)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := jobs.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v, want the deadline: the running job had to be cancelled", err)
		}
		for _, res := range []*response{running, queued} {
			job := decodeJob(t, e.do("GET", linkPath(res.Header.Get("Content-Location")), ""))
			if job.Data.Attributes.State != "failed" || len(job.Data.Attributes.Errors) != 1 ||
				!strings.Contains(string(job.Data.Attributes.Errors[0]), `"status":"503"`) {
				t.Errorf("job after shutdown: %+v", job.Data.Attributes)
			}
		}
		var n int
		e.query(`SELECT count(*) FROM computer`).Scan(&n)
		if n != 3 {
			t.Errorf("%d computers after shutdown, want the 3 of the demo", n)
		}
		res := e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "wall-e", 1))
		wantError(t, res, http.StatusServiceUnavailable, "")
		if n := m.callCount(); n != 1 {
			t.Errorf("Provision ran %d times, want 1: the queued job must not start", n)
		}
		// A second Shutdown does nothing.
		if err := jobs.Shutdown(context.Background()); err != nil {
			t.Errorf("second Shutdown: %v", err)
		}
	})
}

// A Shutdown with time to spare lets the running job finish.
func TestJobShutdownFinishes(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		jobs := &jobs.Runner{}
		e := newJobsEnv(t, jobs, m)
		res := e.do("POST", "/api/computer", newMachine)
		<-m.started
		time.AfterFunc(50*time.Millisecond, func() { close(m.gate) })
		if err := jobs.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := e.do("GET", linkPath(res.Header.Get("Content-Location")), "").Code; got != http.StatusSeeOther {
			t.Errorf("job after a clean shutdown: %d, want 303", got)
		}
	})
}

// Without a job runner, a Provisioner's POST waits for the work.
func TestProvisionWithoutJobs(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		e := newJobsEnv(t, nil, m)
		res := e.do("POST", "/api/computer", newMachine, "Prefer", "wait=1")
		if res.Code != http.StatusCreated || res.Header.Get("Location") != testBase+"/api/computer/4" {
			t.Fatalf("POST: %d %v\n%s", res.Code, res.Header, res.Body)
		}
		if !strings.Contains(string(res.Body), `"vendor":"provisioned"`) {
			t.Errorf("body: %s", res.Body)
		}
		wantError(t, e.do("GET", "/api/jobs/AAAAAAAAAAAAAAAAAAAAAA", ""), http.StatusNotFound, "")
		m.err = &jsonapi.Error{Status: http.StatusConflict, Title: "Taken", Detail: "Someone took it."}
		e.unchanged(func() {
			wantError(t, e.do("POST", "/api/computer", strings.Replace(newMachine, "hal", "eve", 1)), http.StatusConflict, "")
		}, "computer")
	})
}

func TestJobRoutes(t *testing.T) {
	db, err := demo.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api"}
	if _, err := api.Routes(&resource.Table{Name: "person", Path: "jobs"}); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("a collection at /jobs: %v, want reserved", err)
	}
	api.Jobs = &jobs.Runner{}
	routes, err := api.Routes(demo.Person())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rt := range routes {
		if rt.Kind == restless.JobRoute {
			got = append(got, rt.Pattern+" "+strings.Join(rt.Methods, ","))
		}
	}
	if diff := cmp.Diff([]string{"/api/jobs/{id} GET,HEAD,OPTIONS"}, got); diff != "" {
		t.Errorf("job routes (-want +got):\n%s", diff)
	}
	if err := (&jobs.Runner{}).Start(context.Background(), jobs.Store{Dialect: sqlite.Dialect}); err == nil {
		t.Errorf("Start without a database: no error")
	}
	if err := api.Jobs.Start(context.Background(), jobs.Store{DB: db.Reader}); err == nil {
		t.Errorf("Start without a dialect: no error")
	}
	if err := api.Jobs.Start(context.Background(), jobs.Store{DB: db.Reader, Dialect: clocklessDialect{sqlite.Dialect}}); err == nil {
		t.Errorf("Start with a dialect that cannot read the database's clock: no error")
	}
}

// A job runner that was not started refuses jobs with 503.
func TestJobsNotStarted(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newJobsEnv(t, nil, newMachines())
		e.api.Jobs = &jobs.Runner{}
		h, err := e.api.Handler(demo.Person(), newMachines())
		if err != nil {
			t.Fatal(err)
		}
		e.h = h
		e.unchanged(func() {
			res := e.do("POST", "/api/computer", newMachine)
			wantError(t, res, http.StatusServiceUnavailable, "")
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
		}, "computer")
		wantError(t, e.do("GET", "/api/jobs/AAAAAAAAAAAAAAAAAAAAAA", ""), http.StatusServiceUnavailable, "")
		if _, err := e.api.Jobs.Reap(context.Background()); err == nil {
			t.Errorf("Reap before Start: no error")
		}
	})
}

// A server that finds its job failed by another (its lease had expired)
// cancels the work, and no resource is made.
func TestJobLeaseLost(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		m := newMachines()
		m.gate = make(chan struct{})
		defer close(m.gate)
		cancelled := make(chan struct{})
		m.onCancel = func() { close(cancelled) }
		e := newJobsEnv(t, &jobs.Runner{Lease: 300 * time.Millisecond}, m)
		res := e.do("POST", "/api/computer", newMachine)
		id := <-m.started
		// As if the server had stalled past its lease and another server had
		// failed the job: the next renewal finds it lost.
		e.exec(`UPDATE restless_jobs SET state = 'failed', errors = '[]' WHERE id = '` + id + `'`)
		select {
		case <-cancelled:
		case <-time.After(10 * time.Second):
			t.Fatal("the work was not cancelled")
		}
		job := decodeJob(t, e.do("GET", linkPath(res.Header.Get("Content-Location")), ""))
		if job.Data.Attributes.State != "failed" {
			t.Errorf("state %q, want failed", job.Data.Attributes.State)
		}
		var n int
		e.query(`SELECT count(*) FROM computer WHERE name = 'hal'`).Scan(&n)
		if n != 0 {
			t.Errorf("a lost job made its resource")
		}
	})
}

// clocklessDialect is a dialect that is no dialect.Clock.
type clocklessDialect struct{ dialect.Dialect }
