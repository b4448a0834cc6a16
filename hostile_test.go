package restless_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// corpusPayloads reads the payload files of testdata/sqli.
func corpusPayloads(t *testing.T) []injPayload {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "sqli", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no payload files in testdata/sqli (%v)", err)
	}
	sort.Strings(files)
	var out []injPayload
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			n++
			out = append(out, injPayload{label: strings.TrimSuffix(filepath.Base(name), ".txt") + "-" + strconv.Itoa(n), s: line})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestInjectionCorpus replays the payload files of testdata/sqli into
// every read place of TestInjection, into the write places, and into
// request headers. The checks are TestInjection's: a 4xx naming the place
// or the right answer with the payload as data, never a 5xx or SQL text,
// the database unchanged. With -short every fifth payload is sent, and
// under -race (where the point is concurrency, not payloads) every 25th.
func TestInjectionCorpus(t *testing.T) {
	payloads := corpusPayloads(t)
	stride := 1
	switch {
	case raceEnabled:
		stride = 25
	case testing.Short():
		stride = 5
	}
	if stride > 1 {
		var few []injPayload
		for i := 0; i < len(payloads); i += stride {
			few = append(few, payloads[i])
		}
		payloads = few
	}
	places := injReads()
	t.Logf("%d payloads × %d read places, %d header places and the write places", len(payloads), len(places), len(hostileHeaders))
	for _, place := range places {
		t.Run(place.name, func(t *testing.T) {
			e := newEnv(t)
			for _, pl := range payloads {
				t.Run(pl.label, func(t *testing.T) { injCheckRead(t, e, place, pl.s) })
			}
		})
	}
	t.Run("header", func(t *testing.T) {
		e := newEnv(t)
		for _, h := range hostileHeaders {
			for _, pl := range payloads {
				for _, m := range []struct{ method, path, body string }{
					{"GET", "/api/person?page[size]=2", ""},
					{"PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"age":35}}}`},
				} {
					var res *response
					e.unchanged(func() { res = e.do(m.method, m.path, m.body, h, pl.s) }, "person", "computer")
					injSafe(t, pl.s, res)
				}
			}
		}
	})
	t.Run("write", func(t *testing.T) {
		for _, pl := range payloads {
			t.Run(pl.label, func(t *testing.T) { injWrites(t, pl.s) })
		}
	})
}

// hostileHeaders are the request headers a payload is put in.
var hostileHeaders = []string{"Accept", "Content-Type", "If-Match", "If-None-Match", "X-Forwarded-Host",
	"X-Forwarded-Proto", "X-Request-Id", "Origin", "Cookie", "Authorization", "Prefer"}

// hostileEnv serves a person type that hides the columns age and
// birth_date (not declared) and the row of Hilda (id 2, by a row filter),
// the demo computers (computer 3 belongs to Hilda) and users, whose
// password is write-only.
func hostileEnv(t *testing.T) *env {
	t.Helper()
	person := &resource.Table{
		Name:       "person",
		Attributes: []resource.Attribute{{Name: "name"}},
		Relationships: []resource.Relationship{
			{Name: "computers", Type: "computer", Kind: resource.ToMany, ForeignKey: "owner_id"},
		},
		Filter: func(ctx context.Context) (sq.Sqlizer, error) { return sq.NotEq{`"person"."id"`: 2}, nil },
		Bulk:   true,
	}
	e := newEnv(t, person, demo.Computer(), demo.Users())
	e.exec(demo.UsersSchema + faultSeed)
	return e
}

// hostileSame checks that two error replies are the same apart from the
// names they quote.
func hostileSame(t *testing.T, hidden, missing *response, hiddenName, missingName string) {
	t.Helper()
	norm := func(r *response, name string) string {
		s := string(r.Body)
		for _, n := range []string{name, url.QueryEscape(name)} {
			s = strings.ReplaceAll(s, n, "NAME")
		}
		return s
	}
	if hidden.Code != missing.Code || norm(hidden, hiddenName) != norm(missing, missingName) {
		t.Errorf("a hidden name is answered unlike a missing one:\nhidden  %d %s\nmissing %d %s", hidden.Code, hidden.Body, missing.Code, missing.Body)
	}
}

// TestHiddenColumns checks that columns a type does not declare, and
// write-only attributes, cannot be read, sorted, filtered, evaluated or
// named in a sparse fieldset: each attempt is a 400 naming the parameter,
// the same as for a name that does not exist, and no body shows them.
func TestHiddenColumns(t *testing.T) {
	e := hostileEnv(t)
	obj := func(v any) string { return injJSON([]any{v}) }
	cases := []struct {
		path, param string // path with NAME for the name
	}{
		{"/api/person?fields[person]=NAME", "fields[person]"},
		{"/api/person?fields[person]=name,NAME", "fields[person]"},
		{"/api/person?sort=NAME", "sort"},
		{"/api/person?sort=-NAME", "sort"},
		{"/api/person?filter[NAME]=35", "filter[NAME]"},
		{"/api/person?filter[NAME][gt]=1", "filter[NAME][gt]"},
		{"/api/person?filter[objects]=" + url.QueryEscape(obj(injF{"name": "NAME", "op": "eq", "val": 35})), "filter[objects]"},
		{"/api/person?filter[objects]=" + url.QueryEscape(obj(injF{"name": "NAME", "op": "like", "val": "3%"})), "filter[objects]"},
		{"/api/person?filter[objects]=" + url.QueryEscape(obj(injF{"name": "name", "op": "eq", "field": "NAME"})), "filter[objects]"},
		{"/api/person?filter[objects]=" + url.QueryEscape(obj(injF{"not": injF{"name": "NAME", "op": "is_null"}})), "filter[objects]"},
		{"/api/computer?filter[objects]=" + url.QueryEscape(obj(injF{"name": "owner", "op": "has", "val": injF{"name": "NAME", "op": "gt", "val": 30}})), "filter[objects]"},
		{"/api/person?q=" + url.QueryEscape(injJSON(injF{"filters": []injF{{"name": "NAME", "op": ">", "val": 1}}})), "q"},
		{"/api/person?q=" + url.QueryEscape(injJSON(injF{"order_by": []injF{{"field": "NAME"}}})), "q"},
		{"/api/computer?sort=owner.NAME", "sort"},
		{"/api/eval/person?functions=" + url.QueryEscape(injJSON([]injF{{"name": "max", "field": "NAME"}})), "functions"},
		{"/api/eval/person?functions=" + url.QueryEscape(injJSON([]injF{{"name": "count", "field": "id"}})) + "&filter[NAME][ge]=0", "filter[NAME][ge]"},
		{"/api/person/1?fields[person]=NAME", "fields[person]"},
		{"/api/computer/1?include=owner&fields[person]=NAME", "fields[person]"},
	}
	n := 0
	for _, hidden := range []struct{ typ, name string }{{"person", "age"}, {"person", "birth_date"}, {"users", "password"}} {
		for _, c := range cases {
			if hidden.typ == "users" {
				if !strings.Contains(c.path, "/api/person?") || strings.Contains(c.path, "field%22%3A%22NAME") {
					continue
				}
				c.path = strings.Replace(strings.ReplaceAll(c.path, "fields[person]", "fields[users]"), "/api/person", "/api/users", 1)
				c.param = strings.ReplaceAll(c.param, "fields[person]", "fields[users]")
			}
			missing := hidden.name + "x"
			t.Run(hidden.name+" "+c.path, func(t *testing.T) {
				n++
				rh := e.do("GET", strings.ReplaceAll(c.path, "NAME", hidden.name), "")
				wantError(t, rh, http.StatusBadRequest, "?"+strings.ReplaceAll(c.param, "NAME", hidden.name))
				rm := e.do("GET", strings.ReplaceAll(c.path, "NAME", missing), "")
				hostileSame(t, rh, rm, hidden.name, missing)
			})
		}
	}
	t.Logf("%d attempts to reach hidden columns", n)
	// No read shows a hidden column or its values.
	for _, path := range []string{"/api/person", "/api/person/1", "/api/person/1/computers?include=owner", "/api/computer?include=owner",
		"/api/computer/1/owner", "/api/users", "/api/users/b@x?include=mom,friends", "/api/users/a@x/friends", "/api/users/b@x/mom",
		"/api/users/a@x/relationships/friends"} {
		res := e.do("GET", path, "")
		if res.Code != http.StatusOK {
			t.Errorf("GET %s: status %d\n%s", path, res.Code, res.Body)
		}
		for _, leak := range []string{`"age"`, `"birth_date"`, `1991-04-02`, `"password"`, `"pa"`, `"pb"`, `"pc"`} {
			if strings.Contains(string(res.Body), leak) {
				t.Errorf("GET %s shows %s:\n%s", path, leak, res.Body)
			}
		}
	}
}

// TestRowFilterLeaks checks that a row hidden by a row filter (Hilda, id
// 2) cannot be read, linked, included, filtered for, changed or deleted,
// and that every answer about it is the one a row that does not exist
// gets. Atomic operations and bulk writes become rows of this table when
// they exist.
func TestRowFilterLeaks(t *testing.T) {
	e := hostileEnv(t)
	tables := []string{"person", "computer", "users", "friendship"}
	noLeak := func(t *testing.T, res *response) {
		t.Helper()
		// The top-level links echo the request, which may name Hilda.
		body := string(res.Body)
		var doc map[string]json.RawMessage
		if json.Unmarshal(res.Body, &doc) == nil {
			delete(doc, "links")
			b, _ := json.Marshal(doc)
			body = string(b)
		}
		for _, leak := range []string{"Hilda", `"type":"person","id":"2"`, `/person/2`} {
			if strings.Contains(body, leak) {
				t.Errorf("the reply reveals the hidden row (%s):\n%s", leak, res.Body)
			}
		}
		if res.Code >= 500 {
			t.Errorf("status %d", res.Code)
		}
	}
	// Requests on the hidden row answer as for a row that does not exist
	// (id 99).
	same := []struct{ method, path, body string }{
		{"GET", "/api/person/ID", ""},
		{"GET", "/api/person/ID/computers", ""},
		{"GET", "/api/person/ID/relationships/computers", ""},
		{"PATCH", "/api/person/ID", `{"data":{"type":"person","id":"ID","attributes":{"name":"X"}}}`},
		{"DELETE", "/api/person/ID", ""},
		{"POST", "/api/person/ID/relationships/computers", `{"data":[{"type":"computer","id":"1"}]}`},
		{"PATCH", "/api/person/ID/relationships/computers", `{"data":[]}`},
		{"DELETE", "/api/person/ID/relationships/computers", `{"data":[{"type":"computer","id":"3"}]}`},
		{"PATCH", "/api/computer/1/relationships/owner", `{"data":{"type":"person","id":"ID"}}`},
		{"PATCH", "/api/computer/1", `{"data":{"type":"computer","id":"1","relationships":{"owner":{"data":{"type":"person","id":"ID"}}}}}`},
		{"POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":{"data":{"type":"person","id":"ID"}}}}}`},
	}
	// Atomic operations on the hidden row, each after an operation that
	// succeeds, so the whole request must roll back.
	const first = `{"op":"update","data":{"type":"person","id":"1","attributes":{"name":"changed"}}},`
	for _, op := range []string{
		`{"op":"update","data":{"type":"person","id":"ID","attributes":{"name":"X"}}}`,
		`{"op":"remove","ref":{"type":"person","id":"ID"}}`,
		`{"op":"add","ref":{"type":"person","id":"ID","relationship":"computers"},"data":[{"type":"computer","id":"1"}]}`,
		`{"op":"update","ref":{"type":"person","id":"ID","relationship":"computers"},"data":[]}`,
		`{"op":"remove","ref":{"type":"person","id":"ID","relationship":"computers"},"data":[{"type":"computer","id":"3"}]}`,
		`{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":{"type":"person","id":"ID"}}`,
		`{"op":"add","data":{"type":"computer","attributes":{"name":"new"},"relationships":{"owner":{"data":{"type":"person","id":"ID"}}}}}`,
	} {
		same = append(same, struct{ method, path, body string }{"ATOMIC", "/api/operations", `{"atomic:operations":[` + first + op + `]}`})
	}
	for _, c := range same {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			do := func(id string) *response {
				body := strings.ReplaceAll(c.body, "ID", id)
				if c.method == "ATOMIC" {
					return e.atomic(body)
				}
				return e.do(c.method, strings.ReplaceAll(c.path, "ID", id), body)
			}
			var hidden, missing *response
			e.unchanged(func() {
				hidden = do("2")
				missing = do("99")
			}, tables...)
			if hidden.Code < 400 {
				t.Fatalf("status %d for the hidden row\n%s", hidden.Code, hidden.Body)
			}
			noLeak(t, hidden)
			hostileSame(t, hidden, missing, "2", "99")
		})
	}
	// Bulk changes by filter never reach the hidden row: they answer as
	// for an id that does not exist, and change nothing.
	for _, c := range []struct{ method, path, body string }{
		{"PATCH", "/api/person?filter[id]=ID", `{"data":{"type":"person","attributes":{"name":"X"}}}`},
		{"PATCH", "/api/person?filter[name]=Hilda%2CNobody", `{"data":{"type":"person","attributes":{"name":"X"}}}`},
		{"DELETE", "/api/person?filter[id]=ID", ""},
	} {
		t.Run("bulk "+c.method+" "+c.path, func(t *testing.T) {
			var hidden, missing *response
			e.unchanged(func() {
				hidden = e.do(c.method, strings.ReplaceAll(c.path, "ID", "2"), c.body)
				missing = e.do(c.method, strings.ReplaceAll(c.path, "ID", "99"), c.body)
			}, tables...)
			if hidden.Code != 200 || !strings.Contains(string(hidden.Body), `":0}`) {
				t.Errorf("bulk %s touching only the hidden row: %d %s, want 200 and 0 rows", c.method, hidden.Code, hidden.Body)
			}
			noLeak(t, hidden)
			hostileSame(t, hidden, missing, "2", "99")
		})
	}
	// Reads around the hidden row show nothing of it.
	reads := []struct {
		path string
		ids  []string // the data ids, for collections
	}{
		{"/api/person", []string{"1", "3"}},
		{"/api/person?include=computers", []string{"1", "3"}},
		{"/api/computer/3", nil},
		{"/api/computer/3/owner", nil},
		{"/api/computer/3/relationships/owner", nil},
		{"/api/computer?include=owner", []string{"1", "2", "3"}},
		{"/api/computer/3?include=owner.computers", nil},
		{"/api/computer?filter[objects]=" + url.QueryEscape(`[{"name":"owner","op":"has","val":{"name":"name","op":"eq","val":"Hilda"}}]`), []string{}},
		{"/api/computer?filter[objects]=" + url.QueryEscape(`[{"name":"owner","op":"has"}]`), []string{"1", "2"}},
		{"/api/person?filter[objects]=" + url.QueryEscape(`[{"name":"computers","op":"any","val":{"name":"name","op":"eq","val":"turing"}}]`), []string{}},
		{"/api/computer?filter[owner]=2", []string{}},
		{"/api/computer?filter[owner][in]=1,2", []string{"1", "2"}},
		{"/api/computer?filter[owner][ne]=1", []string{}},
		{"/api/computer?filter[owner][ge]=2", []string{}},
		{"/api/computer?filter[owner][is_null]=", []string{"3"}},
		{"/api/computer?filter[owner][is_not_null]=", []string{"1", "2"}},
		{"/api/computer?sort=owner.name", []string{"1", "2", "3"}},
		{"/api/computer?sort=-owner.name", []string{"3", "1", "2"}},
		{"/api/person?filter[id]=2", []string{}},
		{"/api/person?filter[name]=Hilda", []string{}},
		{"/api/person?filter[name][like]=H%25", []string{}},
	}
	for _, r := range reads {
		t.Run("GET "+r.path, func(t *testing.T) {
			res := e.do("GET", r.path, "")
			if res.Code != http.StatusOK {
				t.Fatalf("status %d\n%s", res.Code, res.Body)
			}
			noLeak(t, res)
			if r.ids != nil {
				if diff := cmp.Diff(r.ids, injDataIDs(t, res)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			}
		})
	}
	t.Run("eval", func(t *testing.T) {
		res := e.do("GET", "/api/eval/person?functions="+url.QueryEscape(`[{"name":"count","field":"id"},{"name":"max","field":"name"}]`), "")
		var doc struct {
			Meta map[string]any `json:"meta"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil || res.Code != 200 {
			t.Fatalf("status %d %s", res.Code, res.Body)
		}
		if diff := cmp.Diff(map[string]any{"count__id": 2.0, "max__name": "Tomasz"}, doc.Meta); diff != "" {
			t.Errorf("meta (-want +got):\n%s", diff)
		}
	})
}

// TestMassAssignment checks that a write naming an undeclared column, a
// read-only attribute, the id without client ids, a case variant of an
// attribute or a member twice is refused with a pointer and changes
// nothing.
func TestMassAssignment(t *testing.T) {
	e := hostileEnv(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		pointer                  string
	}{
		{"undeclared-column", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada","age":1}}}`, 400, "/data/attributes/age"},
		{"undeclared-column-patch", "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"birth_date":"2000-01-01"}}}`, 400, "/data/attributes/birth_date"},
		{"foreign-key-column", "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"x","owner_id":2}}}`, 400, "/data/attributes/owner_id"},
		{"primary-key-column", "PATCH", "/api/computer/1", `{"data":{"type":"computer","id":"1","attributes":{"id":7}}}`, 400, "/data/attributes/id"},
		{"read-only", "PATCH", "/api/users/a@x", `{"data":{"type":"users","id":"a@x","attributes":{"created":"2020-01-01T00:00:00Z"}}}`, 403, "/data/attributes/created"},
		{"case-variant", "POST", "/api/person", `{"data":{"type":"person","attributes":{"Name":"Ada"}}}`, 400, "/data/attributes/Name"},
		{"case-variant-upper", "PATCH", "/api/users/a@x", `{"data":{"type":"users","id":"a@x","attributes":{"PASSWORD":"x"}}}`, 400, "/data/attributes/PASSWORD"},
		{"client-id", "POST", "/api/person", `{"data":{"type":"person","id":"50","attributes":{"name":"Ada"}}}`, 403, "/data/id"},
		{"duplicate-attribute", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada","name":"Bob"}}}`, 400, "/data/attributes/name"},
		{"duplicate-id", "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","id":"3","attributes":{"name":"X"}}}`, 400, "/data/id"},
		{"duplicate-data", "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1"},"data":{"type":"person","id":"1","attributes":{"name":"X"}}}`, 400, "/data"},
		{"duplicate-relationship", "PATCH", "/api/computer/1/relationships/owner", `{"data":{"type":"person","id":"1","id":"3"}}`, 400, "/data/id"},
		{"relationship-as-attribute", "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"x","owner":1}}}`, 400, "/data/attributes/owner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res *response
			e.unchanged(func() { res = e.do(c.method, c.path, c.body) }, "person", "computer", "users", "friendship")
			wantError(t, res, c.status, c.pointer)
		})
	}
}

// TestLimits checks that every limit answers with its error: body size
// 413, document nesting, include depth and width, filter depth, IN-list
// length, function count and page size 400, each naming its place.
func TestLimits(t *testing.T) {
	e := newEnv(t)
	deep := func(n int) string {
		f := injF{"name": "age", "op": "eq", "val": 1}
		for range n {
			f = injF{"not": f}
		}
		return injJSON([]any{f})
	}
	in := func(n int) string {
		vals := make([]int, n)
		return injJSON([]any{injF{"name": "age", "op": "in", "val": vals}})
	}
	list := func(n int) string { return strings.TrimSuffix(strings.Repeat("1,", n), ",") }
	fns := func(n int) string {
		var l []injF
		for range n {
			l = append(l, injF{"name": "count", "field": "id"})
		}
		return injJSON(l)
	}
	nest := func(n int) string {
		return `{"data":{"type":"person","attributes":{"name":"x"},"meta":` + strings.Repeat(`[`, n) + strings.Repeat(`]`, n) + `}}`
	}
	big := `{"data":{"type":"person","attributes":{"name":"` + strings.Repeat("x", restless.DefaultMaxBodyBytes) + `"}}}`
	cases := []struct {
		name, method, path, body string
		status                   int
		source                   string
	}{
		{"body-size", "POST", "/api/person", big, 413, ""},
		{"document-depth", "POST", "/api/person", nest(restless.MaxDocumentDepth), 400, "/"},
		{"include-depth", "GET", "/api/person?include=computers.owner.computers.owner", "", 400, "?include"},
		{"include-paths", "GET", "/api/person?include=" + strings.TrimSuffix(strings.Repeat("computers,computers.owner,", 6), ","), "", 400, "?include"},
		{"filter-depth", "GET", "/api/person?filter[objects]=" + url.QueryEscape(deep(query.MaxFilterDepth)), "", 400, "?filter[objects]"},
		{"in-list", "GET", "/api/person?filter[objects]=" + url.QueryEscape(in(query.MaxInValues+1)), "", 400, "?filter[objects]"},
		{"in-list-simple", "GET", "/api/person?filter[age]=" + list(query.MaxInValues+1), "", 400, "?filter[age]"},
		{"functions", "GET", "/api/eval/person?functions=" + url.QueryEscape(fns(query.MaxFunctions+1)), "", 400, "?functions"},
		{"page-size-max", "GET", "/api/person?page[size]=101", "", 400, "?page[size]"},
		{"page-size-zero", "GET", "/api/person?page[size]=0", "", 400, "?page[size]"},
		{"page-size-negative", "GET", "/api/person?page[size]=-1", "", 400, "?page[size]"},
		{"page-size-2^63", "GET", "/api/person?page[size]=9223372036854775808", "", 400, "?page[size]"},
		{"page-size-1e400", "GET", "/api/person?page[size]=1e400", "", 400, "?page[size]"},
		{"page-size-text", "GET", "/api/person?page[size]=abc", "", 400, "?page[size]"},
		{"page-number-huge", "GET", "/api/person?page[number]=9223372036854775807", "", 400, "?page[number]"},
		{"page-limit-max", "GET", "/api/person?page[limit]=101", "", 400, "?page[limit]"},
		{"page-offset-huge", "GET", "/api/person?page[offset]=9223372036854775807", "", 400, "?page[offset]"},
		{"legacy-limit", "GET", "/api/person?q=" + url.QueryEscape(`{"limit":101}`), "", 400, "?q"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res *response
			e.unchanged(func() { res = e.do(c.method, c.path, c.body) }, "person", "computer")
			wantError(t, res, c.status, c.source)
		})
	}
	// Just inside the limits, the same requests succeed.
	for _, c := range []struct{ name, method, path, body string }{
		{"document-depth", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"deep"},"meta":` + strings.Repeat(`[`, restless.MaxDocumentDepth-2) + strings.Repeat(`]`, restless.MaxDocumentDepth-2) + `}}`},
		{"include-depth", "GET", "/api/person?include=computers.owner.computers", ""},
		{"filter-depth", "GET", "/api/person?filter[objects]=" + url.QueryEscape(deep(query.MaxFilterDepth-1)), ""},
		{"in-list", "GET", "/api/person?filter[objects]=" + url.QueryEscape(in(query.MaxInValues)), ""},
		{"in-list-simple", "GET", "/api/person?filter[age]=" + list(query.MaxInValues), ""},
		{"functions", "GET", "/api/eval/person?functions=" + url.QueryEscape(fns(query.MaxFunctions)), ""},
		{"page-size-max", "GET", "/api/person?page[size]=100", ""},
	} {
		t.Run("within "+c.name, func(t *testing.T) {
			if res := e.do(c.method, c.path, c.body); res.Code >= 300 {
				t.Errorf("status %d\n%s", res.Code, res.Body)
			}
		})
	}
}

// TestCreateWithoutAttributes checks a create with no attributes, which
// FuzzRequestDocument found answered with 500: it inserts a row of
// defaults, or is refused with 400 when a column needs a value.
func TestCreateWithoutAttributes(t *testing.T) {
	note := &resource.Table{Name: "note", Attributes: []resource.Attribute{{Name: "body"}}}
	e := newEnv(t, append(demo.Resources(), note)...)
	e.exec(`CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT DEFAULT 'empty')`)
	res := e.do("POST", "/api/note", `{"data":{"type":"note"}}`)
	if res.Code != http.StatusCreated || !strings.Contains(string(res.Body), `"attributes":{"body":"empty"}`) {
		t.Errorf("POST note: %d %s; want 201 with the default body", res.Code, res.Body)
	}
	e.unchanged(func() {
		wantError(t, e.do("POST", "/api/person", `{"data":{"type":"person"}}`), http.StatusBadRequest, "/data")
	}, "person")
}

// TestCreateWithoutKey checks that a create that leaves a text key NULL,
// which SQLite allows, is refused instead of answered with a resource
// that has no id (found by FuzzRequestDocument).
func TestCreateWithoutKey(t *testing.T) {
	e := newEnv(t, append(demo.Resources(), demo.Users())...)
	e.exec(demo.UsersSchema)
	for _, body := range []string{`{"data":{"type":"users","attributes":{"gender":"f"}}}`, `{"data":{"type":"users"}}`} {
		e.unchanged(func() {
			wantError(t, e.do("POST", "/api/users", body), http.StatusBadRequest, "/data")
		}, "users")
	}
}
