package restless_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/resource"
)

// sdUsers is seed 004's users: a@x's mom is m@x; a@x is friends with m@x
// (met at school) and b@x; b@x's mom is a@x.
const sdUsers = `INSERT INTO users (email, gender, mom) VALUES ('m@x', 'f', NULL), ('a@x', 'f', 'm@x'), ('b@x', 'm', 'a@x');
INSERT INTO friendship (user_id, friend_id, met) VALUES ('a@x', 'm@x', 'school'), ('a@x', 'b@x', 'work');`

// sdUsersEnv serves users that deactivate through the active flag,
// changed by mod, with sdUsers in the table.
func sdUsersEnv(t *testing.T, mod func(u *resource.Table)) *env {
	t.Helper()
	u := demo.Users()
	u.SoftDelete = &resource.SoftDelete{Column: "active"}
	if mod != nil {
		mod(u)
	}
	e := rlUsersEnv(t, u)
	e.exec(sdUsers)
	return e
}

// sdActive returns the active flag of a user row.
func sdActive(t *testing.T, e *env, email string) any {
	t.Helper()
	return wtScalar(t, e, `SELECT active FROM users WHERE email = ?`, email)
}

// sdFilter is path with filter[objects] set to f.
func sdFilter(path, f string) string {
	return path + "?filter[objects]=" + url.QueryEscape(f)
}

func TestSoftDeleteFlag(t *testing.T) {
	e := sdUsersEnv(t, nil)
	rlStatus(t, e.do(http.MethodDelete, "/api/users/m@x", ""), http.StatusNoContent)

	t.Run("the row stays, deactivated", func(t *testing.T) {
		if got := wtCount(t, e, "users", ""); got != 3 {
			t.Errorf("users rows = %d, want 3", got)
		}
		if got := sdActive(t, e, "m@x"); got != int64(0) {
			t.Errorf("m@x active = %#v, want 0", got)
		}
		if got := sdActive(t, e, "a@x"); got != int64(1) {
			t.Errorf("a@x active = %#v, want 1", got)
		}
		if got := wtCount(t, e, "friendship", ""); got != 2 {
			t.Errorf("friendship rows = %d, want 2 (nothing cascades)", got)
		}
	})

	// Each read path, with what it must show now that m@x is gone.
	for _, tc := range []struct {
		name string
		path string
		// check inspects the 200 document.
		check func(t *testing.T, d *rlDoc, raw string)
	}{
		{"collection", "/api/users", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"users:a@x", "users:b@x"})
		}},
		{"collection total", "/api/users?page[size]=1", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "total", d.Meta["total"], float64(2))
		}},
		{"collection filtered to it", "/api/users?filter[id]=m@x", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{})
		}},
		{"to-one linkage in the resource", "/api/users/a@x", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "mom", string(rlObject(t, d).Relationships["mom"].Data), "null")
		}},
		{"to-one related", "/api/users/a@x/mom", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", string(d.Data), "null")
		}},
		{"to-one relationship", "/api/users/a@x/relationships/mom", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", string(d.Data), "null")
		}},
		{"to-many related", "/api/users/a@x/friends", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"users:b@x"})
			rlWant(t, "total", d.Meta["total"], float64(1))
		}},
		{"to-many relationship", "/api/users/a@x/relationships/friends", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"users:b@x"})
		}},
		{"include", "/api/users/a@x?include=mom,friends.mom", func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "included", rlSorted(d.Included), []string{"users:b@x"})
		}},
		{"withCount", "/api/users/a@x?withCount=friends", func(t *testing.T, d *rlDoc, raw string) {
			if !strings.Contains(raw, `"meta":{"count":1}`) {
				t.Errorf("friends meta.count is not 1:\n%s", raw)
			}
		}},
		{"has filter", sdFilter("/api/users", `[{"name":"mom","op":"has","val":{"name":"gender","op":"eq","val":"f"}}]`), func(t *testing.T, d *rlDoc, raw string) {
			// a@x's mom is gone; b@x's mom a@x is f.
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"users:b@x"})
		}},
		{"any filter", sdFilter("/api/users", `[{"name":"friends","op":"any","val":{"name":"gender","op":"eq","val":"f"}}]`), func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{})
		}},
		{"sort by a field of a to-one", "/api/users?sort=mom.gender", func(t *testing.T, d *rlDoc, raw string) {
			// a@x's mom is gone: her key is null and sorts after b@x's "f"
			// (with m@x live both would be "f", in id order).
			rlWant(t, "data", rlKeys(rlList(t, d)), []string{"users:b@x", "users:a@x"})
		}},
		{"eval", "/api/eval/users?functions=" + url.QueryEscape(`[{"name":"count","field":"id"}]`), func(t *testing.T, d *rlDoc, raw string) {
			rlWant(t, "count__id", d.Meta["count__id"], float64(2))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(http.MethodGet, tc.path, "")
			rlStatus(t, res, http.StatusOK)
			tc.check(t, rlDecode(t, res), string(res.Body))
		})
	}

	// Each way of reaching the deactivated row is a 404 and changes
	// nothing.
	for _, tc := range []struct {
		name, method, path, body string
		source                   string
	}{
		{"GET", http.MethodGet, "/api/users/m@x", "", ""},
		{"GET related of it", http.MethodGet, "/api/users/m@x/friends", "", ""},
		{"DELETE again", http.MethodDelete, "/api/users/m@x", "", ""},
		{"PATCH", http.MethodPatch, "/api/users/m@x", `{"data":{"type":"users","id":"m@x","attributes":{"gender":"x"}}}`, ""},
		{"PATCH reactivating", http.MethodPatch, "/api/users/m@x", `{"data":{"type":"users","id":"m@x","attributes":{"active":true}}}`, ""},
		{"POST naming it", http.MethodPost, "/api/users", `{"data":{"type":"users","id":"c@x","relationships":{"mom":` + rlOne("users", "m@x") + `}}}`,
			"/data/relationships/mom/data/id"},
		{"PATCH naming it", http.MethodPatch, "/api/users/b@x", `{"data":{"type":"users","id":"b@x","relationships":{"mom":` + rlOne("users", "m@x") + `}}}`,
			"/data/relationships/mom/data/id"},
		{"to-one relationship naming it", http.MethodPatch, "/api/users/b@x/relationships/mom", rlOne("users", "m@x"), "/data/id"},
		{"to-many addition to it", http.MethodPost, "/api/users/m@x/relationships/friends", rlMany("users", "b@x"), ""},
		{"to-many addition naming it", http.MethodPost, "/api/users/b@x/relationships/friends", rlMany("users", "m@x"), "/data/0/id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res *response
			rlSame(e, func() { res = e.do(tc.method, tc.path, tc.body) })
			wantError(t, res, http.StatusNotFound, tc.source)
		})
	}

	t.Run("replacing a to-many leaves it alone", func(t *testing.T) {
		rlStatus(t, e.do(http.MethodPatch, "/api/users/a@x/relationships/friends", rlMany("users")), http.StatusNoContent)
		// The visible member went; the deactivated one was not touched.
		if got := wtCount(t, e, "friendship", ""); got != 1 {
			t.Errorf("friendship rows = %d, want 1 (a@x→m@x kept)", got)
		}
	})

	for _, tc := range []struct{ name, method, path, body string }{
		{"PATCH to false leaves the view", http.MethodPatch, "/api/users/b@x", `{"data":{"type":"users","id":"b@x","attributes":{"active":false}}}`},
		{"POST of a deactivated row leaves the view", http.MethodPost, "/api/users", `{"data":{"type":"users","id":"c@x","attributes":{"active":false}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res *response
			rlSame(e, func() { res = e.do(tc.method, tc.path, tc.body) })
			wantError(t, res, http.StatusForbidden, "")
		})
	}
	t.Run("an Allower still refuses DELETE", func(t *testing.T) {
		e := sdUsersEnv(t, func(u *resource.Table) { u.NoDelete = true })
		var res *response
		rlSame(e, func() { res = e.do(http.MethodDelete, "/api/users/a@x", "") })
		wantError(t, res, http.StatusMethodNotAllowed, "")
		rlWantAllow(t, res, "GET, HEAD, PATCH, OPTIONS")
	})
}

func TestSoftDeleteHooksAndRowFilter(t *testing.T) {
	var ops []string
	e := sdUsersEnv(t, func(u *resource.Table) {
		u.Filter = func(ctx context.Context) (sq.Sqlizer, error) {
			return sq.NotEq{`"users"."email"`: "b@x"}, nil
		}
		hook := func(when string) func(ctx context.Context, w *resource.Write) error {
			return func(ctx context.Context, w *resource.Write) error {
				ops = append(ops, when+" "+w.Op.String()+" "+w.ID.(string))
				return nil
			}
		}
		u.Before, u.After = hook("before"), hook("after")
	})
	var res *response
	rlSame(e, func() { res = e.do(http.MethodDelete, "/api/users/b@x", "") })
	wantError(t, res, http.StatusNotFound, "")
	rlStatus(t, e.do(http.MethodDelete, "/api/users/a@x", ""), http.StatusNoContent)
	rlWant(t, "hooks", ops, []string{"before delete a@x", "after delete a@x"})
	if got := sdActive(t, e, "a@x"); got != int64(0) {
		t.Errorf("a@x active = %#v, want 0", got)
	}
	if got := sdActive(t, e, "b@x"); got != int64(1) {
		t.Errorf("b@x active = %#v, want 1 (the row filter hides it)", got)
	}

	t.Run("a failing hook rolls back", func(t *testing.T) {
		e := sdUsersEnv(t, func(u *resource.Table) {
			u.After = func(ctx context.Context, w *resource.Write) error {
				return &jsonapi.Error{Status: http.StatusConflict, Title: "Conflict", Detail: "Keep her."}
			}
		})
		var res *response
		rlSame(e, func() { res = e.do(http.MethodDelete, "/api/users/m@x", "") })
		wantError(t, res, http.StatusConflict, "")
	})
}

func TestSoftDeleteVisible(t *testing.T) {
	e := sdUsersEnv(t, func(u *resource.Table) { u.SoftDelete.Visible = true })
	rlStatus(t, e.do(http.MethodDelete, "/api/users/m@x", ""), http.StatusNoContent)
	if got := sdActive(t, e, "m@x"); got != int64(0) {
		t.Errorf("m@x active = %#v, want 0", got)
	}
	d := rlGet(t, e, "/api/users/m@x")
	rlWant(t, "active", rlObject(t, d).Attributes["active"], false)
	rlWant(t, "collection", rlSorted(rlList(t, rlGet(t, e, "/api/users"))), []string{"users:a@x", "users:b@x", "users:m@x"})
	rlWant(t, "include", rlKeys(rlGet(t, e, "/api/users/a@x?include=mom").Included), []string{"users:m@x"})
	// Deleting again changes nothing and succeeds.
	rlStatus(t, e.do(http.MethodDelete, "/api/users/m@x", ""), http.StatusNoContent)
	// Reactivation is a PATCH of the flag.
	res := e.do(http.MethodPatch, "/api/users/m@x", `{"data":{"type":"users","id":"m@x","attributes":{"active":true}}}`)
	rlStatus(t, res, http.StatusOK)
	if got := sdActive(t, e, "m@x"); got != int64(1) {
		t.Errorf("m@x active after PATCH = %#v, want 1", got)
	}
}

// sdPeopleEnv serves persons that deactivate through a deleted_at
// timestamp, changed by mod, beside the demo computer.
func sdPeopleEnv(t *testing.T, mod func(p *resource.Table)) *env {
	t.Helper()
	p := demo.Person()
	p.SoftDelete = &resource.SoftDelete{Column: "deleted_at", Timestamp: true}
	if mod != nil {
		mod(p)
	}
	e := newEnv(t, p, demo.Computer())
	e.exec(`ALTER TABLE person ADD COLUMN deleted_at DATETIME`)
	return e
}

func TestSoftDeleteTimestamp(t *testing.T) {
	e := sdPeopleEnv(t, nil)
	// Jeffrey owns computers: a real DELETE would break the foreign key.
	rlStatus(t, e.do(http.MethodDelete, "/api/person/1", ""), http.StatusNoContent)
	wantError(t, e.do(http.MethodGet, "/api/person/1", ""), http.StatusNotFound, "")
	wantError(t, e.do(http.MethodDelete, "/api/person/1", ""), http.StatusNotFound, "")
	rlWant(t, "collection", rlKeys(rlList(t, rlGet(t, e, "/api/person"))), []string{"person:2", "person:3"})
	if got := wtCount(t, e, "person", "id = 1 AND deleted_at IS NOT NULL"); got != 1 {
		t.Errorf("person 1 rows with deleted_at = %d, want 1", got)
	}
	if got := wtCount(t, e, "person", "deleted_at IS NULL"); got != 2 {
		t.Errorf("live persons = %d, want 2", got)
	}
	// The computers stay and lose their visible owner; a filter on the
	// owner's id agrees with the linkage (null), so it cannot reveal
	// which computers the hidden person owned.
	rlWant(t, "computers of 1", rlKeys(rlList(t, rlGet(t, e, "/api/computer?filter[owner]=1"))), []string{})
	d := rlGet(t, e, "/api/computer?include=owner&filter[id]=1,2")
	objs := rlList(t, d)
	rlWant(t, "computers 1 and 2", rlKeys(objs), []string{"computer:1", "computer:2"})
	for _, o := range objs {
		rlWant(t, "owner of "+o.ID, string(o.Relationships["owner"].Data), "null")
	}
	rlWant(t, "included", rlKeys(d.Included), []string{})
	rlWant(t, "computers of person 1", rlKeys(rlList(t, rlGet(t, e, sdFilter("/api/computer", `[{"name":"owner","op":"has","val":{"name":"id","op":"eq","val":1}}]`)))), []string{})
	wantError(t, e.do(http.MethodGet, "/api/person/1/computers", ""), http.StatusNotFound, "")
	rlWant(t, "persons with a Dell", rlKeys(rlList(t, rlGet(t, e, sdFilter("/api/person", `[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Dell"}}]`)))), []string{})
	res := e.do(http.MethodPatch, "/api/computer/3/relationships/owner", rlOne("person", "1"))
	wantError(t, res, http.StatusNotFound, "/data/id")

	t.Run("Visible keeps the first time", func(t *testing.T) {
		e := sdPeopleEnv(t, func(p *resource.Table) { p.SoftDelete.Visible = true })
		rlStatus(t, e.do(http.MethodDelete, "/api/person/3", ""), http.StatusNoContent)
		e.exec(`UPDATE person SET deleted_at = '2001-01-01 00:00:00' WHERE id = 3`)
		rlStatus(t, e.do(http.MethodDelete, "/api/person/3", ""), http.StatusNoContent)
		if got := wtCount(t, e, "person", "id = 3 AND deleted_at = '2001-01-01 00:00:00'"); got != 1 {
			t.Errorf("deleted_at = %v, want the first deactivation's", wtScalar(t, e, `SELECT deleted_at FROM person WHERE id = 3`))
		}
		rlStatus(t, e.do(http.MethodGet, "/api/person/3", ""), http.StatusOK)
	})
}

func TestSoftDeleteBulk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		visible bool
	}{{"hidden", false}, {"visible", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := sdUsersEnv(t, func(u *resource.Table) {
				u.Bulk = true
				u.SoftDelete.Visible = tc.visible
			})
			rlStatus(t, e.do(http.MethodDelete, "/api/users/m@x", ""), http.StatusNoContent)
			// m@x is f too, but already deactivated: only a@x counts.
			bkMeta(t, e.do(http.MethodDelete, "/api/users?filter[gender]=f", ""), "num_deleted", 1)
			if got := wtCount(t, e, "users", "active"); got != 1 {
				t.Errorf("active users = %d, want 1", got)
			}
			if got := wtCount(t, e, "users", ""); got != 3 {
				t.Errorf("users rows = %d, want 3", got)
			}
			// A bulk PATCH reaches only what reads reach.
			want := 1
			if tc.visible {
				want = 3
			}
			bkMeta(t, e.do(http.MethodPatch, "/api/users?filter[gender][ne]=x",
				`{"data":{"type":"users","attributes":{"gender":"y"}}}`), "num_modified", want)
		})
	}
}

// sdSelectOnly is a Resource with no Deleter: soft delete alone makes it
// answer DELETE.
type sdSelectOnly struct{ t *resource.Table }

func (r sdSelectOnly) Schema() *resource.Schema { return r.t.Schema() }
func (r sdSelectOnly) Select(ctx context.Context) (sq.SelectBuilder, error) {
	return r.t.Select(ctx)
}

func TestSoftDeleteWithoutDeleter(t *testing.T) {
	u := demo.Users()
	u.SoftDelete = &resource.SoftDelete{Column: "active"}
	e := newEnv(t, sdSelectOnly{u})
	e.exec(demo.UsersSchema)
	e.exec(sdUsers)
	res := e.do(http.MethodOptions, "/api/users/a@x", "")
	if got := res.Header.Get("Allow"); got != "GET, HEAD, DELETE, OPTIONS" {
		t.Errorf("Allow = %q, want GET, HEAD, DELETE, OPTIONS", got)
	}
	rlStatus(t, e.do(http.MethodDelete, "/api/users/a@x", ""), http.StatusNoContent)
	if got := sdActive(t, e, "a@x"); got != int64(0) {
		t.Errorf("a@x active = %#v, want 0", got)
	}
}

func TestSoftDeleteSchema(t *testing.T) {
	for _, tc := range []struct {
		name string
		sd   *resource.SoftDelete
		want string
	}{
		{"no column", &resource.SoftDelete{}, "needs a column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := demo.Person()
			p.SoftDelete = tc.sd
			_, err := (&restless.API{}).Routes(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Routes: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestSoftDeleteAtomic checks that an atomic "remove" deactivates too, and
// that a later operation in the same request no longer finds the row.
func TestSoftDeleteAtomic(t *testing.T) {
	e := sdUsersEnv(t, nil)
	res := e.atomic(`{"atomic:operations":[{"op":"remove","ref":{"type":"users","id":"m@x"}}]}`)
	if res.Code != http.StatusNoContent && res.Code != http.StatusOK {
		t.Fatalf("status = %d\n%s", res.Code, res.Body)
	}
	if got := sdActive(t, e, "m@x"); got != int64(0) {
		t.Errorf("m@x active = %#v, want 0", got)
	}
	var again *response
	rlSame(e, func() {
		again = e.atomic(`{"atomic:operations":[{"op":"update","data":{"type":"users","id":"b@x","attributes":{"gender":"x"}}},{"op":"remove","ref":{"type":"users","id":"m@x"}}]}`)
	})
	wantError(t, again, http.StatusNotFound, "/atomic:operations/1/ref/id")
}
