package restless_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorestless/restless/jsonapi"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// bkPeople returns the demo person resource with bulk changes on, changed
// by mod, beside the demo computer.
func bkPeople(mod func(p *resource.Table)) []resource.Resource {
	return wtResources(wtPerson(func(p *resource.Table) {
		p.Bulk = true
		if mod != nil {
			mod(p)
		}
	}))
}

// bkURL returns path with the query parameters given as name, value
// pairs, encoded.
func bkURL(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// bkPatch is the document of a bulk PATCH of persons with attrs.
func bkPatch(attrs string) string {
	return `{"data":{"type":"person","attributes":` + attrs + `}}`
}

// bkMeta checks a bulk reply: 200 and a document whose only members are
// meta (with key = n) and jsonapi.
func bkMeta(t *testing.T, res *response, key string, n int) {
	t.Helper()
	wtWantStatus(t, res, http.StatusOK)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("body: %v\n%s", err, res.Body)
	}
	if _, ok := doc["data"]; ok || len(doc) != 2 {
		t.Errorf("members of the reply: %s; want meta and jsonapi only", res.Body)
	}
	if got, want := string(doc["meta"]), fmt.Sprintf(`{%q:%d}`, key, n); got != want {
		t.Errorf("meta = %s, want %s", got, want)
	}
}

// bkAges returns "id:age" of every person, in id order.
func bkAges(t *testing.T, e *env) string {
	t.Helper()
	rows, err := e.db.Reader.Query(`SELECT id, coalesce(age, -1) FROM person ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, age int64
		if err := rows.Scan(&id, &age); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%d", id, age))
	}
	return strings.Join(out, " ")
}

// bkIDs returns the ids of the persons left, in order.
func bkIDs(t *testing.T, e *env, table string) string {
	t.Helper()
	rows, err := e.db.Reader.Query(`SELECT id FROM "` + table + `" ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id))
	}
	return strings.Join(out, ",")
}

const (
	bkYoung     = `[{"name":"age","op":"lt","val":40}]`
	bkHasDell   = `[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Dell"}}]`
	bkLegacyOld = `{"filters":[{"name":"age","op":">","val":30}]}`
)

func TestBulkPatch(t *testing.T) {
	// The demo: 1 Jeffrey 35, 2 Hilda 41, 3 Tomasz 26.
	for _, tc := range []struct {
		name  string
		path  string
		n     int
		rows  string
		mod   func(p *resource.Table)
		attrs string
	}{
		{"filter objects", bkURL("/api/person", "filter[objects]", bkYoung), 2, "1:50 2:41 3:50", nil, `{"age":50}`},
		{"simple filter", bkURL("/api/person", "filter[name]", "Hilda"), 1, "1:35 2:50 3:26", nil, `{"age":50}`},
		{"simple filter with operator", bkURL("/api/person", "filter[age][gt]", "30"), 2, "1:50 2:50 3:26", nil, `{"age":50}`},
		{"legacy q", bkURL("/api/person", "q", bkLegacyOld), 2, "1:50 2:50 3:26", nil, `{"age":50}`},
		{"relationship filter", bkURL("/api/person", "filter[objects]", bkHasDell), 1, "1:50 2:41 3:26", nil, `{"age":50}`},
		{"no match", bkURL("/api/person", "filter[name]", "Nobody"), 0, "1:35 2:41 3:26", nil, `{"age":50}`},
		{"null value", bkURL("/api/person", "filter[objects]", bkYoung), 2, "1:-1 2:41 3:-1", nil, `{"age":null}`},
		{"unfiltered allowed", "/api/person", 3, "1:50 2:50 3:50", func(p *resource.Table) { p.BulkUnfiltered = true }, `{"age":50}`},
		{"row filter", bkURL("/api/person", "filter[objects]", `[{"name":"age","op":"gt","val":30}]`), 1, "1:39 2:41 3:26",
			func(p *resource.Table) {
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) { return sq.Lt{`"person"."age"`: 40}, nil }
			}, `{"age":39}`},
		{"row filter unfiltered", "/api/person", 2, "1:39 2:41 3:39",
			func(p *resource.Table) {
				p.BulkUnfiltered = true
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) { return sq.Lt{`"person"."age"`: 40}, nil }
			}, `{"age":39}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, bkPeople(tc.mod)...)
			bkMeta(t, e.do(http.MethodPatch, tc.path, bkPatch(tc.attrs)), "num_modified", tc.n)
			if got := bkAges(t, e); got != tc.rows {
				t.Errorf("rows = %s, want %s", got, tc.rows)
			}
		})
	}
	t.Run("to-one relationship", func(t *testing.T) {
		computers := demo.Computer()
		computers.Bulk = true
		e := newEnv(t, demo.Person(), computers)
		res := e.do(http.MethodPatch, bkURL("/api/computer", "filter[owner]", "1"),
			`{"data":{"type":"computer","attributes":{"vendor":"Acme"},"relationships":{"owner":{"data":{"type":"person","id":"3"}}}}}`)
		bkMeta(t, res, "num_modified", 2)
		if got := rlOwners(t, e); fmt.Sprint(got) != "map[1:3 2:3 3:2]" {
			t.Errorf("owners = %v, want 1:3 2:3 3:2", got)
		}
		if got := wtCount(t, e, "computer", "vendor = 'Acme'"); got != 2 {
			t.Errorf("computers of Acme = %d, want 2", got)
		}
	})
	t.Run("collection reads the change", func(t *testing.T) {
		e := newEnv(t, bkPeople(nil)...)
		bkMeta(t, e.do(http.MethodPatch, bkURL("/api/person", "filter[name]", "Tomasz"), bkPatch(`{"name":"Tom"}`)), "num_modified", 1)
		res := e.do(http.MethodGet, "/api/person/3", "")
		if got := wtAttrs(t, res)["name"]; got != "Tom" {
			t.Errorf("name = %v, want Tom", got)
		}
	})
}

func TestBulkDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		mod  func(p *resource.Table)
		n    int
		left string
	}{
		{"filter objects", bkURL("/api/person", "filter[objects]", `[{"name":"name","op":"eq","val":"Tomasz"}]`), nil, 1, "1,2"},
		{"legacy q", bkURL("/api/person", "q", `{"filters":[{"name":"age","op":"<","val":30}]}`), nil, 1, "1,2"},
		{"no match", bkURL("/api/person", "filter[age][gt]", "100"), nil, 0, "1,2,3"},
		{"row filter", bkURL("/api/person", "filter[objects]", `[{"name":"age","op":"gt","val":20}]`),
			func(p *resource.Table) {
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) { return sq.Eq{`"person"."name"`: "Tomasz"}, nil }
			}, 1, "1,2"},
		{"unfiltered allowed", "/api/person",
			func(p *resource.Table) {
				p.BulkUnfiltered = true
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) { return sq.Gt{`"person"."id"`: 2}, nil }
			}, 1, "1,2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, bkPeople(tc.mod)...)
			bkMeta(t, e.do(http.MethodDelete, tc.path, ""), "num_deleted", tc.n)
			if got := bkIDs(t, e, "person"); got != tc.left {
				t.Errorf("persons left = %s, want %s", got, tc.left)
			}
		})
	}
	t.Run("related resources", func(t *testing.T) {
		computers := demo.Computer()
		computers.Bulk = true
		e := newEnv(t, demo.Person(), computers)
		f := `[{"name":"owner","op":"has","val":{"name":"name","op":"eq","val":"Jeffrey"}}]`
		bkMeta(t, e.do(http.MethodDelete, bkURL("/api/computer", "filter[objects]", f), ""), "num_deleted", 2)
		if got := bkIDs(t, e, "computer"); got != "3" {
			t.Errorf("computers left = %s, want 3", got)
		}
	})
}

func TestBulkRefused(t *testing.T) {
	bulk := func() []resource.Resource { return bkPeople(nil) }
	noUpdate := func() []resource.Resource { return bkPeople(func(p *resource.Table) { p.NoUpdate = true }) }
	young := "filter[objects]=" + url.QueryEscape(bkYoung)
	for _, tc := range []struct {
		name         string
		res          func() []resource.Resource // nil: the demo's, bulk off
		method, path string
		body         string
		hdr          []string
		status       int
		source       string
		allow        string
	}{
		{"PATCH bulk off", nil, "PATCH", "/api/person?" + young, bkPatch(`{"age":1}`), nil, 405, "", "GET, HEAD, POST, OPTIONS"},
		{"DELETE bulk off", nil, "DELETE", "/api/person?" + young, "", nil, 405, "", "GET, HEAD, POST, OPTIONS"},
		{"PATCH without update", noUpdate, "PATCH", "/api/person?" + young, bkPatch(`{"age":1}`), nil, 405, "", "GET, HEAD, POST, DELETE, OPTIONS"},
		{"PATCH without filter", bulk, "PATCH", "/api/person", bkPatch(`{"age":1}`), nil, 400, "", ""},
		{"DELETE without filter", bulk, "DELETE", "/api/person", "", nil, 400, "", ""},
		{"empty filter list", bulk, "DELETE", bkURL("/api/person", "filter[objects]", "[]"), "", nil, 400, "?filter[objects]", ""},
		{"empty legacy filters", bulk, "DELETE", bkURL("/api/person", "q", `{"filters":[]}`), "", nil, 400, "?q", ""},
		{"unknown field", bulk, "DELETE", bkURL("/api/person", "filter[objects]", `[{"name":"salary","op":"gt","val":1}]`), "", nil, 400, "?filter[objects]", ""},
		{"unknown operator", bulk, "DELETE", bkURL("/api/person", "filter[age][near]", "1"), "", nil, 400, "?filter[age][near]", ""},
		{"sort", bulk, "DELETE", "/api/person?sort=age&" + young, "", nil, 400, "?sort", ""},
		{"page", bulk, "PATCH", "/api/person?page[size]=1&" + young, bkPatch(`{"age":1}`), nil, 400, "?page[size]", ""},
		{"include", bulk, "PATCH", "/api/person?include=computers&" + young, bkPatch(`{"age":1}`), nil, 400, "?include", ""},
		{"fields", bulk, "PATCH", "/api/person?fields[person]=name&" + young, bkPatch(`{"age":1}`), nil, 400, "?fields[person]", ""},
		{"single", bulk, "DELETE", "/api/person?filter[single]=1&" + young, "", nil, 400, "?filter[single]", ""},
		{"legacy order_by", bulk, "DELETE", bkURL("/api/person", "q", `{"filters":[{"name":"age","op":"lt","val":40}],"order_by":[{"field":"age"}]}`), "", nil, 400, "?q", ""},
		{"legacy limit", bulk, "DELETE", bkURL("/api/person", "q", `{"filters":[{"name":"age","op":"lt","val":40}],"limit":1}`), "", nil, 400, "?q", ""},
		{"unknown parameter", bulk, "DELETE", "/api/person?foo=1&" + young, "", nil, 400, "?foo", ""},
		{"If-Match", bulk, "DELETE", "/api/person?" + young, "", []string{"If-Match", `"abc"`}, 412, "header:If-Match", ""},
		{"id in the body", bulk, "PATCH", "/api/person?" + young, `{"data":{"type":"person","id":"1","attributes":{"age":1}}}`, nil, 400, "/data/id", ""},
		{"wrong type", bulk, "PATCH", "/api/person?" + young, `{"data":{"type":"computer","attributes":{"age":1}}}`, nil, 409, "/data/type", ""},
		{"no data", bulk, "PATCH", "/api/person?" + young, `{"meta":{}}`, nil, 400, "/", ""},
		{"not JSON", bulk, "PATCH", "/api/person?" + young, `{"data":`, nil, 400, "/", ""},
		{"unknown attribute", bulk, "PATCH", "/api/person?" + young, bkPatch(`{"salary":1}`), nil, 400, "/data/attributes/salary", ""},
		{"invalid value", bulk, "PATCH", "/api/person?" + young, bkPatch(`{"age":"old"}`), nil, 400, "/data/attributes/age", ""},
		{"to-many relationship", bulk, "PATCH", "/api/person?" + young,
			`{"data":{"type":"person","relationships":{"computers":{"data":[]}}}}`, nil, 403, "/data/relationships/computers", ""},
		{"unique violation", bulk, "PATCH", "/api/person?" + young, bkPatch(`{"name":"Same"}`), nil, 409, "/data/attributes/name", ""},
		{"not null violation", bulk, "PATCH", "/api/person?" + young, bkPatch(`{"name":null}`), nil, 400, "/data/attributes/name", ""},
		{"foreign key violation", bulk, "DELETE", "/api/person?" + young, "", nil, 409, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *env
			if tc.res != nil {
				e = newEnv(t, tc.res()...)
			} else {
				e = newEnv(t)
			}
			var res *response
			e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body, tc.hdr...) }, "person", "computer")
			wtWantErr(t, res, tc.status, tc.source)
			if tc.allow != "" {
				if got := res.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow = %q, want %q", got, tc.allow)
				}
			}
		})
	}
	t.Run("to-one to a missing resource", func(t *testing.T) {
		computers := demo.Computer()
		computers.Bulk = true
		e := newEnv(t, demo.Person(), computers)
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodPatch, bkURL("/api/computer", "filter[owner]", "1"),
				`{"data":{"type":"computer","relationships":{"owner":{"data":{"type":"person","id":"9"}}}}}`)
		}, "person", "computer")
		wantError(t, res, http.StatusNotFound, "/data/relationships/owner/data/id")
	})
}

// bkErrorMeta returns the meta of the first error of res.
func bkErrorMeta(t *testing.T, res *response) map[string]any {
	t.Helper()
	var doc struct {
		Errors []struct {
			Meta map[string]any `json:"meta"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) == 0 {
		t.Fatalf("not an error document: %s", res.Body)
	}
	return doc.Errors[0].Meta
}

func TestBulkRollback(t *testing.T) {
	t.Run("a later row fails", func(t *testing.T) {
		// Tomasz (3) owns a computer, Hilda (2) none: deleting 2 works,
		// deleting 3 then fails, and 2 must come back.
		e := newEnv(t, bkPeople(nil)...)
		e.exec(`UPDATE computer SET owner_id = 3 WHERE id = 3`)
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodDelete, bkURL("/api/person", "filter[objects]", `[{"name":"id","op":"in","val":[2,3]}]`), "")
		}, "person", "computer")
		wantError(t, res, http.StatusConflict, "")
		if got := bkErrorMeta(t, res)["id"]; got != "3" {
			t.Errorf("errors[0].meta.id = %v, want 3", got)
		}
	})
	t.Run("a row would leave the row filter", func(t *testing.T) {
		e := newEnv(t, bkPeople(func(p *resource.Table) {
			p.Filter = func(ctx context.Context) (sq.Sqlizer, error) { return sq.Lt{`"person"."age"`: 40}, nil }
		})...)
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodPatch, bkURL("/api/person", "filter[objects]", bkYoung), bkPatch(`{"age":45}`))
		}, "person", "computer")
		wantError(t, res, http.StatusForbidden, "")
		if got := bkErrorMeta(t, res)["id"]; got != "1" {
			t.Errorf("errors[0].meta.id = %v, want 1", got)
		}
	})
	t.Run("too many rows", func(t *testing.T) {
		e := newEnv(t, bkPeople(nil)...)
		e.api.MaxBulk = 2
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodDelete, bkURL("/api/person", "filter[age][gt]", "0"), "")
		}, "person", "computer")
		wantError(t, res, http.StatusBadRequest, "?filter[age][gt]")
		if got := bkErrorMeta(t, res)["max"]; got != float64(2) {
			t.Errorf("errors[0].meta.max = %v, want 2", got)
		}
		// Exactly the maximum is fine.
		bkMeta(t, e.do(http.MethodPatch, bkURL("/api/person", "filter[age][lt]", "40"), bkPatch(`{"age":1}`)), "num_modified", 2)
	})
}

func TestBulkHooks(t *testing.T) {
	type call struct {
		op resource.Op
		id string
	}
	var mu sync.Mutex
	var before, after []call
	record := func(list *[]call) func(ctx context.Context, w *resource.Write) error {
		return func(ctx context.Context, w *resource.Write) error {
			mu.Lock()
			defer mu.Unlock()
			*list = append(*list, call{w.Op, fmt.Sprint(w.ID)})
			return nil
		}
	}
	reset := func() { before, after = nil, nil }
	t.Run("every row", func(t *testing.T) {
		reset()
		e := newEnv(t, bkPeople(func(p *resource.Table) {
			// Each row gets its own values: the hook adds the id to the
			// age of the request.
			p.Before = func(ctx context.Context, w *resource.Write) error {
				if w.Op == resource.OpUpdate {
					w.Values["age"] = w.Values["age"].(int64) + w.ID.(int64)
				}
				return record(&before)(ctx, w)
			}
			p.After = record(&after)
		})...)
		bkMeta(t, e.do(http.MethodPatch, bkURL("/api/person", "filter[objects]", bkYoung), bkPatch(`{"age":100}`)), "num_modified", 2)
		want := []call{{resource.OpUpdate, "1"}, {resource.OpUpdate, "3"}}
		if !slices.Equal(before, want) || !slices.Equal(after, want) {
			t.Errorf("Before %v, After %v; want %v for both", before, after, want)
		}
		if got := bkAges(t, e); got != "1:101 2:41 3:103" {
			t.Errorf("rows = %s, want 1:101 2:41 3:103", got)
		}
		reset()
		e.exec(`UPDATE computer SET owner_id = NULL`)
		bkMeta(t, e.do(http.MethodDelete, bkURL("/api/person", "filter[age][gt]", "100"), ""), "num_deleted", 2)
		want = []call{{resource.OpDelete, "1"}, {resource.OpDelete, "3"}}
		if !slices.Equal(before, want) || !slices.Equal(after, want) {
			t.Errorf("Before %v, After %v; want %v for both", before, after, want)
		}
	})
	t.Run("a hook refuses one row", func(t *testing.T) {
		reset()
		e := newEnv(t, bkPeople(func(p *resource.Table) {
			p.Before = func(ctx context.Context, w *resource.Write) error {
				if err := record(&before)(ctx, w); err != nil {
					return err
				}
				if w.ID == int64(3) {
					return &jsonapi.Error{Status: http.StatusUnprocessableEntity, Title: "Refused", Detail: "Tomasz stays."}
				}
				return nil
			}
			p.After = wtAudit
		})...)
		e.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY, msg TEXT)`)
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodPatch, bkURL("/api/person", "filter[objects]", bkYoung), bkPatch(`{"age":1}`))
		}, "person", "computer", "audit")
		got := wantError(t, res, http.StatusUnprocessableEntity, "")
		if got["detail"] != "Tomasz stays." {
			t.Errorf("detail = %v", got["detail"])
		}
		if len(before) != 2 {
			t.Errorf("Before ran %d times, want 2 (row 1, then row 3 refused)", len(before))
		}
	})
	t.Run("a hook fails", func(t *testing.T) {
		e := newEnv(t, bkPeople(func(p *resource.Table) {
			p.After = func(ctx context.Context, w *resource.Write) error { return errors.New("boom") }
		})...)
		var res *response
		e.unchanged(func() {
			res = e.do(http.MethodDelete, bkURL("/api/person", "filter[name]", "Tomasz"), "")
		}, "person", "computer")
		wantError(t, res, http.StatusInternalServerError, "")
		if strings.Contains(string(res.Body), "boom") {
			t.Errorf("the cause leaked: %s", res.Body)
		}
	})
}

func TestBulkAllow(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(p *resource.Table)
		want string
	}{
		{"bulk", nil, "GET, HEAD, POST, PATCH, DELETE, OPTIONS"},
		{"no update", func(p *resource.Table) { p.NoUpdate = true }, "GET, HEAD, POST, DELETE, OPTIONS"},
		{"no delete", func(p *resource.Table) { p.NoDelete = true }, "GET, HEAD, POST, PATCH, OPTIONS"},
		{"read-only", func(p *resource.Table) { p.ReadOnly = true }, "GET, HEAD, OPTIONS"},
		{"off", func(p *resource.Table) { p.Bulk = false }, "GET, HEAD, POST, OPTIONS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := bkPeople(tc.mod)
			e := newEnv(t, res...)
			got := e.do(http.MethodOptions, "/api/person", "")
			if got.Code != http.StatusNoContent || got.Header.Get("Allow") != tc.want {
				t.Errorf("OPTIONS: %d, Allow %q; want 204, %q", got.Code, got.Header.Get("Allow"), tc.want)
			}
			routes, err := e.api.Routes(res...)
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range routes {
				if rt.Kind == restless.CollectionRoute && rt.Resource == res[0] {
					if got := strings.Join(rt.Methods, ", "); got != tc.want {
						t.Errorf("Route.Methods = %s, want %s", got, tc.want)
					}
				}
			}
		})
	}
	t.Run("BulkUnfiltered needs Bulk", func(t *testing.T) {
		api := &restless.API{Prefix: "/api"}
		_, err := api.Routes(wtPerson(func(p *resource.Table) { p.BulkUnfiltered = true }))
		if err == nil || !strings.Contains(err.Error(), "BulkUnfiltered") {
			t.Errorf("Routes: %v, want an error about BulkUnfiltered", err)
		}
	})
}

// BenchmarkBulkPatch measures a bulk PATCH of about 110 and of 1,003
// rows of 1,003 on SQLite: each row is read, locked, written and read
// again with its hooks, so the cost grows with the rows.
func BenchmarkBulkPatch(b *testing.B) {
	for _, bc := range []struct {
		name   string
		filter string
	}{{"rows=110", "filter[age][lt]=10"}, {"rows=1003", "filter[age][ge]=0"}} {
		b.Run(bc.name, func(b *testing.B) {
			db, err := demo.Open(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			for i := 0; i < 1000; i++ {
				if _, err := db.Writer.Exec(`INSERT INTO person (name, age) VALUES (?, ?)`, fmt.Sprintf("person %d", i), i%90); err != nil {
					b.Fatal(err)
				}
			}
			person := demo.Person()
			person.Bulk = true
			api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", MaxBulk: 2000}
			h, err := api.Handler(person, demo.Computer())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var rows float64
			for b.Loop() {
				req := httptest.NewRequest("PATCH", "/api/person?"+bc.filter, strings.NewReader(`{"data":{"type":"person","attributes":{"birth_date":"2000-01-01"}}}`))
				req.Header.Set("Content-Type", "application/vnd.api+json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
				var doc struct {
					Meta struct {
						N float64 `json:"num_modified"`
					} `json:"meta"`
				}
				json.Unmarshal(rec.Body.Bytes(), &doc)
				rows = doc.Meta.N
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
		})
	}
}
