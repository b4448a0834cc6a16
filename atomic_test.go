package restless_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/internal/jsonapitest"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// atomicType is the media type of the operations endpoint.
const atomicType = `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`

// atomic posts body to /api/operations with the atomic media type in
// Content-Type and Accept (hdr overrides them as in env.do) and checks the
// reply by hand: an "atomic:results" document or a JSON:API error
// document, with the atomic media type, whose resources and errors
// validate against the JSON:API schema.
func (e *env) atomic(body string, hdr ...string) *response {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(body))
	req.Header.Set("Content-Type", atomicType)
	req.Header.Set("Accept", atomicType)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if !slices.Contains(res.Header.Values("Vary"), "Accept") && res.Code != http.StatusMethodNotAllowed {
		e.t.Errorf("POST /api/operations: no Vary: Accept (%v)", res.Header)
	}
	if len(res.Body) == 0 {
		return res
	}
	ct := res.Header.Get("Content-Type")
	if res.Code >= 400 {
		// Negotiation failures precede the extension; others apply it.
		if ct != atomicType && ct != "application/vnd.api+json" {
			e.t.Errorf("error Content-Type = %q", ct)
		}
		jsonapitest.Check(e.t, res.Body)
		return res
	}
	if ct != atomicType {
		e.t.Errorf("Content-Type = %q, want %s", ct, atomicType)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		e.t.Fatalf("reply is not JSON: %s", res.Body)
	}
	for name := range doc {
		if name != "atomic:results" && name != "jsonapi" {
			e.t.Errorf("reply has the member %q", name)
		}
	}
	if got := string(doc["jsonapi"]); got != `{"version":"1.1","ext":["https://jsonapi.org/ext/atomic"]}` {
		e.t.Errorf("jsonapi = %s", got)
	}
	var results []map[string]json.RawMessage
	if err := json.Unmarshal(doc["atomic:results"], &results); err != nil || len(results) == 0 {
		e.t.Fatalf("atomic:results is not a non-empty array: %s", res.Body)
	}
	for i, r := range results {
		for name := range r {
			if name != "data" && name != "meta" {
				e.t.Errorf("atomic:results/%d has the member %q", i, name)
			}
		}
		if d, ok := r["data"]; ok {
			// A result's data is a resource object: valid as primary data.
			jsonapitest.Check(e.t, []byte(`{"data":`+string(d)+`}`))
		}
	}
	return res
}

// results returns the "atomic:results" of a reply, each result's data
// decoded as a generic object (nil for {}).
func results(t *testing.T, res *response) []map[string]any {
	t.Helper()
	var doc struct {
		Results []struct {
			Data map[string]any `json:"data"`
		} `json:"atomic:results"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%s", res.Body)
	}
	out := make([]map[string]any, len(doc.Results))
	for i, r := range doc.Results {
		out[i] = r.Data
	}
	return out
}

// count returns the number of rows of table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.query(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// ops builds an atomic request document from operation objects.
func ops(list ...string) string {
	return `{"atomic:operations":[` + strings.Join(list, ",") + `]}`
}

// addComputer is an "add" of a computer owned by the person with lid.
func addComputer(name, lid string) string {
	return `{"op":"add","data":{"type":"computer","lid":"` + name + `","attributes":{"name":"` + name +
		`","vendor":"Acme"},"relationships":{"owner":{"data":{"type":"person","lid":"` + lid + `"}}}}}`
}

const addAda = `{"op":"add","data":{"type":"person","lid":"ada","attributes":{"name":"Ada","age":36}}}`

// computerJSON is the resource object of a new computer owned by person 4.
func computerJSON(id, name string) string {
	return `{"type":"computer","id":"` + id + `","attributes":{"name":"` + name + `","vendor":"Acme","purchase_time":null},` +
		`"relationships":{"owner":{"links":{"self":"http://example.com/api/computer/` + id + `/relationships/owner",` +
		`"related":"http://example.com/api/computer/` + id + `/owner"},"data":{"type":"person","id":"4"}}},` +
		`"links":{"self":"http://example.com/api/computer/` + id + `"}}`
}

// TestAtomicCreateWithLIDs is seed 001's nested creation in standard
// form: a person and three computers that name it by lid, in one request.
func TestAtomicCreateWithLIDs(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.atomic(ops(addAda, addComputer("c1", "ada"), addComputer("c2", "ada"), addComputer("c3", "ada")))
		want := `{"atomic:results":[` +
			`{"data":{"type":"person","id":"4","attributes":{"name":"Ada","birth_date":null,"age":36},` + personRels("4", "") +
			`,"links":{"self":"http://example.com/api/person/4"}}},` +
			`{"data":` + computerJSON("4", "c1") + `},{"data":` + computerJSON("5", "c2") + `},{"data":` + computerJSON("6", "c3") + `}],` +
			`"jsonapi":{"version":"1.1","ext":["https://jsonapi.org/ext/atomic"]}}`
		if res.Code != http.StatusOK || strings.TrimSpace(string(res.Body)) != want {
			t.Fatalf("status %d\ngot  %s\nwant %s", res.Code, res.Body, want)
		}
		if p, c := e.count("person"), e.count("computer"); p != 4 || c != 6 {
			t.Errorf("rows: %d people, %d computers; want 4 and 6", p, c)
		}
		got := e.do("GET", "/api/person/4/relationships/computers", "")
		if !strings.Contains(string(got.Body), `"data":[{"type":"computer","id":"4"},{"type":"computer","id":"5"},{"type":"computer","id":"6"}]`) {
			t.Errorf("person 4's computers: %s", got.Body)
		}
	})
}

// TestAtomicLinkByRelationshipOps creates the resources first and links
// them with relationship operations whose ref and data use lids; no
// operation returns data but the adds, and the results keep the order.
func TestAtomicLinkByRelationshipOps(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.atomic(ops(
			`{"op":"add","data":{"type":"computer","lid":"x","attributes":{"name":"x1"}}}`,
			addAda,
			`{"op":"add","data":{"type":"computer","lid":"y","attributes":{"name":"y1"}}}`,
			`{"op":"add","ref":{"type":"person","lid":"ada","relationship":"computers"},"data":[{"type":"computer","lid":"x"},{"type":"computer","lid":"y"},{"type":"computer","id":"1"}]}`,
			`{"op":"remove","ref":{"type":"person","lid":"ada","relationship":"computers"},"data":[{"type":"computer","id":"1"}]}`,
			`{"op":"update","ref":{"type":"computer","id":"2","relationship":"owner"},"data":{"type":"person","lid":"ada"}}`,
		))
		if res.Code != http.StatusOK {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		rs := results(t, res)
		var kinds []string
		for _, r := range rs {
			if r == nil {
				kinds = append(kinds, "{}")
			} else {
				kinds = append(kinds, fmt.Sprintf("%v/%v", r["type"], r["id"]))
			}
		}
		if want := []string{"computer/4", "person/4", "computer/5", "{}", "{}", "{}"}; !slices.Equal(kinds, want) {
			t.Errorf("results %v, want %v", kinds, want)
		}
		got := e.do("GET", "/api/person/4/relationships/computers", "")
		if !strings.Contains(string(got.Body), `"data":[{"type":"computer","id":"2"},{"type":"computer","id":"4"},{"type":"computer","id":"5"}]`) {
			t.Errorf("person 4's computers: %s", got.Body)
		}
		var owner any
		if err := e.query(`SELECT owner_id FROM computer WHERE id = 1`).Scan(&owner); err != nil || owner != nil {
			t.Errorf("computer 1's owner = %v (%v), want NULL", owner, err)
		}
	})
}

// TestAtomicNoData answers 204 when no operation returns data.
func TestAtomicNoData(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.atomic(ops(
			`{"op":"update","ref":{"type":"person","id":"1","relationship":"computers"},"data":[{"type":"computer","id":"3"}]}`,
			`{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":null}`,
			`{"op":"remove","ref":{"type":"computer","id":"2"}}`,
		))
		if res.Code != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("%d %s, want 204 without a body", res.Code, res.Body)
		}
		want := []string{"1lixieDell<nil> 2024-03-01 09:30:00 +0000 UTC", "3turingLenovo1 2023-10-05 08:15:00 +0000 UTC"}
		if got := e.rows("computer"); !slices.Equal(got, want) {
			t.Errorf("computers:\n%q\nwant\n%q", got, want)
		}
	})
}

// TestAtomicUpdate updates by id, by lid in data and by ref, and returns
// each resource.
func TestAtomicUpdate(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.atomic(ops(
			addAda,
			`{"op":"update","data":{"type":"person","lid":"ada","attributes":{"age":37}}}`,
			`{"op":"update","ref":{"type":"person","lid":"ada"},"data":{"type":"person","attributes":{"birth_date":"1815-12-10"}}}`,
			`{"op":"update","ref":{"type":"person","id":"2"},"data":{"type":"person","id":"2","attributes":{"name":"Hilde"}}}`,
			`{"op":"update","data":{"type":"computer","id":"3","relationships":{"owner":{"data":{"type":"person","lid":"ada"}}}}}`,
		))
		if res.Code != http.StatusOK {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		rs := results(t, res)
		attrs := func(i int) map[string]any { return rs[i]["attributes"].(map[string]any) }
		if attrs(1)["age"] != 37.0 || attrs(2)["birth_date"] != "1815-12-10" || attrs(2)["age"] != 37.0 || attrs(3)["name"] != "Hilde" {
			t.Errorf("results: %s", res.Body)
		}
		if got, want := e.rows("person"), []string{"1Jeffrey1991-04-02 00:00:00 +0000 UTC 35", "2Hilde1984-11-30 00:00:00 +0000 UTC 41",
			"3Tomasz2000-01-15 00:00:00 +0000 UTC 26", "4Ada1815-12-10 00:00:00 +0000 UTC 37"}; !slices.Equal(got, want) {
			t.Errorf("people:\n%q\nwant\n%q", got, want)
		}
		var owner int
		if err := e.query(`SELECT owner_id FROM computer WHERE id = 3`).Scan(&owner); err != nil || owner != 4 {
			t.Errorf("computer 3's owner = %d (%v), want 4", owner, err)
		}
	})
}

// TestAtomicManyToMany links users by lid, keeping the join table's meta.
func TestAtomicManyToMany(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t, demo.Person(), demo.Computer(), demo.Users())
		e.loadUsers()
		res := e.atomic(ops(
			`{"op":"add","data":{"type":"users","id":"mom@x","lid":"mom","attributes":{"gender":"f"}}}`,
			`{"op":"add","data":{"type":"users","id":"ryan@x","relationships":{"mom":{"data":{"type":"users","lid":"mom"}},`+
				`"friends":{"data":[{"type":"users","lid":"mom","meta":{"met":"camp"}}]}}}}`,
			`{"op":"add","data":{"type":"users","id":"kid@x"}}`,
			`{"op":"add","ref":{"type":"users","id":"kid@x","relationship":"friends"},"data":[{"type":"users","id":"ryan@x","meta":{"met":"school"}}]}`,
		))
		if res.Code != http.StatusOK {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		var mom string
		if err := e.query(`SELECT mom FROM users WHERE email = 'ryan@x'`).Scan(&mom); err != nil || mom != "mom@x" {
			t.Errorf("ryan's mom = %q (%v)", mom, err)
		}
		var met []string
		rows, err := e.db.Reader.Query(`SELECT user_id || '>' || friend_id || ':' || met FROM friendship ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			met = append(met, s)
		}
		if want := []string{"kid@x>ryan@x:school", "ryan@x>mom@x:camp"}; !slices.Equal(met, want) {
			t.Errorf("friendships %q, want %q", met, want)
		}
	})
}

// TestAtomicRollback: whichever way the fourth operation fails, the
// database is exactly as before (row counts and rows), and the error
// points into the failing operation.
func TestAtomicRollback(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		first := []string{addAda, addComputer("c1", "ada"), addComputer("c2", "ada")}
		tests := []struct {
			name   string
			fourth string
			status int
			ptr    string
		}{
			{"unique conflict", addComputer("lixie", "ada"), 409, "/atomic:operations/3/data/attributes/name"},
			{"missing required value", `{"op":"add","data":{"type":"computer","attributes":{"vendor":"x"}}}`, 400, "/atomic:operations/3/data"},
			{"invalid value", `{"op":"update","data":{"type":"person","lid":"ada","attributes":{"age":"old"}}}`, 400, "/atomic:operations/3/data/attributes/age"},
			{"unknown attribute", `{"op":"add","data":{"type":"person","attributes":{"name":"B","color":"red"}}}`, 400, "/atomic:operations/3/data/attributes/color"},
			{"unknown lid in linkage", addComputer("c3", "bob"), 400, "/atomic:operations/3/data/relationships/owner/data/lid"},
			{"unknown lid in ref", `{"op":"remove","ref":{"type":"person","lid":"bob"}}`, 400, "/atomic:operations/3/ref/lid"},
			{"unknown lid in data", `{"op":"update","data":{"type":"person","lid":"bob","attributes":{"age":1}}}`, 400, "/atomic:operations/3/data/lid"},
			{"lid of another type", `{"op":"update","data":{"type":"computer","lid":"ada","attributes":{"name":"n"}}}`, 400, "/atomic:operations/3/data/lid"},
			{"unknown lid in relationship ref", `{"op":"add","ref":{"type":"person","lid":"bob","relationship":"computers"},"data":[]}`, 400, "/atomic:operations/3/ref/lid"},
			{"unknown lid in to-many linkage", `{"op":"add","ref":{"type":"person","lid":"ada","relationship":"computers"},"data":[{"type":"computer","lid":"c1"},{"type":"computer","lid":"zz"}]}`, 400, "/atomic:operations/3/data/1/lid"},
			{"missing related", `{"op":"add","ref":{"type":"person","lid":"ada","relationship":"computers"},"data":[{"type":"computer","id":"99"}]}`, 404, "/atomic:operations/3/data/0/id"},
			{"missing target", `{"op":"remove","ref":{"type":"computer","id":"99"}}`, 404, "/atomic:operations/3/ref/id"},
			{"missing update target", `{"op":"update","data":{"type":"person","id":"99","attributes":{"age":1}}}`, 404, "/atomic:operations/3/data/id"},
			{"still referred to", `{"op":"remove","ref":{"type":"person","lid":"ada"}}`, 409, "/atomic:operations/3"},
			{"client id refused", `{"op":"add","data":{"type":"person","id":"9","attributes":{"name":"B"}}}`, 403, "/atomic:operations/3/data/id"},
			{"duplicate lid", `{"op":"add","data":{"type":"person","lid":"ada","attributes":{"name":"B"}}}`, 400, "/atomic:operations/3/data/lid"},
			{"id and lid disagree", `{"op":"update","ref":{"type":"person","lid":"ada"},"data":{"type":"person","id":"1"}}`, 409, "/atomic:operations/3/data/id"},
			{"ref type mismatch", `{"op":"update","ref":{"type":"computer","id":"1"},"data":{"type":"person","id":"1"}}`, 409, "/atomic:operations/3/data/type"},
			{"type mismatch in linkage", `{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":{"type":"computer","id":"2"}}`, 409, "/atomic:operations/3/data/type"},
			{"unknown type", `{"op":"add","data":{"type":"robot"}}`, 400, "/atomic:operations/3/data/type"},
			{"unknown relationship", `{"op":"add","ref":{"type":"person","id":"1","relationship":"pets"},"data":[]}`, 400, "/atomic:operations/3/ref/relationship"},
			{"add to a to-one", `{"op":"add","ref":{"type":"computer","id":"1","relationship":"owner"},"data":{"type":"person","id":"1"}}`, 400, "/atomic:operations/3/op"},
			{"bad op", `{"op":"upsert","data":{"type":"person"}}`, 400, "/atomic:operations/3/op"},
			{"no op", `{"data":{"type":"person"}}`, 400, "/atomic:operations/3"},
			{"not an object", `[]`, 400, "/atomic:operations/3"},
			{"href", `{"op":"remove","href":"/api/person/1"}`, 400, "/atomic:operations/3/href"},
			{"ref and href", `{"op":"remove","href":"/api/person/1","ref":{"type":"person","id":"1"}}`, 400, "/atomic:operations/3"},
			{"ref without type", `{"op":"remove","ref":{"id":"1"}}`, 400, "/atomic:operations/3/ref"},
			{"ref with id and lid", `{"op":"remove","ref":{"type":"person","id":"1","lid":"ada"}}`, 400, "/atomic:operations/3/ref"},
			{"ref id not a string", `{"op":"remove","ref":{"type":"person","id":1}}`, 400, "/atomic:operations/3/ref/id"},
			{"add with ref", `{"op":"add","ref":{"type":"person","id":"1"},"data":{"type":"person"}}`, 400, "/atomic:operations/3/ref"},
			{"add without data", `{"op":"add"}`, 400, "/atomic:operations/3"},
			{"remove with data", `{"op":"remove","ref":{"type":"person","id":"3"},"data":{"type":"person","id":"3"}}`, 400, "/atomic:operations/3/data"},
			{"remove without ref", `{"op":"remove"}`, 400, "/atomic:operations/3"},
			{"update without id", `{"op":"update","data":{"type":"person","attributes":{"age":1}}}`, 400, "/atomic:operations/3/data"},
			{"relationship without data", `{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"}}`, 400, "/atomic:operations/3"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				e.t = t
				p, c := e.count("person"), e.count("computer")
				var res *response
				e.unchanged(func() {
					res = e.atomic(ops(append(first, tt.fourth)...))
				}, "person", "computer")
				wantError(t, res, tt.status, tt.ptr)
				if p2, c2 := e.count("person"), e.count("computer"); p2 != p || c2 != c {
					t.Errorf("rows: %d people and %d computers after, %d and %d before", p2, c2, p, c)
				}
				if ct := res.Header.Get("Content-Type"); ct != atomicType {
					t.Errorf("Content-Type = %q, want %s", ct, atomicType)
				}
			})
		}
	})
}

// TestAtomicDocument checks the top level of the request document.
func TestAtomicDocument(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tests := []struct {
			name, body string
			status     int
			ptr        string
		}{
			{"not JSON", `{"atomic:operations":`, 400, "/"},
			{"no operations", `{"meta":{}}`, 400, "/"},
			{"data", `{"data":{"type":"person"},"atomic:operations":[]}`, 400, "/data"},
			{"included", `{"included":[],"atomic:operations":[` + addAda + `]}`, 400, "/included"},
			{"results", `{"atomic:results":[],"atomic:operations":[` + addAda + `]}`, 400, "/atomic:results"},
			{"not an array", `{"atomic:operations":{}}`, 400, "/atomic:operations"},
			{"empty", `{"atomic:operations":[]}`, 400, "/atomic:operations"},
			{"too many", ops(slices.Repeat([]string{`{"op":"remove","ref":{"type":"person","id":"1"}}`}, 4)...), 413, "/atomic:operations"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				e.t = t
				e.api.MaxOperations = 3
				e.unchanged(func() {
					wantError(t, e.atomic(tt.body), tt.status, tt.ptr)
				}, "person", "computer")
			})
		}
		e := newEnv(t)
		e.api.MaxBodyBytes = 64
		wantError(t, e.atomic(ops(addAda, addAda)), 413, "")
		e = newEnv(t)
		wantError(t, e.atomic(ops(addAda), "Content-Type", atomicType+"; charset=utf-8"), 415, "header:Content-Type")
		wantError(t, e.atomic(ops(addAda)+"?"), 400, "/")
		req := httptest.NewRequest("POST", "/api/operations?sort=name", strings.NewReader(ops(addAda)))
		req.Header.Set("Content-Type", atomicType)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		wantError(t, &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, 400, "?sort")
		if e.count("person") != 3 {
			t.Error("a refused request wrote")
		}
	})
}

// TestAtomicSeveralErrors: every error of a failing operation points into
// it, and the reply's status is the most general one.
func TestAtomicSeveralErrors(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		res := e.atomic(ops(addAda, `{"op":"add","data":{"type":"person","attributes":{"age":"x","name":1,"color":"red"}}}`))
		if res.Code != http.StatusBadRequest {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		var doc struct {
			Errors []struct {
				Status string
				Source struct{ Pointer string }
			}
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range doc.Errors {
			got = append(got, e.Status+" "+e.Source.Pointer)
		}
		want := []string{"400 /atomic:operations/1/data/attributes/age", "400 /atomic:operations/1/data/attributes/color", "400 /atomic:operations/1/data/attributes/name"}
		if !slices.Equal(got, want) {
			t.Errorf("errors %q, want %q", got, want)
		}
		if e.count("person") != 3 {
			t.Error("a failed request wrote")
		}
	})
}

// TestAtomicAllower: a resource's Allower applies to its operations.
func TestAtomicAllower(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		person := demo.Person()
		person.NoDelete = true
		computer := demo.Computer()
		computer.ReadOnly = true
		e := newEnv(t, person, computer)
		wantError(t, e.atomic(ops(addAda, `{"op":"remove","ref":{"type":"person","id":"3"}}`)), 403, "/atomic:operations/1/op")
		wantError(t, e.atomic(ops(addComputer("c", "x"))), 403, "/atomic:operations/0/op")
		wantError(t, e.atomic(ops(`{"op":"update","data":{"type":"computer","id":"1","attributes":{"name":"n"}}}`)), 403, "/atomic:operations/0/op")
		wantError(t, e.atomic(ops(`{"op":"update","ref":{"type":"computer","id":"1","relationship":"owner"},"data":null}`)), 403, "/atomic:operations/0/ref/relationship")
		if e.count("person") != 3 {
			t.Error("a refused request wrote")
		}
	})
}

// TestAtomicProvisioner: a Provisioner's creation cannot join the
// transaction, so an add of one is refused and Provision never runs; its
// updates and removals are ordinary writes.
func TestAtomicProvisioner(t *testing.T) {
	m := newMachines()
	e := newJobsEnv(t, nil, m)
	e.unchanged(func() {
		wantError(t, e.atomic(ops(addAda, addComputer("hal", "ada"))), http.StatusForbidden, "/atomic:operations/1/data/type")
	}, "person", "computer")
	if n := m.callCount(); n != 0 {
		t.Errorf("Provision ran %d times", n)
	}
	res := e.atomic(ops(`{"op":"update","data":{"type":"computer","id":"1","attributes":{"vendor":"HP"}}}`, `{"op":"remove","ref":{"type":"computer","id":"2"}}`))
	if res.Code != http.StatusOK || e.count("computer") != 2 {
		t.Errorf("update and remove of a Provisioner: %d %s", res.Code, res.Body)
	}
}

// TestAtomicHooks: write hooks run for each operation inside the one
// transaction, and a hook's refusal rolls back the earlier operations.
func TestAtomicHooks(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		var seen []string
		person := demo.Person()
		person.Before = func(_ context.Context, w *resource.Write) error {
			seen = append(seen, fmt.Sprintf("%v %v", w.Op, w.Values["name"]))
			if w.Tx == nil {
				return fmt.Errorf("no transaction")
			}
			if w.Values["name"] == "Nope" {
				return &jsonapi.Error{Status: http.StatusUnprocessableEntity, Title: "Refused", Detail: "No.", Source: jsonapi.Pointer("/data/attributes/name")}
			}
			return nil
		}
		e := newEnv(t, person, demo.Computer())
		e.unchanged(func() {
			res := e.atomic(ops(addAda, `{"op":"add","data":{"type":"person","attributes":{"name":"Nope"}}}`))
			wantError(t, res, http.StatusUnprocessableEntity, "/atomic:operations/1/data/attributes/name")
		}, "person", "computer")
		if want := []string{fmt.Sprint(resource.OpCreate) + " Ada", fmt.Sprint(resource.OpCreate) + " Nope"}; !slices.Equal(seen, want) {
			t.Errorf("hooks saw %q, want %q", seen, want)
		}
	})
}

// TestAtomicNegotiation follows the extension's negotiation rules on the
// operations endpoint and keeps the other endpoints as they were.
func TestAtomicNegotiation(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		body := ops(addAda)
		tests := []struct {
			name          string
			contentType   string
			accept        string
			status        int
			source        string
			wantExtInType bool
		}{
			{"atomic both", atomicType, atomicType, 200, "", true},
			{"unquoted ext", "application/vnd.api+json;ext=https://jsonapi.org/ext/atomic", atomicType, 200, "", true},
			{"no Accept", atomicType, "", 200, "", true},
			{"wildcard Accept", atomicType, "*/*", 200, "", true},
			{"atomic among others", atomicType, "application/vnd.api+json, " + atomicType + ";q=0.5", 200, "", true},
			{"plain Content-Type", "application/vnd.api+json", atomicType, 415, "header:Content-Type", false},
			{"no Content-Type", "", atomicType, 415, "header:Content-Type", false},
			{"JSON Content-Type", "application/json", atomicType, 415, "header:Content-Type", false},
			{"unsupported ext", `application/vnd.api+json; ext="https://example.com/ext"`, atomicType, 415, "header:Content-Type", false},
			{"atomic and unsupported ext", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic https://example.com/ext"`, atomicType, 415, "header:Content-Type", false},
			{"415 wins over 406", "application/vnd.api+json", "text/html", 415, "header:Content-Type", false},
			{"Accept plain only", atomicType, "application/vnd.api+json", 406, "header:Accept", false},
			{"Accept unsupported ext", atomicType, `application/vnd.api+json; ext="https://example.com/ext"`, 406, "header:Accept", false},
			{"Accept HTML", atomicType, "text/html", 406, "header:Accept", false},
			{"Accept refuses atomic", atomicType, atomicType + ";q=0, */*", 406, "header:Accept", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				e.t = t
				res := e.atomic(body, "Content-Type", tt.contentType, "Accept", tt.accept)
				if tt.status >= 400 {
					wantError(t, res, tt.status, tt.source)
					if e.count("person") != 3 {
						t.Error("a refused request wrote")
					}
					return
				}
				if res.Code != tt.status {
					t.Fatalf("status %d, want %d: %s", res.Code, tt.status, res.Body)
				}
				if e.count("person") != 4 {
					t.Error("no person was created")
				}
			})
		}

		// The other endpoints do not take the extension.
		e := newEnv(t)
		wantError(t, e.do("POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"B"}}}`, "Content-Type", atomicType), 415, "header:Content-Type")
		wantError(t, e.do("GET", "/api/person", "", "Accept", atomicType), 406, "header:Accept")
		if res := e.do("GET", "/api/person", "", "Accept", atomicType+", application/vnd.api+json"); res.Code != 200 {
			t.Errorf("GET /api/person: %d", res.Code)
		}
		// Methods.
		res := e.do("GET", "/api/operations", "")
		wantError(t, res, http.StatusMethodNotAllowed, "")
		if got := res.Header.Get("Allow"); got != "POST, OPTIONS" {
			t.Errorf("Allow = %q", got)
		}
		res = e.do("OPTIONS", "/api/operations", "")
		if res.Code != http.StatusNoContent || res.Header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("OPTIONS: %d %v", res.Code, res.Header)
		}
	})
}

// TestAtomicReservedPath: no resource may take the path operations.
func TestAtomicReservedPath(t *testing.T) {
	tbl := demo.Person()
	tbl.Path = "operations"
	api := &restless.API{Prefix: "/api"}
	if _, err := api.Handler(tbl); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Handler with a resource at /api/operations: %v", err)
	}
}

// TestAtomicByHand mounts API.Operations on a ServeMux of its own.
func TestAtomicByHand(t *testing.T) {
	db, err := demo.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Prefix: "/v1", BaseURL: testBase}
	mux := http.NewServeMux()
	mux.Handle("/v1/operations", api.Operations(demo.Person(), demo.Computer()))
	req := httptest.NewRequest("POST", "/v1/operations", strings.NewReader(ops(addAda, addComputer("c1", "ada"))))
	req.Header.Set("Content-Type", atomicType)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"self":"http://example.com/v1/computer/4"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != atomicType {
		t.Errorf("Content-Type = %q", ct)
	}
	var n int
	if err := db.Reader.QueryRow(`SELECT count(*) FROM computer WHERE owner_id = 4`).Scan(&n); err != nil || n != 1 {
		t.Errorf("computers of person 4: %d (%v)", n, err)
	}
}
