package restless_test

// HTTP-level tests of the query parameters over the demo SQLite database:
// filters (every operator and alias, nesting, has/any, the simple form,
// legacy q, single), sorting, the three pagination styles with their
// links, sparse fieldsets and function evaluation.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/jsonapitest"
)

const qhCursorProfile = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination"

// qhCursorAccept asks for the cursor pagination profile.
const qhCursorAccept = `application/vnd.api+json; profile="` + qhCursorProfile + `"`

// qhDoc is a decoded top-level document.
type qhDoc struct {
	Data    json.RawMessage            `json:"data"`
	Links   map[string]*string         `json:"links"`
	Meta    map[string]json.RawMessage `json:"meta"`
	JSONAPI struct {
		Version string   `json:"version"`
		Profile []string `json:"profile"`
	} `json:"jsonapi"`
}

// qhObject is a decoded resource object.
type qhObject struct {
	Type       string                     `json:"type"`
	ID         string                     `json:"id"`
	Attributes map[string]json.RawMessage `json:"attributes"`
	Links      map[string]string          `json:"links"`
}

// qhFor returns e reporting to t, so that failures inside subtests are
// reported (and FailNow called) on the right test.
func qhFor(e *env, t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// qhURL returns path with the query built from name/value pairs, properly
// percent-encoded.
func qhURL(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func qhDecode(t *testing.T, body []byte) qhDoc {
	t.Helper()
	var doc qhDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body is not a document: %v\n%s", err, body)
	}
	return doc
}

// qhGet GETs path and requires a 200.
func qhGet(t *testing.T, e *env, path string, hdr ...string) qhDoc {
	t.Helper()
	res := qhFor(e, t).do("GET", path, "", hdr...)
	if res.Code != http.StatusOK {
		t.Fatalf("GET %s: status = %d, want 200\n%s", path, res.Code, res.Body)
	}
	return qhDecode(t, res.Body)
}

// qhBad GETs path and requires an error with status and source.
func qhBad(t *testing.T, e *env, path string, status int, source string, hdr ...string) map[string]any {
	t.Helper()
	res := qhFor(e, t).do("GET", path, "", hdr...)
	return wantError(t, res, status, source)
}

// qhBadParam GETs path and requires a 400 error whose source.parameter is
// one of params, parameters the request has.
func qhBadParam(t *testing.T, e *env, path string, params ...string) {
	t.Helper()
	res := qhFor(e, t).do("GET", path, "")
	if res.Code != http.StatusBadRequest {
		t.Fatalf("GET %s: status = %d, want 400\n%s", path, res.Code, res.Body)
	}
	var doc struct {
		Errors []struct {
			Source struct {
				Parameter string `json:"parameter"`
			} `json:"source"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) == 0 {
		t.Fatalf("not an error document: %s", res.Body)
	}
	if p := doc.Errors[0].Source.Parameter; !slices.Contains(params, p) {
		t.Errorf("GET %s: errors[0].source.parameter = %q, want one of %q (a parameter of the request)", path, p, params)
	}
}

// qhObjects returns the primary data, which must be an array.
func qhObjects(t *testing.T, doc qhDoc) []qhObject {
	t.Helper()
	var objs []qhObject
	if err := json.Unmarshal(doc.Data, &objs); err != nil || objs == nil {
		t.Fatalf("data is not an array: %s", doc.Data)
	}
	return objs
}

func qhIDs(t *testing.T, doc qhDoc) []string {
	t.Helper()
	ids := []string{}
	for _, o := range qhObjects(t, doc) {
		ids = append(ids, o.ID)
	}
	return ids
}

// qhWantIDs GETs path and compares the ids of the primary data in order.
func qhWantIDs(t *testing.T, e *env, path string, want ...string) qhDoc {
	t.Helper()
	doc := qhGet(t, e, path)
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, qhIDs(t, doc)); diff != "" {
		t.Errorf("GET %s: ids (-want +got):\n%s", path, diff)
	}
	return doc
}

// qhLink returns a top-level link: its value, whether the member is
// present and whether it is null.
func qhLink(doc qhDoc, name string) (value string, present, null bool) {
	l, ok := doc.Links[name]
	if !ok {
		return "", false, false
	}
	if l == nil {
		return "", true, true
	}
	return *l, true, false
}

// qhPath strips the base URL off a link so it can be requested.
func qhPath(t *testing.T, link string) string {
	t.Helper()
	if !strings.HasPrefix(link, testBase+"/") {
		t.Fatalf("link %q does not start with %s", link, testBase)
	}
	return strings.TrimPrefix(link, testBase)
}

func qhNum(t *testing.T, raw json.RawMessage) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		t.Fatalf("%s is not a number", raw)
	}
	return f
}

// qhFilterEnv is the demo plus a person with NULL age and birth date and a
// person whose age is smaller than their id.
func qhFilterEnv(t *testing.T) *env {
	e := newEnv(t)
	e.exec(`INSERT INTO person (id, name, birth_date, age) VALUES (4, 'Dora', NULL, NULL), (5, 'eve', '2021-05-05', 3)`)
	return e
}

func qhObjectsPath(path, filters string) string {
	return qhURL(path, "filter[objects]", filters)
}

func TestFilterObjectsOperatorsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := qhFilterEnv(t)
		tests := []struct {
			ops  []string
			val  string
			want []string
		}{
			{[]string{"==", "eq", "equals", "equal_to"}, "35", []string{"1"}},
			{[]string{"!=", "ne", "neq", "not_equal_to", "does_not_equal"}, "35", []string{"2", "3", "5"}},
			{[]string{">", "gt"}, "30", []string{"1", "2"}},
			{[]string{"<", "lt"}, "30", []string{"3", "5"}},
			{[]string{">=", "ge", "gte", "geq"}, "35", []string{"1", "2"}},
			{[]string{"<=", "le", "lte", "leq"}, "35", []string{"1", "3", "5"}},
		}
		for _, tt := range tests {
			for _, op := range tt.ops {
				t.Run(op, func(t *testing.T) {
					f := fmt.Sprintf(`[{"name":"age","op":%q,"val":%s}]`, op, tt.val)
					qhWantIDs(t, e, qhObjectsPath("/api/person", f), tt.want...)
				})
			}
		}
	})
}

func TestFilterObjectsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := qhFilterEnv(t)
		deep := func(n int) string {
			return "[" + strings.Repeat(`{"not":`, n) + `{"name":"id","op":"eq","val":1}` + strings.Repeat("}", n) + "]"
		}
		tests := []struct {
			name   string
			path   string
			filter string
			want   []string
		}{
			{"in", "/api/person", `[{"name":"age","op":"in","val":[35,26]}]`, []string{"1", "3"}},
			{"in text", "/api/person", `[{"name":"name","op":"in","val":["Hilda","eve","Nobody"]}]`, []string{"2", "5"}},
			{"in empty", "/api/person", `[{"name":"age","op":"in","val":[]}]`, nil},
			{"in with null", "/api/person", `[{"name":"age","op":"in","val":[35,null]}]`, []string{"1", "4"}},
			{"not_in", "/api/person", `[{"name":"age","op":"not_in","val":[35,26]}]`, []string{"2", "5"}},
			{"is_null", "/api/person", `[{"name":"age","op":"is_null"}]`, []string{"4"}},
			{"is_not_null", "/api/person", `[{"name":"age","op":"is_not_null"}]`, []string{"1", "2", "3", "5"}},
			{"is_null date", "/api/person", `[{"name":"birth_date","op":"is_null"}]`, []string{"4"}},
			{"eq null", "/api/person", `[{"name":"age","op":"eq","val":null}]`, []string{"4"}},
			{"== null", "/api/person", `[{"name":"birth_date","op":"==","val":null}]`, []string{"4"}},
			{"ne null", "/api/person", `[{"name":"age","op":"ne","val":null}]`, []string{"1", "2", "3", "5"}},
			{"!= null", "/api/person", `[{"name":"birth_date","op":"!=","val":null}]`, []string{"1", "2", "3", "5"}},
			{"like", "/api/person", `[{"name":"name","op":"like","val":"J%"}]`, []string{"1"}},
			{"like inside", "/api/person", `[{"name":"name","op":"like","val":"%e%"}]`, []string{"1", "5"}},
			{"like underscore", "/api/person", `[{"name":"name","op":"like","val":"_ora"}]`, []string{"4"}},
			{"ilike", "/api/person", `[{"name":"name","op":"ilike","val":"JEFF%"}]`, []string{"1"}},
			{"ilike inside", "/api/person", `[{"name":"name","op":"ilike","val":"%E%"}]`, []string{"1", "5"}},
			{"not_like", "/api/person", `[{"name":"name","op":"not_like","val":"%e%"}]`, []string{"2", "3", "4"}},
			{"date gt", "/api/person", `[{"name":"birth_date","op":"gt","val":"1990-01-01"}]`, []string{"1", "3", "5"}},
			{"date eq", "/api/person", `[{"name":"birth_date","op":"eq","val":"1984-11-30"}]`, []string{"2"}},
			{"id in", "/api/person", `[{"name":"id","op":"in","val":[2,4,9]}]`, []string{"2", "4"}},
			{"timestamp ge", "/api/computer", `[{"name":"purchase_time","op":"ge","val":"2024-03-01T09:30:00Z"}]`, []string{"1", "2"}},
			{"text eq", "/api/computer", `[{"name":"vendor","op":"equals","val":"Lenovo"}]`, []string{"3"}},
			{"empty list", "/api/person", `[]`, []string{"1", "2", "3", "4", "5"}},
			{"several filters are ANDed", "/api/person", `[{"name":"age","op":"gt","val":20},{"name":"name","op":"like","val":"%a%"}]`, []string{"2", "3"}},

			// Field-to-field comparison.
			{"field gt field", "/api/person", `[{"name":"age","op":"gt","field":"id"}]`, []string{"1", "2", "3"}},
			{"field lt field", "/api/person", `[{"name":"age","op":"lt","field":"id"}]`, []string{"5"}},
			{"field eq itself", "/api/person", `[{"name":"age","op":"==","field":"age"}]`, []string{"1", "2", "3", "5"}},

			// Nesting.
			{"or", "/api/person", `[{"or":[{"name":"age","op":"lt","val":10},{"name":"name","op":"eq","val":"Hilda"}]}]`, []string{"2", "5"}},
			{"and", "/api/person", `[{"and":[{"name":"age","op":"gt","val":20},{"name":"age","op":"lt","val":40}]}]`, []string{"1", "3"}},
			{"not", "/api/person", `[{"not":{"name":"age","op":"gt","val":30}}]`, []string{"3", "5"}},
			{"not is_null", "/api/person", `[{"not":{"name":"age","op":"is_null"}}]`, []string{"1", "2", "3", "5"}},
			{"empty and", "/api/person", `[{"and":[]}]`, []string{"1", "2", "3", "4", "5"}},
			{"empty or", "/api/person", `[{"or":[]}]`, nil},
			{"not empty and", "/api/person", `[{"not":{"and":[]}}]`, nil},
			{"not empty or", "/api/person", `[{"not":{"or":[]}}]`, []string{"1", "2", "3", "4", "5"}},
			{"deep", "/api/person", `[{"not":{"or":[{"and":[{"name":"age","op":"ge","val":30},{"not":{"name":"name","op":"eq","val":"Hilda"}}]},{"name":"age","op":"is_null"}]}}]`, []string{"2", "3", "5"}},
			{"or of ands", "/api/person", `[{"or":[{"and":[{"name":"age","op":"gt","val":30},{"name":"name","op":"like","val":"H%"}]},{"and":[{"name":"age","op":"lt","val":30},{"name":"name","op":"like","val":"T%"}]}]}]`, []string{"2", "3"}},
			{"31 nested nots", "/api/person", deep(31), []string{"2", "3", "4", "5"}},
			{"30 nested nots", "/api/person", deep(30), []string{"1"}},

			// Relationships.
			{"has", "/api/computer", `[{"name":"owner","op":"has","val":{"name":"name","op":"eq","val":"Jeffrey"}}]`, []string{"1", "2"}},
			{"has nested or", "/api/computer", `[{"name":"owner","op":"has","val":{"or":[{"name":"name","op":"eq","val":"Hilda"},{"name":"age","op":"lt","val":30}]}}]`, []string{"3"}},
			{"has without val", "/api/computer", `[{"name":"owner","op":"has"}]`, []string{"1", "2", "3"}},
			{"not has", "/api/computer", `[{"not":{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}}]`, []string{"1", "2"}},
			{"any", "/api/person", `[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Lenovo"}}]`, []string{"2"}},
			{"any like", "/api/person", `[{"name":"computers","op":"any","val":{"name":"name","op":"like","val":"%i%"}}]`, []string{"1", "2"}},
			{"any without val", "/api/person", `[{"name":"computers","op":"any"}]`, []string{"1", "2"}},
			{"any with null val", "/api/person", `[{"name":"computers","op":"any","val":null}]`, []string{"1", "2"}},
			{"not any", "/api/person", `[{"not":{"name":"computers","op":"any"}}]`, []string{"3", "4", "5"}},
			{"any nested and", "/api/person", `[{"name":"computers","op":"any","val":{"and":[{"name":"vendor","op":"ne","val":"Dell"},{"name":"purchase_time","op":"gt","val":"2025-01-01T00:00:00Z"}]}}]`, []string{"1"}},
			{"any of has", "/api/person", `[{"name":"computers","op":"any","val":{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}}]`, []string{"2"}},
			{"has of any", "/api/computer", `[{"name":"owner","op":"has","val":{"name":"computers","op":"any","val":{"name":"name","op":"eq","val":"foo"}}}]`, []string{"1", "2"}},
			{"any or", "/api/person", `[{"or":[{"name":"computers","op":"any","val":{"name":"name","op":"eq","val":"turing"}},{"name":"age","op":"is_null"}]}]`, []string{"2", "4"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				qhWantIDs(t, e, qhObjectsPath(tt.path, tt.filter), tt.want...)
			})
		}

		// A computer without an owner does not have one: "not has" selects it.
		t.Run("not has with a NULL foreign key", func(t *testing.T) {
			e := newEnv(t)
			e.exec(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (4, 'zx', 'Sinclair', NULL, NULL)`)
			qhWantIDs(t, e, qhObjectsPath("/api/computer", `[{"name":"owner","op":"has"}]`), "1", "2", "3")
			qhWantIDs(t, e, qhObjectsPath("/api/computer", `[{"not":{"name":"owner","op":"has"}}]`), "4")
			qhWantIDs(t, e, qhObjectsPath("/api/computer", `[{"not":{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}}]`), "1", "2", "4")
		})
	})
}

func TestFilterObjectsErrorsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := qhFilterEnv(t)
		deep := func(n int) string {
			return "[" + strings.Repeat(`{"not":`, n) + `{"name":"id","op":"eq","val":1}` + strings.Repeat("}", n) + "]"
		}
		deepAnd := func(n int) string {
			return "[" + strings.Repeat(`{"and":[`, n) + `{"name":"id","op":"eq","val":1}` + strings.Repeat("]}", n) + "]"
		}
		many := make([]string, 1001)
		for i := range many {
			many[i] = strconv.Itoa(i)
		}
		tests := []struct {
			name   string
			path   string
			filter string
		}{
			{"unknown field", "/api/person", `[{"name":"shoe","op":"eq","val":1}]`},
			{"unknown op", "/api/person", `[{"name":"age","op":"resembles","val":1}]`},
			{"op not a string", "/api/person", `[{"name":"age","op":1,"val":1}]`},
			{"no op", "/api/person", `[{"name":"age","val":1}]`},
			{"no name", "/api/person", `[{"op":"eq","val":1}]`},
			{"gt null", "/api/person", `[{"name":"age","op":"gt","val":null}]`},
			{"le null", "/api/person", `[{"name":"age","op":"<=","val":null}]`},
			{"no val", "/api/person", `[{"name":"age","op":"eq"}]`},
			{"like on integer", "/api/person", `[{"name":"age","op":"like","val":"3%"}]`},
			{"ilike on date", "/api/person", `[{"name":"birth_date","op":"ilike","val":"19%"}]`},
			{"like with a number", "/api/person", `[{"name":"name","op":"like","val":5}]`},
			{"like null", "/api/person", `[{"name":"name","op":"like","val":null}]`},
			{"has on a to-many", "/api/person", `[{"name":"computers","op":"has","val":{"name":"name","op":"eq","val":"foo"}}]`},
			{"any on a to-one", "/api/computer", `[{"name":"owner","op":"any"}]`},
			{"has on an attribute", "/api/person", `[{"name":"age","op":"has"}]`},
			{"unknown relationship", "/api/person", `[{"name":"shoes","op":"any"}]`},
			{"relationship compared", "/api/person", `[{"name":"computers","op":"eq","val":1}]`},
			{"nested unknown field", "/api/person", `[{"name":"computers","op":"any","val":{"name":"shoe","op":"eq","val":1}}]`},
			{"nested wrong type", "/api/computer", `[{"name":"owner","op":"has","val":{"name":"age","op":"eq","val":"old"}}]`},
			{"malformed JSON", "/api/person", `[{"name":"age","op":"eq","val":1}`},
			{"trailing data", "/api/person", `[{"name":"age","op":"eq","val":1}] []`},
			{"not a list", "/api/person", `{"name":"age","op":"eq","val":1}`},
			{"null", "/api/person", `null`},
			{"filter not an object", "/api/person", `[1]`},
			{"in with a non-list", "/api/person", `[{"name":"age","op":"in","val":35}]`},
			{"not_in with a string", "/api/person", `[{"name":"age","op":"not_in","val":"35,41"}]`},
			{"in with a wrong item", "/api/person", `[{"name":"age","op":"in","val":[35,"x"]}]`},
			{"in with too many values", "/api/person", `[{"name":"age","op":"in","val":[` + strings.Join(many, ",") + `]}]`},
			{"abc for age", "/api/person", `[{"name":"age","op":"eq","val":"abc"}]`},
			{"float for age", "/api/person", `[{"name":"age","op":"gt","val":3.5}]`},
			{"number for name", "/api/person", `[{"name":"name","op":"eq","val":5}]`},
			{"bad date", "/api/person", `[{"name":"birth_date","op":"gt","val":"yesterday"}]`},
			{"SQL function as value", "/api/person", `[{"name":"birth_date","op":"lt","val":"CURRENT_DATE"}]`},
			{"unknown member", "/api/person", `[{"name":"age","op":"eq","val":1,"extra":2}]`},
			{"val and field", "/api/person", `[{"name":"age","op":"eq","val":1,"field":"id"}]`},
			{"field unknown", "/api/person", `[{"name":"age","op":"gt","field":"shoe"}]`},
			{"field not a string", "/api/person", `[{"name":"age","op":"gt","field":1}]`},
			{"field with like", "/api/person", `[{"name":"name","op":"like","field":"name"}]`},
			{"field with in", "/api/person", `[{"name":"age","op":"in","field":"id"}]`},
			{"or with other members", "/api/person", `[{"or":[],"name":"age"}]`},
			{"or not a list", "/api/person", `[{"or":{"name":"age","op":"eq","val":1}}]`},
			{"not a list in not", "/api/person", `[{"not":[{"name":"age","op":"eq","val":1}]}]`},
			{"nested error", "/api/person", `[{"and":[{"name":"age","op":"eq","val":1},{"not":{"name":"shoe","op":"eq","val":1}}]}]`},
			{"32 nested nots", "/api/person", deep(32)},
			{"40 nested nots", "/api/person", deep(40)},
			{"32 nested ands", "/api/person", deepAnd(32)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				qhBad(t, e, qhObjectsPath(tt.path, tt.filter), http.StatusBadRequest, "?filter[objects]")
			})
		}
		t.Run("operator after objects", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "filter[objects][eq]", `[]`), http.StatusBadRequest, "?filter[objects][eq]")
		})
		t.Run("repeated", func(t *testing.T) {
			p := "/api/person?" + url.Values{"filter[objects]": {`[]`, `[]`}}.Encode()
			qhBad(t, e, p, http.StatusBadRequest, "?filter[objects]")
		})
		t.Run("on an item", func(t *testing.T) {
			qhBad(t, e, qhObjectsPath("/api/person/1", `[]`), http.StatusBadRequest, "?filter[objects]")
		})
	})
}

func TestSimpleFilterHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		e.exec(`INSERT INTO person (id, name, birth_date, age) VALUES (4, 'Dora', NULL, NULL)`)
		e.exec(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (4, 'zx', 'Sinclair', NULL, NULL)`)
		tests := []struct {
			name  string
			path  string
			pairs []string
			want  []string
		}{
			{"equals", "/api/person", []string{"filter[name]", "Jeffrey"}, []string{"1"}},
			{"no match", "/api/person", []string{"filter[name]", "jeffrey"}, nil},
			{"comma list", "/api/person", []string{"filter[age]", "35,41"}, []string{"1", "2"}},
			{"text list", "/api/person", []string{"filter[name]", "Hilda,Tomasz,Nobody"}, []string{"2", "3"}},
			{"id list", "/api/person", []string{"filter[id]", "3,1"}, []string{"1", "3"}},
			{"eq", "/api/person", []string{"filter[age][eq]", "26"}, []string{"3"}},
			{"in", "/api/person", []string{"filter[age][in]", "35,26"}, []string{"1", "3"}},
			{"ne", "/api/person", []string{"filter[age][ne]", "35"}, []string{"2", "3"}},
			{"not_in", "/api/person", []string{"filter[age][not_in]", "35,41"}, []string{"3"}},
			{"gte", "/api/person", []string{"filter[age][gte]", "30"}, []string{"1", "2"}},
			{">=", "/api/person", []string{"filter[age][>=]", "35"}, []string{"1", "2"}},
			{"gt", "/api/person", []string{"filter[age][gt]", "35"}, []string{"2"}},
			{"lt", "/api/person", []string{"filter[age][lt]", "30"}, []string{"3"}},
			{"le", "/api/person", []string{"filter[age][le]", "35"}, []string{"1", "3"}},
			{"is_null", "/api/person", []string{"filter[age][is_null]", ""}, []string{"4"}},
			{"is_not_null", "/api/person", []string{"filter[birth_date][is_not_null]", "1"}, []string{"1", "2", "3"}},
			{"like", "/api/person", []string{"filter[name][like]", "%o%"}, []string{"3", "4"}},
			{"ilike", "/api/person", []string{"filter[name][ilike]", "JEFF%"}, []string{"1"}},
			{"not_like", "/api/person", []string{"filter[name][not_like]", "%o%"}, []string{"1", "2"}},
			{"date lt", "/api/person", []string{"filter[birth_date][lt]", "1990-01-01"}, []string{"2"}},
			{"date eq", "/api/person", []string{"filter[birth_date]", "2000-01-15"}, []string{"3"}},
			{"two filters", "/api/person", []string{"filter[age][gte]", "30", "filter[name][like]", "%y"}, []string{"1"}},
			{"with filter[objects]", "/api/person", []string{"filter[age][gte]", "30", "filter[objects]", `[{"name":"name","op":"eq","val":"Hilda"}]`}, []string{"2"}},
			{"with filter[objects] no overlap", "/api/person", []string{"filter[age][lt]", "30", "filter[objects]", `[{"name":"name","op":"eq","val":"Hilda"}]`}, nil},
			{"to-one ids", "/api/computer", []string{"filter[owner]", "1,2"}, []string{"1", "2", "3"}},
			{"to-one id", "/api/computer", []string{"filter[owner]", "2"}, []string{"3"}},
			{"to-one ne", "/api/computer", []string{"filter[owner][ne]", "1"}, []string{"3"}},
			{"to-one is_null", "/api/computer", []string{"filter[owner][is_null]", ""}, []string{"4"}},
			{"vendor list", "/api/computer", []string{"filter[vendor]", "Dell,Apple"}, []string{"1", "2"}},
			{"timestamp gt", "/api/computer", []string{"filter[purchase_time][gt]", "2024-01-01T00:00:00Z"}, []string{"1", "2"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				qhWantIDs(t, e, qhURL(tt.path, tt.pairs...), tt.want...)
			})
		}

		bad := []struct {
			name  string
			path  string
			pairs []string
			param string
		}{
			{"value does not convert", "/api/person", []string{"filter[age]", "x"}, "filter[age]"},
			{"one value of a list does not convert", "/api/person", []string{"filter[age]", "35,x"}, "filter[age]"},
			{"comparison value does not convert", "/api/person", []string{"filter[age][gt]", "old"}, "filter[age][gt]"},
			{"bad date", "/api/person", []string{"filter[birth_date]", "yesterday"}, "filter[birth_date]"},
			{"bad to-one id", "/api/computer", []string{"filter[owner]", "one"}, "filter[owner]"},
			{"unknown name", "/api/person", []string{"filter[shoe]", "1"}, "filter[shoe]"},
			{"to-many", "/api/person", []string{"filter[computers]", "1"}, "filter[computers]"},
			{"unknown op", "/api/person", []string{"filter[age][resembles]", "1"}, "filter[age][resembles]"},
			{"has", "/api/computer", []string{"filter[owner][has]", "1"}, "filter[owner][has]"},
			{"like on integer", "/api/person", []string{"filter[age][like]", "3%"}, "filter[age][like]"},
			{"two operators", "/api/person", []string{"filter[age][gt][lt]", "1"}, "filter[age][gt][lt]"},
			{"empty name", "/api/person", []string{"filter[]", "1"}, "filter[]"},
			{"unclosed", "/api/person", []string{"filter[age", "1"}, "filter[age"},
			{"single with operator", "/api/person", []string{"filter[single][eq]", "1"}, "filter[single][eq]"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				qhBad(t, e, qhURL(tt.path, tt.pairs...), http.StatusBadRequest, "?"+tt.param)
			})
		}
	})
}

func TestSingleHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("one match", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "filter[single]", "1", "filter[name]", "Hilda"))
			var obj qhObject
			if err := json.Unmarshal(doc.Data, &obj); err != nil || obj.ID == "" {
				t.Fatalf("data is not a resource object: %s", doc.Data)
			}
			if obj.Type != "person" || obj.ID != "2" || string(obj.Attributes["name"]) != `"Hilda"` {
				t.Errorf("data = %s, want Hilda (person 2)", doc.Data)
			}
			if _, ok := doc.Meta["total"]; ok {
				t.Errorf("a single object has meta.total: %v", doc.Meta)
			}
		})
		t.Run("true with filter[objects]", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "filter[single]", "true", "filter[objects]", `[{"name":"age","op":"lt","val":30}]`))
			var obj qhObject
			if err := json.Unmarshal(doc.Data, &obj); err != nil || obj.ID != "3" {
				t.Errorf("data = %s, want person 3", doc.Data)
			}
		})
		t.Run("none", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "filter[single]", "1", "filter[name]", "Nobody"), http.StatusNotFound, "")
		})
		t.Run("several", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "filter[single]", "1", "filter[age][gt]", "30"), http.StatusBadRequest, "?filter[single]")
		})
		t.Run("all", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "filter[single]", "1"), http.StatusBadRequest, "?filter[single]")
		})
		t.Run("off", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "filter[single]", "0", "filter[age][gt]", "30"), "1", "2")
		})
		t.Run("bad value", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "filter[single]", "yes"), http.StatusBadRequest, "?filter[single]")
		})
	})
}

func TestLegacyQHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tests := []struct {
			name string
			q    string
			want []string
		}{
			{"filters", `{"filters":[{"name":"age","op":"gt","val":30}]}`, []string{"1", "2"}},
			{"conjunction", `{"filters":[{"name":"age","op":"lt","val":30},{"name":"name","op":"eq","val":"Hilda"}]}`, nil},
			{"disjunction", `{"filters":[{"name":"age","op":"lt","val":30},{"name":"name","op":"eq","val":"Hilda"}],"disjunction":true}`, []string{"2", "3"}},
			{"disjunction false", `{"disjunction":false,"filters":[{"name":"age","op":"lt","val":30},{"name":"name","op":"eq","val":"Hilda"}]}`, nil},
			{"order_by desc", `{"order_by":[{"field":"age","direction":"desc"}]}`, []string{"2", "1", "3"}},
			{"order_by asc", `{"order_by":[{"field":"name","direction":"asc"}]}`, []string{"2", "1", "3"}},
			{"order_by default", `{"order_by":[{"field":"age"}]}`, []string{"3", "1", "2"}},
			{"limit and offset", `{"filters":[{"name":"age","op":"gt","val":20}],"order_by":[{"field":"age","direction":"desc"}],"limit":1,"offset":1}`, []string{"1"}},
			{"limit", `{"order_by":[{"field":"age","direction":"desc"}],"limit":2}`, []string{"2", "1"}},
			{"offset", `{"order_by":[{"field":"age","direction":"desc"}],"offset":2}`, []string{"3"}},
			{"nested", `{"filters":[{"or":[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Lenovo"}},{"name":"age","op":"lt","val":30}]}]}`, []string{"2", "3"}},
			{"empty", `{}`, []string{"1", "2", "3"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				qhWantIDs(t, e, qhURL("/api/person", "q", tt.q), tt.want...)
			})
		}
		t.Run("with simple filter", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "q", `{"filters":[{"name":"age","op":"gt","val":30}]}`, "filter[name]", "Hilda"), "2")
		})
		t.Run("with sort", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "q", `{"filters":[{"name":"age","op":"gt","val":30}]}`, "sort", "-age"), "2", "1")
		})
		t.Run("limit and offset links", func(t *testing.T) {
			// The links of a page chosen by q's limit and offset must lead to
			// the neighbouring pages.
			doc := qhWantIDs(t, e, qhURL("/api/person", "q", `{"order_by":[{"field":"age","direction":"desc"}],"limit":1,"offset":1}`), "1")
			if got := string(doc.Meta["total"]); got != "3" {
				t.Errorf("meta.total = %s, want 3", got)
			}
			next, _, _ := qhLink(doc, "next")
			if next == "" {
				t.Fatalf("no next link: %v", doc.Links)
			}
			qhWantIDs(t, e, qhPath(t, next), "3")
			prev, _, _ := qhLink(doc, "prev")
			if prev == "" {
				t.Fatalf("no prev link: %v", doc.Links)
			}
			qhWantIDs(t, e, qhPath(t, prev), "2")
		})
		t.Run("single", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "q", `{"filters":[{"name":"name","op":"eq","val":"Tomasz"}],"single":true}`))
			var obj qhObject
			if err := json.Unmarshal(doc.Data, &obj); err != nil || obj.ID != "3" {
				t.Errorf("data = %s, want person 3", doc.Data)
			}
		})
		t.Run("single none", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "q", `{"filters":[{"name":"name","op":"eq","val":"Nobody"}],"single":true}`), http.StatusNotFound, "")
		})
		t.Run("single several", func(t *testing.T) {
			// The client sent q, not filter[single]: the error must name the
			// parameter the request has.
			qhBadParam(t, e, qhURL("/api/person", "q", `{"single":true}`), "q")
		})

		bad := []struct {
			name  string
			pairs []string
			param string
		}{
			{"unknown member", []string{"q", `{"filterz":[]}`}, "q"},
			{"malformed", []string{"q", `{"filters":[`}, "q"},
			{"not an object", []string{"q", `[]`}, "q"},
			{"bad filter", []string{"q", `{"filters":[{"name":"shoe","op":"eq","val":1}]}`}, "q"},
			{"filters not a list", []string{"q", `{"filters":{"name":"age","op":"eq","val":1}}`}, "q"},
			{"disjunction not a boolean", []string{"q", `{"disjunction":"yes","filters":[]}`}, "q"},
			{"unknown order field", []string{"q", `{"order_by":[{"field":"shoe"}]}`}, "q"},
			{"bad direction", []string{"q", `{"order_by":[{"field":"age","direction":"up"}]}`}, "q"},
			{"order field with comma", []string{"q", `{"order_by":[{"field":"age,name"}]}`}, "q"},
			{"negative limit", []string{"q", `{"limit":-1}`}, "q"},
			{"zero limit", []string{"q", `{"limit":0}`}, "q"},
			{"fractional offset", []string{"q", `{"offset":1.5}`}, "q"},
			{"limit over max", []string{"q", `{"limit":101}`}, "q"},
			{"single not a boolean", []string{"q", `{"single":1}`}, "q"},
			{"functions on a collection", []string{"q", `{"functions":[{"name":"count","field":"id"}]}`}, "q"},
			{"combined with sort", []string{"q", `{"order_by":[{"field":"age","direction":"desc"}]}`, "sort", "name"}, "q"},
			{"combined with page[limit]", []string{"q", `{"limit":1}`, "page[limit]", "2"}, "q"},
			{"combined with page[offset]", []string{"q", `{"offset":1}`, "page[offset]", "2"}, "q"},
			{"limit combined with page[number]", []string{"q", `{"limit":1}`, "page[number]", "2"}, "q|page[number]"},
			{"on an item", []string{"q", `{}`}, "q"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				path := "/api/person"
				if tt.name == "on an item" {
					path = "/api/person/1"
				}
				qhBadParam(t, e, qhURL(path, tt.pairs...), strings.Split(tt.param, "|")...)
			})
		}
	})
}

func TestSortHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		e.exec(`INSERT INTO person (id, name, birth_date, age) VALUES (4, 'Dora', NULL, NULL), (5, 'Abe', '1991-04-02', 35), (6, 'Zed', NULL, 26)`)
		e.exec(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (4, 'zx', 'Sinclair', NULL, NULL), (5, 'amiga', 'Commodore', 3, '2023-10-05 08:15:00')`)
		tests := []struct {
			path string
			sort string
			want []string
		}{
			{"/api/person", "age", []string{"3", "6", "1", "5", "2", "4"}},
			{"/api/person", "-age", []string{"4", "2", "1", "5", "3", "6"}},
			{"/api/person", "name", []string{"5", "4", "2", "1", "3", "6"}},
			{"/api/person", "-name", []string{"6", "3", "1", "2", "4", "5"}},
			{"/api/person", "name,-age", []string{"5", "4", "2", "1", "3", "6"}},
			{"/api/person", "-age,name", []string{"4", "2", "5", "1", "3", "6"}},
			{"/api/person", "-age,-name", []string{"4", "2", "1", "5", "6", "3"}},
			{"/api/person", "age,-id", []string{"6", "3", "5", "1", "2", "4"}},
			{"/api/person", "birth_date", []string{"2", "1", "5", "3", "4", "6"}},
			{"/api/person", "-birth_date", []string{"4", "6", "3", "1", "5", "2"}},
			{"/api/person", "-birth_date,-age,name", []string{"4", "6", "3", "5", "1", "2"}},
			{"/api/person", "id", []string{"1", "2", "3", "4", "5", "6"}},
			{"/api/person", "-id", []string{"6", "5", "4", "3", "2", "1"}},
			{"/api/computer", "owner.name", []string{"3", "1", "2", "5", "4"}},
			{"/api/computer", "-owner.name", []string{"4", "5", "1", "2", "3"}},
			{"/api/computer", "owner.age", []string{"5", "1", "2", "3", "4"}},
			{"/api/computer", "-owner.age,name", []string{"4", "3", "2", "1", "5"}},
			{"/api/computer", "owner.id,-name", []string{"1", "2", "3", "5", "4"}},
			{"/api/computer", "purchase_time", []string{"3", "5", "1", "2", "4"}},
			{"/api/computer", "-purchase_time", []string{"4", "2", "1", "3", "5"}},
		}
		for _, tt := range tests {
			t.Run(tt.path+"?sort="+tt.sort, func(t *testing.T) {
				qhWantIDs(t, e, qhURL(tt.path, "sort", tt.sort), tt.want...)
			})
		}
		t.Run("with filter", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "sort", "-age", "filter[age][lt]", "40"), "1", "5", "3", "6")
		})

		bad := []struct {
			path string
			sort string
		}{
			{"/api/person", "shoe"},
			{"/api/person", "-shoe"},
			{"/api/person", "age,shoe"},
			{"/api/person", "computers"},
			{"/api/person", "computers.name"},
			{"/api/person", "-computers.name"},
			{"/api/computer", "owner"},
			{"/api/computer", "owner.shoe"},
			{"/api/computer", "owner.computers.name"},
			{"/api/computer", "owner.computers"},
			{"/api/computer", "shoe.name"},
			{"/api/person", ""},
			{"/api/person", "-"},
			{"/api/person", "age,"},
			{"/api/person", "age,-age"},
			{"/api/person", "+age"},
		}
		for _, tt := range bad {
			t.Run("bad "+tt.path+"?sort="+tt.sort, func(t *testing.T) {
				qhBad(t, e, qhURL(tt.path, "sort", tt.sort), http.StatusBadRequest, "?sort")
			})
		}
		t.Run("on an item", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person/1", "sort", "age"), http.StatusBadRequest, "?sort")
		})
		t.Run("repeated", func(t *testing.T) {
			qhBad(t, e, "/api/person?sort=age&sort=name", http.StatusBadRequest, "?sort")
		})
	})
}

// qhPageEnv holds ten people, seven of them at least 30 years old.
func qhPageEnv(t *testing.T) *env {
	e := newEnv(t)
	e.exec(`INSERT INTO person (id, name, birth_date, age) VALUES
		(4, 'p4', NULL, 30), (5, 'p5', NULL, 50), (6, 'p6', NULL, 20), (7, 'p7', NULL, 33),
		(8, 'p8', NULL, 60), (9, 'p9', NULL, 31), (10, 'p10', NULL, 18)`)
	return e
}

func TestPageNumberHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := qhPageEnv(t)
		// filter[age][gte]=30 and sort=-age: 8 5 2 1 7 9 4 (seven rows).
		link := func(number int) string {
			return testBase + "/api/person?" + url.Values{
				"filter[age][gte]": {"30"}, "sort": {"-age"},
				"page[number]": {strconv.Itoa(number)}, "page[size]": {"2"},
			}.Encode()
		}
		get := func(number int) string {
			return "/api/person?" + url.Values{
				"filter[age][gte]": {"30"}, "sort": {"-age"},
				"page[number]": {strconv.Itoa(number)}, "page[size]": {"2"},
			}.Encode()
		}
		tests := []struct {
			number     int
			want       []string
			prev, next int // 0: none
		}{
			{1, []string{"8", "5"}, 0, 2},
			{2, []string{"2", "1"}, 1, 3},
			{3, []string{"7", "9"}, 2, 4},
			{4, []string{"4"}, 3, 0},
			{5, nil, 4, 0},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprint("page ", tt.number), func(t *testing.T) {
				doc := qhWantIDs(t, e, get(tt.number), tt.want...)
				if got := string(doc.Meta["total"]); got != "7" {
					t.Errorf("meta.total = %s, want 7", got)
				}
				want := map[string]string{"self": link(tt.number), "first": link(1), "last": link(4)}
				if tt.prev > 0 {
					want["prev"] = link(tt.prev)
				}
				if tt.next > 0 {
					want["next"] = link(tt.next)
				}
				got := map[string]string{}
				for k, v := range doc.Links {
					if v == nil {
						t.Errorf("links.%s is null", k)
						continue
					}
					got[k] = *v
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("links (-want +got):\n%s", diff)
				}
			})
		}
		t.Run("follow next", func(t *testing.T) {
			var all []string
			path := qhURL("/api/person", "filter[age][gte]", "30", "sort", "-age", "page[size]", "3")
			for range 10 {
				doc := qhGet(t, e, path)
				all = append(all, qhIDs(t, doc)...)
				next, _, _ := qhLink(doc, "next")
				if next == "" {
					break
				}
				path = qhPath(t, next)
			}
			if diff := cmp.Diff([]string{"8", "5", "2", "1", "7", "9", "4"}, all); diff != "" {
				t.Errorf("pages joined (-want +got):\n%s", diff)
			}
		})
		t.Run("total without filter", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "page[size]", "3", "page[number]", "4"), "10")
			if got := string(doc.Meta["total"]); got != "10" {
				t.Errorf("meta.total = %s, want 10", got)
			}
		})
		t.Run("total of a short first page", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "filter[age][lt]", "30", "page[size]", "5"), "3", "6", "10")
			if got := string(doc.Meta["total"]); got != "3" {
				t.Errorf("meta.total = %s, want 3", got)
			}
		})
		t.Run("empty result", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "filter[age][gt]", "100"))
			if got := string(doc.Meta["total"]); got != "0" {
				t.Errorf("meta.total = %s, want 0", got)
			}
			if _, ok := doc.Links["next"]; ok {
				t.Errorf("links.next on an empty result: %v", doc.Links)
			}
		})
		t.Run("default size", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "sort", "id"), "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
			if _, ok := doc.Links["next"]; ok {
				t.Errorf("links.next with every row on the page: %v", doc.Links)
			}
		})
	})
}

func TestPageOffsetHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := qhPageEnv(t)
		q := func(offset int) url.Values {
			return url.Values{"filter[age][gte]": {"30"}, "sort": {"-age"}, "page[offset]": {strconv.Itoa(offset)}, "page[limit]": {"2"}}
		}
		// 8 5 2 1 7 9 4
		doc := qhWantIDs(t, e, "/api/person?"+q(3).Encode(), "1", "7")
		if got := string(doc.Meta["total"]); got != "7" {
			t.Errorf("meta.total = %s, want 7", got)
		}
		for name, offset := range map[string]int{"self": 3, "first": 0, "prev": 1, "next": 5} {
			if got, _, _ := qhLink(doc, name); got != testBase+"/api/person?"+q(offset).Encode() {
				t.Errorf("links.%s = %q, want offset %d", name, got, offset)
			}
		}
		last, _, _ := qhLink(doc, "last")
		if last == "" {
			t.Fatalf("no last link: %v", doc.Links)
		}
		lastIDs := qhIDs(t, qhGet(t, e, qhPath(t, last)))
		if len(lastIDs) == 0 || lastIDs[len(lastIDs)-1] != "4" {
			t.Errorf("the last link leads to %v, which does not end with the last row 4", lastIDs)
		}
		lu, _ := url.Parse(last)
		if lu.Query().Get("page[limit]") != "2" || lu.Query().Get("filter[age][gte]") != "30" || lu.Query().Get("sort") != "-age" {
			t.Errorf("links.last = %q lost parameters", last)
		}

		t.Run("first page", func(t *testing.T) {
			doc := qhWantIDs(t, e, "/api/person?"+q(0).Encode(), "8", "5")
			if _, ok := doc.Links["prev"]; ok {
				t.Errorf("links.prev on the first page: %v", doc.Links)
			}
			if got, _, _ := qhLink(doc, "next"); got != testBase+"/api/person?"+q(2).Encode() {
				t.Errorf("links.next = %q", got)
			}
		})
		t.Run("last row", func(t *testing.T) {
			doc := qhWantIDs(t, e, "/api/person?"+q(6).Encode(), "4")
			if _, ok := doc.Links["next"]; ok {
				t.Errorf("links.next on the last page: %v", doc.Links)
			}
		})
		t.Run("offset only", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "page[offset]", "8"), "9", "10")
			if got := string(doc.Meta["total"]); got != "10" {
				t.Errorf("meta.total = %s, want 10", got)
			}
		})
		t.Run("limit only", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "page[limit]", "3"), "1", "2", "3")
		})
		t.Run("follow next", func(t *testing.T) {
			var all []string
			path := qhURL("/api/person", "sort", "age", "page[limit]", "4")
			for range 10 {
				doc := qhGet(t, e, path)
				all = append(all, qhIDs(t, doc)...)
				next, _, _ := qhLink(doc, "next")
				if next == "" {
					break
				}
				path = qhPath(t, next)
			}
			if diff := cmp.Diff([]string{"10", "6", "3", "4", "9", "7", "1", "2", "5", "8"}, all); diff != "" {
				t.Errorf("pages joined (-want +got):\n%s", diff)
			}
		})
	})
}

func TestPageErrorsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("size over max", func(t *testing.T) {
			er := qhBad(t, e, qhURL("/api/person", "page[size]", "101"), http.StatusBadRequest, "?page[size]")
			meta, _ := er["meta"].(map[string]any)
			page, _ := meta["page"].(map[string]any)
			if page["maxSize"] != float64(100) {
				t.Errorf("meta = %v, want page.maxSize 100", er["meta"])
			}
		})
		t.Run("limit over max", func(t *testing.T) {
			er := qhBad(t, e, qhURL("/api/person", "page[limit]", "101"), http.StatusBadRequest, "?page[limit]")
			meta, _ := er["meta"].(map[string]any)
			page, _ := meta["page"].(map[string]any)
			if page["maxSize"] != float64(100) {
				t.Errorf("meta = %v, want page.maxSize 100", er["meta"])
			}
		})
		t.Run("size at max", func(t *testing.T) {
			qhWantIDs(t, e, qhURL("/api/person", "page[size]", "100"), "1", "2", "3")
		})
		bad := []struct {
			name  string
			pairs []string
			param string
		}{
			{"number with offset", []string{"page[number]", "1", "page[offset]", "0"}, "page[offset]"},
			{"size with limit", []string{"page[size]", "1", "page[limit]", "1"}, "page[size]|page[limit]"},
			{"size zero", []string{"page[size]", "0"}, "page[size]"},
			{"size negative", []string{"page[size]", "-1"}, "page[size]"},
			{"size text", []string{"page[size]", "ten"}, "page[size]"},
			{"size with a plus", []string{"page[size]", "+5"}, "page[size]"},
			{"number zero", []string{"page[number]", "0"}, "page[number]"},
			{"number text", []string{"page[number]", "x"}, "page[number]"},
			{"offset negative", []string{"page[offset]", "-1"}, "page[offset]"},
			{"limit zero", []string{"page[limit]", "0"}, "page[limit]"},
			{"unknown page parameter", []string{"page[cursor]", "x"}, "page[cursor]"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				qhBadParam(t, e, qhURL("/api/person", tt.pairs...), strings.Split(tt.param, "|")...)
			})
		}
		t.Run("on an item", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person/1", "page[size]", "1"), http.StatusBadRequest, "?page[size]")
		})
	})
}

// qhRow is a row of the model the cursor tests order in Go.
type qhRow struct {
	id   int
	vals map[string]any // nil, int or string
}

// qhOrder sorts rows by a sort parameter value, NULLs last ascending and
// first descending, the id breaking ties.
func qhOrder(rows []qhRow, sortParam string) []string {
	var keys []string
	if sortParam != "" {
		keys = strings.Split(sortParam, ",")
	}
	cmpVal := func(a, b any) int {
		switch x := a.(type) {
		case int:
			return x - b.(int)
		case string:
			return strings.Compare(x, b.(string))
		}
		panic(fmt.Sprintf("unexpected %T", a))
	}
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b qhRow) int {
		for _, k := range keys {
			desc := strings.HasPrefix(k, "-")
			name := strings.TrimPrefix(k, "-")
			va, vb := a.vals[name], b.vals[name]
			if name == "id" {
				va, vb = a.id, b.id
			}
			var c int
			switch {
			case va == nil && vb == nil:
				c = 0
			case va == nil:
				c = 1 // NULLs last ascending, so first descending below
			case vb == nil:
				c = -1
			default:
				c = cmpVal(va, vb)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return a.id - b.id
	})
	ids := make([]string, len(sorted))
	for i, r := range sorted {
		ids[i] = strconv.Itoa(r.id)
	}
	return ids
}

// qhCursorEnv holds 28 people with many equal ages and birth dates and
// some NULLs, and 15 computers with many equal owners and some without
// one. It returns the models of both tables.
func qhCursorEnv(t *testing.T) (e *env, people, computers []qhRow) {
	e = newEnv(t)
	people = []qhRow{
		{1, map[string]any{"name": "Jeffrey", "age": 35, "birth_date": "1991-04-02"}},
		{2, map[string]any{"name": "Hilda", "age": 41, "birth_date": "1984-11-30"}},
		{3, map[string]any{"name": "Tomasz", "age": 26, "birth_date": "2000-01-15"}},
	}
	ages := []any{30, 26, nil, 35, 30, 41, 30, nil, 26}
	births := []any{"1990-01-01", nil, "1985-05-05", "1990-01-01", "1991-04-02"}
	sqlVal := func(v any) string {
		switch x := v.(type) {
		case nil:
			return "NULL"
		case int:
			return strconv.Itoa(x)
		}
		return "'" + v.(string) + "'"
	}
	for id := 4; id <= 28; id++ {
		r := qhRow{id, map[string]any{"name": fmt.Sprintf("n%02d", id*7%29), "age": ages[id%len(ages)], "birth_date": births[id%len(births)]}}
		people = append(people, r)
		e.exec(fmt.Sprintf(`INSERT INTO person (id, name, birth_date, age) VALUES (%d, %s, %s, %s)`,
			id, sqlVal(r.vals["name"]), sqlVal(r.vals["birth_date"]), sqlVal(r.vals["age"])))
	}
	byID := map[int]qhRow{}
	for _, p := range people {
		byID[p.id] = p
	}
	owners := []any{nil, 1, 3, 2, 1, nil, 7, 3, 1, 16, 2, 3}
	addComputer := func(id int, name string, owner any) {
		r := qhRow{id, map[string]any{"name": name}}
		if owner != nil {
			o := byID[owner.(int)]
			r.vals["owner.name"], r.vals["owner.age"] = o.vals["name"], o.vals["age"]
		}
		computers = append(computers, r)
	}
	addComputer(1, "lixie", 1)
	addComputer(2, "foo", 1)
	addComputer(3, "turing", 2)
	for id := 4; id <= 15; id++ {
		name := fmt.Sprintf("c%02d", (id*5)%17)
		owner := owners[id%len(owners)]
		addComputer(id, name, owner)
		e.exec(fmt.Sprintf(`INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (%d, '%s', 'Acme', %s, NULL)`, id, name, sqlVal(owner)))
	}
	return e, people, computers
}

// qhCursorGet GETs path asking for the cursor profile with accept, and
// checks the reply is a 200 cursor page: the Content-Type and
// jsonapi.profile name the profile and links.prev and links.next are
// present.
func qhCursorGet(t *testing.T, e *env, path, accept string) qhDoc {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status = %d, want 200\n%s", path, rec.Code, rec.Body)
	}
	ct := rec.Header().Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/vnd.api+json" || !slices.Contains(strings.Fields(params["profile"]), qhCursorProfile) {
		t.Errorf("GET %s: Content-Type = %q, want application/vnd.api+json naming the profile %s", path, ct, qhCursorProfile)
	}
	if len(params) != 1 {
		t.Errorf("GET %s: Content-Type = %q has parameters other than profile", path, ct)
	}
	jsonapitest.Check(t, rec.Body.Bytes())
	doc := qhDecode(t, rec.Body.Bytes())
	if !slices.Contains(doc.JSONAPI.Profile, qhCursorProfile) {
		t.Errorf("GET %s: jsonapi.profile = %v, want the cursor profile", path, doc.JSONAPI.Profile)
	}
	for _, name := range []string{"prev", "next"} {
		if _, present, _ := qhLink(doc, name); !present {
			t.Errorf("GET %s: links.%s is absent; the profile requires it (null when there is none)", path, name)
		}
	}
	if _, ok := doc.Meta["total"]; ok {
		t.Errorf("GET %s: a cursor page counts meta.total", path)
	}
	return doc
}

func TestCursorWalkHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, people, computers := qhCursorEnv(t)
		tests := []struct {
			path   string
			model  []qhRow
			sort   string
			filter []string
		}{
			{"/api/person", people, "age", nil},
			{"/api/person", people, "-age", nil},
			{"/api/person", people, "name", nil},
			{"/api/person", people, "-name", nil},
			{"/api/person", people, "birth_date", nil},
			{"/api/person", people, "-birth_date", nil},
			{"/api/person", people, "age,-birth_date", nil},
			{"/api/person", people, "-age,birth_date,-id", nil},
			{"/api/person", people, "", nil},
			{"/api/person", people, "-id", nil},
			{"/api/person", people, "age", []string{"filter[age][gte]", "30"}},
			{"/api/computer", computers, "owner.name", nil},
			{"/api/computer", computers, "-owner.name", nil},
			{"/api/computer", computers, "owner.age,-name", nil},
			{"/api/computer", computers, "-owner.age", nil},
		}
		for _, tt := range tests {
			for _, size := range []int{4, 5} {
				t.Run(fmt.Sprintf("%s?sort=%s&%v/size %d", tt.path, tt.sort, tt.filter, size), func(t *testing.T) {
					params := func(pairs ...string) []string {
						out := slices.Clone(tt.filter)
						if tt.sort != "" {
							out = append(out, "sort", tt.sort)
						}
						return append(out, pairs...)
					}
					// The full order, from one big page.
					full := qhIDs(t, qhGet(t, e, qhURL(tt.path, params("page[size]", "100")...)))
					if tt.filter == nil {
						if diff := cmp.Diff(qhOrder(tt.model, tt.sort), full); diff != "" {
							t.Errorf("one big page is not in the expected order (-want +got):\n%s", diff)
						}
					}

					// Forwards.
					first := qhURL(tt.path, params("page[size]", strconv.Itoa(size))...)
					path := first
					var forward []string
					var last qhDoc
					for i := 0; ; i++ {
						if i > 2*len(full)+2 {
							t.Fatalf("no end after %d pages", i)
						}
						doc := qhCursorGet(t, e, path, qhCursorAccept)
						if i == 0 {
							if got, _, _ := qhLink(doc, "self"); got != testBase+first {
								t.Errorf("links.self = %q, want %q", got, testBase+first)
							}
							if _, _, null := qhLink(doc, "prev"); !null {
								t.Errorf("the first page has a prev link: %v", doc.Links)
							}
						} else if _, _, null := qhLink(doc, "prev"); null {
							t.Errorf("page %d has no prev link", i+1)
						}
						if got, _, _ := qhLink(doc, "first"); got != testBase+first {
							t.Errorf("links.first = %q, want %q", got, testBase+first)
						}
						ids := qhIDs(t, doc)
						forward = append(forward, ids...)
						next, _, null := qhLink(doc, "next")
						if null {
							if len(ids) == 0 && len(full) > 0 {
								t.Errorf("page %d is empty", i+1)
							}
							last = doc
							break
						}
						if len(ids) != size {
							t.Errorf("page %d has %d rows, want %d", i+1, len(ids), size)
						}
						path = qhPath(t, next)
						if q, _ := url.Parse(path); q.Query().Get("sort") != tt.sort || (tt.filter != nil && q.Query().Get(tt.filter[0]) != tt.filter[1]) {
							t.Errorf("links.next %q lost the sort or the filter", next)
						}
					}
					if diff := cmp.Diff(full, forward); diff != "" {
						t.Errorf("forward pages joined (-want +got):\n%s", diff)
					}

					// Backwards from the last page.
					backward := qhIDs(t, last)
					doc := last
					for i := 0; ; i++ {
						if i > 2*len(full)+2 {
							t.Fatalf("no start after %d pages", i)
						}
						prev, _, null := qhLink(doc, "prev")
						if null {
							break
						}
						doc = qhCursorGet(t, e, qhPath(t, prev), qhCursorAccept)
						if _, _, null := qhLink(doc, "next"); null {
							t.Errorf("a page read backwards has no next link")
						}
						ids := qhIDs(t, doc)
						if _, _, null := qhLink(doc, "prev"); !null && len(ids) != size {
							t.Errorf("backward page has %d rows, want %d", len(ids), size)
						}
						backward = append(ids, backward...)
					}
					if diff := cmp.Diff(full, backward); diff != "" {
						t.Errorf("backward pages joined (-want +got):\n%s", diff)
					}
				})
			}
		}
	})
}

func TestCursorProfileHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, people, _ := qhCursorEnv(t)
		byAge := qhOrder(people, "age")
		first := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "3"), qhCursorAccept)
		if diff := cmp.Diff(byAge[:3], qhIDs(t, first)); diff != "" {
			t.Errorf("first page (-want +got):\n%s", diff)
		}
		next, _, _ := qhLink(first, "next")
		if next == "" {
			t.Fatal("no next link")
		}
		u, _ := url.Parse(next)
		after := u.Query().Get("page[after]")

		t.Run("page[after] without the Accept profile", func(t *testing.T) {
			// Sending page[after] chooses the profile by itself.
			doc := qhCursorGet(t, e, qhPath(t, next), "application/vnd.api+json")
			if diff := cmp.Diff(byAge[3:6], qhIDs(t, doc)); diff != "" {
				t.Errorf("second page (-want +got):\n%s", diff)
			}
		})
		t.Run("page[before] without the Accept profile", func(t *testing.T) {
			// after is the cursor of the third row: one row per page before it.
			doc := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "1", "page[before]", after), "application/vnd.api+json")
			if diff := cmp.Diff(byAge[1:2], qhIDs(t, doc)); diff != "" {
				t.Errorf("page before (-want +got):\n%s", diff)
			}
			prev, _, _ := qhLink(doc, "prev")
			if prev == "" {
				t.Fatalf("no prev link with a row before the page: %v", doc.Links)
			}
			back := qhCursorGet(t, e, qhPath(t, prev), "application/vnd.api+json")
			if diff := cmp.Diff(byAge[0:1], qhIDs(t, back)); diff != "" {
				t.Errorf("page before that (-want +got):\n%s", diff)
			}
			if _, _, null := qhLink(back, "prev"); !null {
				t.Errorf("prev link before the first row: %v", back.Links)
			}
			next, _, _ := qhLink(back, "next")
			if next == "" {
				t.Fatalf("no next link: %v", back.Links)
			}
			fwd := qhCursorGet(t, e, qhPath(t, next), "application/vnd.api+json")
			if diff := cmp.Diff(byAge[1:2], qhIDs(t, fwd)); diff != "" {
				t.Errorf("next page after going back (-want +got):\n%s", diff)
			}
		})
		t.Run("page[before] reaching the start", func(t *testing.T) {
			doc := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "5", "page[before]", after), qhCursorAccept)
			if diff := cmp.Diff(byAge[:2], qhIDs(t, doc)); diff != "" {
				t.Errorf("page before (-want +got):\n%s", diff)
			}
			if _, _, null := qhLink(doc, "prev"); !null {
				t.Errorf("prev link with no row before the page: %v", doc.Links)
			}
			if _, _, null := qhLink(doc, "next"); null {
				t.Errorf("no next link with rows after the page: %v", doc.Links)
			}
		})
		t.Run("the profile among others", func(t *testing.T) {
			accept := `application/vnd.api+json; profile="https://example.com/other ` + qhCursorProfile + `"`
			doc := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "3"), accept)
			if diff := cmp.Diff(byAge[:3], qhIDs(t, doc)); diff != "" {
				t.Errorf("first page (-want +got):\n%s", diff)
			}
		})
		t.Run("default size", func(t *testing.T) {
			doc := qhCursorGet(t, e, "/api/person", qhCursorAccept)
			if got := len(qhIDs(t, doc)); got != 10 {
				t.Errorf("page has %d rows, want the default 10", got)
			}
		})
		t.Run("every row on one page", func(t *testing.T) {
			doc := qhCursorGet(t, e, qhURL("/api/person", "page[size]", "100"), qhCursorAccept)
			if diff := cmp.Diff(qhOrder(people, ""), qhIDs(t, doc)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			for _, name := range []string{"prev", "next"} {
				if _, _, null := qhLink(doc, name); !null {
					t.Errorf("links.%s is not null on a page holding every row: %v", name, doc.Links)
				}
			}
		})
		t.Run("past the end", func(t *testing.T) {
			// After the last row: an empty page whose prev link leads back.
			doc := qhCursorGet(t, e, qhURL("/api/person", "page[size]", "3", "page[after]", qhB64(`{"s":"id","v":[28]}`)), qhCursorAccept)
			if ids := qhIDs(t, doc); len(ids) != 0 {
				t.Errorf("ids = %v, want none", ids)
			}
			if _, _, null := qhLink(doc, "next"); !null {
				t.Errorf("links.next is not null past the end: %v", doc.Links)
			}
			prev, _, _ := qhLink(doc, "prev")
			if prev == "" {
				t.Fatalf("no prev link past the end: %v", doc.Links)
			}
			// The rows before the position "after 28": ideally 26 27 28. The
			// cursor cannot say "up to and including 28", so 25 26 27 is
			// accepted too.
			back := qhIDs(t, qhCursorGet(t, e, qhPath(t, prev), qhCursorAccept))
			if !slices.Equal(back, []string{"26", "27", "28"}) && !slices.Equal(back, []string{"25", "26", "27"}) {
				t.Errorf("page before the end = %v, want the last rows", back)
			}
		})
		t.Run("the profile on other endpoints", func(t *testing.T) {
			// The profile applies to collections only; elsewhere a client
			// asking for it gets the ordinary reply.
			e := qhFor(e, t)
			res := e.do("GET", "/api/person/1", "", "Accept", qhCursorAccept)
			if res.Code != http.StatusOK {
				t.Errorf("GET /api/person/1: status = %d, want 200\n%s", res.Code, res.Body)
			}
			res = e.do("GET", qhURL("/api/eval/person", "functions", `[{"name":"count","field":"id"}]`), "", "Accept", qhCursorAccept)
			if res.Code != http.StatusOK {
				t.Errorf("GET /api/eval/person: status = %d, want 200\n%s", res.Code, res.Body)
			}
			res = e.do("POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada"}}}`, "Accept", qhCursorAccept)
			if res.Code != http.StatusCreated {
				t.Errorf("POST /api/person: status = %d, want 201\n%s", res.Code, res.Body)
			}
			// Leave the shared rows as the other subtests expect them.
			e.exec(`DELETE FROM person WHERE name = 'Ada'`)
		})
		t.Run("without the profile", func(t *testing.T) {
			// A plain request is paginated by page number.
			doc := qhGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "3"))
			if len(doc.JSONAPI.Profile) != 0 {
				t.Errorf("jsonapi.profile = %v without the cursor profile asked for", doc.JSONAPI.Profile)
			}
			if string(doc.Meta["total"]) != "28" {
				t.Errorf("meta.total = %s, want 28", doc.Meta["total"])
			}
		})
	})
}

func TestCursorErrorsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, people, _ := qhCursorEnv(t)
		first := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "3"), qhCursorAccept)
		next, _, _ := qhLink(first, "next")
		u, _ := url.Parse(next)
		after := u.Query().Get("page[after]")
		if after == "" {
			t.Fatalf("next link %q has no page[after]", next)
		}
		wantType := func(t *testing.T, er map[string]any, typ string) {
			t.Helper()
			links, _ := er["links"].(map[string]any)
			if links["type"] != typ {
				t.Errorf("errors[0].links = %v, want type %s", er["links"], typ)
			}
		}
		tests := []struct {
			name  string
			pairs []string
			param string
		}{
			{"cursor of another sort", []string{"sort", "-age", "page[after]", after}, "page[after]"},
			{"cursor of another key", []string{"sort", "name", "page[after]", after}, "page[after]"},
			{"cursor without its sort", []string{"page[after]", after}, "page[after]"},
			{"cursor of another sort before", []string{"sort", "age,name", "page[before]", after}, "page[before]"},
			{"garbage cursor", []string{"sort", "age", "page[after]", "garbage!"}, "page[after]"},
			{"garbage base64", []string{"sort", "age", "page[after]", "Z2FyYmFnZQ"}, "page[after]"},
			{"empty cursor", []string{"sort", "age", "page[after]", ""}, "page[after]"},
			{"forged null id", []string{"sort", "age", "page[after]", qhB64(`{"s":"age,id","v":[30,null]}`)}, "page[after]"},
			{"forged bad value", []string{"sort", "age", "page[after]", qhB64(`{"s":"age,id","v":["x",4]}`)}, "page[after]"},
			{"forged short", []string{"sort", "age", "page[after]", qhB64(`{"s":"age,id","v":[30]}`)}, "page[after]"},
			{"cursor with page[number]", []string{"sort", "age", "page[after]", after, "page[number]", "2"}, "page[number]"},
			{"cursor with page[offset]", []string{"sort", "age", "page[after]", after, "page[offset]", "2"}, "page[offset]"},
			{"page[size] zero", []string{"sort", "age", "page[after]", after, "page[size]", "0"}, "page[size]"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				qhBad(t, e, qhURL("/api/person", tt.pairs...), http.StatusBadRequest, "?"+tt.param)
			})
		}
		t.Run("forged valid cursor", func(t *testing.T) {
			// A well-formed cursor for the sort is only a position: the page
			// holds the rows after it.
			byAge := qhOrder(people, "age")
			i := slices.Index(byAge, "2")
			doc := qhCursorGet(t, e, qhURL("/api/person", "sort", "age", "page[size]", "100", "page[after]", qhB64(`{"s":"age,id","v":[41,2]}`)), qhCursorAccept)
			if diff := cmp.Diff(byAge[i+1:], qhIDs(t, doc)); diff != "" {
				t.Errorf("page after person 2 (-want +got):\n%s", diff)
			}
		})
		t.Run("page[number] with the Accept profile", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "page[number]", "2"), http.StatusBadRequest, "?page[number]", "Accept", qhCursorAccept)
		})
		t.Run("range pagination", func(t *testing.T) {
			res := qhFor(e, t).do("GET", qhURL("/api/person", "sort", "age", "page[after]", after, "page[before]", after), "")
			if res.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400\n%s", res.Code, res.Body)
			}
			var doc struct{ Errors []map[string]any }
			if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) != 1 {
				t.Fatalf("not one error: %s", res.Body)
			}
			wantType(t, doc.Errors[0], qhCursorProfile+"/range-pagination-not-supported")
			src, _ := doc.Errors[0]["source"].(map[string]any)
			if p := src["parameter"]; p != "page[after]" && p != "page[before]" {
				t.Errorf("errors[0].source.parameter = %v, want page[after] or page[before]", p)
			}
		})
		t.Run("size over max", func(t *testing.T) {
			er := qhBad(t, e, qhURL("/api/person", "sort", "age", "page[size]", "101"), http.StatusBadRequest, "?page[size]", "Accept", qhCursorAccept)
			wantType(t, er, qhCursorProfile+"/max-size-exceeded")
			meta, _ := er["meta"].(map[string]any)
			page, _ := meta["page"].(map[string]any)
			if page["maxSize"] != float64(100) {
				t.Errorf("meta = %v, want page.maxSize 100", er["meta"])
			}
		})
		t.Run("size over max with page[after]", func(t *testing.T) {
			er := qhBad(t, e, qhURL("/api/person", "sort", "age", "page[size]", "500", "page[after]", after), http.StatusBadRequest, "?page[size]")
			wantType(t, er, qhCursorProfile+"/max-size-exceeded")
		})
		t.Run("size over max without cursor", func(t *testing.T) {
			er := qhBad(t, e, qhURL("/api/person", "page[size]", "101"), http.StatusBadRequest, "?page[size]")
			if er["links"] != nil {
				t.Errorf("a page-number error has a profile error type: %v", er["links"])
			}
		})
	})
}

// qhB64 encodes a forged cursor the way the server encodes its own.
func qhB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestFieldsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("collection", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "fields[person]", "name"))
			objs := qhObjects(t, doc)
			if len(objs) != 3 {
				t.Fatalf("%d objects, want 3", len(objs))
			}
			for i, o := range objs {
				want := map[string]json.RawMessage{"name": json.RawMessage(`"` + []string{"Jeffrey", "Hilda", "Tomasz"}[i] + `"`)}
				if diff := cmp.Diff(want, o.Attributes); diff != "" {
					t.Errorf("object %s attributes (-want +got):\n%s", o.ID, diff)
				}
			}
		})
		t.Run("collection two fields", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "fields[person]", "age,name", "sort", "-age"))
			objs := qhObjects(t, doc)
			if len(objs) != 3 || objs[0].ID != "2" {
				t.Fatalf("objects = %s", doc.Data)
			}
			want := map[string]json.RawMessage{"name": json.RawMessage(`"Hilda"`), "age": json.RawMessage(`41`)}
			if diff := cmp.Diff(want, objs[0].Attributes); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
		})
		t.Run("item", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person/1", "fields[person]", "birth_date"))
			var o qhObject
			if err := json.Unmarshal(doc.Data, &o); err != nil {
				t.Fatal(err)
			}
			want := map[string]json.RawMessage{"birth_date": json.RawMessage(`"1991-04-02"`)}
			if diff := cmp.Diff(want, o.Attributes); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if self, _, _ := qhLink(doc, "self"); self != testBase+qhURL("/api/person/1", "fields[person]", "birth_date") {
				t.Errorf("links.self = %q lost the fieldset", self)
			}
		})
		t.Run("empty", func(t *testing.T) {
			for _, path := range []string{"/api/person?fields%5Bperson%5D=", "/api/person/2?fields%5Bperson%5D="} {
				res := qhFor(e, t).do("GET", path, "")
				if res.Code != http.StatusOK {
					t.Fatalf("GET %s: status %d\n%s", path, res.Code, res.Body)
				}
				var raw struct{ Data json.RawMessage }
				json.Unmarshal(res.Body, &raw)
				var objs []map[string]json.RawMessage
				if raw.Data[0] == '{' {
					var o map[string]json.RawMessage
					json.Unmarshal(raw.Data, &o)
					objs = append(objs, o)
				} else {
					json.Unmarshal(raw.Data, &objs)
				}
				if len(objs) == 0 {
					t.Fatalf("GET %s: no data", path)
				}
				for _, o := range objs {
					if _, ok := o["attributes"]; ok {
						t.Errorf("GET %s: object has attributes: %s", path, res.Body)
					}
					if _, ok := o["id"]; !ok {
						t.Errorf("GET %s: object lost its id", path)
					}
				}
			}
		})
		t.Run("relationship name", func(t *testing.T) {
			qhGet(t, e, qhURL("/api/person", "fields[person]", "computers"))
		})
		t.Run("other type", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/person", "fields[computer]", "name"))
			if objs := qhObjects(t, doc); len(objs[0].Attributes) != 3 {
				t.Errorf("a fieldset of another type changed the primary data: %s", doc.Data)
			}
		})
		t.Run("with filter and sort", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "fields[person]", "age", "filter[age][gt]", "30", "sort", "-age"), "2", "1")
			if objs := qhObjects(t, doc); string(objs[1].Attributes["age"]) != "35" || len(objs[1].Attributes) != 1 {
				t.Errorf("attributes = %v", objs[1].Attributes)
			}
		})
		bad := []struct {
			path, name, val string
		}{
			{"/api/person", "fields[person]", "shoe"},
			{"/api/person", "fields[person]", "name,shoe"},
			{"/api/person", "fields[person]", "name,name"},
			{"/api/person", "fields[person]", "name,"},
			{"/api/person/1", "fields[person]", "shoe"},
			{"/api/person", "fields[computer]", "age"},
			{"/api/person", "fields[nosuch]", "name"},
			{"/api/person/1", "fields[nosuch]", "name"},
		}
		for _, tt := range bad {
			t.Run(tt.path+"?"+tt.name+"="+tt.val, func(t *testing.T) {
				qhBad(t, e, qhURL(tt.path, tt.name, tt.val), http.StatusBadRequest, "?"+tt.name)
			})
		}
		t.Run("malformed name", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "fields[person][x]", "name"), http.StatusBadRequest, "?fields[person][x]")
		})
	})
}

const qhAllFunctions = `[{"name":"sum","field":"age"},{"name":"count","field":"id"},{"name":"avg","field":"age"},{"name":"min","field":"birth_date"},{"name":"max","field":"age"},{"name":"count_distinct","field":"age"}]`

// qhWantMeta compares evaluation results: numbers by value, the rest
// exactly.
func qhWantMeta(t *testing.T, doc qhDoc, want map[string]string) {
	t.Helper()
	if string(doc.Data) != "null" {
		t.Errorf("data = %s, want null", doc.Data)
	}
	if len(doc.Meta) != len(want) {
		t.Errorf("meta = %v, want the keys of %v", doc.Meta, want)
	}
	for k, w := range want {
		got, ok := doc.Meta[k]
		if !ok {
			t.Errorf("meta.%s is missing", k)
			continue
		}
		if _, err := strconv.ParseFloat(w, 64); err == nil {
			if qhNum(t, got) != qhNum(t, json.RawMessage(w)) {
				t.Errorf("meta.%s = %s, want %s", k, got, w)
			}
		} else if string(got) != w {
			t.Errorf("meta.%s = %s, want %s", k, got, w)
		}
	}
}

func TestEvalHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("all functions", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", qhAllFunctions))
			qhWantMeta(t, doc, map[string]string{
				"sum__age": "102", "count__id": "3", "avg__age": "34",
				"min__birth_date": `"1984-11-30"`, "max__age": "41", "count_distinct__age": "3",
			})
			if self, _, _ := qhLink(doc, "self"); self != testBase+qhURL("/api/eval/person", "functions", qhAllFunctions) {
				t.Errorf("links.self = %q", self)
			}
		})
		t.Run("simple filter", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", qhAllFunctions, "filter[age][lt]", "40"))
			qhWantMeta(t, doc, map[string]string{
				"sum__age": "61", "count__id": "2", "avg__age": "30.5",
				"min__birth_date": `"1991-04-02"`, "max__age": "35", "count_distinct__age": "2",
			})
		})
		t.Run("filter[objects]", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", qhAllFunctions,
				"filter[objects]", `[{"name":"name","op":"in","val":["Hilda","Tomasz"]}]`))
			qhWantMeta(t, doc, map[string]string{
				"sum__age": "67", "count__id": "2", "avg__age": "33.5",
				"min__birth_date": `"1984-11-30"`, "max__age": "41", "count_distinct__age": "2",
			})
		})
		t.Run("filter through a relationship", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", `[{"name":"sum","field":"age"}]`,
				"filter[objects]", `[{"name":"computers","op":"any"}]`))
			qhWantMeta(t, doc, map[string]string{"sum__age": "76"})
		})
		t.Run("no rows", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", `[{"name":"count","field":"id"},{"name":"max","field":"age"}]`,
				"filter[age][gt]", "100"))
			qhWantMeta(t, doc, map[string]string{"count__id": "0", "max__age": "null"})
		})
		t.Run("legacy q", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "q", `{"functions":`+qhAllFunctions+`}`))
			qhWantMeta(t, doc, map[string]string{
				"sum__age": "102", "count__id": "3", "avg__age": "34",
				"min__birth_date": `"1984-11-30"`, "max__age": "41", "count_distinct__age": "3",
			})
		})
		t.Run("legacy q with filters", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "q", `{"functions":[{"name":"sum","field":"age"},{"name":"min","field":"name"}],"filters":[{"name":"age","op":"lt","val":40}]}`))
			qhWantMeta(t, doc, map[string]string{"sum__age": "61", "min__name": `"Jeffrey"`})
		})
		t.Run("no functions", func(t *testing.T) {
			doc := qhGet(t, e, "/api/eval/person")
			if string(doc.Data) != "null" {
				t.Errorf("data = %s, want null", doc.Data)
			}
			if len(doc.Meta) != 0 {
				t.Errorf("meta = %v, want none", doc.Meta)
			}
		})
		t.Run("empty list", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", `[]`))
			if string(doc.Data) != "null" || len(doc.Meta) != 0 {
				t.Errorf("data = %s, meta = %v; want null and none", doc.Data, doc.Meta)
			}
		})
		t.Run("computer", func(t *testing.T) {
			doc := qhGet(t, e, qhURL("/api/eval/computer", "functions", `[{"name":"max","field":"purchase_time"},{"name":"count_distinct","field":"vendor"}]`,
				"filter[owner]", "1"))
			qhWantMeta(t, doc, map[string]string{"max__purchase_time": `"2025-06-12T14:00:00Z"`, "count_distinct__vendor": "2"})
		})
		t.Run("NULLs", func(t *testing.T) {
			e := newEnv(t)
			e.exec(`INSERT INTO person (id, name, birth_date, age) VALUES (4, 'Dora', NULL, NULL)`)
			doc := qhGet(t, e, qhURL("/api/eval/person", "functions", `[{"name":"count","field":"id"},{"name":"count","field":"age"},{"name":"avg","field":"age"}]`))
			qhWantMeta(t, doc, map[string]string{"count__id": "4", "count__age": "3", "avg__age": "34"})
		})
		t.Run("HEAD", func(t *testing.T) {
			res := qhFor(e, t).do("HEAD", qhURL("/api/eval/person", "functions", `[{"name":"count","field":"id"}]`), "")
			if res.Code != http.StatusOK {
				t.Errorf("HEAD: status = %d, want 200", res.Code)
			}
		})

		bad := []struct {
			name  string
			pairs []string
			param string
		}{
			{"unknown function", []string{"functions", `[{"name":"drop","field":"age"}]`}, "functions"},
			{"unknown field", []string{"functions", `[{"name":"sum","field":"shoe"}]`}, "functions"},
			{"relationship field", []string{"functions", `[{"name":"count","field":"computers"}]`}, "functions"},
			{"no field", []string{"functions", `[{"name":"count"}]`}, "functions"},
			{"no name", []string{"functions", `[{"field":"age"}]`}, "functions"},
			{"extra member", []string{"functions", `[{"name":"count","field":"age","distinct":true}]`}, "functions"},
			{"not a list", []string{"functions", `{"name":"count","field":"age"}`}, "functions"},
			{"malformed", []string{"functions", `[{"name":"count"`}, "functions"},
			{"SQL in the name", []string{"functions", `[{"name":"count(*)); DROP TABLE person; --","field":"age"}]`}, "functions"},
			{"too many", []string{"functions", "[" + strings.Repeat(`{"name":"count","field":"id"},`, 20) + `{"name":"count","field":"id"}]`}, "functions"},
			{"legacy unknown function", []string{"q", `{"functions":[{"name":"drop","field":"age"}]}`}, "q"},
			{"legacy order_by", []string{"q", `{"functions":[{"name":"sum","field":"age"}],"order_by":[{"field":"age"}]}`}, "q"},
			{"legacy limit", []string{"q", `{"functions":[{"name":"sum","field":"age"}],"limit":1}`}, "q"},
			{"bad filter", []string{"functions", `[{"name":"sum","field":"age"}]`, "filter[objects]", `[{"name":"shoe","op":"eq","val":1}]`}, "filter[objects]"},
			{"bad simple filter", []string{"functions", `[{"name":"sum","field":"age"}]`, "filter[age]", "x"}, "filter[age]"},
			{"sort", []string{"functions", `[{"name":"sum","field":"age"}]`, "sort", "age"}, "sort"},
			{"page", []string{"functions", `[{"name":"sum","field":"age"}]`, "page[size]", "1"}, "page[size]"},
			{"unknown parameter", []string{"functions", `[{"name":"sum","field":"age"}]`, "shoe", "1"}, "shoe"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				qhFor(e, t).unchanged(func() {
					qhBad(t, e, qhURL("/api/eval/person", tt.pairs...), http.StatusBadRequest, "?"+tt.param)
				}, "person")
			})
		}
		t.Run("functions on the collection", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person", "functions", `[{"name":"sum","field":"age"}]`), http.StatusBadRequest, "?functions")
		})
		t.Run("functions on an item", func(t *testing.T) {
			qhBad(t, e, qhURL("/api/person/1", "functions", `[{"name":"sum","field":"age"}]`), http.StatusBadRequest, "?functions")
		})
		t.Run("NoEval", func(t *testing.T) {
			p := demo.Person()
			p.NoEval = true
			e := newEnv(t, p, demo.Computer())
			qhBad(t, e, qhURL("/api/eval/person", "functions", `[{"name":"sum","field":"age"}]`), http.StatusNotFound, "")
			qhBad(t, e, "/api/eval/person", http.StatusNotFound, "")
			qhGet(t, e, qhURL("/api/eval/computer", "functions", `[{"name":"count","field":"id"}]`))
		})
		t.Run("unknown type", func(t *testing.T) {
			qhBad(t, e, "/api/eval/nosuch", http.StatusNotFound, "")
		})
		t.Run("POST", func(t *testing.T) {
			res := qhFor(e, t).do("POST", "/api/eval/person", `{"data":null}`)
			wantError(t, res, http.StatusMethodNotAllowed, "")
		})
	})
}

func TestUnknownParamsHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for _, path := range []string{"/api/person", "/api/person/1", "/api/eval/person"} {
			t.Run(path, func(t *testing.T) {
				qhBad(t, e, path+"?shoe=1", http.StatusBadRequest, "?shoe")
				qhBad(t, e, path+"?Shoe=1", http.StatusBadRequest, "?Shoe")
				qhBad(t, e, path+"?include=nothing", http.StatusBadRequest, "?include")
				qhBad(t, e, path+"?shoe", http.StatusBadRequest, "?shoe")
				qhBad(t, e, path+"?"+url.Values{"camelCase[x]": {"1"}}.Encode(), http.StatusBadRequest, "?camelCase[x]")
			})
		}
		t.Run("callback", func(t *testing.T) {
			doc := qhWantIDs(t, e, qhURL("/api/person", "callback", "cb"), "1", "2", "3")
			_ = doc
			qhGet(t, e, qhURL("/api/person/1", "callback", "cb"))
			qhGet(t, e, qhURL("/api/eval/person", "callback", "cb"))
		})
		t.Run("malformed percent-encoding in a value", func(t *testing.T) {
			qhBad(t, e, "/api/person?filter%5Bname%5D=%ZZ", http.StatusBadRequest, "?filter[name]")
			qhBad(t, e, "/api/person?filter%5Bname%5D%5Blike%5D=J%", http.StatusBadRequest, "?filter[name][like]")
		})
		t.Run("malformed percent-encoding in a name", func(t *testing.T) {
			res := qhFor(e, t).do("GET", "/api/person?filter%5Bna%Gme%5D=x", "")
			if res.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400\n%s", res.Code, res.Body)
			}
		})
		t.Run("semicolon", func(t *testing.T) {
			res := qhFor(e, t).do("GET", "/api/person?sort=age;shoe=1", "")
			if res.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400\n%s", res.Code, res.Body)
			}
		})
		t.Run("empty pairs", func(t *testing.T) {
			qhWantIDs(t, e, "/api/person?&&sort=-age&", "2", "1", "3")
		})
		t.Run("plus is a space", func(t *testing.T) {
			e.exec(`INSERT INTO person (id, name) VALUES (4, 'Ada Lovelace')`)
			qhWantIDs(t, e, "/api/person?filter%5Bname%5D=Ada+Lovelace", "4")
		})
	})
}
