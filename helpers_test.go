package restless_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/jsonapitest"
	"github.com/gorestless/restless/sqlite"
)

// testBase is the BaseURL of test APIs.
const testBase = "http://example.com"

// env is one test's API over a fresh demo database.
type env struct {
	t   *testing.T
	db  *sqlite.DB
	api *restless.API
	h   http.Handler
}

// newEnv opens a fresh demo database and serves res (the demo's resources
// when none are given) under /api.
func newEnv(t *testing.T, res ...restless.Resource) *env {
	t.Helper()
	db, err := demo.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if len(res) == 0 {
		res = demo.Resources()
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase}
	h, err := api.Handler(res...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, api: api, h: h}
}

// exec runs SQL on the writer.
func (e *env) exec(stmt string) {
	e.t.Helper()
	if _, err := e.db.Writer.Exec(stmt); err != nil {
		e.t.Fatal(err)
	}
}

// response is a recorded reply.
type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// do sends a request with JSON:API headers (body non-empty sets the
// Content-Type) and checks the reply against the JSON:API schema.
func (e *env) do(method, path, body string, hdr ...string) *response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return e.serve(req)
}

func (e *env) serve(req *http.Request) *response {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if len(res.Body) > 0 {
		if ct := res.Header.Get("Content-Type"); ct != "application/vnd.api+json" {
			e.t.Errorf("%s %s: Content-Type = %q, want application/vnd.api+json", req.Method, req.URL, ct)
		}
		jsonapitest.Check(e.t, res.Body)
	}
	return res
}

// rows returns every row of table as text, ordered by id, so tests can
// assert that a failed write left the database unchanged.
func (e *env) rows(table string) []string {
	e.t.Helper()
	rows, err := e.db.Reader.Query(`SELECT * FROM "` + table + `" ORDER BY 1`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

// unchanged runs f and fails if it changed any row of the tables.
func (e *env) unchanged(f func(), tables ...string) {
	e.t.Helper()
	before := map[string][]string{}
	for _, tb := range tables {
		before[tb] = e.rows(tb)
	}
	f()
	for _, tb := range tables {
		if diff := cmp.Diff(before[tb], e.rows(tb)); diff != "" {
			e.t.Errorf("table %s changed (-before +after):\n%s", tb, diff)
		}
	}
}

// wantError checks that res is an error document with one error of the
// given status and source (pointer "/x", parameter "?name" or
// "header:Name"; "" for no source, "/" for the whole document).
func wantError(t *testing.T, res *response, status int, source string) map[string]any {
	t.Helper()
	if res.Code != status {
		t.Fatalf("status = %d, want %d\n%s", res.Code, status, res.Body)
	}
	var doc struct {
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) == 0 {
		t.Fatalf("not an error document: %s", res.Body)
	}
	e := doc.Errors[0]
	if got := e["status"]; got != fmt.Sprint(status) {
		t.Errorf("errors[0].status = %v, want %q", got, fmt.Sprint(status))
	}
	if e["title"] == nil || e["detail"] == nil {
		t.Errorf("errors[0] lacks title or detail: %v", e)
	}
	src, _ := e["source"].(map[string]any)
	switch {
	case source == "":
		if src != nil {
			t.Errorf("errors[0].source = %v, want none", src)
		}
	case strings.HasPrefix(source, "header:"):
		if got := src["header"]; got != source[len("header:"):] {
			t.Errorf("errors[0].source.header = %v, want %q", got, source[len("header:"):])
		}
	case strings.HasPrefix(source, "?"):
		if got := src["parameter"]; got != source[1:] {
			t.Errorf("errors[0].source.parameter = %v, want %q", got, source[1:])
		}
	default:
		want := source
		if want == "/" {
			want = ""
		}
		if got, ok := src["pointer"]; !ok || got != want {
			t.Errorf("errors[0].source.pointer = %v, want %q", got, want)
		}
	}
	return e
}

// mustDB returns the reader for direct queries.
func (e *env) query(q string, args ...any) *sql.Row {
	return e.db.Reader.QueryRow(q, args...)
}
