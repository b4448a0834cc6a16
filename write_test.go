package restless_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/jsonapi"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
)

// wtPersonDoc returns a POST document of a person with the given
// attributes object.
func wtPersonDoc(attrs string) string {
	return `{"data":{"type":"person","attributes":` + attrs + `}}`
}

// wtPatchDoc returns a PATCH document of the person with id and attrs.
func wtPatchDoc(id, attrs string) string {
	return `{"data":{"type":"person","id":"` + id + `","attributes":` + attrs + `}}`
}

// wtPerson returns the demo person resource changed by mod.
func wtPerson(mod func(p *resource.Table)) *resource.Table {
	p := demo.Person()
	if mod != nil {
		mod(p)
	}
	return p
}

// wtSetAttr replaces the attribute of the same name, or appends it.
func wtSetAttr(p *resource.Table, a resource.Attribute) {
	for i := range p.Attributes {
		if p.Attributes[i].Name == a.Name {
			p.Attributes[i] = a
			return
		}
	}
	p.Attributes = append(p.Attributes, a)
}

// wtResources returns the person resource p beside the demo computer.
func wtResources(p *resource.Table) []resource.Resource {
	return []resource.Resource{p, demo.Computer()}
}

// wtDoc decodes a body keeping numbers exact.
func wtDoc(t *testing.T, res *response) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, res.Body)
	}
	return m
}

// wtData returns the primary data object of a single-resource document.
func wtData(t *testing.T, res *response) map[string]any {
	t.Helper()
	data, ok := wtDoc(t, res)["data"].(map[string]any)
	if !ok {
		t.Fatalf("data is not a resource object:\n%s", res.Body)
	}
	return data
}

// wtAttrs returns the attributes of the primary data.
func wtAttrs(t *testing.T, res *response) map[string]any {
	t.Helper()
	attrs, ok := wtData(t, res)["attributes"].(map[string]any)
	if !ok {
		t.Fatalf("data has no attributes object:\n%s", res.Body)
	}
	return attrs
}

// wtWantStatus fails unless res has the status.
func wtWantStatus(t *testing.T, res *response, status int) {
	t.Helper()
	if res.Code != status {
		t.Fatalf("status = %d, want %d\n%s", res.Code, status, res.Body)
	}
}

// wtWantErr checks an error reply; a source "header:Name" checks
// source.header, anything else is passed to wantError.
func wtWantErr(t *testing.T, res *response, status int, source string) {
	t.Helper()
	h, ok := strings.CutPrefix(source, "header:")
	if !ok {
		wantError(t, res, status, source)
		return
	}
	wtWantStatus(t, res, status)
	var doc struct {
		Errors []struct {
			Status string            `json:"status"`
			Source map[string]string `json:"source"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) == 0 {
		t.Fatalf("not an error document: %s", res.Body)
	}
	if got, want := doc.Errors[0].Status, fmt.Sprint(status); got != want {
		t.Errorf("errors[0].status = %q, want %q", got, want)
	}
	if got := doc.Errors[0].Source["header"]; got != h {
		t.Errorf("errors[0].source.header = %q, want %q", got, h)
	}
}

// wtScalar reads one value with a query on the reader.
func wtScalar(t *testing.T, e *env, q string, args ...any) any {
	t.Helper()
	var v any
	if err := e.query(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	return v
}

// wtCount counts the rows of a table matching where.
func wtCount(t *testing.T, e *env, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := `SELECT count(*) FROM "` + table + `"`
	if where != "" {
		q += " WHERE " + where
	}
	if err := e.query(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// wtBadCase is one bad write that must fail and change nothing.
type wtBadCase struct {
	name   string
	res    func() []resource.Resource // nil: the demo resources
	method string
	path   string
	body   string
	hdr    []string
	status int
	source string
}

func wtRunBad(t *testing.T, cases []wtBadCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e *env
			if tc.res != nil {
				e = newEnv(t, tc.res()...)
			} else {
				e = newEnv(t)
			}
			var res *response
			e.unchanged(func() {
				res = e.do(tc.method, tc.path, tc.body, tc.hdr...)
			}, "person", "computer")
			wtWantErr(t, res, tc.status, tc.source)
		})
	}
}

func TestPostBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		upperName := func() []resource.Resource {
			return wtResources(wtPerson(func(p *resource.Table) {
				p.Attributes = append(p.Attributes, resource.Attribute{Name: "name_upper", Expr: `upper("person"."name")`})
			}))
		}
		readOnlyAge := func() []resource.Resource {
			return wtResources(wtPerson(func(p *resource.Table) {
				wtSetAttr(p, resource.Attribute{Name: "age", Type: resource.Integer, ReadOnly: true})
			}))
		}
		const post = http.MethodPost
		wtRunBad(t, []wtBadCase{
			{name: "malformed JSON", method: post, path: "/api/person", body: `{"data":`, status: 400, source: "/"},
			{name: "trailing data", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe"}`) + `{}`, status: 400, source: "/"},
			{name: "empty body", method: post, path: "/api/person", body: "", status: 400, source: "/"},
			{name: "document is an array", method: post, path: "/api/person", body: `[]`, status: 400, source: "/"},
			{name: "missing data", method: post, path: "/api/person", body: `{"meta":{"a":1}}`, status: 400, source: "/"},
			{name: "data is an array", method: post, path: "/api/person", body: `{"data":[]}`, status: 400, source: "/data"},
			{name: "data is a string", method: post, path: "/api/person", body: `{"data":"person"}`, status: 400, source: "/data"},
			{name: "data is null", method: post, path: "/api/person", body: `{"data":null}`, status: 400, source: "/data"},
			{name: "missing type", method: post, path: "/api/person", body: `{"data":{"attributes":{"name":"Zoe"}}}`, status: 400, source: "/data"},
			{name: "wrong type", method: post, path: "/api/person", body: `{"data":{"type":"computer","attributes":{"name":"Zoe"}}}`, status: 409, source: "/data/type"},
			{name: "unknown attribute", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","shoe_size":44}`), status: 400, source: "/data/attributes/shoe_size"},
			{name: "hidden column", method: post, path: "/api/computer", body: `{"data":{"type":"computer","attributes":{"name":"pdp","owner_id":2}}}`, status: 400, source: "/data/attributes/owner_id"},
			{name: "computed attribute", res: upperName, method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","name_upper":"ZOE"}`), status: 403, source: "/data/attributes/name_upper"},
			{name: "read-only attribute", res: readOnlyAge, method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","age":3}`), status: 403, source: "/data/attributes/age"},
			{name: "age is a string", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","age":"abc"}`), status: 400, source: "/data/attributes/age"},
			{name: "age is a fraction", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","age":3.7}`), status: 400, source: "/data/attributes/age"},
			{name: "age overflows", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","age":1e400}`), status: 400, source: "/data/attributes/age"},
			{name: "age beyond int64", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","age":9223372036854775808}`), status: 400, source: "/data/attributes/age"},
			{name: "birth_date in another format", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","birth_date":"31/12/2000"}`), status: 400, source: "/data/attributes/birth_date"},
			{name: "birth_date is a number", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe","birth_date":5}`), status: 400, source: "/data/attributes/birth_date"},
			{name: "name is a number", method: post, path: "/api/person", body: wtPersonDoc(`{"name":12}`), status: 400, source: "/data/attributes/name"},
			{name: "duplicate unique name", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Jeffrey"}`), status: 409, source: "/data/attributes/name"},
			{name: "name null", method: post, path: "/api/person", body: wtPersonDoc(`{"name":null,"age":3}`), status: 400, source: "/data/attributes/name"},
			{name: "client id not allowed", method: post, path: "/api/person", body: `{"data":{"type":"person","id":"77","attributes":{"name":"Zoe"}}}`, status: 403, source: "/data/id"},
			{name: "no Content-Type", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe"}`), hdr: []string{"Content-Type", ""}, status: 415, source: "header:Content-Type"},
			{name: "Content-Type with charset", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe"}`), hdr: []string{"Content-Type", "application/vnd.api+json; charset=utf-8"}, status: 415, source: "header:Content-Type"},
			{name: "Content-Type application/json", method: post, path: "/api/person", body: wtPersonDoc(`{"name":"Zoe"}`), hdr: []string{"Content-Type", "application/json"}, status: 415, source: "header:Content-Type"},
		})
	})
}

func TestPostCreates(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe","birth_date":"1990-01-02","age":34}`))
		wtWantStatus(t, res, http.StatusCreated)
		data := wtData(t, res)
		if got, want := data["type"], "person"; got != want {
			t.Errorf("data.type = %v, want %q", got, want)
		}
		id, _ := data["id"].(string)
		if id == "" {
			t.Fatalf("data.id = %v, want a string id", data["id"])
		}
		want := testBase + "/api/person/" + id
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if links, _ := data["links"].(map[string]any); links["self"] != want {
			t.Errorf("data.links.self = %v, want %q", links["self"], want)
		}
		attrs := wtAttrs(t, res)
		for name, want := range map[string]any{"name": "Zoe", "birth_date": "1990-01-02", "age": json.Number("34")} {
			if got := attrs[name]; got != want {
				t.Errorf("attributes.%s = %#v, want %#v", name, got, want)
			}
		}
		if got := wtCount(t, e, "person", "id = ? AND name = 'Zoe' AND age = 34", id); got != 1 {
			t.Errorf("rows of the new person = %d, want 1", got)
		}
		if got, want := len(e.rows("person")), 4; got != want {
			t.Errorf("people = %d, want %d", got, want)
		}
	})
}

func TestPatchBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const patch = http.MethodPatch
		wtRunBad(t, []wtBadCase{
			{name: "missing id", method: patch, path: "/api/person/1", body: wtPersonDoc(`{"age":36}`), status: 400, source: "/data/id"},
			{name: "id mismatch", method: patch, path: "/api/person/1", body: wtPatchDoc("2", `{"age":36}`), status: 409, source: "/data/id"},
			{name: "type mismatch", method: patch, path: "/api/person/1", body: `{"data":{"type":"computer","id":"1","attributes":{"name":"x"}}}`, status: 409, source: "/data/type"},
			{name: "malformed JSON", method: patch, path: "/api/person/1", body: `{"data":{`, status: 400, source: "/"},
			{name: "missing resource", method: patch, path: "/api/person/999", body: wtPatchDoc("999", `{"age":36}`), status: 404, source: ""},
			{name: "id not an integer", method: patch, path: "/api/person/abc", body: wtPatchDoc("abc", `{"age":36}`), status: 404, source: ""},
			{name: "unknown attribute", method: patch, path: "/api/person/1", body: wtPatchDoc("1", `{"shoe_size":44}`), status: 400, source: "/data/attributes/shoe_size"},
			{name: "wrong value type", method: patch, path: "/api/person/1", body: wtPatchDoc("1", `{"age":"old"}`), status: 400, source: "/data/attributes/age"},
			{name: "duplicate name", method: patch, path: "/api/person/1", body: wtPatchDoc("1", `{"name":"Hilda"}`), status: 409, source: "/data/attributes/name"},
			{name: "name null", method: patch, path: "/api/person/1", body: wtPatchDoc("1", `{"name":null}`), status: 400, source: "/data/attributes/name"},
			{name: "no Content-Type", method: patch, path: "/api/person/1", body: wtPatchDoc("1", `{"age":36}`), hdr: []string{"Content-Type", ""}, status: 415, source: "header:Content-Type"},
		})
	})
}

func TestPatchPartial(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("age only", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":36}`))
			wtWantStatus(t, res, http.StatusOK)
			data := wtData(t, res)
			if data["type"] != "person" || data["id"] != "1" {
				t.Errorf("data type, id = %v, %v, want person, 1", data["type"], data["id"])
			}
			if links, _ := data["links"].(map[string]any); links["self"] != testBase+"/api/person/1" {
				t.Errorf("data.links.self = %v, want %q", links["self"], testBase+"/api/person/1")
			}
			attrs := wtAttrs(t, res)
			want := map[string]any{"name": "Jeffrey", "birth_date": "1991-04-02", "age": json.Number("36")}
			if len(attrs) != len(want) {
				t.Errorf("attributes = %v, want the complete resource %v", attrs, want)
			}
			for name, w := range want {
				if got := attrs[name]; got != w {
					t.Errorf("attributes.%s = %#v, want %#v", name, got, w)
				}
			}
			if got := wtCount(t, e, "person", "id = 1 AND name = 'Jeffrey' AND birth_date = '1991-04-02' AND age = 36"); got != 1 {
				t.Errorf("row 1 does not hold the patched values and the untouched ones")
			}
		})
		t.Run("birth_date null", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"birth_date":null}`))
			wtWantStatus(t, res, http.StatusOK)
			attrs := wtAttrs(t, res)
			if v, ok := attrs["birth_date"]; !ok || v != nil {
				t.Errorf("attributes.birth_date = %#v (present %v), want null", v, ok)
			}
			if got := attrs["age"]; got != json.Number("35") {
				t.Errorf("attributes.age = %#v, want 35", got)
			}
			if got := wtScalar(t, e, `SELECT birth_date FROM person WHERE id = 1`); got != nil {
				t.Errorf("row birth_date = %#v, want NULL", got)
			}
			if got := wtScalar(t, e, `SELECT name FROM person WHERE id = 1`); got != "Jeffrey" {
				t.Errorf("row name = %#v, want Jeffrey", got)
			}
		})
		t.Run("no attributes", func(t *testing.T) {
			e := newEnv(t)
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPatch, "/api/person/1", `{"data":{"type":"person","id":"1"}}`)
			}, "person")
			wtWantStatus(t, res, http.StatusOK)
			if got := wtAttrs(t, res)["name"]; got != "Jeffrey" {
				t.Errorf("attributes.name = %v, want Jeffrey", got)
			}
		})
	})
}

func TestClientIDs(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t, wtResources(wtPerson(func(p *resource.Table) { p.ClientIDs = true }))...)
		body := func(id string) string {
			return `{"data":{"type":"person","id":"` + id + `","attributes":{"name":"Client ` + id + `"}}}`
		}
		res := e.do(http.MethodPost, "/api/person", body("77"))
		wtWantStatus(t, res, http.StatusCreated)
		if got := wtData(t, res)["id"]; got != "77" {
			t.Errorf("data.id = %v, want 77", got)
		}
		if got, want := res.Header.Get("Location"), testBase+"/api/person/77"; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if got := wtScalar(t, e, `SELECT name FROM person WHERE id = 77`); got != "Client 77" {
			t.Errorf("row 77 name = %#v, want Client 77", got)
		}

		t.Run("taken id", func(t *testing.T) {
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPost, "/api/person", `{"data":{"type":"person","id":"77","attributes":{"name":"Other"}}}`)
			}, "person")
			wantError(t, res, http.StatusConflict, "/data/id")
		})
		t.Run("id not an integer", func(t *testing.T) {
			var res *response
			e.unchanged(func() { res = e.do(http.MethodPost, "/api/person", body("x")) }, "person")
			wantError(t, res, http.StatusBadRequest, "/data/id")
		})
		t.Run("server id still works", func(t *testing.T) {
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"No id"}`))
			wtWantStatus(t, res, http.StatusCreated)
			if got := wtData(t, res)["id"]; got == "" || got == nil {
				t.Errorf("data.id = %v, want an assigned id", got)
			}
		})
	})
}

func TestInt64Exact(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		const big = "9007199254740993" // 2^53 + 1: not exact as a float64
		res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Big","age":`+big+`}`))
		wtWantStatus(t, res, http.StatusCreated)
		if got := wtAttrs(t, res)["age"]; got != json.Number(big) {
			t.Errorf("attributes.age = %#v, want %s", got, big)
		}
		var age int64
		if err := e.query(`SELECT age FROM person WHERE name = 'Big'`).Scan(&age); err != nil {
			t.Fatal(err)
		}
		if want := int64(9007199254740993); age != want {
			t.Errorf("row age = %d, want %d", age, want)
		}
		res = e.do(http.MethodGet, "/api/person/"+fmt.Sprint(wtData(t, res)["id"]), "")
		wtWantStatus(t, res, http.StatusOK)
		if got := wtAttrs(t, res)["age"]; got != json.Number(big) {
			t.Errorf("GET attributes.age = %#v, want %s", got, big)
		}
	})
}

func TestDates(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("birth_date round-trips", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe","birth_date":"1990-01-02"}`))
			wtWantStatus(t, res, http.StatusCreated)
			if got := wtAttrs(t, res)["birth_date"]; got != "1990-01-02" {
				t.Errorf("attributes.birth_date = %#v, want 1990-01-02", got)
			}
			id := fmt.Sprint(wtData(t, res)["id"])
			res = e.do(http.MethodGet, "/api/person/"+id, "")
			wtWantStatus(t, res, http.StatusOK)
			if got := wtAttrs(t, res)["birth_date"]; got != "1990-01-02" {
				t.Errorf("GET attributes.birth_date = %#v, want 1990-01-02", got)
			}
		})

		for _, tc := range []struct {
			name, in, want string
		}{
			{"with offset", "2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00Z"},
			{"UTC", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"},
			{"without offset", "2024-01-01T10:00:00", "2024-01-01T10:00:00Z"},
			{"fraction", "2024-01-01T10:00:00.25-01:00", "2024-01-01T11:00:00.25Z"},
		} {
			t.Run("purchase_time "+tc.name, func(t *testing.T) {
				e := newEnv(t)
				res := e.do(http.MethodPost, "/api/computer", `{"data":{"type":"computer","attributes":{"name":"pdp","purchase_time":"`+tc.in+`"}}}`)
				wtWantStatus(t, res, http.StatusCreated)
				if got := wtAttrs(t, res)["purchase_time"]; got != tc.want {
					t.Errorf("attributes.purchase_time = %#v, want %q", got, tc.want)
				}
				id := fmt.Sprint(wtData(t, res)["id"])
				res = e.do(http.MethodGet, "/api/computer/"+id, "")
				wtWantStatus(t, res, http.StatusOK)
				if got := wtAttrs(t, res)["purchase_time"]; got != tc.want {
					t.Errorf("GET attributes.purchase_time = %#v, want %q", got, tc.want)
				}
			})
		}

		t.Run("purchase_time CURRENT_TIMESTAMP", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodPost, "/api/computer", `{"data":{"type":"computer","attributes":{"name":"pdp","purchase_time":"CURRENT_TIMESTAMP"}}}`)
			wtWantStatus(t, res, http.StatusCreated)
			s, _ := wtAttrs(t, res)["purchase_time"].(string)
			got, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || !strings.HasSuffix(s, "Z") {
				t.Fatalf("attributes.purchase_time = %q, want an RFC 3339 UTC time (%v)", s, err)
			}
			if d := time.Since(got); d > time.Minute || d < -time.Minute {
				t.Errorf("attributes.purchase_time = %s, want within a minute of now (%s)", s, time.Now().UTC().Format(time.RFC3339))
			}
		})

		t.Run("birth_date CURRENT_DATE", func(t *testing.T) {
			e := newEnv(t)
			before := time.Now().UTC().Format(time.DateOnly)
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Today","birth_date":"CURRENT_DATE"}`))
			after := time.Now().UTC().Format(time.DateOnly)
			wtWantStatus(t, res, http.StatusCreated)
			if got := wtAttrs(t, res)["birth_date"]; got != before && got != after {
				t.Errorf("attributes.birth_date = %#v, want today's UTC date %s", got, after)
			}
		})
	})
}

func TestDelete(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("person without computers", func(t *testing.T) {
			e := newEnv(t)
			res := e.do(http.MethodDelete, "/api/person/3", "")
			wtWantStatus(t, res, http.StatusNoContent)
			if len(res.Body) != 0 {
				t.Errorf("body = %q, want none", res.Body)
			}
			if got := wtCount(t, e, "person", "id = 3"); got != 0 {
				t.Errorf("rows with id 3 = %d, want 0", got)
			}
			if got := wtCount(t, e, "person", ""); got != 2 {
				t.Errorf("people = %d, want 2", got)
			}
			res = e.do(http.MethodGet, "/api/person/3", "")
			wantError(t, res, http.StatusNotFound, "")
		})
		for _, tc := range []struct {
			name, path string
			status     int
		}{
			{"person owning computers", "/api/person/1", http.StatusConflict},
			{"missing person", "/api/person/999", http.StatusNotFound},
			{"id not an integer", "/api/person/abc", http.StatusNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t)
				var res *response
				e.unchanged(func() { res = e.do(http.MethodDelete, tc.path, "") }, "person", "computer")
				wantError(t, res, tc.status, "")
			})
		}
	})
}

func TestAllowedMethods(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		readOnly := func() []resource.Resource {
			return wtResources(wtPerson(func(p *resource.Table) { p.ReadOnly = true }))
		}
		noDelete := func() []resource.Resource {
			return wtResources(wtPerson(func(p *resource.Table) { p.NoDelete = true }))
		}
		for _, tc := range []struct {
			name         string
			res          func() []resource.Resource
			method, path string
			body         string
			status       int
			allow        string // "" when no Allow header is checked
		}{
			{"read-only POST", readOnly, http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`), 405, "GET, HEAD, OPTIONS"},
			{"read-only PATCH", readOnly, http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":36}`), 403, ""},
			{"read-only DELETE", readOnly, http.MethodDelete, "/api/person/1", "", 405, "GET, HEAD, OPTIONS"},
			{"no-delete DELETE", noDelete, http.MethodDelete, "/api/person/3", "", 405, "GET, HEAD, PATCH, OPTIONS"},
			{"collection PUT", nil, http.MethodPut, "/api/person", wtPersonDoc(`{"name":"Zoe"}`), 405, "GET, HEAD, POST, OPTIONS"},
			{"item POST", nil, http.MethodPost, "/api/person/1", wtPatchDoc("1", `{"age":36}`), 405, "GET, HEAD, PATCH, DELETE, OPTIONS"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var e *env
				if tc.res != nil {
					e = newEnv(t, tc.res()...)
				} else {
					e = newEnv(t)
				}
				var res *response
				e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body) }, "person", "computer")
				wantError(t, res, tc.status, "")
				if tc.allow != "" {
					if got := res.Header.Get("Allow"); got != tc.allow {
						t.Errorf("Allow = %q, want %q", got, tc.allow)
					}
				}
			})
		}
		t.Run("no-delete PATCH still works", func(t *testing.T) {
			e := newEnv(t, noDelete()...)
			res := e.do(http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":36}`))
			wtWantStatus(t, res, http.StatusOK)
		})
		t.Run("read-only OPTIONS", func(t *testing.T) {
			e := newEnv(t, readOnly()...)
			res := e.do(http.MethodOptions, "/api/person/1", "")
			if got, want := res.Header.Get("Allow"), "GET, HEAD, OPTIONS"; got != want {
				t.Errorf("Allow = %q, want %q", got, want)
			}
		})
	})
}

func TestWriteOnlyAttribute(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t, wtResources(wtPerson(func(p *resource.Table) {
			wtSetAttr(p, resource.Attribute{Name: "age", Type: resource.Integer, WriteOnly: true})
		}))...)
		res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe","age":50}`))
		wtWantStatus(t, res, http.StatusCreated)
		attrs := wtAttrs(t, res)
		if v, ok := attrs["age"]; ok {
			t.Errorf("attributes.age = %v, want no age in the response", v)
		}
		if got := attrs["name"]; got != "Zoe" {
			t.Errorf("attributes.name = %v, want Zoe", got)
		}
		var age int64
		if err := e.query(`SELECT age FROM person WHERE name = 'Zoe'`).Scan(&age); err != nil {
			t.Fatal(err)
		}
		if age != 50 {
			t.Errorf("row age = %d, want 50", age)
		}
		res = e.do(http.MethodGet, "/api/person/1", "")
		wtWantStatus(t, res, http.StatusOK)
		if v, ok := wtAttrs(t, res)["age"]; ok {
			t.Errorf("GET attributes.age = %v, want no age", v)
		}
	})
}

// wtHooked returns resources whose person has the given hooks.
func wtHooked(before, after func(ctx context.Context, w *resource.Write) error) []resource.Resource {
	return wtResources(wtPerson(func(p *resource.Table) {
		p.Before = before
		p.After = after
	}))
}

func wtAudit(ctx context.Context, w *resource.Write) error {
	// $1 is PostgreSQL's placeholder; SQLite reads it as a parameter
	// named "$1", the first.
	_, err := w.Tx.ExecContext(ctx, `INSERT INTO audit (msg) VALUES ($1)`, fmt.Sprintf("%s %v", w.Op, w.ID))
	return err
}

// wtAuditTable creates the audit table wtAudit writes.
func wtAuditTable(e *env) {
	e.t.Helper()
	e.exec(e.pick(`CREATE TABLE audit (id INTEGER PRIMARY KEY, msg TEXT)`,
		`CREATE TABLE audit (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, msg TEXT)`))
}

func TestHooks(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("Before rejects with an Error", func(t *testing.T) {
			e := newEnv(t, wtHooked(func(ctx context.Context, w *resource.Write) error {
				return &jsonapi.Error{Status: 422, Title: "Rejected", Detail: "no", Source: jsonapi.Pointer("/data/attributes/name")}
			}, nil)...)
			for _, tc := range []struct{ name, method, path, body string }{
				{"POST", http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`)},
				{"PATCH", http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"name":"Jeff"}`)},
				{"DELETE", http.MethodDelete, "/api/person/3", ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var res *response
					e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body) }, "person", "computer")
					got := wantError(t, res, 422, "/data/attributes/name")
					if got["title"] != "Rejected" || got["detail"] != "no" {
						t.Errorf("error title, detail = %v, %v, want Rejected, no", got["title"], got["detail"])
					}
				})
			}
		})

		t.Run("Before changes a value", func(t *testing.T) {
			e := newEnv(t, wtHooked(func(ctx context.Context, w *resource.Write) error {
				if name, ok := w.Values["name"].(string); ok {
					w.Values["name"] = strings.ToUpper(name)
				}
				return nil
			}, nil)...)
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"zoe"}`))
			wtWantStatus(t, res, http.StatusCreated)
			if got := wtAttrs(t, res)["name"]; got != "ZOE" {
				t.Errorf("attributes.name = %v, want ZOE", got)
			}
			if got := wtCount(t, e, "person", "name = 'ZOE'"); got != 1 {
				t.Errorf("rows named ZOE = %d, want 1", got)
			}
			res = e.do(http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"name":"jeff"}`))
			wtWantStatus(t, res, http.StatusOK)
			if got := wtScalar(t, e, `SELECT name FROM person WHERE id = 1`); got != "JEFF" {
				t.Errorf("row 1 name = %v, want JEFF", got)
			}
		})

		t.Run("After sees the new id", func(t *testing.T) {
			var ids []any
			e := newEnv(t, wtHooked(nil, func(ctx context.Context, w *resource.Write) error {
				ids = append(ids, w.ID)
				return nil
			})...)
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`))
			wtWantStatus(t, res, http.StatusCreated)
			id := wtData(t, res)["id"]
			if len(ids) != 1 || ids[0] == nil || fmt.Sprint(ids[0]) != id {
				t.Errorf("w.ID in After = %v, want [%v]", ids, id)
			}
		})

		for _, tc := range []struct {
			name   string
			err    error
			status int
		}{
			{"After fails", errors.New("after failed"), http.StatusInternalServerError},
			{"After fails with an Error", &jsonapi.Error{Status: http.StatusConflict, Title: "Conflict", Detail: "late"}, http.StatusConflict},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, wtHooked(nil, func(ctx context.Context, w *resource.Write) error { return tc.err })...)
				for _, r := range []struct{ name, method, path, body string }{
					{"POST", http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`)},
					{"PATCH", http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":99}`)},
					{"DELETE", http.MethodDelete, "/api/person/3", ""},
				} {
					t.Run(r.name, func(t *testing.T) {
						var res *response
						e.unchanged(func() { res = e.do(r.method, r.path, r.body) }, "person", "computer")
						wantError(t, res, tc.status, "")
					})
				}
			})
		}

		t.Run("After writes in the transaction", func(t *testing.T) {
			e := newEnv(t, wtHooked(nil, wtAudit)...)
			wtAuditTable(e)
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`))
			wtWantStatus(t, res, http.StatusCreated)
			want := "create " + fmt.Sprint(wtData(t, res)["id"])
			if got := wtCount(t, e, "audit", "msg = ?", want); got != 1 {
				t.Errorf("audit rows %q = %d, want 1 (audit: %v)", want, got, e.rows("audit"))
			}
		})

		t.Run("After write rolled back by a later failure", func(t *testing.T) {
			e := newEnv(t, wtHooked(nil, func(ctx context.Context, w *resource.Write) error {
				if err := wtAudit(ctx, w); err != nil {
					return err
				}
				return errors.New("later step failed")
			})...)
			wtAuditTable(e)
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`))
			}, "person", "audit")
			wantError(t, res, http.StatusInternalServerError, "")
		})

		t.Run("Before write rolled back by a failing statement", func(t *testing.T) {
			e := newEnv(t, wtHooked(wtAudit, nil)...)
			wtAuditTable(e)
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Jeffrey"}`))
			}, "person", "audit")
			wantError(t, res, http.StatusConflict, "/data/attributes/name")
		})
	})
}

func TestRowFilter(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		young := func() []resource.Resource {
			return wtResources(wtPerson(func(p *resource.Table) {
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) {
					return sq.Lt{`"person"."age"`: 40}, nil
				}
			}))
		}
		t.Run("list", func(t *testing.T) {
			e := newEnv(t, young()...)
			res := e.do(http.MethodGet, "/api/person", "")
			wtWantStatus(t, res, http.StatusOK)
			doc := wtDoc(t, res)
			var ids []string
			data, _ := doc["data"].([]any)
			for _, o := range data {
				ids = append(ids, fmt.Sprint(o.(map[string]any)["id"]))
			}
			if got, want := strings.Join(ids, ","), "1,3"; got != want {
				t.Errorf("ids = %s, want %s", got, want)
			}
			meta, _ := doc["meta"].(map[string]any)
			if got := meta["total"]; got != json.Number("2") {
				t.Errorf("meta.total = %v, want 2", got)
			}
		})
		t.Run("hidden item", func(t *testing.T) {
			e := newEnv(t, young()...)
			wantError(t, e.do(http.MethodGet, "/api/person/2", ""), http.StatusNotFound, "")
			wtWantStatus(t, e.do(http.MethodGet, "/api/person/1", ""), http.StatusOK)
		})
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
		}{
			{"PATCH hidden", http.MethodPatch, "/api/person/2", wtPatchDoc("2", `{"age":30}`), http.StatusNotFound},
			{"DELETE hidden", http.MethodDelete, "/api/person/2", "", http.StatusNotFound},
			{"PATCH out of view", http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":50}`), http.StatusForbidden},
			{"POST out of view", http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Old","age":60}`), http.StatusForbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, young()...)
				var res *response
				e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body) }, "person", "computer")
				wantError(t, res, tc.status, "")
			})
		}
		t.Run("PATCH within view", func(t *testing.T) {
			e := newEnv(t, young()...)
			res := e.do(http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":39}`))
			wtWantStatus(t, res, http.StatusOK)
			if got := wtScalar(t, e, `SELECT age FROM person WHERE id = 1`); got != int64(39) {
				t.Errorf("row age = %#v, want 39", got)
			}
		})
	})
}

type wtTenantKey struct{}

func TestRowFilterTenant(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tenantOf := func(ctx context.Context) (string, error) {
			tenant, ok := ctx.Value(wtTenantKey{}).(string)
			if !ok {
				return "", jsonapi.NewError(http.StatusUnauthorized, "No tenant.")
			}
			return tenant, nil
		}
		setup := func(t *testing.T) *env {
			p := wtPerson(func(p *resource.Table) {
				p.Filter = func(ctx context.Context) (sq.Sqlizer, error) {
					tenant, err := tenantOf(ctx)
					if err != nil {
						return nil, err
					}
					return sq.Eq{`"person"."tenant"`: tenant}, nil
				}
				p.Defaults = func(ctx context.Context) (map[string]any, error) {
					tenant, err := tenantOf(ctx)
					if err != nil {
						return nil, err
					}
					return map[string]any{"tenant": tenant}, nil
				}
			})
			e := newEnv(t, wtResources(p)...)
			e.exec(`ALTER TABLE person ADD COLUMN tenant TEXT`)
			e.exec(`UPDATE person SET tenant = 'A' WHERE id IN (1, 3)`)
			e.exec(`UPDATE person SET tenant = 'B' WHERE id = 2`)
			inner := e.h
			e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tenant := r.Header.Get("X-Tenant"); tenant != "" {
					r = r.WithContext(context.WithValue(r.Context(), wtTenantKey{}, tenant))
				}
				inner.ServeHTTP(w, r)
			})
			return e
		}
		listIDs := func(t *testing.T, e *env, tenant string) string {
			t.Helper()
			res := e.do(http.MethodGet, "/api/person", "", "X-Tenant", tenant)
			wtWantStatus(t, res, http.StatusOK)
			doc := wtDoc(t, res)
			var ids []string
			data, _ := doc["data"].([]any)
			for _, o := range data {
				ids = append(ids, fmt.Sprint(o.(map[string]any)["id"]))
			}
			meta, _ := doc["meta"].(map[string]any)
			if got := fmt.Sprint(meta["total"]); got != fmt.Sprint(len(ids)) {
				t.Errorf("tenant %s: meta.total = %s, want %d", tenant, got, len(ids))
			}
			return strings.Join(ids, ",")
		}

		t.Run("each tenant sees its rows", func(t *testing.T) {
			e := setup(t)
			if got, want := listIDs(t, e, "A"), "1,3"; got != want {
				t.Errorf("tenant A ids = %s, want %s", got, want)
			}
			if got, want := listIDs(t, e, "B"), "2"; got != want {
				t.Errorf("tenant B ids = %s, want %s", got, want)
			}
			wantError(t, e.do(http.MethodGet, "/api/person/2", "", "X-Tenant", "A"), http.StatusNotFound, "")
			wtWantStatus(t, e.do(http.MethodGet, "/api/person/2", "", "X-Tenant", "B"), http.StatusOK)
		})
		t.Run("create sets the tenant", func(t *testing.T) {
			e := setup(t)
			before := len(e.rows("person"))
			res := e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`), "X-Tenant", "A")
			wtWantStatus(t, res, http.StatusCreated)
			if got := len(e.rows("person")); got != before+1 {
				t.Errorf("people = %d, want %d", got, before+1)
			}
			if got := wtScalar(t, e, `SELECT tenant FROM person WHERE name = 'Zoe'`); got != "A" {
				t.Errorf("new row tenant = %#v, want A", got)
			}
			if _, ok := wtAttrs(t, res)["tenant"]; ok {
				t.Errorf("attributes has tenant, want it hidden")
			}
			if got, want := listIDs(t, e, "A"), "1,3,"+fmt.Sprint(wtData(t, res)["id"]); got != want {
				t.Errorf("tenant A ids = %s, want %s", got, want)
			}
			if got, want := listIDs(t, e, "B"), "2"; got != want {
				t.Errorf("tenant B ids = %s, want %s", got, want)
			}
		})
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			source                   string
		}{
			{"tenant is not an attribute", http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe","tenant":"B"}`), http.StatusBadRequest, "/data/attributes/tenant"},
			{"PATCH another tenant's row", http.MethodPatch, "/api/person/2", wtPatchDoc("2", `{"age":1}`), http.StatusNotFound, ""},
			{"DELETE another tenant's row", http.MethodDelete, "/api/person/2", "", http.StatusNotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := setup(t)
				var res *response
				e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body, "X-Tenant", "A") }, "person", "computer")
				wantError(t, res, tc.status, tc.source)
			})
		}
	})
}

// wtBusyError looks like modernc.org/sqlite's SQLITE_BUSY error.
type wtBusyError struct{}

func (wtBusyError) Error() string { return "database is locked (5) SQLITE_BUSY" }
func (wtBusyError) Code() int     { return 5 }

func TestBusyDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		// The busy failures of each database: SQLite's SQLITE_BUSY, and
		// PostgreSQL's serialization failure, deadlock, lock timeout
		// (lock_timeout) and statement timeout (statement_timeout).
		busy := []error{wtBusyError{}}
		if backendOf(t) == "postgres" {
			busy = []error{
				&pgconn.PgError{Code: "40001", Message: "could not serialize access"},
				&pgconn.PgError{Code: "40P01", Message: "deadlock detected"},
				&pgconn.PgError{Code: "55P03", Message: "could not obtain lock on row"},
				&pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"},
			}
		}
		for _, cause := range busy {
			e := newEnv(t, wtHooked(func(ctx context.Context, w *resource.Write) error {
				return fmt.Errorf("hook: %w", cause)
			}, nil)...)
			for _, tc := range []struct{ name, method, path, body string }{
				{"POST", http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`)},
				{"PATCH", http.MethodPatch, "/api/person/1", wtPatchDoc("1", `{"age":36}`)},
				{"DELETE", http.MethodDelete, "/api/person/3", ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var res *response
					e.unchanged(func() { res = e.do(tc.method, tc.path, tc.body) }, "person", "computer")
					wantError(t, res, http.StatusServiceUnavailable, "")
					if got := res.Header.Get("Retry-After"); got == "" {
						t.Errorf("Retry-After is missing")
					}
					for _, s := range []string{"SQLITE", "locked", "serialize", "deadlock", "lock", "timeout"} {
						if bytes.Contains(res.Body, []byte(s)) {
							t.Errorf("%v: body shows the database error: %s", cause, res.Body)
						}
					}
				})
			}
		}
	})
}

func TestLeakNoSQL(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("bad expression on GET", func(t *testing.T) {
			e := newEnv(t, wtResources(wtPerson(func(p *resource.Table) {
				p.Attributes = append(p.Attributes, resource.Attribute{Name: "bad", Expr: "no_such_column"})
			}))...)
			for _, path := range []string{"/api/person/1", "/api/person"} {
				res := e.do(http.MethodGet, path, "")
				wantError(t, res, http.StatusInternalServerError, "")
				for _, s := range []string{"no_such_column", "SQL", "SELECT"} {
					if bytes.Contains(res.Body, []byte(s)) {
						t.Errorf("GET %s: body contains %q: %s", path, s, res.Body)
					}
				}
			}
		})
		t.Run("hook error on POST", func(t *testing.T) {
			e := newEnv(t, wtHooked(func(ctx context.Context, w *resource.Write) error {
				return fmt.Errorf("boom: SELECT secret")
			}, nil)...)
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`))
			}, "person")
			wantError(t, res, http.StatusInternalServerError, "")
			for _, s := range []string{"secret", "boom", "SELECT"} {
				if bytes.Contains(res.Body, []byte(s)) {
					t.Errorf("body contains %q: %s", s, res.Body)
				}
			}
		})
		t.Run("database error on POST", func(t *testing.T) {
			e := newEnv(t)
			e.exec(e.pick(`CREATE TRIGGER person_no_insert BEFORE INSERT ON person BEGIN SELECT RAISE(FAIL, 'secret trigger text'); END`,
				`CREATE FUNCTION person_no_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'secret trigger text'; END $$;
				CREATE TRIGGER person_no_insert BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_no_insert()`))
			var res *response
			e.unchanged(func() {
				res = e.do(http.MethodPost, "/api/person", wtPersonDoc(`{"name":"Zoe"}`))
			}, "person")
			if res.Code < 400 {
				t.Fatalf("status = %d, want an error\n%s", res.Code, res.Body)
			}
			for _, s := range []string{"secret", "trigger", "INSERT", "SQL"} {
				if bytes.Contains(res.Body, []byte(s)) {
					t.Errorf("body contains %q: %s", s, res.Body)
				}
			}
		})
	})
}
