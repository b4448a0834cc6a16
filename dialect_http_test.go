package restless_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
)

// TestUUIDValues: UUID keys and attributes on both databases, uuid columns
// on PostgreSQL and text on SQLite. Values that are no UUID never reach
// the database: a 404 for an id, a 400 for an attribute or filter value.
func TestUUIDValues(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		gadget := &resource.Table{Name: "gadget", UUIDs: true, ClientIDs: true,
			Attributes: []resource.Attribute{{Name: "name"}, {Name: "twin", Type: resource.UUID}}}
		e := newEnv(t, demo.Person(), demo.Computer(), gadget)
		e.exec(e.pick(`CREATE TABLE gadget (id TEXT PRIMARY KEY, name TEXT NOT NULL, twin TEXT)`,
			`CREATE TABLE gadget (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name TEXT NOT NULL, twin uuid)`))
		const id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"

		res := e.do("POST", "/api/gadget", `{"data":{"type":"gadget","id":"`+id+`","attributes":{"name":"lamp","twin":"`+id+`"}}}`)
		if res.Code != http.StatusCreated || res.Header.Get("Location") != testBase+"/api/gadget/"+id {
			t.Fatalf("POST: %d, Location %q\n%s", res.Code, res.Header.Get("Location"), res.Body)
		}
		want := `{"data":{"type":"gadget","id":"` + id + `","attributes":{"name":"lamp","twin":"` + id + `"},"links":{"self":"http://example.com/api/gadget/` + id + `"}},"links":{"self":"http://example.com/api/gadget/` + id + `"},"jsonapi":{"version":"1.1"}}`
		if got := strings.TrimSpace(string(res.Body)); got != want {
			t.Errorf("POST body:\ngot  %s\nwant %s", got, want)
		}
		if res := e.do("GET", "/api/gadget/"+id, ""); res.Code != http.StatusOK || strings.TrimSpace(string(res.Body)) != want {
			t.Errorf("GET: %d\n%s", res.Code, res.Body)
		}
		e.unchanged(func() {
			for _, path := range []string{"/api/gadget/lamp", "/api/gadget/1", "/api/gadget/" + id + "0", "/api/gadget/" + strings.Replace(id, "a", "g", 1), "/api/gadget/" + strings.ReplaceAll(id, "-", "")} {
				wantError(t, e.do("GET", path, ""), http.StatusNotFound, "")
				wantError(t, e.do("DELETE", path, ""), http.StatusNotFound, "")
			}
			wantError(t, e.do("GET", "/api/gadget?filter[id]=lamp", ""), http.StatusBadRequest, "?filter[id]")
			wantError(t, e.do("GET", "/api/gadget?filter[twin]=lamp", ""), http.StatusBadRequest, "?filter[twin]")
			wantError(t, e.do("POST", "/api/gadget", `{"data":{"type":"gadget","id":"lamp","attributes":{"name":"x"}}}`), http.StatusBadRequest, "/data/id")
			wantError(t, e.do("POST", "/api/gadget", `{"data":{"type":"gadget","attributes":{"name":"x","twin":"lamp"}}}`), http.StatusBadRequest, "/data/attributes/twin")
			wantError(t, e.do("POST", "/api/gadget", `{"data":{"type":"gadget","id":"`+id+`","attributes":{"name":"again"}}}`), http.StatusConflict, "/data/id")
		}, "gadget")
		res = e.do("GET", "/api/gadget?filter[twin]="+id, "")
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), `"total":1`) {
			t.Errorf("filter[twin]: %d\n%s", res.Code, res.Body)
		}
	})
}

// TestConstraintStatuses: the database's own constraints answer the same
// statuses and pointers on both databases.
func TestConstraintStatuses(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		// computer's foreign key is also writable as an attribute, so a
		// missing owner is caught by the database, not by restless.
		computer := demo.Computer()
		computer.Attributes = append(computer.Attributes, resource.Attribute{Name: "owner_id", Type: resource.Integer})
		e := newEnv(t, demo.Person(), computer)
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			source                   string
		}{
			{"unique", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Hilda"}}}`, 409, "/data/attributes/name"},
			{"not null", "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"name":null}}}`, 400, "/data/attributes/name"},
			{"referenced row missing on create", "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"x","owner_id":99}}}`, 404, "/data/attributes/owner_id"},
			{"referenced row missing on update", "PATCH", "/api/computer/3", `{"data":{"type":"computer","id":"3","attributes":{"owner_id":99}}}`, 404, "/data/attributes/owner_id"},
			{"delete a referenced row", "DELETE", "/api/person/2", "", 409, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := e.on(t)
				e.unchanged(func() {
					wantError(t, e.do(tc.method, tc.path, tc.body), tc.status, tc.source)
				}, "person", "computer")
			})
		}
	})
}
