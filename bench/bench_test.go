package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorestless/restless/bench/internal/baseline"
	"github.com/gorestless/restless/bench/internal/gendata"
	"github.com/gorestless/restless/bench/internal/rlserver"
)

// A scenario is one request of the bench, the same as in run.sh. i numbers
// the requests, so writes create unique names and update varying rows.
type scenario struct {
	name   string
	method string
	path   func(i int) string
	body   func(tag string, i int) string
	status int
}

func fixed(p string) func(int) string { return func(int) string { return p } }

// spread maps i onto the person ids 1..n, far apart from one step to the next.
func spread(i, n int) int { return i*7919%n + 1 }

func scenarios(persons int) []scenario {
	return []scenario{
		{name: "Item", method: "GET", status: 200,
			path: func(i int) string { return fmt.Sprintf("/api/person/%d", spread(i, persons)) }},
		{name: "Collection", method: "GET", status: 200,
			path: fixed("/api/person?page[size]=20")},
		{name: "Include", method: "GET", status: 200,
			path: fixed("/api/person?include=computers&page[size]=20")},
		{name: "FilterSort", method: "GET", status: 200,
			path: fixed("/api/person?filter[age][gte]=30&sort=-age,name&page[size]=20")},
		{name: "Create", method: "POST", status: 201,
			path: fixed("/api/person"),
			body: func(tag string, i int) string {
				return fmt.Sprintf(`{"data":{"type":"person","attributes":{"name":"bench %s %d","birth_date":"1990-05-17","age":%d}}}`, tag, i, 18+i%73)
			}},
		{name: "Update", method: "PATCH", status: 200,
			path: func(i int) string { return fmt.Sprintf("/api/person/%d", spread(i, persons)) },
			body: func(_ string, i int) string {
				return fmt.Sprintf(`{"data":{"type":"person","id":"%d","attributes":{"age":%d}}}`, spread(i, persons), 18+i%73)
			}},
	}
}

func newRequest(sc scenario, tag string, i int) *http.Request {
	var body io.Reader
	if sc.body != nil {
		body = strings.NewReader(sc.body(tag, i))
	}
	r := httptest.NewRequest(sc.method, "http://127.0.0.1:8080"+sc.path(i), body)
	r.Header.Set("Accept", "application/vnd.api+json")
	if body != nil {
		r.Header.Set("Content-Type", "application/vnd.api+json")
	}
	return r
}

// servers are the two handlers under comparison, by name.
var servers = []struct {
	name string
	open func(ctx context.Context, path string) (http.Handler, func() error, error)
}{
	{"baseline", func(ctx context.Context, path string) (http.Handler, func() error, error) {
		s, err := baseline.Open(ctx, path)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}},
	{"restless", rlserver.New},
}

// copyFile copies the database at src to a new file in dir.
func copyFile(tb testing.TB, src, dir string) string {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(dir, "bench.db")
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dst
}

func open(tb testing.TB, srv int, master string) http.Handler {
	tb.Helper()
	h, closeDB, err := servers[srv].open(context.Background(), copyFile(tb, master, tb.TempDir()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { closeDB() })
	return h
}

// TestSameDocuments checks that the baseline answers the bench's requests,
// and a few more, with the very documents restless sends.
func TestSameDocuments(t *testing.T) {
	const persons = 120
	master := filepath.Join(t.TempDir(), "small.db")
	if err := gendata.Generate(context.Background(), master, persons, 3*persons); err != nil {
		t.Fatal(err)
	}
	hs := []http.Handler{open(t, 0, master), open(t, 1, master)}
	check := func(t *testing.T, mk func() (*http.Request, *http.Request), want int) {
		t.Helper()
		var recs [2]*httptest.ResponseRecorder
		ra, rb := mk()
		for i, r := range []*http.Request{ra, rb} {
			recs[i] = httptest.NewRecorder()
			hs[i].ServeHTTP(recs[i], r)
		}
		base, rl := recs[0], recs[1]
		if rl.Code != want {
			t.Fatalf("%s %s: restless answered %d, want %d: %s", ra.Method, ra.URL, rl.Code, want, rl.Body)
		}
		if base.Code != rl.Code {
			t.Fatalf("%s %s: baseline answered %d, restless %d\nbaseline: %s", ra.Method, ra.URL, base.Code, rl.Code, base.Body)
		}
		if want >= 400 {
			return // error documents differ in their detail and id
		}
		if !bytes.Equal(base.Body.Bytes(), rl.Body.Bytes()) {
			t.Fatalf("%s %s: documents differ\nbaseline: %s\nrestless: %s", ra.Method, ra.URL, base.Body, rl.Body)
		}
		for _, k := range []string{"Content-Type", "Location", "ETag", "Vary"} {
			if base.Header().Get(k) != rl.Header().Get(k) {
				t.Errorf("%s %s: header %s: baseline %q, restless %q", ra.Method, ra.URL, k, base.Header().Get(k), rl.Header().Get(k))
			}
		}
	}
	same := func(sc scenario, i int) func() (*http.Request, *http.Request) {
		return func() (*http.Request, *http.Request) { return newRequest(sc, "t", i), newRequest(sc, "t", i) }
	}
	for _, sc := range scenarios(persons) {
		t.Run(sc.name, func(t *testing.T) {
			for i := range 3 {
				check(t, same(sc, i), sc.status)
			}
		})
	}
	get := func(path string, status int) {
		t.Run(path, func(t *testing.T) {
			check(t, same(scenario{method: "GET", path: fixed(path)}, 0), status)
		})
	}
	get("/api/person?page[number]=3&page[size]=20", 200)
	get("/api/person?page[number]=7&page[size]=20", 200)
	get("/api/person?page[number]=99&page[size]=20", 200)
	get("/api/person", 200)
	get("/api/person?include=computers&page[number]=6&page[size]=25", 200)
	get("/api/person?filter[age][gte]=30&filter[age][lt]=60&sort=-birth_date,name&page[number]=2&page[size]=7", 200)
	get("/api/person?filter[name]=Alan%20Liskov%2000001,Claude%20Hopper%2000003&include=computers", 200)
	get("/api/person?filter[age]=19&sort=name", 200)
	get("/api/person/0", 404)
	get("/api/person/99999", 404)
	get("/api/person?page[size]=101", 400)
	get("/api/person?sort=nope", 400)
	get("/api/person?include=nope", 400)
	post := func(name, contentType, body string, status int) {
		t.Run(name, func(t *testing.T) {
			check(t, func() (*http.Request, *http.Request) {
				mk := func() *http.Request {
					r := httptest.NewRequest("POST", "/api/person", strings.NewReader(body))
					r.Header.Set("Content-Type", contentType)
					return r
				}
				return mk(), mk()
			}, status)
		})
	}
	post("nulls", "application/vnd.api+json", `{"data":{"type":"person","attributes":{"name":"No Age","age":null}}}`, 201)
	post("json", "application/json", `{"data":{"type":"person","attributes":{"name":"X"}}}`, 415)
	post("duplicate", "application/vnd.api+json", `{"data":{"type":"person","attributes":{"name":"Alan Liskov 00001"}}}`, 409)
	post("badAge", "application/vnd.api+json", `{"data":{"type":"person","attributes":{"name":"Y","age":"old"}}}`, 400)
	post("wrongType", "application/vnd.api+json", `{"data":{"type":"computer","attributes":{"name":"Z"}}}`, 409)
	post("unknown", "application/vnd.api+json", `{"data":{"type":"person","attributes":{"shoe":1}}}`, 400)
}

// master is the full-size database, generated once for the benchmarks.
var master struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if master.dir != "" {
		os.RemoveAll(master.dir)
	}
	os.Exit(code)
}

func fullDB(b *testing.B) string {
	master.once.Do(func() {
		if master.dir, master.err = os.MkdirTemp("", "restless-bench"); master.err != nil {
			return
		}
		master.path = filepath.Join(master.dir, "bench.db")
		master.err = gendata.Generate(context.Background(), master.path, gendata.Persons, gendata.Computers)
	})
	if master.err != nil {
		b.Fatal(master.err)
	}
	return master.path
}

// run measures one scenario on each server, as the sub-benchmarks
// server=baseline and server=restless (benchstat -col /server compares
// them). Every server gets its own copy of the database.
func run(b *testing.B, name string) {
	var sc scenario
	for _, s := range scenarios(gendata.Persons) {
		if s.name == name {
			sc = s
		}
	}
	for i, srv := range servers {
		b.Run("server="+srv.name, func(b *testing.B) {
			if testing.Short() {
				b.Skip("the bench database takes a second to build")
			}
			h := open(b, i, fullDB(b))
			var get *http.Request
			if sc.body == nil && sc.path(0) == sc.path(1) {
				get = newRequest(sc, "", 0)
			}
			b.ReportAllocs()
			n := 0
			cpu0 := cpuTime()
			for b.Loop() {
				r := get
				if r == nil {
					r = newRequest(sc, srv.name, n)
				}
				n++
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != sc.status {
					b.Fatalf("%s %s: %d %s", r.Method, r.URL, w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkItem(b *testing.B)       { run(b, "Item") }
func BenchmarkCollection(b *testing.B) { run(b, "Collection") }
func BenchmarkInclude(b *testing.B)    { run(b, "Include") }
func BenchmarkFilterSort(b *testing.B) { run(b, "FilterSort") }
func BenchmarkCreate(b *testing.B)     { run(b, "Create") }
func BenchmarkUpdate(b *testing.B)     { run(b, "Update") }
