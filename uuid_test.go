package restless_test

import (
	"testing"

	"github.com/gorestless/restless/resource"
)

// TestUUIDIDs checks that a UUID key treats an id that is no UUID as
// naming no resource, everywhere ids arrive.
func TestUUIDIDs(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const id = "8A7C6560-0b5a-4f0e-9d1c-2f3e4a5b6c7d"
		tag := &resource.Table{Name: "tag", UUIDs: true, ClientIDs: true,
			Attributes: []resource.Attribute{{Name: "label"}},
			Relationships: []resource.Relationship{
				{Name: "parent", Type: "tag", Kind: resource.ToOne, ForeignKey: "parent_id"},
			}}
		e := newEnv(t, tag)
		// A uuid column cannot hold the row stored by hand on SQLite; on
		// PostgreSQL "no-uuid" names no row for that reason too.
		e.exec(e.pick(`CREATE TABLE tag (id TEXT PRIMARY KEY, label TEXT, parent_id TEXT REFERENCES tag (id));
INSERT INTO tag (id, label) VALUES ('`+id+`', 'root'), ('no-uuid', 'stored by hand')`,
			`CREATE TABLE tag (id uuid PRIMARY KEY, label TEXT, parent_id uuid REFERENCES tag (id));
INSERT INTO tag (id, label) VALUES ('`+id+`', 'root')`))
		for _, c := range []struct {
			name, method, path, body string
			status                   int
			source                   string
		}{
			{"GET a UUID", "GET", "/api/tag/" + id, "", 200, ""},
			{"GET an id that is no UUID", "GET", "/api/tag/no-uuid", "", 404, ""},
			{"GET a UUID without hyphens", "GET", "/api/tag/8a7c65600b5a4f0e9d1c2f3e4a5b6c7d", "", 404, ""},
			{"PATCH an id that is no UUID", "PATCH", "/api/tag/no-uuid", `{"data":{"type":"tag","id":"no-uuid","attributes":{"label":"x"}}}`, 404, ""},
			{"DELETE an id that is no UUID", "DELETE", "/api/tag/no-uuid", "", 404, ""},
			{"related of an id that is no UUID", "GET", "/api/tag/no-uuid/parent", "", 404, ""},
			{"create with an id that is no UUID", "POST", "/api/tag", `{"data":{"type":"tag","id":"x1","attributes":{"label":"x"}}}`, 400, "/data/id"},
			{"link to an id that is no UUID", "POST", "/api/tag", `{"data":{"type":"tag","id":"00000000-0000-4000-8000-000000000001","relationships":{"parent":{"data":{"type":"tag","id":"no-uuid"}}}}}`, 404, "/data/relationships/parent/data/id"},
			// Atomic operations check ids the same way (ATOMIC posts the body
			// to the operations endpoint).
			{"atomic update of an id that is no UUID", "ATOMIC", "", `{"atomic:operations":[{"op":"update","data":{"type":"tag","id":"no-uuid","attributes":{"label":"x"}}}]}`, 404, "/atomic:operations/0/data/id"},
			{"atomic remove of an id that is no UUID", "ATOMIC", "", `{"atomic:operations":[{"op":"remove","ref":{"type":"tag","id":"no-uuid"}}]}`, 404, "/atomic:operations/0/ref/id"},
			{"atomic link to an id that is no UUID", "ATOMIC", "", `{"atomic:operations":[{"op":"update","ref":{"type":"tag","id":"` + id + `","relationship":"parent"},"data":{"type":"tag","id":"no-uuid"}}]}`, 404, "/atomic:operations/0/data/id"},
			{"create with a UUID", "POST", "/api/tag", `{"data":{"type":"tag","id":"00000000-0000-4000-8000-000000000002","relationships":{"parent":{"data":{"type":"tag","id":"` + id + `"}}}}}`, 201, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				var res *response
				if c.method == "ATOMIC" {
					res = e.atomic(c.body)
				} else {
					res = e.do(c.method, c.path, c.body)
				}
				if c.status >= 400 {
					wantError(t, res, c.status, c.source)
				} else if res.Code != c.status {
					t.Errorf("status %d, want %d: %s", res.Code, c.status, res.Body)
				}
			})
		}
		if err := (&resource.Schema{Type: "x", ID: resource.ID{Column: "id", Type: resource.Integer, UUID: true}}).Validate(); err == nil {
			t.Error("Validate accepts a UUID id of type Integer")
		}
	})
}
