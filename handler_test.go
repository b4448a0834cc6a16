package restless_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/resource"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/jsonapitest"
)

func TestSchemaAvailable(t *testing.T) {
	if ok, why := jsonapitest.Available(); !ok {
		t.Skip("documents are not checked against the JSON:API schema: " + why)
	}
}

// TestCRUD runs the create, fetch, update, delete sequence of the README.
func TestCRUD(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.do("POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36}}}`)
		if res.Code != http.StatusCreated {
			t.Fatalf("POST: status = %d, want 201\n%s", res.Code, res.Body)
		}
		want := `{"data":{"type":"person","id":"4","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36},` + personRels("4", "") + `,"links":{"self":"http://example.com/api/person/4"}},"links":{"self":"http://example.com/api/person/4"},"jsonapi":{"version":"1.1"}}`
		if got := strings.TrimSpace(string(res.Body)); got != want {
			t.Errorf("POST body:\ngot  %s\nwant %s", got, want)
		}
		loc := res.Header.Get("Location")
		if loc != "http://example.com/api/person/4" {
			t.Errorf("POST Location = %q, want http://example.com/api/person/4", loc)
		}
		path := strings.TrimPrefix(loc, testBase)

		res = e.do("GET", path, "")
		if res.Code != http.StatusOK || strings.TrimSpace(string(res.Body)) != want {
			t.Errorf("GET %s: %d\ngot  %s\nwant %s", path, res.Code, res.Body, want)
		}

		res = e.do("PATCH", path, `{"data":{"type":"person","id":"4","attributes":{"name":"Ada Lovelace"}}}`)
		if res.Code != http.StatusOK {
			t.Fatalf("PATCH: status = %d, want 200\n%s", res.Code, res.Body)
		}
		want = strings.Replace(want, `"Ada"`, `"Ada Lovelace"`, 1)
		if got := strings.TrimSpace(string(res.Body)); got != want {
			t.Errorf("PATCH body:\ngot  %s\nwant %s", got, want)
		}

		res = e.do("DELETE", path, "")
		if res.Code != http.StatusNoContent || len(res.Body) != 0 {
			t.Errorf("DELETE: status = %d, body %q; want 204 and no body", res.Code, res.Body)
		}
		res = e.do("GET", path, "")
		wantError(t, res, http.StatusNotFound, "")
		var n int
		if err := e.query(`SELECT count(*) FROM person WHERE name LIKE 'Ada%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows named Ada after DELETE = %d (%v), want 0", n, err)
		}
	})
}

func TestGetCollection(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.do("GET", "/api/person", "")
		if res.Code != http.StatusOK {
			t.Fatalf("status = %d\n%s", res.Code, res.Body)
		}
		want := `{"data":[` +
			`{"type":"person","id":"1","attributes":{"name":"Jeffrey","birth_date":"1991-04-02","age":35},` + personRels("1", "") + `,"links":{"self":"http://example.com/api/person/1"}},` +
			`{"type":"person","id":"2","attributes":{"name":"Hilda","birth_date":"1984-11-30","age":41},` + personRels("2", "") + `,"links":{"self":"http://example.com/api/person/2"}},` +
			`{"type":"person","id":"3","attributes":{"name":"Tomasz","birth_date":"2000-01-15","age":26},` + personRels("3", "") + `,"links":{"self":"http://example.com/api/person/3"}}],` +
			`"links":{"self":"http://example.com/api/person","first":"http://example.com/api/person?page%5Bnumber%5D=1\u0026page%5Bsize%5D=10","last":"http://example.com/api/person?page%5Bnumber%5D=1\u0026page%5Bsize%5D=10"},` +
			`"meta":{"total":3},"jsonapi":{"version":"1.1"}}`
		if got := strings.TrimSpace(string(res.Body)); got != want {
			t.Errorf("GET /api/person:\ngot  %s\nwant %s", got, want)
		}
	})
}

func TestPagination(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tests := []struct {
			name      string
			query     string
			wantIDs   []string
			wantLinks map[string]string // "" means absent
		}{
			{"first page", "page[size]=2", []string{"1", "2"}, map[string]string{
				"prev": "", "next": "page%5Bnumber%5D=2&page%5Bsize%5D=2", "last": "page%5Bnumber%5D=2&page%5Bsize%5D=2"}},
			{"second page", "page[number]=2&page[size]=2", []string{"3"}, map[string]string{
				"prev": "page%5Bnumber%5D=1&page%5Bsize%5D=2", "next": ""}},
			{"past the end", "page[number]=5&page[size]=2", []string{}, map[string]string{
				"prev": "page%5Bnumber%5D=2&page%5Bsize%5D=2", "next": ""}},
			{"default size", "", []string{"1", "2", "3"}, map[string]string{"prev": "", "next": ""}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := e.do("GET", "/api/person?"+tt.query, "")
				if res.Code != http.StatusOK {
					t.Fatalf("status = %d\n%s", res.Code, res.Body)
				}
				var doc struct {
					Data  []struct{ ID string }
					Links map[string]string
					Meta  map[string]int
				}
				if err := json.Unmarshal(res.Body, &doc); err != nil {
					t.Fatal(err)
				}
				ids := []string{}
				for _, d := range doc.Data {
					ids = append(ids, d.ID)
				}
				if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
				if doc.Meta["total"] != 3 {
					t.Errorf("meta.total = %d, want 3", doc.Meta["total"])
				}
				for name, q := range tt.wantLinks {
					got := doc.Links[name]
					want := ""
					if q != "" {
						want = "http://example.com/api/person?" + q
					}
					if got != want {
						t.Errorf("links.%s = %q, want %q", name, got, want)
					}
				}
			})
		}
	})
}

func TestBadQuery(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tests := []struct {
			path  string
			param string
		}{
			{"/api/person?page[size]=101", "page[size]"},
			{"/api/person?page[size]=0", "page[size]"},
			{"/api/person?page[size]=x", "page[size]"},
			{"/api/person?page[number]=-1", "page[number]"},
			{"/api/person?page[number]=1&page[number]=2", "page[number]"},
			{"/api/person?sort=shoe", "sort"},
			{"/api/person?sort=name,-name", "sort"},
			{"/api/person?filter[shoe]=1", "filter[shoe]"},
			{"/api/person?fields[person]=shoe", "fields[person]"},
			{"/api/person?fields[nothing]=name", "fields[nothing]"},
			{"/api/person?functions=[]", "functions"},
			{"/api/person?include=nothing", "include"},
			{"/api/person?include=computers.nothing", "include"},
			{"/api/person?include=computers.owner.computers.owner", "include"},
			{"/api/person?withCount=nothing", "withCount"},
			{"/api/computer?withCount=owner", "withCount"},
			{"/api/person?shoe=1", "shoe"},
			{"/api/person/1?page[size]=2", "page[size]"},
			{"/api/person/1?sort=name", "sort"},
			{"/api/person/1?filter[name]=x", "filter[name]"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				wantError(t, e.do("GET", tt.path, ""), http.StatusBadRequest, "?"+tt.param)
			})
		}
		e2 := wantError(t, e.do("GET", "/api/person?page[size]=101", ""), http.StatusBadRequest, "?page[size]")
		if got := e2["meta"]; !cmp.Equal(got, map[string]any{"page": map[string]any{"maxSize": float64(100)}}) {
			t.Errorf("meta = %v, want page.maxSize 100", got)
		}
	})
}

func TestGetItem(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.do("GET", "/api/computer/1", "")
		want := `{"data":{"type":"computer","id":"1","attributes":{"name":"lixie","vendor":"Dell","purchase_time":"2024-03-01T09:30:00Z"},` +
			`"relationships":{"owner":{"links":{"self":"http://example.com/api/computer/1/relationships/owner","related":"http://example.com/api/computer/1/owner"},"data":{"type":"person","id":"1"}}},` +
			`"links":{"self":"http://example.com/api/computer/1"}},"links":{"self":"http://example.com/api/computer/1"},"jsonapi":{"version":"1.1"}}`
		if res.Code != http.StatusOK || strings.TrimSpace(string(res.Body)) != want {
			t.Errorf("GET /api/computer/1: %d\ngot  %s\nwant %s", res.Code, res.Body, want)
		}
		for _, path := range []string{
			"/api/person/999", "/api/person/abc", "/api/person/99999999999999999999",
			"/api/person/-0", "/api/person/01", "/api/person/1.0", "/api/person/%20",
			"/api/person/", "/api/person/1/", "/api/nothing", "/api/", "/", "/api/person/1/relationships",
		} {
			t.Run(path, func(t *testing.T) {
				wantError(t, e.do("GET", path, ""), http.StatusNotFound, "")
			})
		}
	})
}

func TestMethods(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		ro := demo.Person()
		ro.ReadOnly = true
		e := newEnv(t, ro)
		tests := []struct {
			method, path string
			status       int
			allow        string
		}{
			{"PUT", "/api/person", 405, "GET, HEAD, OPTIONS"},
			{"POST", "/api/person", 405, "GET, HEAD, OPTIONS"},
			{"DELETE", "/api/person", 405, "GET, HEAD, OPTIONS"},
			{"DELETE", "/api/person/1", 405, "GET, HEAD, OPTIONS"},
			{"PUT", "/api/person/1", 405, "GET, HEAD, OPTIONS"},
			{"PATCH", "/api/person/1", 403, ""},
			{"OPTIONS", "/api/person", 204, "GET, HEAD, OPTIONS"},
			{"OPTIONS", "/api/person/1", 204, "GET, HEAD, OPTIONS"},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				body := ""
				if tt.method == "POST" || tt.method == "PATCH" || tt.method == "PUT" {
					body = `{"data":{"type":"person","id":"1","attributes":{"name":"X"}}}`
				}
				res := e.do(tt.method, tt.path, body)
				if tt.status == 204 {
					if res.Code != 204 {
						t.Errorf("status = %d, want 204", res.Code)
					}
				} else {
					wantError(t, res, tt.status, "")
				}
				if got := res.Header.Get("Allow"); got != tt.allow {
					t.Errorf("Allow = %q, want %q", got, tt.allow)
				}
			})
		}
		full := newEnv(t)
		res := full.do("PUT", "/api/person/1", "")
		wantError(t, res, 405, "")
		if got, want := res.Header.Get("Allow"), "GET, HEAD, PATCH, DELETE, OPTIONS"; got != want {
			t.Errorf("Allow = %q, want %q", got, want)
		}
	})
}

func TestNegotiation(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		post := `{"data":{"type":"person","attributes":{"name":"N"}}}`
		tests := []struct {
			name        string
			method      string
			body        string
			contentType string
			accept      string
			status      int
		}{
			{"plain accept", "GET", "", "", "application/vnd.api+json", 200},
			{"missing accept", "GET", "", "", "", 200},
			{"any type", "GET", "", "", "*/*", 200},
			{"browser accept", "GET", "", "", "text/html,application/xhtml+xml,*/*;q=0.8", 200},
			{"media type params only", "GET", "", "", "application/vnd.api+json; charset=utf-8", 406},
			{"one plain instance", "GET", "", "", "application/vnd.api+json; charset=utf-8, application/vnd.api+json", 200},
			{"unsupported ext", "GET", "", "", `application/vnd.api+json; ext="https://example.com/ext"`, 406},
			{"profile ignored", "GET", "", "", `application/vnd.api+json; profile="https://example.com/p"`, 200},
			{"other type", "GET", "", "", "application/json", 406},
			{"content type with charset", "POST", post, "application/vnd.api+json; charset=utf-8", "", 415},
			{"content type unsupported ext", "POST", post, `application/vnd.api+json; ext="https://example.com/ext"`, "", 415},
			{"content type json", "POST", post, "application/json", "", 415},
			{"no content type", "POST", post, "-", "", 415},
			{"content type with profile", "POST", post, `application/vnd.api+json; profile="https://example.com/p"`, "", 201},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequest(tt.method, "/api/person", strings.NewReader(tt.body))
				if tt.accept != "" {
					req.Header.Set("Accept", tt.accept)
				}
				switch tt.contentType {
				case "-":
				case "":
					if tt.body != "" {
						req.Header.Set("Content-Type", "application/vnd.api+json")
					}
				default:
					req.Header.Set("Content-Type", tt.contentType)
				}
				res := e.serve(req)
				if tt.status >= 400 {
					header := "Accept"
					if tt.status == 415 {
						header = "Content-Type"
					}
					wantError(t, res, tt.status, "header:"+header)
				} else if res.Code != tt.status {
					t.Errorf("status = %d, want %d\n%s", res.Code, tt.status, res.Body)
				}
				if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept") {
					t.Errorf("Vary = %q, want it to list Accept", res.Header.Values("Vary"))
				}
			})
		}
	})
}

func TestLinks(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		str := demo.Person()
		db := newEnv(t)
		db.exec(`CREATE TABLE tag (code TEXT PRIMARY KEY, label TEXT)`)
		db.exec(`INSERT INTO tag VALUES ('a b/c', 'odd')`)
		_ = str
		tags := &resourceTable{Name: "tag", IDColumn: "code", StringIDs: true, Attributes: []resource.Attribute{{Name: "label"}}}
		tests := []struct {
			name     string
			api      restless.API
			header   []string
			wantSelf string
		}{
			{"request host", restless.API{Prefix: "/api"}, nil, "http://svc.local/api/tag/a%20b%2Fc"},
			{"base url", restless.API{Prefix: "/api", BaseURL: "https://public.example/"}, nil, "https://public.example/api/tag/a%20b%2Fc"},
			{"untrusted forwarded", restless.API{Prefix: "/api"}, []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"}, "http://svc.local/api/tag/a%20b%2Fc"},
			{"trusted forwarded", restless.API{Prefix: "/api", TrustForwarded: true}, []string{"X-Forwarded-Host", "public.example", "X-Forwarded-Proto", "https"}, "https://public.example/api/tag/a%20b%2Fc"},
			{"trusted forwarded junk", restless.API{Prefix: "/api", TrustForwarded: true}, []string{"X-Forwarded-Host", "a\"b<c>", "X-Forwarded-Proto", "javascript"}, "http://svc.local/api/tag/a%20b%2Fc"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				api := tt.api
				api.DB, api.WriteDB, api.Dialect = db.api.DB, db.api.WriteDB, db.api.Dialect
				h, err := api.Handler(tags.table())
				if err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequest("GET", "http://svc.local/api/tag/a%20b%2Fc", nil)
				for i := 0; i+1 < len(tt.header); i += 2 {
					req.Header.Set(tt.header[i], tt.header[i+1])
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var doc struct {
					Data struct {
						ID    string
						Links map[string]string
					}
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
				if doc.Data.ID != "a b/c" || doc.Data.Links["self"] != tt.wantSelf {
					t.Errorf("id %q self %q, want %q %q", doc.Data.ID, doc.Data.Links["self"], "a b/c", tt.wantSelf)
				}
			})
		}
	})
}

func TestHandlerConfigErrors(t *testing.T) {
	dup := demo.Person()
	dup.Path = "computer"
	tests := []struct {
		name string
		api  restless.API
		res  []resource.Resource
	}{
		{"same type twice", restless.API{}, []resource.Resource{demo.Person(), demo.Person()}},
		{"same path twice", restless.API{}, []resource.Resource{dup, demo.Computer()}},
		{"relative prefix", restless.API{Prefix: "api"}, []resource.Resource{demo.Person()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.api.Handler(tt.res...); err == nil {
				t.Errorf("Handler: got no error")
			}
		})
	}
}

func TestErrorIDsAndNoSQL(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		req := httptest.NewRequest("GET", "/api/person/999", nil)
		req = req.WithContext(middleware.ContextWithRequestID(req.Context(), "req-42"))
		res := e.serve(req)
		got := wantError(t, res, 404, "")
		if got["id"] != "req-42" {
			t.Errorf("errors[0].id = %v, want req-42", got["id"])
		}
		if bytes.Contains(res.Body, []byte("SELECT")) {
			t.Errorf("body leaks SQL: %s", res.Body)
		}
	})
}

// personRels is the relationships member of person id; data is the
// computers linkage, or "" when it is not included.
func personRels(id, data string) string {
	s := `"relationships":{"computers":{"links":{"self":"http://example.com/api/person/` + id +
		`/relationships/computers","related":"http://example.com/api/person/` + id + `/computers"}`
	if data != "" {
		s += `,"data":` + data
	}
	return s + `}}`
}

func TestRoot(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.do("GET", "/api", "")
		want := `{"data":null,"links":{"self":"http://example.com/api","computer":"http://example.com/api/computer","person":"http://example.com/api/person"},` +
			`"meta":{"modelinfo":{"computer":{"primarykey":"id","url":"http://example.com/api/computer"},"person":{"primarykey":"id","url":"http://example.com/api/person"}},` +
			`"operations":{"mediaType":"application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"","url":"http://example.com/api/operations"}},"jsonapi":{"version":"1.1"}}`
		if res.Code != http.StatusOK || strings.TrimSpace(string(res.Body)) != want {
			t.Errorf("GET /api: %d\ngot  %s\nwant %s", res.Code, res.Body, want)
		}
		wantError(t, e.do("POST", "/api", `{"data":null}`), http.StatusMethodNotAllowed, "")
		wantError(t, e.do("GET", "/api?sort=x", ""), http.StatusBadRequest, "?sort")
		wantError(t, e.do("GET", "/api?fields[person]=name", ""), http.StatusBadRequest, "?fields[person]")
	})
}

// badSchema is a resource whose schema cannot be served.
type badSchema struct{ s *resource.Schema }

func (b badSchema) Schema() *resource.Schema { return b.s }
func (b badSchema) Select(context.Context) (sq.SelectBuilder, error) {
	return sq.Select().From("person"), nil
}

// A schema that cannot be served is refused when the handler is built,
// not answered with a 500 on every request: Handler and Routes return the
// error, the constructors of single handlers panic with it.
func TestInvalidSchemaAtBuildTime(t *testing.T) {
	id := resource.ID{Column: "id", Type: resource.Integer}
	tests := []struct {
		name   string
		schema resource.Schema
		want   string
	}{
		{"no type", resource.Schema{Table: "person", ID: id}, "has no type"},
		{"no id", resource.Schema{Type: "person", Table: "person"}, "has no id column"},
		{"float id", resource.Schema{Type: "person", Table: "person", ID: resource.ID{Column: "id", Type: resource.Float}}, "id type must be Integer or String"},
		{"attribute without column", resource.Schema{Type: "person", Table: "person", ID: id,
			Attributes: []resource.Attribute{{Name: "name"}}}, "has neither column nor expression"},
		{"duplicate member", resource.Schema{Type: "person", Table: "person", ID: id,
			Attributes: []resource.Attribute{{Name: "name", Column: "name"}, {Name: "name", Column: "name"}}}, "duplicate or reserved member"},
		{"soft delete without column", resource.Schema{Type: "person", Table: "person", ID: id,
			SoftDelete: &resource.SoftDelete{}}, "SoftDelete needs a column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := badSchema{&tt.schema}
			api := &restless.API{Prefix: "/api"}
			if _, err := api.Handler(res); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Handler: err = %v, want one containing %q", err, tt.want)
			}
			if _, err := api.Routes(res); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Routes: err = %v, want one containing %q", err, tt.want)
			}
			for name, build := range map[string]func(resource.Resource) http.Handler{
				"Collection": api.Collection, "Item": api.Item, "Related": api.Related,
				"Relationship": api.Relationship, "Eval": api.Eval,
				"Operations": func(r resource.Resource) http.Handler { return api.Operations(r) },
			} {
				func() {
					defer func() {
						v := recover()
						err, _ := v.(error)
						if err == nil || !strings.Contains(err.Error(), tt.want) {
							t.Errorf("%s: panic %v, want an error containing %q", name, v, tt.want)
						}
					}()
					build(res)
				}()
			}
		})
	}
}

// failingSelect is a resource whose reads fail with an error the client
// must not see.
type failingSelect struct{ *resource.Table }

func (failingSelect) Select(context.Context) (sq.SelectBuilder, error) {
	return sq.SelectBuilder{}, errors.New("secret cause: relation person_x does not exist")
}

// The cause of a 500 goes to the API's Logger, with the request id, and
// never into the reply.
func TestInternalErrorsLogToAPILogger(t *testing.T) {
	var log bytes.Buffer
	e := newEnvWith(t, func(api *restless.API) {
		api.Logger = slog.New(slog.NewTextHandler(&log, nil))
	}, failingSelect{demo.Person()})
	for _, path := range []string{"/api/person", "/api/person/1"} {
		log.Reset()
		req := httptest.NewRequest("GET", path, nil)
		req = req.WithContext(middleware.ContextWithRequestID(req.Context(), "req-500"))
		res := e.serve(req)
		wantError(t, res, http.StatusInternalServerError, "")
		if bytes.Contains(res.Body, []byte("secret cause")) {
			t.Errorf("GET %s: the reply shows the cause: %s", path, res.Body)
		}
		if got := log.String(); !strings.Contains(got, "secret cause") || !strings.Contains(got, "request_id=req-500") {
			t.Errorf("GET %s: API.Logger got %q, want the cause and the request id", path, got)
		}
	}
}
