package restless_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// The multi-process tests run this test binary again as job servers over
// one SQLite file: TestJobServerProcess is the server.
const (
	envJobServer = "RESTLESS_TEST_JOB_SERVER" // the database file
	envJobLease  = "RESTLESS_TEST_JOB_LEASE"  // the lease, such as "500ms"
)

// sleepyMachines is the demo's computer type made a Provisioner whose work
// takes as long as the vendor says: "sleep:1500" takes 1.5 seconds.
type sleepyMachines struct{ resource.Creator }

func (m sleepyMachines) Provision(ctx context.Context, id any, v resource.Values) error {
	vendor, _ := v["vendor"].(string)
	if ms, ok := strings.CutPrefix(vendor, "sleep:"); ok {
		n, _ := strconv.Atoi(ms)
		select {
		case <-time.After(time.Duration(n) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	v["vendor"] = "provisioned"
	return nil
}

// TestJobServerProcess is not a test of its own: the multi-process tests
// start the test binary with it as a server on 127.0.0.1, which prints
// its address and serves until its standard input closes.
func TestJobServerProcess(t *testing.T) {
	file := os.Getenv(envJobServer)
	if file == "" {
		t.Skip("runs only as the child process of the multi-process job tests")
	}
	lease, err := time.ParseDuration(os.Getenv(envJobLease))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api",
		Jobs: &jobs.Runner{Lease: lease}}
	if err := api.Jobs.Start(ctx, api.JobStore()); err != nil {
		t.Fatal(err)
	}
	h, err := api.Handler(demo.Person(), sleepyMachines{demo.Computer()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	fmt.Printf("ADDR %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	api.Jobs.Shutdown(sctx)
}

// jobServer is a child process serving jobs: the test binary run again
// with one Test*Process function as its only test.
type jobServer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  chan string   // the listening address, or closed when the child exits first
	done  chan struct{} // closed once the child has exited and been waited for
	err   error         // the child's exit: nil when its test passed
	out   string        // the child's standard output but the address, once done
	base  string        // http://127.0.0.1:port
}

// startJobServer starts a job server over the SQLite file with the given
// lease. The test's cleanup stops it.
func startJobServer(t *testing.T, file string, lease time.Duration) *jobServer {
	t.Helper()
	s := spawnServer(t, "TestJobServerProcess", envJobServer+"="+file, envJobLease+"="+lease.String())
	s.await(t)
	return s
}

// spawnServer starts the test binary with the test named run and the
// environment variables env, without waiting for it to listen (see
// await). The test's cleanup stops it.
func spawnServer(t *testing.T, run string, env ...string) *jobServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &jobServer{cmd: cmd, stdin: stdin, addr: make(chan string, 1), done: make(chan struct{})}
	t.Cleanup(s.stop)
	go func() {
		var out strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				s.addr <- a
			} else {
				out.WriteString(sc.Text() + "\n")
			}
		}
		s.out = out.String()
		close(s.addr)
		// All output is read: now Wait may close the pipe.
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s
}

// await waits until the server listens.
func (s *jobServer) await(t *testing.T) {
	t.Helper()
	select {
	case a, ok := <-s.addr:
		if !ok {
			<-s.done
			t.Fatalf("the server exited before it listened: %v\n%s", s.err, s.out)
		}
		s.base = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not start in 60s")
	}
}

// stop asks the server to shut down, and kills it if it does not.
func (s *jobServer) stop() {
	s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// kill ends the server at once, as a crash would.
func (s *jobServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// call sends a request to the server and returns the status, headers and
// body.
func (s *jobServer) call(t *testing.T, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	return s.callWith(t, method, path, body, nil)
}

// callWith is call with more request headers.
func (s *jobServer) callWith(t *testing.T, method, path, body string, hdr http.Header) (int, http.Header, []byte) {
	t.Helper()
	code, h, b, err := s.send(method, path, body, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return code, h, b
}

// send is callWith for other goroutines than the test's: it returns its
// error.
func (s *jobServer) send(method, path, body string, hdr http.Header) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return res.StatusCode, res.Header, b, nil
}

// jobState GETs the job on s and returns the status and the job's state.
func (s *jobServer) jobState(t *testing.T, id string) (int, string, []byte) {
	t.Helper()
	code, _, body := s.call(t, "GET", "/api/jobs/"+id, "")
	var d jobDoc
	json.Unmarshal(body, &d)
	return code, d.Data.Attributes.State, body
}

// newJobFile creates a SQLite file with the demo tables.
func newJobFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "jobs.db")
	db, err := sqlite.Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(context.Background(), demo.Schema); err != nil {
		t.Fatal(err)
	}
	return file
}

// postJob creates a computer whose work takes ms milliseconds on s and
// returns the job id.
func postJob(t *testing.T, s *jobServer, name string, ms int) string {
	t.Helper()
	code, hdr, body := s.call(t, "POST", "/api/computer",
		fmt.Sprintf(`{"data":{"type":"computer","attributes":{"name":%q,"vendor":"sleep:%d"}}}`, name, ms))
	if code != http.StatusAccepted {
		t.Fatalf("POST: %d\n%s", code, body)
	}
	loc := hdr.Get("Content-Location")
	if !strings.HasPrefix(loc, s.base+"/api/jobs/") {
		t.Fatalf("Content-Location %q", loc)
	}
	return strings.TrimPrefix(loc, s.base+"/api/jobs/")
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
}

// A job started by one server is answered by another on the same database.
func TestJobAcrossProcesses(t *testing.T) {
	skipShort(t)
	file := newJobFile(t)
	a := startJobServer(t, file, time.Second)
	b := startJobServer(t, file, time.Second)
	id := postJob(t, a, "hal", 300)
	code, state, body := b.jobState(t, id)
	if code != http.StatusOK || state != "pending" && state != "running" {
		t.Fatalf("GET on the second server: %d %q\n%s", code, state, body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for code == http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		code, state, body = b.jobState(t, id)
	}
	if code != http.StatusSeeOther || state != "complete" {
		t.Fatalf("GET on the second server: %d %q, want 303 complete\n%s", code, state, body)
	}
	code, hdr, _ := b.call(t, "GET", "/api/jobs/"+id, "")
	loc := hdr.Get("Location")
	if code != http.StatusSeeOther || loc != b.base+"/api/computer/4" {
		t.Fatalf("Location %q", loc)
	}
	code, _, body = b.call(t, "GET", strings.TrimPrefix(loc, b.base), "")
	if code != http.StatusOK || !strings.Contains(string(body), `"vendor":"provisioned"`) {
		t.Errorf("GET %s: %d\n%s", loc, code, body)
	}
}

// A server killed in the middle of a job leaves it failed, not running,
// once its lease expires; no resource is left behind.
func TestJobServerKilled(t *testing.T) {
	skipShort(t)
	file := newJobFile(t)
	lease := 500 * time.Millisecond
	a := startJobServer(t, file, lease)
	b := startJobServer(t, file, lease)
	id := postJob(t, a, "hal", 60_000)
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, state, body := b.jobState(t, id)
		if state == "running" {
			break
		}
		if state != "pending" || time.Now().After(deadline) {
			t.Fatalf("state %q, want running\n%s", state, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.kill(t)
	killed := time.Now()

	// The second server's reaper, not a read, must notice: wait on the
	// table itself.
	db, err := sqlite.Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var state string
	for {
		if err := db.Reader.QueryRow(`SELECT state FROM restless_jobs WHERE id = ?`, id).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "running" {
			break
		}
		if time.Since(killed) > 15*time.Second {
			t.Fatalf("the job is still running 15s after its server died")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if state != "failed" {
		t.Fatalf("state %q, want failed", state)
	}
	if d := time.Since(killed); d < lease/2 {
		t.Errorf("failed %v after the kill, before the lease of %v could expire", d, lease)
	}
	code, st, body := b.jobState(t, id)
	var d jobDoc
	json.Unmarshal(body, &d)
	if code != http.StatusOK || st != "failed" || len(d.Data.Attributes.Errors) != 1 ||
		!strings.Contains(string(d.Data.Attributes.Errors[0]), `"status":"503"`) {
		t.Errorf("GET on the second server: %d\n%s", code, body)
	}
	var n int
	db.Reader.QueryRow(`SELECT count(*) FROM computer WHERE name = 'hal'`).Scan(&n)
	if n != 0 {
		t.Errorf("the failed job left a computer")
	}
}

// A job that runs for several leases on a live server is never taken over
// by another server that reaps all along.
func TestJobLiveNotTakenOver(t *testing.T) {
	skipShort(t)
	file := newJobFile(t)
	lease := time.Second
	a := startJobServer(t, file, lease)
	b := startJobServer(t, file, lease)
	id := postJob(t, a, "hal", 4000)
	start := time.Now()
	polls := 0
	for {
		code, state, body := b.jobState(t, id)
		polls++
		if code == http.StatusSeeOther {
			if time.Since(start) < 3*lease {
				t.Errorf("the job finished after %v, before several leases passed", time.Since(start))
			}
			break
		}
		if state == "failed" || code != http.StatusOK {
			t.Fatalf("after %v the live server's job is %d %q\n%s", time.Since(start), code, state, body)
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the job did not finish in 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if polls < 10 {
		t.Errorf("only %d polls while the job ran", polls)
	}
}
