package restless_test

// HTTP-level tests of JSON:API 1.1 compound documents: include of to-one,
// to-many and many-to-many relationships over one and more levels,
// self-references and cycles, resource linkage (to-one always, to-many
// when included, null for hidden rows), the include limits, withCount,
// and a count of the SQL statements an include costs.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	msqlite "modernc.org/sqlite"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// inclDoc is a decoded top-level document. Included is nil when the
// member is absent.
type inclDoc struct {
	Data     json.RawMessage `json:"data"`
	Included *[]inclObject   `json:"included"`
	Meta     map[string]any  `json:"meta"`
}

// inclObject is a decoded resource object.
type inclObject struct {
	Type          string             `json:"type"`
	ID            string             `json:"id"`
	Attributes    map[string]any     `json:"attributes"`
	Relationships map[string]inclRel `json:"relationships"`
	Links         map[string]string  `json:"links"`
	Meta          map[string]any     `json:"meta"`
}

// inclRel is a decoded relationship object; Data is nil when the member
// is absent and "null" when it is null.
type inclRel struct {
	Data  json.RawMessage   `json:"data"`
	Links map[string]string `json:"links"`
	Meta  map[string]any    `json:"meta"`
}

// inclIdent is a resource identifier object.
type inclIdent struct {
	Type string         `json:"type"`
	ID   string         `json:"id"`
	Meta map[string]any `json:"meta"`
}

func (i inclIdent) key() string { return i.Type + ":" + i.ID }

func (o inclObject) key() string { return o.Type + ":" + o.ID }

// inclFor returns e reporting to t, so failures in subtests land there.
func inclFor(e *env, t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// inclGet sends GET path, wants 200 and decodes the document.
func inclGet(t *testing.T, e *env, path string) inclDoc {
	t.Helper()
	res := inclFor(e, t).do(http.MethodGet, path, "")
	if res.Code != http.StatusOK {
		t.Fatalf("GET %s: status = %d, want 200\n%s", path, res.Code, res.Body)
	}
	var doc inclDoc
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("GET %s: decode: %v\n%s", path, err, res.Body)
	}
	return doc
}

// primary returns the primary data: none for null, one object or a list.
func (d inclDoc) primary(t *testing.T) []inclObject {
	t.Helper()
	raw := strings.TrimSpace(string(d.Data))
	switch {
	case raw == "" || raw == "null":
		return nil
	case strings.HasPrefix(raw, "["):
		var objs []inclObject
		if err := json.Unmarshal(d.Data, &objs); err != nil {
			t.Fatalf("decode data: %v", err)
		}
		return objs
	}
	var o inclObject
	if err := json.Unmarshal(d.Data, &o); err != nil {
		t.Fatalf("decode data: %v", err)
	}
	return []inclObject{o}
}

// included returns the included resources; it fails when the member is
// absent.
func (d inclDoc) included(t *testing.T) []inclObject {
	t.Helper()
	if d.Included == nil {
		t.Fatalf("the document has no included member")
	}
	return *d.Included
}

// inclKeys returns "type:id" of each object, in order.
func inclKeys(objs []inclObject) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o.key())
	}
	return out
}

// inclFind returns the object with key k.
func inclFind(t *testing.T, objs []inclObject, k string) inclObject {
	t.Helper()
	for _, o := range objs {
		if o.key() == k {
			return o
		}
	}
	t.Fatalf("no %s among %v", k, inclKeys(objs))
	return inclObject{}
}

// inclToOne decodes the to-one linkage of relationship name of o: "" for
// null. It fails when the data member is absent.
func inclToOne(t *testing.T, o inclObject, name string) string {
	t.Helper()
	rel, ok := o.Relationships[name]
	if !ok {
		t.Fatalf("%s has no relationship %q", o.key(), name)
	}
	if rel.Data == nil {
		t.Fatalf("%s: relationships.%s has no data member", o.key(), name)
	}
	if string(rel.Data) == "null" {
		return ""
	}
	var id inclIdent
	if err := json.Unmarshal(rel.Data, &id); err != nil {
		t.Fatalf("%s: relationships.%s.data = %s: %v", o.key(), name, rel.Data, err)
	}
	return id.key()
}

// inclToMany decodes the to-many linkage of relationship name of o. It
// fails when the data member is absent or not a list.
func inclToMany(t *testing.T, o inclObject, name string) []inclIdent {
	t.Helper()
	rel, ok := o.Relationships[name]
	if !ok {
		t.Fatalf("%s has no relationship %q", o.key(), name)
	}
	if rel.Data == nil {
		t.Fatalf("%s: relationships.%s has no data member", o.key(), name)
	}
	var ids []inclIdent
	if err := json.Unmarshal(rel.Data, &ids); err != nil || ids == nil {
		t.Fatalf("%s: relationships.%s.data = %s, want a list", o.key(), name, rel.Data)
	}
	return ids
}

func inclIdentKeys(ids []inclIdent) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, id.key())
	}
	return out
}

// inclUnique checks that no type and id occurs twice across the primary
// data and the included resources.
func inclUnique(t *testing.T, doc inclDoc) {
	t.Helper()
	where := map[string]string{}
	for _, o := range doc.primary(t) {
		if w, ok := where[o.key()]; ok {
			t.Errorf("%s appears in data and again in %s", o.key(), w)
		}
		where[o.key()] = "data"
	}
	if doc.Included == nil {
		return
	}
	for _, o := range *doc.Included {
		if w, ok := where[o.key()]; ok {
			t.Errorf("%s is included but also appears in %s", o.key(), w)
		}
		where[o.key()] = "included"
	}
}

// inclFullLinkage checks that each included resource is identified by
// some resource linkage of the document.
func inclFullLinkage(t *testing.T, doc inclDoc) {
	t.Helper()
	if doc.Included == nil {
		return
	}
	named := map[string]bool{}
	for _, o := range append(doc.primary(t), *doc.Included...) {
		for _, rel := range o.Relationships {
			raw := strings.TrimSpace(string(rel.Data))
			switch {
			case raw == "" || raw == "null":
			case strings.HasPrefix(raw, "["):
				var ids []inclIdent
				if err := json.Unmarshal(rel.Data, &ids); err != nil {
					t.Fatalf("linkage %s: %v", raw, err)
				}
				for _, id := range ids {
					named[id.key()] = true
				}
			default:
				var id inclIdent
				if err := json.Unmarshal(rel.Data, &id); err != nil {
					t.Fatalf("linkage %s: %v", raw, err)
				}
				named[id.key()] = true
			}
		}
	}
	for _, o := range *doc.Included {
		if !named[o.key()] {
			t.Errorf("included %s is not identified by any resource linkage (full linkage)", o.key())
		}
	}
}

// inclEnvWith is newEnv with the API adjusted by mod before its handler
// is built.
func inclEnvWith(t *testing.T, mod func(*restless.API), res ...resource.Resource) *env {
	t.Helper()
	return newEnvWith(t, mod, res...)
}

// inclSeedUsers creates seed 004's tables with five users:
//
//	ann → mom bea → mom cat (no mom); dot ⇄ eve are each other's mom.
//	ann is friends with bea ("school") and cat ("work"); bea with ann
//	("school"); dot is her own friend ("mirror").
func inclSeedUsers(e *env) {
	e.t.Helper()
	e.loadUsers()
	e.exec(`INSERT INTO users (email, password, gender) VALUES
		('ann@example.com', 'x', 'f'),
		('bea@example.com', 'x', 'f'),
		('cat@example.com', 'x', 'f'),
		('dot@example.com', 'x', 'f'),
		('eve@example.com', 'x', 'f')`)
	e.exec(`UPDATE users SET mom = 'bea@example.com' WHERE email = 'ann@example.com'`)
	e.exec(`UPDATE users SET mom = 'cat@example.com' WHERE email = 'bea@example.com'`)
	e.exec(`UPDATE users SET mom = 'eve@example.com' WHERE email = 'dot@example.com'`)
	e.exec(`UPDATE users SET mom = 'dot@example.com' WHERE email = 'eve@example.com'`)
	e.exec(`INSERT INTO friendship (user_id, friend_id, met) VALUES
		('ann@example.com', 'bea@example.com', 'school'),
		('ann@example.com', 'cat@example.com', 'work'),
		('bea@example.com', 'ann@example.com', 'school'),
		('dot@example.com', 'dot@example.com', 'mirror')`)
}

// inclUsersEnv serves people, computers and the seeded users.
func inclUsersEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, demo.Person(), demo.Computer(), demo.Users())
	inclSeedUsers(e)
	return e
}

// inclUser is the "type:id" key of a seeded user.
func inclUser(name string) string { return "users:" + name + "@example.com" }

func TestIncludeCompound(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tests := []struct {
			name         string
			setup        []string
			path         string
			wantData     []string
			wantIncluded []string
		}{
			{
				name:         "to-one on a collection",
				path:         "/api/computer?include=owner",
				wantData:     []string{"computer:1", "computer:2", "computer:3"},
				wantIncluded: []string{"person:1", "person:2"},
			},
			{
				name:         "to-many on a collection",
				path:         "/api/person?include=computers",
				wantData:     []string{"person:1", "person:2", "person:3"},
				wantIncluded: []string{"computer:1", "computer:2", "computer:3"},
			},
			{
				name:         "two levels cycling back to the primary data",
				path:         "/api/person?include=computers.owner",
				wantData:     []string{"person:1", "person:2", "person:3"},
				wantIncluded: []string{"computer:1", "computer:2", "computer:3"},
			},
			{
				name:         "a path and its prefix",
				path:         "/api/person?include=computers,computers.owner",
				wantData:     []string{"person:1", "person:2", "person:3"},
				wantIncluded: []string{"computer:1", "computer:2", "computer:3"},
			},
			{
				name:         "two levels from a to-one",
				path:         "/api/computer?include=owner.computers",
				wantData:     []string{"computer:1", "computer:2", "computer:3"},
				wantIncluded: []string{"person:1", "person:2"},
			},
			{
				name:         "three levels",
				path:         "/api/computer?page[size]=1&include=owner.computers.owner",
				wantData:     []string{"computer:1"},
				wantIncluded: []string{"person:1", "computer:2"},
			},
			{
				name:         "two levels on a short page",
				path:         "/api/person?page[size]=1&include=computers.owner",
				wantData:     []string{"person:1"},
				wantIncluded: []string{"computer:1", "computer:2"},
			},
			{
				name:         "to-many on an item",
				path:         "/api/person/1?include=computers",
				wantData:     []string{"person:1"},
				wantIncluded: []string{"computer:1", "computer:2"},
			},
			{
				name:         "to-one on an item",
				path:         "/api/computer/3?include=owner",
				wantData:     []string{"computer:3"},
				wantIncluded: []string{"person:2"},
			},
			{
				name:         "two levels on an item",
				path:         "/api/computer/1?include=owner.computers",
				wantData:     []string{"computer:1"},
				wantIncluded: []string{"person:1", "computer:2"},
			},
			{
				name:         "to-one on a related collection",
				path:         "/api/person/1/computers?include=owner",
				wantData:     []string{"computer:1", "computer:2"},
				wantIncluded: []string{"person:1"},
			},
			{
				name:         "two levels on a related collection",
				path:         "/api/person/2/computers?include=owner.computers",
				wantData:     []string{"computer:3"},
				wantIncluded: []string{"person:2"},
			},
			{
				name:         "to-many on a related resource",
				path:         "/api/computer/1/owner?include=computers",
				wantData:     []string{"person:1"},
				wantIncluded: []string{"computer:1", "computer:2"},
			},
			{
				name:         "to-many that is empty",
				path:         "/api/person/3?include=computers",
				wantData:     []string{"person:3"},
				wantIncluded: []string{},
			},
			{
				name:         "empty page",
				path:         "/api/person?filter[name]=Nobody&include=computers.owner",
				wantData:     []string{},
				wantIncluded: []string{},
			},
			{
				name:         "to-one whose key is NULL",
				setup:        []string{`UPDATE computer SET owner_id = NULL`},
				path:         "/api/computer?include=owner",
				wantData:     []string{"computer:1", "computer:2", "computer:3"},
				wantIncluded: []string{},
			},
			{
				name:         "related to-one that is null",
				setup:        []string{`UPDATE computer SET owner_id = NULL WHERE id = 3`},
				path:         "/api/computer/3/owner?include=computers",
				wantData:     []string{},
				wantIncluded: []string{},
			},
			{
				name:         "related collection that is empty",
				path:         "/api/person/3/computers?include=owner",
				wantData:     []string{},
				wantIncluded: []string{},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := inclFor(newEnv(t), t)
				for _, s := range tt.setup {
					e.exec(s)
				}
				doc := inclGet(t, e, tt.path)
				if diff := cmp.Diff(tt.wantData, inclKeys(doc.primary(t))); diff != "" {
					t.Errorf("data (-want +got):\n%s", diff)
				}
				if doc.Included == nil {
					t.Fatalf("included is absent, want %v", tt.wantIncluded)
				}
				if diff := cmp.Diff(tt.wantIncluded, inclKeys(doc.included(t))); diff != "" {
					t.Errorf("included (-want +got):\n%s", diff)
				}
				inclUnique(t, doc)
				inclFullLinkage(t, doc)
			})
		}

		t.Run("no include means no included member", func(t *testing.T) {
			e := newEnv(t)
			for _, path := range []string{"/api/person", "/api/person/1", "/api/person/1/computers", "/api/computer/1/owner"} {
				if doc := inclGet(t, e, path); doc.Included != nil {
					t.Errorf("GET %s: included = %v, want absent", path, inclKeys(*doc.Included))
				}
			}
		})
	})
}

func TestIncludeFullLinkage(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("to-many linkage of the primary data", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person?include=computers")
			data := doc.primary(t)
			want := map[string][]string{
				"person:1": {"computer:1", "computer:2"},
				"person:2": {"computer:3"},
				"person:3": {},
			}
			for k, w := range want {
				got := inclIdentKeys(inclToMany(t, inclFind(t, data, k), "computers"))
				if diff := cmp.Diff(w, got); diff != "" {
					t.Errorf("%s computers linkage (-want +got):\n%s", k, diff)
				}
			}
		})
		t.Run("to-one linkage of the included resources", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person?include=computers.owner")
			inc := doc.included(t)
			want := map[string]string{"computer:1": "person:1", "computer:2": "person:1", "computer:3": "person:2"}
			for k, w := range want {
				if got := inclToOne(t, inclFind(t, inc, k), "owner"); got != w {
					t.Errorf("%s owner linkage = %q, want %q", k, got, w)
				}
			}
		})
		t.Run("to-many linkage of included resources one level down", func(t *testing.T) {
			doc := inclGet(t, e, "/api/computer/3?include=owner.computers")
			owner := inclFind(t, doc.included(t), "person:2")
			if diff := cmp.Diff([]string{"computer:3"}, inclIdentKeys(inclToMany(t, owner, "computers"))); diff != "" {
				t.Errorf("person:2 computers linkage (-want +got):\n%s", diff)
			}
		})
		t.Run("included resources have attributes and links", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person/1?include=computers")
			c := inclFind(t, doc.included(t), "computer:1")
			if got, want := c.Attributes["name"], "lixie"; got != want {
				t.Errorf("computer:1 name = %v, want %q", got, want)
			}
			if got, want := c.Links["self"], testBase+"/api/computer/1"; got != want {
				t.Errorf("computer:1 links.self = %q, want %q", got, want)
			}
		})
	})
}

func TestIncludeManyToMany(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := inclUsersEnv(t)
		t.Run("friends with linkage meta", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users/ann@example.com?include=friends")
			if diff := cmp.Diff([]string{inclUser("bea"), inclUser("cat")}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			inclUnique(t, doc)
			inclFullLinkage(t, doc)
			ids := inclToMany(t, doc.primary(t)[0], "friends")
			got := map[string]any{}
			for _, id := range ids {
				got[id.key()] = id.Meta["met"]
			}
			want := map[string]any{inclUser("bea"): "school", inclUser("cat"): "work"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("friends linkage met (-want +got):\n%s", diff)
			}
		})
		t.Run("friends of a collection", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users?include=friends")
			if diff := cmp.Diff([]string{}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			inclUnique(t, doc)
			data := doc.primary(t)
			want := map[string][]string{
				inclUser("ann"): {inclUser("bea"), inclUser("cat")},
				inclUser("bea"): {inclUser("ann")},
				inclUser("cat"): {},
				inclUser("dot"): {inclUser("dot")},
				inclUser("eve"): {},
			}
			for k, w := range want {
				got := inclIdentKeys(inclToMany(t, inclFind(t, data, k), "friends"))
				if diff := cmp.Diff(w, got); diff != "" {
					t.Errorf("%s friends linkage (-want +got):\n%s", k, diff)
				}
			}
			dot := inclToMany(t, inclFind(t, data, inclUser("dot")), "friends")
			if len(dot) == 1 && dot[0].Meta["met"] != "mirror" {
				t.Errorf("dot's own friendship meta = %v, want met mirror", dot[0].Meta)
			}
		})
		t.Run("friends of friends", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users?page[size]=1&include=friends.friends")
			if diff := cmp.Diff([]string{inclUser("ann")}, inclKeys(doc.primary(t))); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			inc := doc.included(t)
			if diff := cmp.Diff([]string{inclUser("bea"), inclUser("cat")}, inclKeys(inc)); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			inclUnique(t, doc)
			inclFullLinkage(t, doc)
			bea := inclToMany(t, inclFind(t, inc, inclUser("bea")), "friends")
			if diff := cmp.Diff([]string{inclUser("ann")}, inclIdentKeys(bea)); diff != "" {
				t.Errorf("bea friends linkage (-want +got):\n%s", diff)
			} else if bea[0].Meta["met"] != "school" {
				t.Errorf("bea→ann meta = %v, want met school", bea[0].Meta)
			}
			if got := inclIdentKeys(inclToMany(t, inclFind(t, inc, inclUser("cat")), "friends")); len(got) != 0 {
				t.Errorf("cat friends linkage = %v, want []", got)
			}
		})
		t.Run("on a related collection", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users/ann@example.com/friends?include=mom")
			if diff := cmp.Diff([]string{inclUser("bea"), inclUser("cat")}, inclKeys(doc.primary(t))); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			inclUnique(t, doc)
		})
	})
}

func TestIncludeSelfReference(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tests := []struct {
			name         string
			path         string
			wantData     []string
			wantIncluded []string
		}{
			{"mom", "/api/users/ann@example.com?include=mom", []string{inclUser("ann")}, []string{inclUser("bea")}},
			{"grandmother", "/api/users/ann@example.com?include=mom.mom", []string{inclUser("ann")}, []string{inclUser("bea"), inclUser("cat")}},
			{"no grandmother", "/api/users/bea@example.com?include=mom.mom", []string{inclUser("bea")}, []string{inclUser("cat")}},
			{"mom cycle", "/api/users/dot@example.com?include=mom.mom", []string{inclUser("dot")}, []string{inclUser("eve")}},
			{"mom cycle three levels", "/api/users/dot@example.com?include=mom.mom.mom", []string{inclUser("dot")}, []string{inclUser("eve")}},
			{"own friend", "/api/users/dot@example.com?include=friends", []string{inclUser("dot")}, []string{}},
			{"own friend of an included mom", "/api/users/eve@example.com?include=mom.friends", []string{inclUser("eve")}, []string{inclUser("dot")}},
			{"moms of a collection are primary", "/api/users?include=mom", []string{inclUser("ann"), inclUser("bea"), inclUser("cat"), inclUser("dot"), inclUser("eve")}, []string{}},
			{"moms of a page", "/api/users?page[size]=2&include=mom.mom", []string{inclUser("ann"), inclUser("bea")}, []string{inclUser("cat")}},
			{"friends and moms merged", "/api/users/ann@example.com?include=mom,friends,mom.mom", []string{inclUser("ann")}, []string{inclUser("bea"), inclUser("cat")}},
		}
		e := inclUsersEnv(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				doc := inclGet(t, e, tt.path)
				if diff := cmp.Diff(tt.wantData, inclKeys(doc.primary(t))); diff != "" {
					t.Errorf("data (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantIncluded, inclKeys(doc.included(t))); diff != "" {
					t.Errorf("included (-want +got):\n%s", diff)
				}
				inclUnique(t, doc)
				inclFullLinkage(t, doc)
			})
		}
		t.Run("mom linkage inside the cycle", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users/dot@example.com?include=mom.mom")
			if got := inclToOne(t, doc.primary(t)[0], "mom"); got != inclUser("eve") {
				t.Errorf("dot mom = %q, want %q", got, inclUser("eve"))
			}
			if got := inclToOne(t, inclFind(t, doc.included(t), inclUser("eve")), "mom"); got != inclUser("dot") {
				t.Errorf("eve mom = %q, want %q", got, inclUser("dot"))
			}
		})
		t.Run("dot is listed once in her own friends", func(t *testing.T) {
			doc := inclGet(t, e, "/api/users/eve@example.com?include=mom.friends")
			dot := inclFind(t, doc.included(t), inclUser("dot"))
			if diff := cmp.Diff([]string{inclUser("dot")}, inclIdentKeys(inclToMany(t, dot, "friends"))); diff != "" {
				t.Errorf("dot friends linkage (-want +got):\n%s", diff)
			}
		})
	})
}

func TestIncludeDeterministicOrder(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		// Rows inserted out of id order, so insertion order is not id order.
		e.exec(`INSERT INTO person (id, name) VALUES (9, 'Zed'), (5, 'Yul')`)
		e.exec(`INSERT INTO computer (id, name, owner_id) VALUES (12, 'c12', 5), (7, 'c7', 9), (10, 'c10', 5), (4, 'c4', 3)`)
		tests := []struct {
			name string
			path string
			want []string
		}{
			{"to-many", "/api/person?include=computers", []string{"computer:1", "computer:2", "computer:3", "computer:4", "computer:10", "computer:12", "computer:7"}},
			{"to-one", "/api/computer?sort=-id&include=owner", []string{"person:1", "person:2", "person:3", "person:5", "person:9"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				first := inclFor(e, t).do(http.MethodGet, tt.path, "")
				for i := range 5 {
					again := inclFor(e, t).do(http.MethodGet, tt.path, "")
					if string(again.Body) != string(first.Body) {
						t.Fatalf("response %d differs from the first:\n%s\n%s", i+2, first.Body, again.Body)
					}
				}
				doc := inclGet(t, e, tt.path)
				got := inclKeys(doc.included(t))
				if !slices.Equal(got, tt.want) {
					// The order is the library's (owner then id, or id); what
					// matters is that it is stable, so only report a change.
					t.Logf("included order = %v (expected %v)", got, tt.want)
				}
				sorted := slices.Clone(got)
				slices.Sort(sorted)
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if diff := cmp.Diff(want, sorted); diff != "" {
					t.Errorf("included set (-want +got):\n%s", diff)
				}
				inclUnique(t, doc)
			})
		}
	})
}

func TestIncludeSparseFieldsets(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		t.Run("fields of the included type", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person?include=computers&fields[computer]=name")
			inc := doc.included(t)
			if diff := cmp.Diff([]string{"computer:1", "computer:2", "computer:3"}, inclKeys(inc)); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			for _, c := range inc {
				if len(c.Attributes) != 1 || c.Attributes["name"] == nil {
					t.Errorf("%s attributes = %v, want only name", c.key(), c.Attributes)
				}
				if len(c.Relationships) != 0 {
					t.Errorf("%s relationships = %v, want none", c.key(), c.Relationships)
				}
			}
			// The primary type is not restricted.
			for _, p := range doc.primary(t) {
				if len(p.Attributes) != 3 {
					t.Errorf("%s attributes = %v, want all three", p.key(), p.Attributes)
				}
			}
			inclUnique(t, doc)
			inclFullLinkage(t, doc)
		})
		t.Run("fields keeping a relationship of the included type", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person/1?include=computers&fields[computer]=vendor,owner")
			for _, c := range doc.included(t) {
				if len(c.Attributes) != 1 || c.Attributes["vendor"] == nil {
					t.Errorf("%s attributes = %v, want only vendor", c.key(), c.Attributes)
				}
				if got := inclToOne(t, c, "owner"); got != "person:1" {
					t.Errorf("%s owner = %q, want person:1", c.key(), got)
				}
			}
		})
		t.Run("fields of both types", func(t *testing.T) {
			doc := inclGet(t, e, "/api/computer?include=owner&fields[computer]=name,owner&fields[person]=age")
			for _, p := range doc.included(t) {
				if len(p.Attributes) != 1 || p.Attributes["age"] == nil || len(p.Relationships) != 0 {
					t.Errorf("%s = %+v, want only the age attribute", p.key(), p)
				}
			}
			for _, c := range doc.primary(t) {
				if len(c.Attributes) != 1 || c.Attributes["name"] == nil {
					t.Errorf("%s attributes = %v, want only name", c.key(), c.Attributes)
				}
			}
			if diff := cmp.Diff([]string{"person:1", "person:2"}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			inclFullLinkage(t, doc)
		})
		t.Run("an included relationship left out of the primary fields", func(t *testing.T) {
			// As in the specification's example
			// GET /articles?include=author&fields[articles]=title,body&fields[people]=name:
			// the relationship is included although its linkage is not shown.
			doc := inclGet(t, e, "/api/computer?include=owner&fields[computer]=name&fields[person]=name")
			if diff := cmp.Diff([]string{"person:1", "person:2"}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			for _, c := range doc.primary(t) {
				if _, ok := c.Relationships["owner"]; ok {
					t.Errorf("%s shows owner, which fields[computer] leaves out", c.key())
				}
			}
		})
		t.Run("a to-many left out of the primary fields", func(t *testing.T) {
			doc := inclGet(t, e, "/api/person?include=computers&fields[person]=name")
			if diff := cmp.Diff([]string{"computer:1", "computer:2", "computer:3"}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
		})
	})
}

func TestLinkage(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("to-one data without include", func(t *testing.T) {
			e := newEnv(t)
			e.exec(`INSERT INTO computer (id, name, owner_id) VALUES (4, 'orphan', NULL)`)
			doc := inclGet(t, e, "/api/computer")
			want := map[string]string{"computer:1": "person:1", "computer:2": "person:1", "computer:3": "person:2", "computer:4": ""}
			for _, c := range doc.primary(t) {
				if got := inclToOne(t, c, "owner"); got != want[c.key()] {
					t.Errorf("%s owner = %q, want %q (\"\" for null)", c.key(), got, want[c.key()])
				}
			}
			if doc.Included != nil {
				t.Errorf("included = %v, want absent", inclKeys(*doc.Included))
			}
			item := inclGet(t, e, "/api/computer/4")
			if got := inclToOne(t, item.primary(t)[0], "owner"); got != "" {
				t.Errorf("computer:4 owner = %q, want null", got)
			}
		})
		t.Run("to-one data on self-referencing users", func(t *testing.T) {
			e := inclUsersEnv(t)
			doc := inclGet(t, e, "/api/users")
			want := map[string]string{inclUser("ann"): inclUser("bea"), inclUser("bea"): inclUser("cat"), inclUser("cat"): "", inclUser("dot"): inclUser("eve"), inclUser("eve"): inclUser("dot")}
			for _, o := range doc.primary(t) {
				if got := inclToOne(t, o, "mom"); got != want[o.key()] {
					t.Errorf("%s mom = %q, want %q", o.key(), got, want[o.key()])
				}
			}
		})
		t.Run("to-many data only when included", func(t *testing.T) {
			e := newEnv(t)
			tests := []struct {
				name     string
				path     string
				wantData bool
			}{
				{"collection", "/api/person", false},
				{"item", "/api/person/1", false},
				{"related resource", "/api/computer/1/owner", false},
				{"collection with include", "/api/person?include=computers", true},
				{"item with include", "/api/person/1?include=computers", true},
				{"two levels with sparse included type", "/api/person?include=computers.owner&fields[computer]=name", true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					doc := inclGet(t, e, tt.path)
					for _, p := range doc.primary(t) {
						rel, ok := p.Relationships["computers"]
						if !ok {
							t.Fatalf("%s has no computers relationship", p.key())
						}
						if got := rel.Data != nil; got != tt.wantData {
							t.Errorf("%s computers data = %s, want present: %v", p.key(), rel.Data, tt.wantData)
						}
						if rel.Links["related"] == "" || rel.Links["self"] == "" {
							t.Errorf("%s computers links = %v, want self and related", p.key(), rel.Links)
						}
					}
				})
			}
			t.Run("many-to-many", func(t *testing.T) {
				users := inclUsersEnv(t)
				for _, o := range inclGet(t, users, "/api/users").primary(t) {
					if rel := o.Relationships["friends"]; rel.Data != nil {
						t.Errorf("%s friends data = %s, want absent without include", o.key(), rel.Data)
					}
				}
			})
		})
		t.Run("to-one hidden by the target's row filter", func(t *testing.T) {
			person := demo.Person()
			person.Filter = func(context.Context) (sq.Sqlizer, error) { return sq.NotEq{`"person"."id"`: 1}, nil }
			e := newEnv(t, person, demo.Computer())
			tests := []struct {
				name         string
				path         string
				wantOwner    map[string]string
				wantIncluded []string
			}{
				{"collection", "/api/computer", map[string]string{"computer:1": "", "computer:2": "", "computer:3": "person:2"}, nil},
				{"collection with include", "/api/computer?include=owner", map[string]string{"computer:1": "", "computer:2": "", "computer:3": "person:2"}, []string{"person:2"}},
				{"item", "/api/computer/1", map[string]string{"computer:1": ""}, nil},
				{"item with include", "/api/computer/1?include=owner", map[string]string{"computer:1": ""}, []string{}},
				{"item with two levels", "/api/computer/1?include=owner.computers", map[string]string{"computer:1": ""}, []string{}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					doc := inclGet(t, e, tt.path)
					for _, c := range doc.primary(t) {
						if got := inclToOne(t, c, "owner"); got != tt.wantOwner[c.key()] {
							t.Errorf("%s owner = %q, want %q (\"\" for null)", c.key(), got, tt.wantOwner[c.key()])
						}
					}
					if tt.wantIncluded != nil {
						if diff := cmp.Diff(tt.wantIncluded, inclKeys(doc.included(t))); diff != "" {
							t.Errorf("included (-want +got):\n%s", diff)
						}
						inclFullLinkage(t, doc)
					}
				})
			}
			t.Run("related resource", func(t *testing.T) {
				doc := inclGet(t, e, "/api/computer/1/owner?include=computers")
				if got := strings.TrimSpace(string(doc.Data)); got != "null" {
					t.Errorf("data = %s, want null", got)
				}
				if diff := cmp.Diff([]string{}, inclKeys(doc.included(t))); diff != "" {
					t.Errorf("included (-want +got):\n%s", diff)
				}
			})
			t.Run("relationship endpoint", func(t *testing.T) {
				doc := inclGet(t, e, "/api/computer/1/relationships/owner")
				if got := strings.TrimSpace(string(doc.Data)); got != "null" {
					t.Errorf("data = %s, want null", got)
				}
			})
		})
		t.Run("to-many members hidden by the target's row filter", func(t *testing.T) {
			computer := demo.Computer()
			computer.Filter = func(context.Context) (sq.Sqlizer, error) { return sq.NotEq{`"computer"."id"`: 2}, nil }
			e := newEnv(t, demo.Person(), computer)
			doc := inclGet(t, e, "/api/person/1?include=computers&withCount=computers")
			p := doc.primary(t)[0]
			if diff := cmp.Diff([]string{"computer:1"}, inclIdentKeys(inclToMany(t, p, "computers"))); diff != "" {
				t.Errorf("computers linkage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"computer:1"}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			if got := p.Relationships["computers"].Meta["count"]; got != float64(1) {
				t.Errorf("computers meta.count = %v, want 1", got)
			}
		})
	})
}

func TestIncludeErrors(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tests := []struct {
			name string
			mod  func(*restless.API)
			path string
		}{
			{"unknown relationship", nil, "/api/person?include=nothing"},
			{"unknown relationship on the second level", nil, "/api/person?include=computers.nothing"},
			{"an attribute is no relationship", nil, "/api/person?include=name"},
			{"empty include", nil, "/api/person?include="},
			{"empty path segment", nil, "/api/person?include=computers..owner"},
			{"unknown relationship on an item", nil, "/api/person/1?include=nothing"},
			{"unknown relationship on a related collection", nil, "/api/person/1/computers?include=computers"},
			{"unknown relationship on a related resource", nil, "/api/computer/1/owner?include=owner"},
			{"deeper than the default maximum", nil, "/api/person?include=computers.owner.computers.owner"},
			{"deeper than a custom maximum", func(a *restless.API) { a.IncludeDepth = 1 }, "/api/person?include=computers.owner"},
			{"more paths than a custom maximum", func(a *restless.API) { a.IncludePaths = 1 }, "/api/computer?include=owner,owner.computers"},
			{"more included than the ceiling", func(a *restless.API) { a.MaxIncluded = 2 }, "/api/person?include=computers"},
			{"more included than the ceiling over two levels", func(a *restless.API) { a.MaxIncluded = 1 }, "/api/computer/1?include=owner.computers"},
			{"more included than the ceiling on an item", func(a *restless.API) { a.MaxIncluded = 1 }, "/api/person/1?include=computers"},
			{"more included than the ceiling on a related resource", func(a *restless.API) { a.MaxIncluded = 1 }, "/api/computer/1/owner?include=computers"},
			{"more included than the ceiling on a short page", func(a *restless.API) { a.MaxIncluded = 1 }, "/api/person?page[size]=2&include=computers"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := inclEnvWith(t, tt.mod)
				res := e.do(http.MethodGet, tt.path, "")
				got := wantError(t, res, http.StatusBadRequest, "?include")
				if strings.Contains(tt.name, "ceiling") {
					detail, _ := got["detail"].(string)
					if !strings.Contains(detail, "more than") || !strings.Contains(detail, "resources") {
						t.Errorf("detail = %q, want it to say the response would include too many resources", detail)
					}
				}
			})
		}

		t.Run("within the limits", func(t *testing.T) {
			ok := []struct {
				name string
				mod  func(*restless.API)
				path string
				want []string
			}{
				{"three levels by default", nil, "/api/person/2?include=computers.owner.computers", []string{"computer:3"}},
				{"one level with depth 1", func(a *restless.API) { a.IncludeDepth = 1 }, "/api/person/1?include=computers", []string{"computer:1", "computer:2"}},
				{"four levels with depth 4", func(a *restless.API) { a.IncludeDepth = 4 }, "/api/computer/3?include=owner.computers.owner.computers", []string{"person:2"}},
				{"two paths with a maximum of two", func(a *restless.API) { a.IncludePaths = 2 }, "/api/computer/1?include=owner,owner.computers", []string{"person:1", "computer:2"}},
				{"exactly the ceiling", func(a *restless.API) { a.MaxIncluded = 2 }, "/api/person/1?include=computers", []string{"computer:1", "computer:2"}},
				{"the ceiling counts each resource once", func(a *restless.API) { a.MaxIncluded = 2 }, "/api/computer/1?include=owner,owner.computers,owner.computers.owner", []string{"person:1", "computer:2"}},
				{"primary resources do not count", func(a *restless.API) { a.MaxIncluded = 3 }, "/api/person?include=computers.owner", []string{"computer:1", "computer:2", "computer:3"}},
			}
			for _, tt := range ok {
				t.Run(tt.name, func(t *testing.T) {
					e := inclEnvWith(t, tt.mod)
					doc := inclGet(t, e, tt.path)
					if diff := cmp.Diff(tt.want, inclKeys(doc.included(t))); diff != "" {
						t.Errorf("included (-want +got):\n%s", diff)
					}
					inclUnique(t, doc)
				})
			}
		})

		t.Run("default number of paths", func(t *testing.T) {
			e := inclUsersEnv(t)
			paths := []string{"mom", "friends", "mom.mom", "mom.friends", "friends.mom", "friends.friends",
				"mom.mom.mom", "mom.mom.friends", "mom.friends.mom", "mom.friends.friends", "friends.mom.mom"}
			doc := inclGet(t, e, "/api/users/ann@example.com?include="+strings.Join(paths[:10], ","))
			inclUnique(t, doc)
			res := inclFor(e, t).do(http.MethodGet, "/api/users/ann@example.com?include="+strings.Join(paths, ","), "")
			wantError(t, res, http.StatusBadRequest, "?include")
		})

		t.Run("ceiling on users", func(t *testing.T) {
			e := inclEnvWith(t, func(a *restless.API) { a.MaxIncluded = 2 }, demo.Person(), demo.Computer(), demo.Users())
			inclSeedUsers(e)
			doc := inclGet(t, e, "/api/users/ann@example.com?include=friends,mom.mom")
			if diff := cmp.Diff([]string{inclUser("bea"), inclUser("cat")}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			// eve's mom dot, whose friend is dot and whose mom is eve: one.
			doc = inclGet(t, e, "/api/users/eve@example.com?include=mom.friends,mom.mom")
			if diff := cmp.Diff([]string{inclUser("dot")}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			// ann's friends bea and cat, their moms cat and none, cat's none.
			doc = inclGet(t, e, "/api/users?page[size]=1&include=friends.mom.mom")
			if diff := cmp.Diff([]string{inclUser("bea"), inclUser("cat")}, inclKeys(doc.included(t))); diff != "" {
				t.Errorf("included (-want +got):\n%s", diff)
			}
			// bea, cat, then ann (primary) and bea again: still two.
			res := inclFor(e, t).do(http.MethodGet, "/api/users/ann@example.com?include=mom.mom,friends,mom.friends.mom", "")
			if res.Code != http.StatusOK {
				t.Errorf("status = %d, want 200\n%s", res.Code, res.Body)
			}
			res = inclFor(e, t).do(http.MethodGet, "/api/users?page[size]=3&filter[id]=ann@example.com,dot@example.com&include=friends,mom", "")
			// bea and cat as ann's friends, then eve as dot's mom: three.
			wantError(t, res, http.StatusBadRequest, "?include")
		})
	})
}

func TestWithCount(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		t.Run("computers of each person", func(t *testing.T) {
			e := newEnv(t)
			tests := []struct {
				name string
				path string
				want map[string]float64
			}{
				{"collection", "/api/person?withCount=computers", map[string]float64{"person:1": 2, "person:2": 1, "person:3": 0}},
				{"page", "/api/person?page[size]=2&page[number]=2&withCount=computers", map[string]float64{"person:3": 0}},
				{"with include", "/api/person?withCount=computers&include=computers", map[string]float64{"person:1": 2, "person:2": 1, "person:3": 0}},
				{"item", "/api/person/1?withCount=computers", map[string]float64{"person:1": 2}},
				{"item without computers", "/api/person/3?withCount=computers", map[string]float64{"person:3": 0}},
				{"related resource", "/api/computer/3/owner?withCount=computers", map[string]float64{"person:2": 1}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					doc := inclGet(t, e, tt.path)
					got := map[string]float64{}
					for _, p := range doc.primary(t) {
						rel, ok := p.Relationships["computers"]
						if !ok {
							t.Fatalf("%s has no computers relationship", p.key())
						}
						n, ok := rel.Meta["count"].(float64)
						if !ok {
							t.Errorf("%s computers meta = %v, want a count", p.key(), rel.Meta)
							continue
						}
						got[p.key()] = n
						if !strings.Contains(tt.path, "include=") && rel.Data != nil {
							t.Errorf("%s computers data = %s, want absent without include", p.key(), rel.Data)
						}
					}
					if diff := cmp.Diff(tt.want, got); diff != "" {
						t.Errorf("counts (-want +got):\n%s", diff)
					}
				})
			}
		})
		t.Run("friends of each user", func(t *testing.T) {
			e := inclUsersEnv(t)
			doc := inclGet(t, e, "/api/users?withCount=friends")
			got := map[string]float64{}
			for _, o := range doc.primary(t) {
				n, ok := o.Relationships["friends"].Meta["count"].(float64)
				if !ok {
					t.Errorf("%s friends meta = %v, want a count", o.key(), o.Relationships["friends"].Meta)
				}
				got[o.key()] = n
			}
			want := map[string]float64{inclUser("ann"): 2, inclUser("bea"): 1, inclUser("cat"): 0, inclUser("dot"): 1, inclUser("eve"): 0}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
		t.Run("no withCount means no count", func(t *testing.T) {
			e := newEnv(t)
			for _, p := range inclGet(t, e, "/api/person").primary(t) {
				if rel := p.Relationships["computers"]; rel.Meta["count"] != nil {
					t.Errorf("%s computers meta = %v, want no count", p.key(), rel.Meta)
				}
			}
		})
		t.Run("errors", func(t *testing.T) {
			tests := []struct {
				name string
				path string
			}{
				{"to-one", "/api/computer?withCount=owner"},
				{"to-one on an item", "/api/computer/1?withCount=owner"},
				{"self-referencing to-one", "/api/users?withCount=mom"},
				{"unknown relationship", "/api/person?withCount=nothing"},
				{"an attribute", "/api/person?withCount=name"},
			}
			e := newEnv(t, demo.Person(), demo.Computer(), demo.Users())
			inclSeedUsers(e)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					wantError(t, inclFor(e, t).do(http.MethodGet, tt.path, ""), http.StatusBadRequest, "?withCount")
				})
			}
		})
	})
}

// The counting driver: modernc.org/sqlite's, counting the statements
// each connection runs, per data source name.

var (
	inclCountOnce sync.Once
	inclCounters  sync.Map // DSN → *atomic.Int64
	inclCountSeq  atomic.Int64
)

const inclCountDriver = "sqlite-counting"

type inclDriver struct{ base driver.Driver }

func (d inclDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	n := new(atomic.Int64)
	if v, ok := inclCounters.Load(name); ok {
		n = v.(*atomic.Int64)
	}
	return &inclConn{Conn: c, n: n}, nil
}

type inclConn struct {
	driver.Conn
	n *atomic.Int64
}

var (
	_ driver.QueryerContext     = (*inclConn)(nil)
	_ driver.ExecerContext      = (*inclConn)(nil)
	_ driver.ConnBeginTx        = (*inclConn)(nil)
	_ driver.ConnPrepareContext = (*inclConn)(nil)
	_ driver.Pinger             = (*inclConn)(nil)
	_ driver.SessionResetter    = (*inclConn)(nil)
	_ driver.Validator          = (*inclConn)(nil)
)

func (c *inclConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
	return rows, err
}

func (c *inclConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	x, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := x.ExecContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
	return res, err
}

func (c *inclConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 fallback of drivers without BeginTx: the driver interfaces still require it
	return c.Conn.Begin()
}

func (c *inclConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var s driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, query)
	} else {
		s, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &inclStmt{Stmt: s, n: c.n}, nil
}

func (c *inclConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *inclConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *inclConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type inclStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func inclValues(args []driver.NamedValue) []driver.Value {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	return vals
}

func (s *inclStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.n.Add(1)
	//lint:ignore SA1019 passthrough: the driver interfaces still require it
	return s.Stmt.Exec(args)
}

func (s *inclStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.n.Add(1)
	//lint:ignore SA1019 passthrough: the driver interfaces still require it
	return s.Stmt.Query(args)
}

func (s *inclStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	if x, ok := s.Stmt.(driver.StmtExecContext); ok {
		return x.ExecContext(ctx, args)
	}
	//lint:ignore SA1019 fallback: the driver interfaces still require it
	return s.Stmt.Exec(inclValues(args))
}

func (s *inclStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	//lint:ignore SA1019 fallback: the driver interfaces still require it
	return s.Stmt.Query(inclValues(args))
}

// inclCountingDB opens a new in-memory database through the counting
// driver, with one connection, and returns it with its statement count.
func inclCountingDB(t *testing.T) (*sql.DB, *atomic.Int64) {
	t.Helper()
	inclCountOnce.Do(func() {
		sql.Register(inclCountDriver, inclDriver{base: &msqlite.Driver{}})
	})
	dsn := fmt.Sprintf("file:/restless-include-count%d?vfs=memdb&_pragma=foreign_keys(1)&_time_format=sqlite", inclCountSeq.Add(1))
	n := new(atomic.Int64)
	inclCounters.Store(dsn, n)
	t.Cleanup(func() { inclCounters.Delete(dsn) })

	// A memdb database lives while a connection is open: hold one that
	// is not counted.
	keepDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keepDB.Close() })
	keep, err := keepDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keep.Close() })

	db, err := sql.Open(inclCountDriver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db, n
}

func TestQueryCount(t *testing.T) {
	db, n := inclCountingDB(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, demo.Schema); err != nil {
		t.Fatal(err)
	}
	const people = 50
	var b strings.Builder
	b.WriteString("DELETE FROM computer; DELETE FROM person;\nINSERT INTO person (id, name, age) VALUES ")
	for i := 1; i <= people; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'person %02d', %d)", i, i, 20+i)
	}
	b.WriteString(";\nINSERT INTO computer (id, name, vendor, owner_id) VALUES ")
	for i := 1; i <= people; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'computer %03d', 'Dell', %d), (%d, 'computer %03d', 'Apple', %d)", 2*i-1, 2*i-1, i, 2*i, 2*i, i)
	}
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
	if n.Load() == 0 {
		t.Fatal("the counting driver counted nothing: it does not see the statements")
	}

	api := &restless.API{DB: db, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase}
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, api: api, h: h}

	// count runs GET path and returns the statements it cost.
	count := func(t *testing.T, path string, wantData, wantIncluded int) int64 {
		t.Helper()
		n.Store(0)
		doc := inclGet(t, e, path)
		got := n.Load()
		if d := len(doc.primary(t)); d != wantData {
			t.Errorf("GET %s: %d primary resources, want %d", path, d, wantData)
		}
		if wantIncluded >= 0 {
			if i := len(doc.included(t)); i != wantIncluded {
				t.Errorf("GET %s: %d included resources, want %d", path, i, wantIncluded)
			}
			inclUnique(t, doc)
			inclFullLinkage(t, doc)
		}
		t.Logf("GET %s: %d statements", path, got)
		return got
	}

	big := count(t, "/api/person?page[size]=50&include=computers.owner", 50, 100)
	small := count(t, "/api/person?page[size]=5&include=computers.owner", 5, 10)
	plain := count(t, "/api/person?page[size]=50", 50, -1)
	oneLevel := count(t, "/api/person?page[size]=50&include=computers", 50, 100)
	fromComputers := count(t, "/api/computer?page[size]=100&include=owner.computers", 100, 50)

	t.Run("bounded by levels, not rows", func(t *testing.T) {
		if big != small {
			t.Errorf("statements for a page of 50 = %d, for a page of 5 = %d; want equal", big, small)
		}
	})
	t.Run("small", func(t *testing.T) {
		if big > 6 {
			t.Errorf("statements for include=computers.owner = %d, want at most 6 (page, count, one per level)", big)
		}
	})
	t.Run("one statement per level", func(t *testing.T) {
		if big != plain+2 {
			t.Errorf("statements with include=computers.owner = %d, without include = %d; want %d", big, plain, plain+2)
		}
		if oneLevel != plain+1 {
			t.Errorf("statements with include=computers = %d, without include = %d; want %d", oneLevel, plain, plain+1)
		}
		if fromComputers != plain+2 {
			t.Errorf("statements for computers with include=owner.computers = %d; want %d", fromComputers, plain+2)
		}
	})
	t.Run("withCount is one statement", func(t *testing.T) {
		withCount := count(t, "/api/person?page[size]=50&withCount=computers", 50, -1)
		if withCount != plain+1 {
			t.Errorf("statements with withCount=computers = %d, without = %d; want %d", withCount, plain, plain+1)
		}
	})
}
