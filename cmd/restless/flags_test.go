package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/sqlite"
)

// syncBuffer is a bytes.Buffer the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMain runs the command in this process with args and returns it
// and its log.
func startMain(t *testing.T, args ...string) (*Main, *syncBuffer) {
	t.Helper()
	m := NewMain()
	log := &syncBuffer{}
	m.Stderr = log
	if err := m.ParseFlags(append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, log
}

// featureDB is a SQLite file for the flags' tests.
func featureDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "features.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(context.Background(), `
CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE);
CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, deleted_at TIMESTAMP);
INSERT INTO account (name) VALUES ('a'), ('b'), ('c');`); err != nil {
		t.Fatal(err)
	}
	return path
}

func do(t *testing.T, method, url string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// TestFlags runs the command with each flag and checks its effect over
// HTTP.
func TestFlags(t *testing.T) {
	db := featureDB(t)
	for _, c := range []struct {
		name   string
		args   []string
		method string
		path   string
		header http.Header
		body   string
		check  func(t *testing.T, res *http.Response, body, log string)
	}{
		{name: "demo by default", path: "/users?page[offset]=0&page[limit]=1",
			check: wantStatus(200)},
		{name: "-read-only", args: []string{"-read-only"}, method: "POST", path: "/person",
			body: `{"data":{"type":"person","attributes":{"name":"X"}}}`, check: wantStatus(405)},
		{name: "-page-size", args: []string{"-page-size", "2"}, path: "/person",
			check: func(t *testing.T, res *http.Response, body, _ string) {
				var doc struct{ Data []any }
				if json.Unmarshal([]byte(body), &doc); res.StatusCode != 200 || len(doc.Data) != 2 {
					t.Errorf("%d %s, want 2 people", res.StatusCode, body)
				}
			}},
		{name: "-max-page-size", args: []string{"-max-page-size", "2"}, path: "/person?page[size]=3",
			check: wantStatus(400)},
		{name: "-cors-origin", args: []string{"-cors-origin", "https://app.example.com"}, method: "OPTIONS", path: "/person",
			header: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}},
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if got := res.Header.Get("Access-Control-Allow-Origin"); res.StatusCode/100 != 2 || got != "https://app.example.com" {
					t.Errorf("preflight: %d, Access-Control-Allow-Origin %q", res.StatusCode, got)
				}
			}},
		{name: "no CORS by default", method: "OPTIONS", path: "/person",
			header: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"POST"}},
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
					t.Errorf("Access-Control-Allow-Origin %q without -cors-origin", got)
				}
			}},
		{name: "-jsonp", args: []string{"-jsonp"}, path: "/person/1?callback=show",
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if !strings.HasPrefix(body, "/**/show(") || !strings.Contains(body, `"Jeffrey"`) {
					t.Errorf("%d %.80s, want a JSONP script", res.StatusCode, body)
				}
			}},
		{name: "no JSONP by default", path: "/person/1?callback=show",
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if strings.HasPrefix(body, "/**/") {
					t.Errorf("JSONP without -jsonp: %.80s", body)
				}
			}},
		{name: "-log-format json", args: []string{"-log-format", "json"}, path: "/person/1",
			check: func(t *testing.T, res *http.Response, body, log string) {
				found := false
				for line := range strings.Lines(log) {
					var rec map[string]any
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Errorf("log line is not JSON: %q", line)
					}
					found = found || rec["msg"] == "http request" && rec["path"] == "/api/person/1"
				}
				if !found {
					t.Errorf("no JSON record of the request in %q", log)
				}
			}},
		{name: "-prefix", args: []string{"-prefix", "/v1"}, path: "/person/1",
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if res.StatusCode != 200 || !strings.Contains(body, "/v1/person/1") {
					t.Errorf("%d %s", res.StatusCode, body)
				}
			}},
		{name: "-tables", args: []string{"-db", db, "-tables", "post"}, path: "/account",
			check: wantStatus(404)},
		{name: "-client-ids", args: []string{"-db", db, "-client-ids"}, method: "POST", path: "/account",
			body: `{"data":{"type":"account","id":"77","attributes":{"name":"z"}}}`,
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if res.StatusCode != 201 || !strings.Contains(body, `"id":"77"`) {
					t.Errorf("%d %s", res.StatusCode, body)
				}
			}},
		{name: "server ids without -client-ids", args: []string{"-db", db}, method: "POST", path: "/account",
			body: `{"data":{"type":"account","id":"78","attributes":{"name":"z"}}}`, check: wantStatus(403)},
		{name: "-rename", args: []string{"-db", db, "-rename", "account=accounts,account.name=title"}, path: "/accounts/1",
			check: func(t *testing.T, res *http.Response, body, _ string) {
				if res.StatusCode != 200 || !strings.Contains(body, `"type":"accounts"`) || !strings.Contains(body, `"title":"a"`) {
					t.Errorf("%d %s", res.StatusCode, body)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := startMain(t, c.args...)
			method := c.method
			if method == "" {
				method = "GET"
			}
			res, body := do(t, method, m.URL()+c.path, c.header, c.body)
			if err := m.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			c.check(t, res, body, log.String())
		})
	}
}

func wantStatus(code int) func(t *testing.T, res *http.Response, body, _ string) {
	return func(t *testing.T, res *http.Response, body, _ string) {
		t.Helper()
		if res.StatusCode != code {
			t.Errorf("%d %s, want %d", res.StatusCode, body, code)
		}
	}
}

// TestSoftDeleteAndBulkFlags checks the resource fields -soft-delete and
// -bulk set; the API implements their behaviour.
func TestSoftDeleteAndBulkFlags(t *testing.T) {
	m := NewMain()
	if err := m.ParseFlags([]string{"-db", featureDB(t), "-soft-delete", "account.active,post.deleted_at", "-bulk", "post"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	m.Logger = discardLogger()
	tables, err := m.resources(context.Background(), &restless.API{})
	defer m.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tb := range tables {
		s := tb.Schema()
		got[s.Type] = fmtFeatures(s)
	}
	want := map[string]string{
		"account": "soft-delete active flag, bulk false",
		"post":    "soft-delete deleted_at timestamp, bulk true",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
}

func fmtFeatures(s *resource.Schema) string {
	sd := "none"
	if s.SoftDelete != nil {
		kind := "flag"
		if s.SoftDelete.Timestamp {
			kind = "timestamp"
		}
		sd = s.SoftDelete.Column + " " + kind
	}
	if s.Bulk {
		return "soft-delete " + sd + ", bulk true"
	}
	return "soft-delete " + sd + ", bulk false"
}

// TestRunErrors checks configurations the command refuses at start.
func TestRunErrors(t *testing.T) {
	reserved := filepath.Join(t.TempDir(), "reserved.db")
	db, err := sqlite.Open(context.Background(), reserved)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(context.Background(), `CREATE TABLE operations (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	features := featureDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-db", filepath.Join(t.TempDir(), "missing.db")}, "-db:"},
		{[]string{"-db", reserved}, `table "operations" would be served at /operations`},
		{[]string{"-tables", "person"}, "need -db or -dsn"},
		{[]string{"-db", features, "-tables", "nope"}, `no table "nope"`},
		{[]string{"-db", features, "-exclude-columns", "account.nope"}, `table "account" has no column "nope"`},
		{[]string{"-db", features, "-rename", "acount=x"}, `"acount" names no exposed table`},
		{[]string{"-db", features, "-soft-delete", "account.nope"}, `no column "nope"`},
		{[]string{"-db", features, "-bulk", "nope"}, `no table "nope"`},
		{[]string{"-cors-origin", "app.example.com"}, "-cors-origin"},
	} {
		m := NewMain()
		m.Logger = discardLogger()
		if err := m.ParseFlags(append([]string{"-addr", "127.0.0.1:0"}, c.args...), io.Discard); err != nil {
			t.Errorf("ParseFlags(%q): %v", c.args, err)
			continue
		}
		err := m.Run(context.Background())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run with %q: %v, want an error containing %q", c.args, err, c.want)
		}
	}
}
