package main

import (
	"slices"
	"testing"
)

// TestDemoSeed004 runs seed 004's requests, with the id in data.id as
// JSON:API has it, against the demo the command serves by default.
func TestDemoSeed004(t *testing.T) {
	m, _ := startMain(t)
	base := m.URL()
	const (
		ryan  = "ryan@example.com"
		alice = "alice@example.com"
		bob   = "bob@example.com"
	)
	user := func(id, gender, rels string) string {
		return `{"data":{"type":"users","id":"` + id + `","attributes":{"password":"pw-` + id + `","gender":"` + gender + `"}` + rels + `}}`
	}
	for _, body := range []string{user(alice, "f", ""), user(bob, "m", "")} {
		if r := send(t, "POST", base+"/users", body); r.code != 201 {
			t.Fatalf("POST users: %d %v", r.code, r.doc)
		}
	}

	// Add a new resource.
	r := send(t, "POST", base+"/users", user(ryan, "m", `,"relationships":{"mom":{"data":{"type":"users","id":"`+alice+`"}}}`))
	if r.code != 201 || r.header.Get("Location") != base+"/users/"+ryan {
		t.Fatalf("POST ryan: %d %v Location %q", r.code, r.doc, r.header.Get("Location"))
	}
	attrs, rels := members(t, r.doc)
	if !slices.Equal(attrs, []string{"active", "created", "gender"}) || !slices.Equal(rels, []string{"friends", "mom"}) {
		t.Errorf("ryan's attributes %v and relationships %v", attrs, rels)
	}
	if attr(r.doc, "active") != true {
		t.Errorf("ryan.active = %v, want true", attr(r.doc, "active"))
	}

	// Modify an existing resource: the write-only password is stored.
	r = send(t, "PATCH", base+"/users/"+ryan, `{"data":{"type":"users","id":"`+ryan+`","attributes":{"password":"muchHarderPasswordToGuess"}}}`)
	if r.code != 200 || attr(r.doc, "password") != nil {
		t.Errorf("PATCH password: %d %v", r.code, r.doc)
	}
	var pw string
	if err := m.api.DB.QueryRow(`SELECT password FROM users WHERE email = ?`, ryan).Scan(&pw); err != nil || pw != "muchHarderPasswordToGuess" {
		t.Errorf("stored password %q (%v)", pw, err)
	}

	// Fetch an existing resource with its mom.
	r = send(t, "GET", base+"/users/"+ryan+"?include=mom", "")
	if inc, _ := r.doc["included"].([]any); r.code != 200 || len(inc) != 1 || asMap(inc[0])["id"] != alice {
		t.Errorf("GET ?include=mom: %d %v", r.code, r.doc)
	}

	// Fetch a resource collection, one at a time.
	r = send(t, "GET", base+"/users?page[offset]=0&page[limit]=1", "")
	if data, _ := r.doc["data"].([]any); r.code != 200 || len(data) != 1 || asMap(r.doc["links"])["next"] == nil {
		t.Errorf("GET page: %d %v", r.code, r.doc)
	}

	// Add an item to a relationship collection, with meta.
	r = send(t, "POST", base+"/users/"+ryan+"/relationships/friends", `{"data":[{"type":"users","id":"`+bob+`","meta":{"met":"space camp"}}]}`)
	if r.code != 204 && r.code != 200 {
		t.Errorf("POST friends: %d %v", r.code, r.doc)
	}
	r = send(t, "GET", base+"/users/"+ryan+"/relationships/friends", "")
	if ids, metas := linkage(r.doc); r.code != 200 || !slices.Equal(ids, []string{"users/" + bob}) || metas[0]["met"] != "space camp" {
		t.Errorf("GET friends: %d %v", r.code, r.doc)
	}

	// Replace and clear the to-one.
	for _, c := range []struct{ body, want string }{
		{`{"data":{"type":"users","id":"` + bob + `"}}`, bob},
		{`{"data":null}`, "NULL"},
	} {
		if r = send(t, "PATCH", base+"/users/"+ryan+"/relationships/mom", c.body); r.code != 204 && r.code != 200 {
			t.Errorf("PATCH mom: %d %v", r.code, r.doc)
		}
		var mom string
		if err := m.api.DB.QueryRow(`SELECT coalesce(mom, 'NULL') FROM users WHERE email = ?`, ryan).Scan(&mom); err != nil || mom != c.want {
			t.Errorf("mom after PATCH %s: %q (%v), want %q", c.body, mom, err, c.want)
		}
	}

	// Delete certain members, then clear the collection.
	friends := func() int {
		var n int
		if err := m.api.DB.QueryRow(`SELECT count(*) FROM friendship WHERE user_id = ?`, ryan).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if r = send(t, "DELETE", base+"/users/"+ryan+"/relationships/friends", `{"data":[{"type":"users","id":"`+bob+`"}]}`); (r.code != 204 && r.code != 200) || friends() != 0 {
		t.Errorf("DELETE friends: %d %v, %d friends left", r.code, r.doc, friends())
	}
	send(t, "POST", base+"/users/"+ryan+"/relationships/friends", `{"data":[{"type":"users","id":"`+bob+`"},{"type":"users","id":"`+alice+`"}]}`)
	if n := friends(); n != 2 {
		t.Fatalf("%d friends, want 2", n)
	}
	if r = send(t, "PATCH", base+"/users/"+ryan+"/relationships/friends", `{"data":[]}`); (r.code != 204 && r.code != 200) || friends() != 0 {
		t.Errorf("PATCH friends []: %d %v, %d friends left", r.code, r.doc, friends())
	}

	// Deactivate an existing resource.
	if r = send(t, "DELETE", base+"/users/"+ryan, ""); r.code != 204 {
		t.Errorf("DELETE ryan: %d %v", r.code, r.doc)
	}
	if r = send(t, "GET", base+"/users/"+ryan, ""); r.code != 404 {
		t.Errorf("GET deactivated ryan: %d %v, want 404", r.code, r.doc)
	}
	var active bool
	if err := m.api.WriteDB.QueryRow(`SELECT active FROM users WHERE email = ?`, ryan).Scan(&active); err != nil || active {
		t.Errorf("ryan's row after DELETE: active = %v, err %v; want the row kept with active = false", active, err)
	}
}
