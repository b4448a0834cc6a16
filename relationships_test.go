package restless_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// ---------------------------------------------------------------------------
// Helpers of this file (prefix rl).

// rlDoc is a decoded top-level document.
type rlDoc struct {
	Data     json.RawMessage `json:"data"`
	Included []rlObj         `json:"included"`
	Links    map[string]any  `json:"links"`
	Meta     map[string]any  `json:"meta"`
}

// rlRel is a decoded relationship object.
type rlRel struct {
	Data  json.RawMessage   `json:"data"`
	Links map[string]string `json:"links"`
}

// rlObj is a decoded resource object or resource identifier.
type rlObj struct {
	Type          string            `json:"type"`
	ID            string            `json:"id"`
	Attributes    map[string]any    `json:"attributes"`
	Relationships map[string]rlRel  `json:"relationships"`
	Links         map[string]string `json:"links"`
	Meta          map[string]any    `json:"meta"`
}

// rlDecode decodes a response body as a document.
func rlDecode(t *testing.T, res *response) *rlDoc {
	t.Helper()
	var d rlDoc
	if err := json.Unmarshal(res.Body, &d); err != nil {
		t.Fatalf("body is not a document: %v\n%s", err, res.Body)
	}
	return &d
}

// rlStatus fails the test now unless res has status.
func rlStatus(t *testing.T, res *response, status int) {
	t.Helper()
	if res.Code != status {
		t.Fatalf("status = %d, want %d\n%s", res.Code, status, res.Body)
	}
}

// rlGet sends GET path, wants 200 and returns the document.
func rlGet(t *testing.T, e *env, path string) *rlDoc {
	t.Helper()
	res := e.do(http.MethodGet, path, "")
	rlStatus(t, res, http.StatusOK)
	return rlDecode(t, res)
}

// rlList returns the primary data of a collection document.
func rlList(t *testing.T, d *rlDoc) []rlObj {
	t.Helper()
	raw := strings.TrimSpace(string(d.Data))
	if !strings.HasPrefix(raw, "[") {
		t.Fatalf("data is not an array: %s", raw)
	}
	var out []rlObj
	if err := json.Unmarshal(d.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// rlObject returns the primary data of a single-resource document, or
// nil when it is null.
func rlObject(t *testing.T, d *rlDoc) *rlObj {
	t.Helper()
	raw := strings.TrimSpace(string(d.Data))
	if raw == "null" {
		return nil
	}
	if !strings.HasPrefix(raw, "{") {
		t.Fatalf("data is not an object or null: %s", raw)
	}
	var o rlObj
	if err := json.Unmarshal(d.Data, &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

// rlKeys returns "type:id" of each object, in order.
func rlKeys(objs []rlObj) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.Type+":"+o.ID)
	}
	return out
}

// rlSorted returns the keys sorted.
func rlSorted(objs []rlObj) []string {
	k := rlKeys(objs)
	slices.Sort(k)
	return k
}

// rlWant compares got and want.
func rlWant(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// rlIdent is a resource identifier.
func rlIdent(typ, id string) string {
	return `{"type":"` + typ + `","id":"` + id + `"}`
}

// rlMany is a to-many linkage document of type typ.
func rlMany(typ string, ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = rlIdent(typ, id)
	}
	return `{"data":[` + strings.Join(parts, ",") + `]}`
}

// rlOne is a to-one linkage document; an empty id is null.
func rlOne(typ, id string) string {
	if id == "" {
		return `{"data":null}`
	}
	return `{"data":` + rlIdent(typ, id) + `}`
}

// rlTables lists the tables of e's database.
func rlTables(e *env) []string {
	e.t.Helper()
	rows, err := e.db.Reader.Query(e.pick(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
		`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`))
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// rlSame runs f and fails if it changed any table (person, computer and,
// when present, users, friendship, pet).
func rlSame(e *env, f func()) {
	e.t.Helper()
	e.unchanged(f, rlTables(e)...)
}

// rlFK returns id → foreign key ("NULL" for none) of every row of table.
func rlFK(t *testing.T, e *env, table, idCol, fk string) map[string]string {
	t.Helper()
	rows, err := e.db.Reader.Query(`SELECT "` + idCol + `", "` + fk + `" FROM "` + table + `" ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, v any
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		out[rlText(id)] = rlText(v)
	}
	return out
}

func rlText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// rlOwners returns computer id → owner_id.
func rlOwners(t *testing.T, e *env) map[string]string {
	t.Helper()
	return rlFK(t, e, "computer", "id", "owner_id")
}

// rlWantAllow checks the Allow header.
func rlWantAllow(t *testing.T, res *response, want string) {
	t.Helper()
	if got := res.Header.Get("Allow"); got != want {
		t.Errorf("Allow = %q, want %q", got, want)
	}
}

// rlPetSchema is a to-many whose foreign key cannot be NULL.
const rlPetSchema = `CREATE TABLE pet (id INTEGER PRIMARY KEY, name TEXT, person_id INTEGER NOT NULL REFERENCES person(id));
INSERT INTO pet (id, name, person_id) VALUES (1, 'Rex', 1), (2, 'Tom', 1), (3, 'Nemo', 2);`

// rlPetSchemaPostgres is rlPetSchema for PostgreSQL, whose keys count up
// from an identity column where SQLite's INTEGER PRIMARY KEY does it.
const rlPetSchemaPostgres = `CREATE TABLE pet (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT, person_id BIGINT NOT NULL REFERENCES person(id));
INSERT INTO pet (id, name, person_id) VALUES (1, 'Rex', 1), (2, 'Tom', 1), (3, 'Nemo', 2);`

// rlPetEnv serves person (with computers and pets), computer and pet;
// mod changes the person table.
func rlPetEnv(t *testing.T, mod func(p *resource.Table)) *env {
	t.Helper()
	p := demo.Person()
	p.Relationships = append(p.Relationships,
		resource.Relationship{Name: "pets", Type: "pet", Kind: resource.ToMany, ForeignKey: "person_id"})
	if mod != nil {
		mod(p)
	}
	pet := &resource.Table{
		Name:       "pet",
		Attributes: []resource.Attribute{{Name: "name"}},
		Relationships: []resource.Relationship{
			{Name: "owner", Type: "person", Kind: resource.ToOne, ForeignKey: "person_id"},
		},
	}
	e := newEnv(t, p, demo.Computer(), pet)
	e.exec(e.pick(rlPetSchema, rlPetSchemaPostgres))
	return e
}

// rlUsersEnv serves the demo and seed 004's users.
func rlUsersEnv(t *testing.T, users *resource.Table) *env {
	t.Helper()
	if users == nil {
		users = demo.Users()
	}
	e := newEnv(t, demo.Person(), demo.Computer(), users)
	e.loadUsers()
	return e
}

// rlPersonEnv serves a modified person beside a modified computer.
func rlPersonEnv(t *testing.T, pmod, cmod func(*resource.Table)) *env {
	t.Helper()
	p, c := demo.Person(), demo.Computer()
	if pmod != nil {
		pmod(p)
	}
	if cmod != nil {
		cmod(c)
	}
	return newEnv(t, p, c)
}

// rlRelMod changes the relationship name of a table.
func rlRelMod(name string, f func(r *resource.Relationship)) func(*resource.Table) {
	return func(tb *resource.Table) {
		for i := range tb.Relationships {
			if tb.Relationships[i].Name == name {
				f(&tb.Relationships[i])
			}
		}
	}
}

// rlBadCase is a request that must fail with status and source and leave
// the database unchanged.
type rlBadCase struct {
	name   string
	method string
	path   string
	body   string
	status int
	source string
}

func rlRunBad(t *testing.T, e func(t *testing.T) *env, cases []rlBadCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := e(t)
			rlSame(e, func() {
				res := e.do(tt.method, tt.path, tt.body)
				wantError(t, res, tt.status, tt.source)
			})
		})
	}
}

// ---------------------------------------------------------------------------
// 1. Related endpoints.

func TestRelatedEndpoints(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		e.exec(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (4, 'zx', 'Sinclair', NULL, NULL)`)

		t.Run("to-many is a full collection", func(t *testing.T) {
			d := rlGet(t, e, "/api/person/1/computers")
			objs := rlList(t, d)
			rlWant(t, "data", rlKeys(objs), []string{"computer:1", "computer:2"})
			if got := d.Links["self"]; got != testBase+"/api/person/1/computers" {
				t.Errorf("links.self = %v", got)
			}
			if got := d.Meta["total"]; got != float64(2) {
				t.Errorf("meta.total = %v, want 2", got)
			}
			for _, o := range objs {
				if o.Attributes["name"] == nil || o.Attributes["vendor"] == nil {
					t.Errorf("%s:%s lacks attributes: %v", o.Type, o.ID, o.Attributes)
				}
				if got, want := o.Links["self"], testBase+"/api/computer/"+o.ID; got != want {
					t.Errorf("links.self = %q, want %q", got, want)
				}
				owner := o.Relationships["owner"]
				if string(owner.Data) != rlIdent("person", "1") {
					t.Errorf("relationships.owner.data = %s", owner.Data)
				}
			}
		})

		tests := []struct {
			name     string
			path     string
			want     []string
			total    float64
			attrs    []string // attribute names each object has; nil: not checked
			included []string
			next     string // wanted page[number] of links.next; "" for none
		}{
			{name: "filter", path: "/api/person/1/computers?filter[vendor]=Apple", want: []string{"computer:2"}, total: 1},
			{name: "filter no match", path: "/api/person/1/computers?filter[vendor]=Lenovo", want: []string{}, total: 0},
			{name: "sort", path: "/api/person/1/computers?sort=name", want: []string{"computer:2", "computer:1"}, total: 2},
			{name: "sort desc", path: "/api/person/1/computers?sort=-name", want: []string{"computer:1", "computer:2"}, total: 2},
			{name: "page 1", path: "/api/person/1/computers?page[size]=1", want: []string{"computer:1"}, total: 2, next: "2"},
			{name: "page 2", path: "/api/person/1/computers?page[size]=1&page[number]=2", want: []string{"computer:2"}, total: 2},
			{name: "fields", path: "/api/person/1/computers?fields[computer]=name", want: []string{"computer:1", "computer:2"}, total: 2, attrs: []string{"name"}},
			{name: "include", path: "/api/person/1/computers?include=owner", want: []string{"computer:1", "computer:2"}, total: 2, included: []string{"person:1"}},
			{name: "other parent", path: "/api/person/2/computers", want: []string{"computer:3"}, total: 1},
			{name: "no members", path: "/api/person/3/computers", want: []string{}, total: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d := rlGet(t, e, tt.path)
				objs := rlList(t, d)
				rlWant(t, "data", rlKeys(objs), tt.want)
				if got := d.Meta["total"]; got != tt.total {
					t.Errorf("meta.total = %v, want %v", got, tt.total)
				}
				self, _ := d.Links["self"].(string)
				if !strings.HasPrefix(self, testBase+"/api/person/") {
					t.Errorf("links.self = %q", self)
				}
				if tt.attrs != nil {
					for _, o := range objs {
						rlWant(t, "attribute names", slices.Sorted(maps.Keys(o.Attributes)), tt.attrs)
					}
				}
				if tt.included != nil {
					rlWant(t, "included", rlSorted(d.Included), tt.included)
				} else if d.Included != nil {
					t.Errorf("included = %v, want none", rlKeys(d.Included))
				}
				next, _ := d.Links["next"].(string)
				if tt.next == "" {
					if next != "" {
						t.Errorf("links.next = %q, want none", next)
					}
					return
				}
				u, err := url.Parse(next)
				if err != nil || u.Scheme+"://"+u.Host+u.Path != testBase+"/api/person/1/computers" {
					t.Fatalf("links.next = %q", next)
				}
				if got := u.Query().Get("page[number]"); got != tt.next {
					t.Errorf("links.next page[number] = %q, want %q", got, tt.next)
				}
			})
		}

		t.Run("to-one is the object", func(t *testing.T) {
			d := rlGet(t, e, "/api/computer/1/owner")
			o := rlObject(t, d)
			if o == nil || o.Type != "person" || o.ID != "1" || o.Attributes["name"] != "Jeffrey" {
				t.Fatalf("data = %s", d.Data)
			}
			if got := d.Links["self"]; got != testBase+"/api/computer/1/owner" {
				t.Errorf("links.self = %v", got)
			}
		})
		t.Run("to-one with include and fields", func(t *testing.T) {
			d := rlGet(t, e, "/api/computer/3/owner?include=computers&fields[person]=name,computers")
			o := rlObject(t, d)
			if o == nil || o.ID != "2" {
				t.Fatalf("data = %s", d.Data)
			}
			rlWant(t, "attribute names", slices.Sorted(maps.Keys(o.Attributes)), []string{"name"})
			rlWant(t, "included", rlSorted(d.Included), []string{"computer:3"})
		})
		t.Run("to-one null", func(t *testing.T) {
			d := rlGet(t, e, "/api/computer/4/owner")
			if o := rlObject(t, d); o != nil {
				t.Errorf("data = %s, want null", d.Data)
			}
			if got := d.Links["self"]; got != testBase+"/api/computer/4/owner" {
				t.Errorf("links.self = %v", got)
			}
		})

		notFound := []struct{ name, path string }{
			{"unknown relationship", "/api/person/1/nothing"},
			{"unknown relationship of computer", "/api/computer/1/computers"},
			{"missing parent to-many", "/api/person/999/computers"},
			{"missing parent to-one", "/api/computer/999/owner"},
			{"parent id not an integer", "/api/person/abc/computers"},
		}
		for _, tt := range notFound {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, e.do(http.MethodGet, tt.path, ""), http.StatusNotFound, "")
			})
		}

		for _, path := range []string{"/api/person/1/computers", "/api/computer/1/owner"} {
			for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
				t.Run(m+" "+path, func(t *testing.T) {
					body := rlMany("computer", "3")
					if strings.HasSuffix(path, "owner") {
						body = rlOne("person", "2")
					}
					rlSame(e, func() {
						res := e.do(m, path, body)
						wantError(t, res, http.StatusMethodNotAllowed, "")
						rlWantAllow(t, res, "GET, HEAD, OPTIONS")
					})
				})
			}
		}
	})
}

// ---------------------------------------------------------------------------
// 2. Relationship endpoints: GET.

func TestRelationshipGet(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		e.exec(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (4, 'zx', 'Sinclair', NULL, NULL)`)

		t.Run("to-many", func(t *testing.T) {
			res := e.do(http.MethodGet, "/api/person/1/relationships/computers", "")
			rlStatus(t, res, http.StatusOK)
			var raw struct {
				Data  []map[string]any `json:"data"`
				Links map[string]any   `json:"links"`
			}
			if err := json.Unmarshal(res.Body, &raw); err != nil {
				t.Fatal(err)
			}
			rlWant(t, "data", raw.Data, []map[string]any{
				{"type": "computer", "id": "1"},
				{"type": "computer", "id": "2"},
			})
			rlWant(t, "links.self", raw.Links["self"], testBase+"/api/person/1/relationships/computers")
			rlWant(t, "links.related", raw.Links["related"], testBase+"/api/person/1/computers")
		})
		t.Run("to-many paginated", func(t *testing.T) {
			d := rlGet(t, e, "/api/person/1/relationships/computers?page[size]=1")
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"computer:1"})
			rlWant(t, "links.related", d.Links["related"], testBase+"/api/person/1/computers")
			next, _ := d.Links["next"].(string)
			u, err := url.Parse(next)
			if next == "" || err != nil {
				t.Fatalf("links.next = %q", next)
			}
			if u.Path != "/api/person/1/relationships/computers" || u.Query().Get("page[number]") != "2" || u.Query().Get("page[size]") != "1" {
				t.Errorf("links.next = %q", next)
			}
			d2 := rlGet(t, e, u.RequestURI())
			rlWant(t, "page 2 data", rlKeys(rlList(t, d2)), []string{"computer:2"})
			if n, _ := d2.Links["next"].(string); n != "" {
				t.Errorf("page 2 links.next = %q, want none", n)
			}
		})
		t.Run("to-many empty", func(t *testing.T) {
			d := rlGet(t, e, "/api/person/3/relationships/computers")
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{})
		})
		t.Run("to-one", func(t *testing.T) {
			res := e.do(http.MethodGet, "/api/computer/1/relationships/owner", "")
			rlStatus(t, res, http.StatusOK)
			var raw struct {
				Data  map[string]any `json:"data"`
				Links map[string]any `json:"links"`
			}
			if err := json.Unmarshal(res.Body, &raw); err != nil {
				t.Fatal(err)
			}
			rlWant(t, "data", raw.Data, map[string]any{"type": "person", "id": "1"})
			rlWant(t, "links.self", raw.Links["self"], testBase+"/api/computer/1/relationships/owner")
			rlWant(t, "links.related", raw.Links["related"], testBase+"/api/computer/1/owner")
		})
		t.Run("to-one null", func(t *testing.T) {
			d := rlGet(t, e, "/api/computer/4/relationships/owner")
			if string(d.Data) != "null" {
				t.Errorf("data = %s, want null", d.Data)
			}
		})
		t.Run("unknown relationship", func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, "/api/person/1/relationships/nothing", ""), http.StatusNotFound, "")
		})
		t.Run("missing parent", func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, "/api/person/999/relationships/computers", ""), http.StatusNotFound, "")
			wantError(t, e.do(http.MethodGet, "/api/computer/999/relationships/owner", ""), http.StatusNotFound, "")
		})
		t.Run("OPTIONS", func(t *testing.T) {
			res := e.do(http.MethodOptions, "/api/person/1/relationships/computers", "")
			rlWantAllow(t, res, "GET, HEAD, PATCH, POST, DELETE, OPTIONS")
			res = e.do(http.MethodOptions, "/api/computer/1/relationships/owner", "")
			rlWantAllow(t, res, "GET, HEAD, PATCH, OPTIONS")
		})
	})
}

// ---------------------------------------------------------------------------
// 3. PATCH of a to-one relationship.

func TestToOnePatch(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const path = "/api/computer/1/relationships/owner"
		t.Run("set", func(t *testing.T) {
			e := newEnv(t)
			rlStatus(t, e.do(http.MethodPatch, path, rlOne("person", "2")), http.StatusNoContent)
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "2", "2": "1", "3": "2"})
			d := rlGet(t, e, path)
			if string(d.Data) != rlIdent("person", "2") {
				t.Errorf("GET data = %s", d.Data)
			}
		})
		t.Run("null", func(t *testing.T) {
			e := newEnv(t)
			rlStatus(t, e.do(http.MethodPatch, path, rlOne("person", "")), http.StatusNoContent)
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "NULL", "2": "1", "3": "2"})
			if d := rlGet(t, e, path); string(d.Data) != "null" {
				t.Errorf("GET data = %s", d.Data)
			}
		})
		t.Run("same owner again", func(t *testing.T) {
			e := newEnv(t)
			rlSame(e, func() {
				rlStatus(t, e.do(http.MethodPatch, path, rlOne("person", "1")), http.StatusNoContent)
			})
		})
		rlRunBad(t, func(t *testing.T) *env { return newEnv(t) }, []rlBadCase{
			{"wrong type", http.MethodPatch, path, rlOne("computer", "2"), http.StatusConflict, "/data/type"},
			{"missing target", http.MethodPatch, path, rlOne("person", "999"), http.StatusNotFound, "/data/id"},
			{"target id not an integer", http.MethodPatch, path, rlOne("person", "abc"), http.StatusNotFound, "/data/id"},
			{"malformed body", http.MethodPatch, path, `{"data":`, http.StatusBadRequest, "/"},
			{"body not an object", http.MethodPatch, path, `[]`, http.StatusBadRequest, "/"},
			{"no data", http.MethodPatch, path, `{}`, http.StatusBadRequest, "/"},
			{"data a list", http.MethodPatch, path, `{"data":[` + rlIdent("person", "2") + `]}`, http.StatusBadRequest, "/data"},
			{"data a string", http.MethodPatch, path, `{"data":"2"}`, http.StatusBadRequest, "/data"},
			{"identifier without type", http.MethodPatch, path, `{"data":{"id":"2"}}`, http.StatusBadRequest, "/data"},
			{"identifier with numeric id", http.MethodPatch, path, `{"data":{"type":"person","id":2}}`, http.StatusBadRequest, "/data"},
			{"missing parent", http.MethodPatch, "/api/computer/999/relationships/owner", rlOne("person", "2"), http.StatusNotFound, ""},
		})
		for _, m := range []string{http.MethodPost, http.MethodDelete} {
			t.Run(m, func(t *testing.T) {
				e := newEnv(t)
				rlSame(e, func() {
					res := e.do(m, path, rlOne("person", "2"))
					wantError(t, res, http.StatusMethodNotAllowed, "")
					rlWantAllow(t, res, "GET, HEAD, PATCH, OPTIONS")
				})
			})
		}
	})
}

// ---------------------------------------------------------------------------
// 4. To-many relationships held by a foreign key of the related table.

func TestToManyForeignKey(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const path = "/api/person/1/relationships/computers"
		tests := []struct {
			name   string
			method string
			body   string
			owners map[string]string // computer id → owner_id after
			linked []string          // GET of the linkage after
		}{
			{"POST adds and moves", http.MethodPost, rlMany("computer", "3"),
				map[string]string{"1": "1", "2": "1", "3": "1"}, []string{"computer:1", "computer:2", "computer:3"}},
			{"POST existing member is a no-op", http.MethodPost, rlMany("computer", "1"),
				map[string]string{"1": "1", "2": "1", "3": "2"}, []string{"computer:1", "computer:2"}},
			{"POST duplicates and members", http.MethodPost, rlMany("computer", "3", "1", "3"),
				map[string]string{"1": "1", "2": "1", "3": "1"}, []string{"computer:1", "computer:2", "computer:3"}},
			{"POST empty list", http.MethodPost, rlMany("computer"),
				map[string]string{"1": "1", "2": "1", "3": "2"}, []string{"computer:1", "computer:2"}},
			{"PATCH replaces", http.MethodPatch, rlMany("computer", "2", "3"),
				map[string]string{"1": "NULL", "2": "1", "3": "1"}, []string{"computer:2", "computer:3"}},
			{"PATCH same members", http.MethodPatch, rlMany("computer", "2", "1"),
				map[string]string{"1": "1", "2": "1", "3": "2"}, []string{"computer:1", "computer:2"}},
			{"PATCH [] clears", http.MethodPatch, rlMany("computer"),
				map[string]string{"1": "NULL", "2": "NULL", "3": "2"}, []string{}},
			{"DELETE removes", http.MethodDelete, rlMany("computer", "1"),
				map[string]string{"1": "NULL", "2": "1", "3": "2"}, []string{"computer:2"}},
			{"DELETE all", http.MethodDelete, rlMany("computer", "1", "2"),
				map[string]string{"1": "NULL", "2": "NULL", "3": "2"}, []string{}},
			{"DELETE non-member is a no-op", http.MethodDelete, rlMany("computer", "3"),
				map[string]string{"1": "1", "2": "1", "3": "2"}, []string{"computer:1", "computer:2"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				persons := e.rows("person")
				res := e.do(tt.method, path, tt.body)
				rlStatus(t, res, http.StatusNoContent)
				if len(res.Body) != 0 {
					t.Errorf("204 with a body: %s", res.Body)
				}
				rlWant(t, "owners", rlOwners(t, e), tt.owners)
				rlWant(t, "person rows", e.rows("person"), persons)
				rlWant(t, "linkage", rlKeys(rlList(t, rlGet(t, e, path))), tt.linked)
			})
		}

		rlRunBad(t, func(t *testing.T) *env { return newEnv(t) }, []rlBadCase{
			{"POST missing member", http.MethodPost, path, rlMany("computer", "3", "999"), http.StatusNotFound, "/data/1/id"},
			{"PATCH missing member", http.MethodPatch, path, rlMany("computer", "999"), http.StatusNotFound, "/data/0/id"},
			{"DELETE missing member", http.MethodDelete, path, rlMany("computer", "1", "999"), http.StatusNotFound, "/data/1/id"},
			{"member id not an integer", http.MethodPost, path, rlMany("computer", "x"), http.StatusNotFound, "/data/0/id"},
			{"POST wrong type", http.MethodPost, path, `{"data":[` + rlIdent("computer", "3") + `,` + rlIdent("person", "2") + `]}`, http.StatusConflict, "/data/1/type"},
			{"PATCH wrong type", http.MethodPatch, path, `{"data":[` + rlIdent("person", "2") + `]}`, http.StatusConflict, "/data/0/type"},
			{"DELETE wrong type", http.MethodDelete, path, `{"data":[` + rlIdent("person", "1") + `]}`, http.StatusConflict, "/data/0/type"},
			{"data an identifier", http.MethodPatch, path, rlOne("computer", "1"), http.StatusBadRequest, "/data"},
			{"data null", http.MethodPatch, path, `{"data":null}`, http.StatusBadRequest, "/data"},
			{"member not an object", http.MethodPost, path, `{"data":["3"]}`, http.StatusBadRequest, "/data/0"},
			{"no data", http.MethodPost, path, `{"meta":{}}`, http.StatusBadRequest, "/"},
			{"malformed", http.MethodPost, path, `{"data":[}`, http.StatusBadRequest, "/"},
			{"missing parent", http.MethodPost, "/api/person/999/relationships/computers", rlMany("computer", "3"), http.StatusNotFound, ""},
			{"unknown relationship", http.MethodPost, "/api/person/1/relationships/nothing", rlMany("computer", "3"), http.StatusNotFound, ""},
		})

		t.Run("NOT NULL foreign key", func(t *testing.T) {
			const pets = "/api/person/1/relationships/pets"
			rlRunBad(t, func(t *testing.T) *env { return rlPetEnv(t, nil) }, []rlBadCase{
				{"DELETE", http.MethodDelete, pets, rlMany("pet", "1"), http.StatusConflict, "/data"},
				{"PATCH drops one", http.MethodPatch, pets, rlMany("pet", "1"), http.StatusConflict, "/data"},
				{"PATCH drops one adds another", http.MethodPatch, pets, rlMany("pet", "1", "3"), http.StatusConflict, "/data"},
				{"PATCH []", http.MethodPatch, pets, rlMany("pet"), http.StatusConflict, "/data"},
			})
			okCases := []struct {
				name, method, body string
				want               map[string]string
			}{
				{"POST moves a pet", http.MethodPost, rlMany("pet", "3"), map[string]string{"1": "1", "2": "1", "3": "1"}},
				{"PATCH keeps all and adds", http.MethodPatch, rlMany("pet", "1", "2", "3"), map[string]string{"1": "1", "2": "1", "3": "1"}},
				{"DELETE non-member", http.MethodDelete, rlMany("pet", "3"), map[string]string{"1": "1", "2": "1", "3": "2"}},
			}
			for _, tt := range okCases {
				t.Run(tt.name, func(t *testing.T) {
					e := rlPetEnv(t, nil)
					rlStatus(t, e.do(tt.method, pets, tt.body), http.StatusNoContent)
					rlWant(t, "pets", rlFK(t, e, "pet", "id", "person_id"), tt.want)
				})
			}
		})

		t.Run("row filter of the target", func(t *testing.T) {
			hideLenovo := func(c *resource.Table) {
				c.Filter = func(context.Context) (sq.Sqlizer, error) {
					return sq.NotEq{"computer.vendor": "Lenovo"}, nil
				}
			}
			mk := func(t *testing.T) *env { return rlPersonEnv(t, nil, hideLenovo) }
			rlRunBad(t, mk, []rlBadCase{
				{"POST hidden member", http.MethodPost, path, rlMany("computer", "3"), http.StatusNotFound, "/data/0/id"},
				{"PATCH hidden member", http.MethodPatch, path, rlMany("computer", "1", "3"), http.StatusNotFound, "/data/1/id"},
				{"DELETE hidden member", http.MethodDelete, "/api/person/2/relationships/computers", rlMany("computer", "3"), http.StatusNotFound, "/data/0/id"},
			})
			t.Run("PATCH [] leaves hidden members", func(t *testing.T) {
				e := mk(t)
				rlSame(e, func() {
					rlStatus(t, e.do(http.MethodPatch, "/api/person/2/relationships/computers", rlMany("computer")), http.StatusNoContent)
				})
			})
			hideTomasz := func(p *resource.Table) {
				p.Filter = func(context.Context) (sq.Sqlizer, error) {
					return sq.NotEq{"person.name": "Tomasz"}, nil
				}
			}
			rlRunBad(t, func(t *testing.T) *env { return rlPersonEnv(t, hideTomasz, nil) }, []rlBadCase{
				{"hidden parent", http.MethodPost, "/api/person/3/relationships/computers", rlMany("computer", "1"), http.StatusNotFound, ""},
				{"to-one hidden target", http.MethodPatch, "/api/computer/1/relationships/owner", rlOne("person", "3"), http.StatusNotFound, "/data/id"},
			})
			t.Run("GET shows visible members only", func(t *testing.T) {
				e := mk(t)
				rlWant(t, "linkage", rlKeys(rlList(t, rlGet(t, e, "/api/person/2/relationships/computers"))), []string{})
				rlWant(t, "related", rlKeys(rlList(t, rlGet(t, e, "/api/person/2/computers"))), []string{})
			})
		})
	})
}

// ---------------------------------------------------------------------------
// 5. Switches.

func TestLinkSwitches(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const many = "/api/person/1/relationships/computers"
		const one = "/api/computer/1/relationships/owner"
		type req struct {
			method, path, body string
			status             int
		}
		tests := []struct {
			name       string
			pmod, cmod func(*resource.Table)
			reqs       []req
		}{
			{"NoReplace", rlRelMod("computers", func(r *resource.Relationship) { r.NoReplace = true }), nil, []req{
				{http.MethodPatch, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodPatch, many, rlMany("computer"), http.StatusForbidden},
				{http.MethodPost, many, rlMany("computer", "3"), http.StatusNoContent},
				{http.MethodDelete, many, rlMany("computer", "1"), http.StatusNoContent},
			}},
			{"NoRemove", rlRelMod("computers", func(r *resource.Relationship) { r.NoRemove = true }), nil, []req{
				{http.MethodDelete, many, rlMany("computer", "1"), http.StatusForbidden},
				{http.MethodPost, many, rlMany("computer", "3"), http.StatusNoContent},
			}},
			{"ReadOnly to-many", rlRelMod("computers", func(r *resource.Relationship) { r.ReadOnly = true }), nil, []req{
				{http.MethodPatch, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodPost, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodDelete, many, rlMany("computer", "1"), http.StatusForbidden},
				{http.MethodGet, many, "", http.StatusOK},
			}},
			{"ReadOnly to-one", nil, rlRelMod("owner", func(r *resource.Relationship) { r.ReadOnly = true }), []req{
				{http.MethodPatch, one, rlOne("person", "2"), http.StatusForbidden},
				{http.MethodGet, one, "", http.StatusOK},
			}},
			{"parent NoUpdate", func(p *resource.Table) { p.NoUpdate = true }, func(c *resource.Table) { c.NoUpdate = true }, []req{
				{http.MethodPatch, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodPost, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodDelete, many, rlMany("computer", "1"), http.StatusForbidden},
				{http.MethodPatch, one, rlOne("person", "2"), http.StatusForbidden},
			}},
			{"parent ReadOnly", func(p *resource.Table) { p.ReadOnly = true }, func(c *resource.Table) { c.ReadOnly = true }, []req{
				{http.MethodPatch, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodPost, many, rlMany("computer", "3"), http.StatusForbidden},
				{http.MethodDelete, many, rlMany("computer", "1"), http.StatusForbidden},
				{http.MethodPatch, one, rlOne("person", "2"), http.StatusForbidden},
			}},
		}
		for _, tt := range tests {
			for _, rq := range tt.reqs {
				t.Run(tt.name+" "+rq.method+" "+rq.path, func(t *testing.T) {
					e := rlPersonEnv(t, tt.pmod, tt.cmod)
					if rq.status == http.StatusForbidden {
						rlSame(e, func() { wantError(t, e.do(rq.method, rq.path, rq.body), rq.status, "") })
						return
					}
					rlStatus(t, e.do(rq.method, rq.path, rq.body), rq.status)
				})
			}
		}
	})
}

// ---------------------------------------------------------------------------
// 6. Seed 004: users, their mom and their friends with linkage meta.

func TestSeed004Friends(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := rlUsersEnv(t, nil)
		const (
			mom   = "mom@example.com"
			ryan  = "ryan@example.com"
			bob   = "bob@example.com"
			alice = "alice@example.com"
		)
		friends := "/api/users/" + ryan + "/relationships/friends"
		friend := func(id, met string) string {
			return `{"type":"users","id":"` + id + `","meta":{"met":"` + met + `"}}`
		}
		// linked returns the friends of ryan as id → met (or "NULL").
		linked := func(t *testing.T) map[string]string {
			t.Helper()
			d := rlGet(t, e, friends)
			rlWant(t, "links.self", d.Links["self"], testBase+"/api/users/"+ryan+"/relationships/friends")
			rlWant(t, "links.related", d.Links["related"], testBase+"/api/users/"+ryan+"/friends")
			out := map[string]string{}
			for _, o := range rlList(t, d) {
				if o.Type != "users" {
					t.Errorf("member type = %q", o.Type)
				}
				if o.Meta == nil {
					t.Errorf("%s has no meta", o.ID)
					continue
				}
				if c, _ := o.Meta["created"].(string); c == "" {
					t.Errorf("%s: meta.created = %v, want a timestamp", o.ID, o.Meta["created"])
				}
				if _, ok := o.Meta["met"]; !ok {
					t.Errorf("%s: meta lacks met: %v", o.ID, o.Meta)
				}
				met, _ := o.Meta["met"].(string)
				if o.Meta["met"] == nil {
					met = "NULL"
				}
				out[o.ID] = met
			}
			return out
		}
		table := func(t *testing.T) map[string]string {
			t.Helper()
			rows, err := e.db.Reader.Query(e.placeholders(`SELECT friend_id, met FROM friendship WHERE user_id = ?`), ryan)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]string{}
			for rows.Next() {
				var f string
				var met any
				if err := rows.Scan(&f, &met); err != nil {
					t.Fatal(err)
				}
				out[f] = rlText(met)
			}
			return out
		}

		// Create the users.
		for _, u := range []struct{ id, body string }{
			{mom, `{"data":{"type":"users","id":"` + mom + `","attributes":{"gender":"female","password":"secret"}}}`},
			{ryan, `{"data":{"type":"users","id":"` + ryan + `","attributes":{"gender":"male"},"relationships":{"mom":` + rlOne("users", mom) + `}}}`},
			{bob, `{"data":{"type":"users","id":"` + bob + `","attributes":{"gender":"male"}}}`},
			{alice, `{"data":{"type":"users","id":"` + alice + `","attributes":{"gender":"female"}}}`},
		} {
			res := e.do(http.MethodPost, "/api/users", u.body)
			rlStatus(t, res, http.StatusCreated)
			o := rlObject(t, rlDecode(t, res))
			if o == nil || o.ID != u.id {
				t.Fatalf("created %s", res.Body)
			}
			if _, ok := o.Attributes["password"]; ok {
				t.Errorf("password shown: %v", o.Attributes)
			}
			if u.id == ryan {
				if got := string(o.Relationships["mom"].Data); got != rlIdent("users", mom) {
					t.Errorf("ryan's relationships.mom.data = %s", got)
				}
			}
		}
		rlWant(t, "moms", rlFK(t, e, "users", "email", "mom"),
			map[string]string{mom: "NULL", ryan: mom, bob: "NULL", alice: "NULL"})
		rlWant(t, "no friends yet", linked(t), map[string]string{})

		steps := []struct {
			name, method, body string
			want               map[string]string
		}{
			{"add bob", http.MethodPost, `{"data":[` + friend(bob, "space camp") + `]}`,
				map[string]string{bob: "space camp"}},
			{"add alice", http.MethodPost, `{"data":[` + friend(alice, "taco tuesday party") + `]}`,
				map[string]string{bob: "space camp", alice: "taco tuesday party"}},
			{"add bob again keeps his meta", http.MethodPost, rlMany("users", bob),
				map[string]string{bob: "space camp", alice: "taco tuesday party"}},
			{"remove bob", http.MethodDelete, rlMany("users", bob),
				map[string]string{alice: "taco tuesday party"}},
			{"replace with bob and mom", http.MethodPatch, rlMany("users", bob, mom),
				map[string]string{bob: "NULL", mom: "NULL"}},
			{"replace rewrites meta", http.MethodPatch, `{"data":[` + friend(bob, "at work") + `,` + rlIdent("users", mom) + `]}`,
				map[string]string{bob: "at work", mom: "NULL"}},
			{"clear", http.MethodPatch, rlMany("users"), map[string]string{}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				res := e.do(s.method, friends, s.body)
				rlStatus(t, res, http.StatusNoContent)
				rlWant(t, "GET linkage", linked(t), s.want)
				rlWant(t, "friendship rows", table(t), s.want)
			})
		}

		t.Run("related friends", func(t *testing.T) {
			rlStatus(t, e.do(http.MethodPost, friends, rlMany("users", alice, bob)), http.StatusNoContent)
			d := rlGet(t, e, "/api/users/"+ryan+"/friends")
			rlWant(t, "data", rlSorted(rlList(t, d)), []string{"users:" + alice, "users:" + bob})
			rlWant(t, "meta.total", d.Meta["total"], float64(2))
			rlWant(t, "bob's friends", rlKeys(rlList(t, rlGet(t, e, "/api/users/"+bob+"/relationships/friends"))), []string{})
		})

		t.Run("mom", func(t *testing.T) {
			path := "/api/users/" + ryan + "/relationships/mom"
			if d := rlGet(t, e, path); string(d.Data) != rlIdent("users", mom) {
				t.Errorf("GET mom = %s", d.Data)
			}
			if o := rlObject(t, rlGet(t, e, "/api/users/"+ryan+"/mom")); o == nil || o.ID != mom || o.Attributes["gender"] != "female" {
				t.Errorf("GET related mom = %+v", o)
			}
			rlStatus(t, e.do(http.MethodPatch, path, rlOne("users", alice)), http.StatusNoContent)
			rlWant(t, "ryan's mom", rlFK(t, e, "users", "email", "mom")[ryan], alice)
			if d := rlGet(t, e, path); string(d.Data) != rlIdent("users", alice) {
				t.Errorf("GET mom = %s", d.Data)
			}
			rlStatus(t, e.do(http.MethodPatch, path, rlOne("users", "")), http.StatusNoContent)
			rlWant(t, "ryan's mom", rlFK(t, e, "users", "email", "mom")[ryan], "NULL")
			if d := rlGet(t, e, path); string(d.Data) != "null" {
				t.Errorf("GET mom = %s", d.Data)
			}
			if d := rlGet(t, e, "/api/users/"+ryan+"/mom"); string(d.Data) != "null" {
				t.Errorf("GET related mom = %s", d.Data)
			}
			rlSame(e, func() {
				wantError(t, e.do(http.MethodPatch, path, rlOne("users", "nobody@example.com")), http.StatusNotFound, "/data/id")
			})
		})

		bad := []struct {
			name, method, body string
			status             int
			source             string
		}{
			{"unknown meta member", http.MethodPost, `{"data":[{"type":"users","id":"` + bob + `","meta":{"mood":"happy"}}]}`,
				http.StatusBadRequest, "/data/0/meta/mood"},
			{"unknown meta member in PATCH", http.MethodPatch, `{"data":[` + rlIdent("users", alice) + `,{"type":"users","id":"` + bob + `","meta":{"met":"x","mood":"happy"}}]}`,
				http.StatusBadRequest, "/data/1/meta/mood"},
			{"read-only meta member", http.MethodPost, `{"data":[{"type":"users","id":"` + bob + `","meta":{"created":"2020-01-01T00:00:00Z"}}]}`,
				http.StatusForbidden, "/data/0/meta/created"},
			{"meta value of the wrong type", http.MethodPost, `{"data":[{"type":"users","id":"` + bob + `","meta":{"met":5}}]}`,
				http.StatusBadRequest, "/data/0/meta/met"},
			{"meta not an object", http.MethodPost, `{"data":[{"type":"users","id":"` + bob + `","meta":"space camp"}]}`,
				http.StatusBadRequest, "/data/0/meta"},
			{"missing friend", http.MethodPost, `{"data":[` + friend("nobody@example.com", "never") + `]}`,
				http.StatusNotFound, "/data/0/id"},
			{"wrong type", http.MethodPost, rlMany("person", "1"), http.StatusConflict, "/data/0/type"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				rlSame(e, func() { wantError(t, e.do(tt.method, friends, tt.body), tt.status, tt.source) })
			})
		}
	})
}

// ---------------------------------------------------------------------------
// 7. Relationships in POST and PATCH resource bodies.

func TestBodyRelationships(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("create computer with owner", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new","vendor":"HP"},"relationships":{"owner":`+rlOne("person", "2")+`}}}`)
			rlStatus(t, res, http.StatusCreated)
			o := rlObject(t, rlDecode(t, res))
			if got := string(o.Relationships["owner"].Data); got != rlIdent("person", "2") {
				t.Errorf("relationships.owner.data = %s", got)
			}
			rlWant(t, "owner_id", rlOwners(t, e)[o.ID], "2")
		})
		t.Run("create computer with null owner", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":{"data":null}}}}`)
			rlStatus(t, res, http.StatusCreated)
			o := rlObject(t, rlDecode(t, res))
			rlWant(t, "owner_id", rlOwners(t, e)[o.ID], "NULL")
		})
		t.Run("create person with computers moves them", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"computers":`+rlMany("computer", "1", "3")+`}}}`)
			rlStatus(t, res, http.StatusCreated)
			o := rlObject(t, rlDecode(t, res))
			if o == nil || o.ID == "" {
				t.Fatalf("created %s", res.Body)
			}
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": o.ID, "2": "1", "3": o.ID})
			rlWant(t, "linkage", rlKeys(rlList(t, rlGet(t, e, "/api/person/"+o.ID+"/relationships/computers"))),
				[]string{"computer:1", "computer:3"})
		})
		t.Run("PATCH attribute and computers together", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPatch, "/api/person/1",
				`{"data":{"type":"person","id":"1","attributes":{"age":36},"relationships":{"computers":`+rlMany("computer", "3")+`}}}`)
			rlStatus(t, res, http.StatusOK)
			if o := rlObject(t, rlDecode(t, res)); o == nil || o.Attributes["age"] != float64(36) {
				t.Errorf("response = %s", res.Body)
			}
			rlWant(t, "age", rlFK(t, e, "person", "id", "age")["1"], "36")
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "NULL", "2": "NULL", "3": "1"})
		})
		t.Run("PATCH computers to []", func(t *testing.T) {
			e := newEnv(t)
			rlStatus(t, e.do(http.MethodPatch, "/api/person/1",
				`{"data":{"type":"person","id":"1","relationships":{"computers":{"data":[]}}}}`), http.StatusOK)
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "NULL", "2": "NULL", "3": "2"})
		})
		t.Run("PATCH owner in a computer body", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPatch, "/api/computer/1",
				`{"data":{"type":"computer","id":"1","relationships":{"owner":`+rlOne("person", "3")+`}}}`)
			rlStatus(t, res, http.StatusOK)
			if o := rlObject(t, rlDecode(t, res)); o == nil || string(o.Relationships["owner"].Data) != rlIdent("person", "3") {
				t.Errorf("response = %s", res.Body)
			}
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "3", "2": "1", "3": "2"})
			rlStatus(t, e.do(http.MethodPatch, "/api/computer/1",
				`{"data":{"type":"computer","id":"1","relationships":{"owner":{"data":null}}}}`), http.StatusOK)
			rlWant(t, "owners", rlOwners(t, e), map[string]string{"1": "NULL", "2": "1", "3": "2"})
		})
		t.Run("create person with a pet moves it", func(t *testing.T) {
			e := rlPetEnv(t, nil)
			res := e.do(http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"pets":`+rlMany("pet", "3")+`}}}`)
			rlStatus(t, res, http.StatusCreated)
			o := rlObject(t, rlDecode(t, res))
			rlWant(t, "pets", rlFK(t, e, "pet", "id", "person_id"), map[string]string{"1": "1", "2": "1", "3": o.ID})
		})

		const p1 = "/api/person/1"
		patch := func(attrs, rels string) string {
			return `{"data":{"type":"person","id":"1","attributes":` + attrs + `,"relationships":` + rels + `}}`
		}
		rlRunBad(t, func(t *testing.T) *env { return newEnv(t) }, []rlBadCase{
			{"missing computer", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":`+rlMany("computer", "999")+`}`),
				http.StatusNotFound, "/data/relationships/computers/data/0/id"},
			{"second computer missing", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":`+rlMany("computer", "3", "999")+`}`),
				http.StatusNotFound, "/data/relationships/computers/data/1/id"},
			{"wrong type", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":`+rlMany("person", "2")+`}`),
				http.StatusConflict, "/data/relationships/computers/data/0/type"},
			{"unknown relationship", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"nothing":`+rlMany("computer", "3")+`}`),
				http.StatusBadRequest, "/data/relationships/nothing"},
			{"relationship without data", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":{"links":{"self":"x"}}}`),
				http.StatusBadRequest, "/data/relationships/computers"},
			{"relationship not an object", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":[]}`),
				http.StatusBadRequest, "/data/relationships/computers"},
			{"relationships not an object", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `[]`),
				http.StatusBadRequest, "/data/relationships"},
			{"to-many data not a list", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":`+rlOne("computer", "3")+`}`),
				http.StatusBadRequest, "/data/relationships/computers/data"},
			{"create with missing computer", http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"computers":` + rlMany("computer", "1", "999") + `}}}`,
				http.StatusNotFound, "/data/relationships/computers/data/1/id"},
			{"create computer with missing owner", http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":` + rlOne("person", "999") + `}}}`,
				http.StatusNotFound, "/data/relationships/owner/data/id"},
			{"create computer with owner of the wrong type", http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":` + rlOne("computer", "1") + `}}}`,
				http.StatusConflict, "/data/relationships/owner/data/type"},
			{"create computer with owner a list", http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":` + rlMany("person", "1") + `}}}`,
				http.StatusBadRequest, "/data/relationships/owner/data"},
			{"PATCH computer with missing owner", http.MethodPatch, "/api/computer/1",
				`{"data":{"type":"computer","id":"1","attributes":{"vendor":"HP"},"relationships":{"owner":` + rlOne("person", "999") + `}}}`,
				http.StatusNotFound, "/data/relationships/owner/data/id"},
		})

		readOnly := func(t *testing.T) *env {
			return rlPersonEnv(t, rlRelMod("computers", func(r *resource.Relationship) { r.ReadOnly = true }),
				rlRelMod("owner", func(r *resource.Relationship) { r.ReadOnly = true }))
		}
		rlRunBad(t, readOnly, []rlBadCase{
			{"ReadOnly in PATCH", http.MethodPatch, p1, patch(`{"name":"Jeff"}`, `{"computers":`+rlMany("computer", "3")+`}`),
				http.StatusForbidden, "/data/relationships/computers"},
			{"ReadOnly in POST", http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"computers":` + rlMany("computer", "3") + `}}}`,
				http.StatusForbidden, "/data/relationships/computers"},
			{"ReadOnly to-one in POST", http.MethodPost, "/api/computer",
				`{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":` + rlOne("person", "1") + `}}}`,
				http.StatusForbidden, "/data/relationships/owner"},
		})

		// The attribute UPDATE runs before the to-many change fails: the
		// transaction must roll it back.
		rlRunBad(t, func(t *testing.T) *env { return rlPetEnv(t, nil) }, []rlBadCase{
			{"rollback of attributes when pets cannot leave", http.MethodPatch, p1,
				patch(`{"name":"Jeff","age":99}`, `{"pets":`+rlMany("pet")+`}`),
				http.StatusConflict, "/data/relationships/pets/data"},
			{"rollback of computers when pets cannot leave", http.MethodPatch, p1,
				patch(`{"name":"Jeff"}`, `{"computers":`+rlMany("computer", "3")+`,"pets":`+rlMany("pet", "1")+`}`),
				http.StatusConflict, "/data/relationships/pets/data"},
		})
	})
}

// ---------------------------------------------------------------------------
// 8. Write hooks see relationship changes.

// rlSeen is what a hook saw of a write.
type rlSeen struct {
	Op     resource.Op
	ID     any
	Values resource.Values
	Links  []resource.LinkChange
}

func rlRecord(w *resource.Write) rlSeen {
	s := rlSeen{Op: w.Op, ID: w.ID, Values: maps.Clone(w.Values), Links: slices.Clone(w.Links)}
	if len(s.Values) == 0 {
		s.Values = nil
	}
	for i := range s.Links {
		s.Links[i].IDs = slices.Clone(s.Links[i].IDs)
	}
	return s
}

func TestLinkHooks(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const many = "/api/person/1/relationships/computers"
		hooked := func(t *testing.T, seen *[]rlSeen) *env {
			rec := func(_ context.Context, w *resource.Write) error {
				*seen = append(*seen, rlRecord(w))
				return nil
			}
			return rlPersonEnv(t, func(p *resource.Table) { p.Before = rec }, func(c *resource.Table) { c.Before = rec })
		}
		tests := []struct {
			name, method, path, body string
			want                     []rlSeen
		}{
			{"POST adds", http.MethodPost, many, rlMany("computer", "3"), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkAdd, IDs: []any{int64(3)}}}}}},
			{"PATCH replaces", http.MethodPatch, many, rlMany("computer", "2", "3"), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkReplace, IDs: []any{int64(2), int64(3)}}}}}},
			{"PATCH clears", http.MethodPatch, many, rlMany("computer"), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkReplace, IDs: []any{}}}}}},
			{"DELETE removes", http.MethodDelete, many, rlMany("computer", "1"), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkRemove, IDs: []any{int64(1)}}}}}},
			{"to-one endpoint", http.MethodPatch, "/api/computer/1/relationships/owner", rlOne("person", "2"), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Values: resource.Values{"owner": int64(2)}}}},
			{"to-one endpoint null", http.MethodPatch, "/api/computer/1/relationships/owner", rlOne("person", ""), []rlSeen{{Op: resource.OpUpdate, ID: int64(1),
				Values: resource.Values{"owner": nil}}}},
			{"body PATCH", http.MethodPatch, "/api/person/1",
				`{"data":{"type":"person","id":"1","attributes":{"age":40},"relationships":{"computers":` + rlMany("computer", "1", "3") + `}}}`,
				[]rlSeen{{Op: resource.OpUpdate, ID: int64(1), Values: resource.Values{"age": int64(40)},
					Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkReplace, IDs: []any{int64(1), int64(3)}}}}}},
			{"body POST", http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"computers":` + rlMany("computer", "2") + `}}}`,
				[]rlSeen{{Op: resource.OpCreate, ID: nil, Values: resource.Values{"name": "Zed"},
					Links: []resource.LinkChange{{Name: "computers", Op: resource.LinkReplace, IDs: []any{int64(2)}}}}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var seen []rlSeen
				e := hooked(t, &seen)
				res := e.do(tt.method, tt.path, tt.body)
				if res.Code >= 300 {
					t.Fatalf("status = %d\n%s", res.Code, res.Body)
				}
				rlWant(t, "hook calls", seen, tt.want)
			})
		}

		reject := func(_ context.Context, w *resource.Write) error {
			if len(w.Links) > 0 || w.Values["owner"] != nil {
				return &jsonapi.Error{Status: http.StatusUnprocessableEntity, Title: "Rejected", Detail: "No relationship changes today."}
			}
			return nil
		}
		failAfter := func(_ context.Context, w *resource.Write) error {
			return &jsonapi.Error{Status: http.StatusUnprocessableEntity, Title: "Rejected", Detail: "Rolled back after the change."}
		}
		body := `{"data":{"type":"person","id":"1","attributes":{"age":40},"relationships":{"computers":` + rlMany("computer", "3") + `}}}`
		cases := []rlBadCase{
			{"POST", http.MethodPost, many, rlMany("computer", "3"), http.StatusUnprocessableEntity, ""},
			{"PATCH", http.MethodPatch, many, rlMany("computer", "3"), http.StatusUnprocessableEntity, ""},
			{"DELETE", http.MethodDelete, many, rlMany("computer", "1"), http.StatusUnprocessableEntity, ""},
			{"to-one", http.MethodPatch, "/api/computer/1/relationships/owner", rlOne("person", "2"), http.StatusUnprocessableEntity, ""},
			{"body PATCH", http.MethodPatch, "/api/person/1", body, http.StatusUnprocessableEntity, ""},
			{"body POST", http.MethodPost, "/api/person",
				`{"data":{"type":"person","attributes":{"name":"Zed"},"relationships":{"computers":` + rlMany("computer", "2") + `}}}`,
				http.StatusUnprocessableEntity, ""},
		}
		t.Run("Before rejects", func(t *testing.T) {
			rlRunBad(t, func(t *testing.T) *env {
				return rlPersonEnv(t, func(p *resource.Table) { p.Before = reject }, func(c *resource.Table) { c.Before = reject })
			}, cases)
		})
		t.Run("After rejects", func(t *testing.T) {
			rlRunBad(t, func(t *testing.T) *env {
				return rlPersonEnv(t, func(p *resource.Table) { p.After = failAfter }, func(c *resource.Table) { c.After = failAfter })
			}, cases)
		})
		t.Run("After sees the change in the transaction", func(t *testing.T) {
			var owner any
			e := rlPersonEnv(t, func(p *resource.Table) {
				p.After = func(ctx context.Context, w *resource.Write) error {
					return w.Tx.QueryRowContext(ctx, `SELECT owner_id FROM computer WHERE id = 3`).Scan(&owner)
				}
			}, nil)
			rlStatus(t, e.do(http.MethodPost, many, rlMany("computer", "3")), http.StatusNoContent)
			if owner != int64(1) {
				t.Errorf("After saw owner_id = %v, want 1", owner)
			}
		})
		t.Run("Before error that is not an Error", func(t *testing.T) {
			e := rlPersonEnv(t, func(p *resource.Table) {
				p.Before = func(context.Context, *resource.Write) error { return errors.New("boom") }
			}, nil)
			rlSame(e, func() {
				res := e.do(http.MethodPost, many, rlMany("computer", "3"))
				wantError(t, res, http.StatusInternalServerError, "")
				if strings.Contains(string(res.Body), "boom") {
					t.Errorf("cause leaked: %s", res.Body)
				}
			})
		})
	})
}
