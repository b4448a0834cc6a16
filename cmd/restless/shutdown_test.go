package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorestless/restless/sqlite"
)

// notesDB returns a SQLite file with a note table.
func notesDB(t *testing.T) (path string, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "notes.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Exec(ctx, `CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// lock takes the write lock of db until the returned function runs, so a
// write through the command waits in flight (up to SQLite's busy
// timeout of 5 seconds).
func lock(t *testing.T, db *sqlite.DB) func() {
	t.Helper()
	tx, err := db.Writer.BeginTx(context.Background(), nil) // _txlock=immediate: takes the lock
	if err != nil {
		t.Fatal(err)
	}
	done := false
	release := func() {
		if !done {
			done = true
			if err := tx.Commit(); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

// TestGracefulShutdown sends SIGTERM while a request is in flight: the
// command stops accepting connections, the request completes and the
// command exits 0. With a shutdown deadline shorter than the request,
// the command gives up on it and exits 1.
func TestGracefulShutdown(t *testing.T) {
	for _, c := range []struct {
		name     string
		timeout  string
		status   int // of the request in flight; 0 means it fails
		exitCode int
		rows     int
	}{
		{"request finishes", "20s", 201, 0, 1},
		{"deadline passes", "300ms", 0, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, db := notesDB(t)
			base, cmd := startCommand(t, "-db", path, "-shutdown-timeout", c.timeout)
			u, _ := url.Parse(base)
			release := lock(t, db)

			type result struct {
				code int
				err  error
			}
			inFlight := make(chan result, 1)
			go func() {
				res, err := postNote(base)
				inFlight <- result{res, err}
			}()
			// Let the request reach the handler, where it waits for the
			// write lock.
			time.Sleep(500 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// New connections are refused once the listener closes.
			refused := false
			for range 100 {
				conn, err := net.DialTimeout("tcp", u.Host, time.Second)
				if err != nil {
					refused = true
					break
				}
				conn.Close()
				time.Sleep(20 * time.Millisecond)
			}
			if !refused {
				t.Error("the command still accepts connections after SIGTERM")
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if c.exitCode == 0 {
				select {
				case err := <-exited:
					t.Fatalf("the command exited (%v) before its request in flight finished", err)
				case <-time.After(300 * time.Millisecond):
				}
			} else {
				// The deadline passes while the lock is still held.
				if err := <-exited; exitCode(err) != c.exitCode {
					t.Errorf("exit: %v, want status %d", err, c.exitCode)
				}
			}
			release()
			r := <-inFlight
			if c.status != 0 && (r.err != nil || r.code != c.status) {
				t.Errorf("request in flight: %d %v, want %d", r.code, r.err, c.status)
			}
			if c.status == 0 && r.err == nil {
				t.Errorf("request in flight: %d, want the connection closed", r.code)
			}
			if c.exitCode == 0 {
				if err := <-exited; exitCode(err) != 0 {
					t.Errorf("exit: %v, want status 0", err)
				}
			}
			var n int
			if err := db.Reader.QueryRow(`SELECT count(*) FROM note`).Scan(&n); err != nil || n != c.rows {
				t.Errorf("%d notes (%v), want %d", n, err, c.rows)
			}
		})
	}
}

func postNote(base string) (int, error) {
	req, err := newJSONAPIRequest("POST", base+"/note", `{"data":{"type":"note","attributes":{"body":"in flight"}}}`)
	if err != nil {
		return 0, err
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func newJSONAPIRequest(method, url, body string) (*http.Request, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.api+json")
	req.Header.Set("Content-Type", "application/vnd.api+json")
	return req, nil
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
