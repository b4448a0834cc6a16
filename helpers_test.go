package restless_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/jsonapitest"
	"github.com/gorestless/restless/postgres"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// testBase is the BaseURL of test APIs.
const testBase = "http://example.com"

// env is one test's API over a fresh demo database.
type env struct {
	t *testing.T
	// backend is "sqlite" or "postgres": the database behind the API.
	backend string
	db      envDB
	api     *restless.API
	h       http.Handler
}

// envDB is the connections of an env: on SQLite a reader pool and the one
// writer, on PostgreSQL one pool for both.
type envDB struct {
	Reader, Writer *sql.DB
}

// newEnv opens a fresh demo database and serves res (the demo's resources
// when none are given) under /api. The database is SQLite, or PostgreSQL
// inside the "postgres" subtest of [eachDB].
func newEnv(t *testing.T, res ...resource.Resource) *env {
	t.Helper()
	return newEnvWith(t, nil, res...)
}

// newEnvWith is newEnv with the API adjusted by mod (if not nil) before
// its handler is built.
func newEnvWith(t *testing.T, mod func(*restless.API), res ...resource.Resource) *env {
	t.Helper()
	if len(res) == 0 {
		res = demo.Resources()
	}
	e := &env{t: t, backend: backendOf(t)}
	e.api = &restless.API{Prefix: "/api", BaseURL: testBase}
	if e.backend == "postgres" {
		db := openPostgres(t)
		e.db = envDB{Reader: db, Writer: db}
		e.api.DB, e.api.Dialect = db, postgres.Dialect
	} else {
		db, err := demo.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		e.db = envDB{Reader: db.Reader, Writer: db.Writer}
		e.api.DB, e.api.WriteDB, e.api.Dialect = db.Reader, db.Writer, sqlite.Dialect
	}
	if mod != nil {
		mod(e.api)
	}
	h, err := e.api.Handler(res...)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

// on returns e for the subtest t: the same database and API, with
// failures reported to t.
func (e *env) on(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// postgresDSN is the environment variable naming the PostgreSQL server the
// tests may use, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const postgresDSN = "RESTLESS_TEST_POSTGRES"

// eachDBTests records the tests that run through eachDB, so backendOf
// reads only their subtest names.
var eachDBTests sync.Map

// eachDB runs f twice, as the subtests "sqlite" and "postgres"; newEnv
// inside f (or in f's own subtests) opens the subtest's database. The
// postgres subtest is skipped, saying why, when RESTLESS_TEST_POSTGRES is
// not set.
func eachDB(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	eachDBTests.Store(t.Name(), true)
	t.Run("sqlite", f)
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(postgresDSN) == "" {
			t.Skip("PostgreSQL tests skipped: " + postgresDSN + " is not set")
		}
		f(t)
	})
}

// backendOf returns the database a test runs on: "postgres" inside the
// postgres subtest of eachDB, "sqlite" otherwise.
func backendOf(t *testing.T) string {
	parts := strings.Split(t.Name(), "/")
	for i := 0; i+1 < len(parts); i++ {
		if _, ok := eachDBTests.Load(strings.Join(parts[:i+1], "/")); ok {
			return parts[i+1]
		}
	}
	return "sqlite"
}

// openPostgres opens a fresh demo schema on the test server, dropped when
// the test ends.
func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	db, cleanup, err := demo.OpenPostgres(context.Background(), os.Getenv(postgresDSN))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return db
}

// pick returns the statement for the env's database: sqlite's text, or
// postgres's when the two differ.
func (e *env) pick(sqlite, postgres string) string {
	if e.backend == "postgres" {
		return postgres
	}
	return sqlite
}

// loadUsers creates seed 004's users and friendship tables.
func (e *env) loadUsers() {
	e.t.Helper()
	e.exec(e.pick(demo.UsersSchema, demo.PostgresUsersSchema))
}

// exec runs SQL on the writer. On PostgreSQL it then moves every identity
// sequence past the largest key, as SQLite's INTEGER PRIMARY KEY does by
// itself, so rows inserted with explicit ids do not collide with created
// ones.
func (e *env) exec(stmt string) {
	e.t.Helper()
	if _, err := e.db.Writer.Exec(stmt); err != nil {
		e.t.Fatal(err)
	}
	if e.backend != "postgres" {
		return
	}
	rows, err := e.db.Writer.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		e.t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tc [2]string
		if err := rows.Scan(&tc[0], &tc[1]); err != nil {
			e.t.Fatal(err)
		}
		cols = append(cols, tc)
	}
	rows.Close()
	for _, tc := range cols {
		tb, col := resource.QuoteIdent(tc[0]), resource.QuoteIdent(tc[1])
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT coalesce(max(%s), 0) + 1 FROM %s), false)`, col, tb)
		if _, err := e.db.Writer.Exec(q, tc[0], tc[1]); err != nil {
			e.t.Fatal(err)
		}
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
	// Ordered by every column, so that rows sharing a first column (the
	// friendship table's) come in the same order on every database.
	rows, err := e.db.Reader.Query(`SELECT * FROM "` + table + `" WHERE 1 = 0`)
	if err != nil {
		e.t.Fatal(err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = strconv.Itoa(i + 1)
	}
	rows, err = e.db.Reader.Query(`SELECT * FROM "` + table + `" ORDER BY ` + strings.Join(order, ", "))
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
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

// query runs a query on the reader; ? placeholders become $N on
// PostgreSQL.
func (e *env) query(q string, args ...any) *sql.Row {
	return e.db.Reader.QueryRow(e.placeholders(q), args...)
}

// placeholders rewrites the ? placeholders of q for the env's database.
func (e *env) placeholders(q string) string {
	if e.backend != "postgres" {
		return q
	}
	q, err := sq.Dollar.ReplacePlaceholders(q)
	if err != nil {
		e.t.Fatal(err)
	}
	return q
}
