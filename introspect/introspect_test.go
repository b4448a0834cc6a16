package introspect_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless/introspect"
	"github.com/gorestless/restless/sqlite"
)

// describe sums a result up, one line per resource:
//
//	type(table) id:type[ client] attrs=[name(column):type flags] rels=[name:kind>type(keys)]
func describe(r *introspect.Result) []string {
	var out []string
	for _, t := range r.Tables {
		s := t.Schema()
		line := fmt.Sprintf("%s(%s) %s:%s", s.Type, s.Table, s.ID.Column, s.ID.Type)
		if s.ID.UUID {
			line += " uuid"
		}
		if s.ClientIDs {
			line += " client"
		}
		if t.ReadOnly {
			line += " read-only"
		}
		var attrs []string
		for _, a := range s.Attributes {
			attrs = append(attrs, describeAttr(a))
		}
		line += " attrs=[" + strings.Join(attrs, " ") + "]"
		var rels []string
		for _, rel := range s.Relationships {
			d := fmt.Sprintf("%s:", rel.Name)
			switch rel.Kind {
			case resource.ToOne:
				d += fmt.Sprintf("one>%s(%s)", rel.Type, rel.ForeignKey)
			case resource.ToMany:
				d += fmt.Sprintf("many>%s(%s)", rel.Type, rel.ForeignKey)
			case resource.ManyToMany:
				var meta []string
				for _, a := range rel.JoinAttributes {
					meta = append(meta, describeAttr(a))
				}
				d += fmt.Sprintf("m2m>%s(%s.%s,%s meta=[%s])", rel.Type, rel.JoinTable, rel.JoinKey, rel.JoinTargetKey, strings.Join(meta, " "))
			}
			if rel.ReadOnly {
				d += " ro"
			}
			rels = append(rels, d)
		}
		line += " rels=[" + strings.Join(rels, " ") + "]"
		if s.SoftDelete != nil {
			line += fmt.Sprintf(" soft-delete=%s", s.SoftDelete.Column)
			if s.SoftDelete.Timestamp {
				line += "(timestamp)"
			}
		}
		if s.Bulk {
			line += " bulk"
		}
		out = append(out, line)
	}
	return out
}

func describeAttr(a resource.Attribute) string {
	d := a.Name
	if a.Column != a.Name {
		d += "(" + a.Column + ")"
	}
	d += ":" + a.Type.String()
	if a.ReadOnly {
		d += " ro"
	}
	if a.WriteOnly {
		d += " wo"
	}
	return d
}

const shop = `
CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born DATE, seen DATETIME, score REAL, ok BOOLEAN, prefs JSON, photo BLOB, misc WIDGET);
CREATE TABLE computer (id INTEGER PRIMARY KEY, name VARCHAR(40), owner_id INTEGER REFERENCES Person (ID));
`

func TestSQLite(t *testing.T) {
	for _, c := range []struct {
		name     string
		ddl      string
		opts     introspect.Options
		want     []string
		warnings []string // substrings, one per warning, in order
		err      string
	}{{
		name: "types, to-one and inverse",
		ddl:  shop,
		want: []string{
			"computer(computer) id:integer attrs=[name:string] rels=[owner:one>person(owner_id)]",
			"person(person) id:integer attrs=[name:string born:date seen:date-time score:number ok:boolean prefs:json photo:string misc:string] rels=[computer:many>computer(owner_id)]",
		},
	}, {
		name: "skipped tables and a table without a key",
		ddl: `CREATE TABLE restless_jobs (id INTEGER PRIMARY KEY);
CREATE TABLE log (at DATETIME, line TEXT);
CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
CREATE VIEW v AS SELECT 1 AS id;`,
		want:     []string{"auto(auto) id:integer attrs=[v:string] rels=[]"},
		warnings: []string{`table "log" is not exposed`, `table "pair" is not exposed`},
	}, {
		name: "text and uuid keys without a default take client ids",
		ddl: `CREATE TABLE users (email TEXT PRIMARY KEY, active BOOLEAN NOT NULL DEFAULT TRUE);
CREATE TABLE device (id UUID PRIMARY KEY, label TEXT);
CREATE TABLE code (code TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(8)))), n INT);
CREATE TABLE legacy (id INT PRIMARY KEY, v TEXT);`,
		want: []string{
			"code(code) code:string attrs=[n:integer] rels=[]",
			"device(device) id:string client attrs=[label:string] rels=[]",
			"legacy(legacy) id:integer client attrs=[v:string] rels=[]",
			"users(users) email:string client attrs=[active:boolean] rels=[]",
		},
	}, {
		name: "self-reference and several references to one table",
		ddl: `CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, mentor_id INTEGER REFERENCES person);
CREATE TABLE message (id INTEGER PRIMARY KEY, sender_id INTEGER REFERENCES person (id), recipient INTEGER REFERENCES person (id), body TEXT);`,
		want: []string{
			"message(message) id:integer attrs=[body:string] rels=[sender:one>person(sender_id) recipient:one>person(recipient)]",
			"person(person) id:integer attrs=[name:string] rels=[mentor:one>person(mentor_id) message_sender:many>message(sender_id) message_recipient:many>message(recipient) person:many>person(mentor_id)]",
		},
	}, {
		name: "join table with an extra column",
		ddl: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE project (id INTEGER PRIMARY KEY, title TEXT);
CREATE TABLE friendship (user_id INTEGER REFERENCES users (id), friend_id INTEGER REFERENCES users (id), met TEXT, since DATE, PRIMARY KEY (user_id, friend_id));
CREATE TABLE member (project_id INTEGER REFERENCES project (id), users_id INTEGER REFERENCES users (id), role TEXT, PRIMARY KEY (users_id, project_id));`,
		want: []string{
			"project(project) id:integer attrs=[title:string] rels=[users:m2m>users(member.project_id,users_id meta=[role:string])]",
			"users(users) id:integer attrs=[name:string] rels=[friend:m2m>users(friendship.user_id,friend_id meta=[met:string since:date]) user:m2m>users(friendship.friend_id,user_id meta=[met:string since:date]) project:m2m>project(member.users_id,project_id meta=[role:string])]",
		},
	}, {
		name: "id and type columns are left out unless renamed",
		ddl: `CREATE TABLE item (key TEXT PRIMARY KEY, id INTEGER, type TEXT, kind TEXT);
CREATE TABLE other (id INTEGER PRIMARY KEY, type TEXT);`,
		opts: introspect.Options{Rename: map[string]string{"item.type": "category"}},
		want: []string{
			"item(item) key:string client attrs=[category(type):string kind:string] rels=[]",
			"other(other) id:integer attrs=[] rels=[]",
		},
		warnings: []string{`column "id" of table "item" is left out`, `column "type" of table "other" is left out`},
	}, {
		name: "a name clash leaves the later member out",
		ddl: `CREATE TABLE person (id INTEGER PRIMARY KEY, owner TEXT, owner_id INTEGER REFERENCES person (id), computer TEXT);
CREATE TABLE computer (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES person (id));`,
		want: []string{
			"computer(computer) id:integer attrs=[] rels=[owner:one>person(owner_id)]",
			"person(person) id:integer attrs=[owner:string computer:string] rels=[]",
		},
		warnings: []string{`foreign key "owner_id" of table "person" is left out`, `the inverse of computer.owner is left out: table "person" already has a member "computer"`},
	}, {
		name: "renames of types, columns, to-ones, inverses and many-to-many",
		ddl: `CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE computer (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES person (id));
CREATE TABLE pc (person_id INTEGER REFERENCES person (id), computer_id INTEGER REFERENCES computer (id), PRIMARY KEY (person_id, computer_id));`,
		opts: introspect.Options{Rename: map[string]string{
			"person": "people", "person.name": "full_name", "computer.owner_id": "holder",
			"person.computer": "computers", "person.computer_": "x",
		}},
		err: `Rename: "person.computer_" names no exposed table, column or relationship`,
	}, {
		name: "renames",
		ddl: `CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE computer (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES person (id));
CREATE TABLE pc (person_id INTEGER REFERENCES person (id), computer_id INTEGER REFERENCES computer (id), PRIMARY KEY (person_id, computer_id));`,
		opts: introspect.Options{Rename: map[string]string{
			"person": "people", "person.name": "full_name", "computer.owner_id": "holder",
			"person.computer": "computers", "pc.nothing": "x",
		}},
		err: `Rename: "pc.nothing"`,
	}, {
		name: "renames applied",
		ddl: `CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE computer (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES person (id));
CREATE TABLE pc (person_id INTEGER REFERENCES person (id), computer_id INTEGER REFERENCES computer (id), PRIMARY KEY (person_id, computer_id));`,
		opts: introspect.Options{Rename: map[string]string{
			"person": "people", "person.name": "full_name", "computer.owner_id": "holder",
			"person.computer": "computers", "pc.person_id": "users", "pc.computer_id": "machines",
		}},
		want: []string{
			"computer(computer) id:integer attrs=[] rels=[holder:one>people(owner_id) users:m2m>people(pc.computer_id,person_id meta=[])]",
			"people(person) id:integer attrs=[full_name(name):string] rels=[computers:many>computer(owner_id) machines:m2m>computer(pc.person_id,computer_id meta=[])]",
		},
	}, {
		name: "reserved paths",
		ddl:  `CREATE TABLE operations (id INTEGER PRIMARY KEY);`,
		err:  `table "operations" would be served at /operations, a path restless reserves`,
	}, {
		name: "a reserved table renamed",
		ddl:  `CREATE TABLE "openapi.json" (id INTEGER PRIMARY KEY); CREATE TABLE jobs (id INTEGER PRIMARY KEY);`,
		opts: introspect.Options{Rename: map[string]string{"openapi.json": "spec", "jobs": "work"}},
		want: []string{"work(jobs) id:integer attrs=[] rels=[]", "spec(openapi.json) id:integer attrs=[] rels=[]"},
	}, {
		name: "options: tables, excluded and write-only columns, read-only, client ids, soft delete, bulk",
		ddl: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, hash TEXT, password TEXT, active BOOLEAN, team_id INTEGER REFERENCES team (id));
CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT, deleted_at TIMESTAMP);
CREATE TABLE membership (users_id INTEGER REFERENCES users (id), team_id INTEGER REFERENCES team (id), PRIMARY KEY (users_id, team_id));
CREATE TABLE secret (id INTEGER PRIMARY KEY);`,
		opts: introspect.Options{
			Tables:         []string{"users", "team"},
			ExcludeColumns: []string{"users.hash"},
			WriteOnly:      []string{"users.password"},
			ReadOnly:       true,
			ClientIDs:      true,
			SoftDelete:     map[string]string{"users": "active", "team": "deleted_at"},
			Bulk:           []string{"team"},
		},
		want: []string{
			"team(team) id:integer client read-only attrs=[name:string deleted_at:date-time] rels=[users:many>users(team_id) ro] soft-delete=deleted_at(timestamp) bulk",
			"users(users) id:integer client read-only attrs=[name:string password:string wo active:boolean] rels=[team:one>team(team_id) ro] soft-delete=active",
		},
	}, {
		name: "a foreign key to a table left out is a plain attribute",
		ddl: `CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id), c_id INTEGER REFERENCES c (x));
CREATE TABLE b (id INTEGER PRIMARY KEY);
CREATE TABLE c (id INTEGER PRIMARY KEY, x INTEGER UNIQUE);`,
		opts: introspect.Options{Tables: []string{"a", "c"}},
		want: []string{
			"a(a) id:integer attrs=[b_id:integer c_id:integer] rels=[]",
			"c(c) id:integer attrs=[x:integer] rels=[]",
		},
		warnings: []string{`foreign key "b_id" of table "a" refers to b.id`, `foreign key "c_id" of table "a" refers to c.x`},
	}, {
		name: "generated columns are read-only; composite foreign keys are no relationships",
		ddl: `CREATE TABLE box (id INTEGER PRIMARY KEY, w REAL, h REAL, area REAL GENERATED ALWAYS AS (w * h) VIRTUAL, k1 INTEGER, k2 INTEGER, FOREIGN KEY (k1, k2) REFERENCES pairs (a, b));
CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));`,
		want:     []string{"box(box) id:integer attrs=[w:number h:number area:number ro k1:integer k2:integer] rels=[]"},
		warnings: []string{`table "pairs" is not exposed`},
	}, {
		name: "unknown names in options",
		ddl:  shop,
		opts: introspect.Options{WriteOnly: []string{"person.nope"}},
		err:  `WriteOnly: table "person" has no column "nope"`,
	}, {
		name: "unknown table in options",
		ddl:  shop,
		opts: introspect.Options{ExcludeColumns: []string{"nope.x"}},
		err:  `ExcludeColumns: "nope.x" names no column`,
	}, {
		name: "soft delete of a missing column",
		ddl:  shop,
		opts: introspect.Options{SoftDelete: map[string]string{"person": "gone"}},
		err:  `SoftDelete: table "person" has no column "gone"`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlite.OpenMemory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Exec(ctx, c.ddl); err != nil {
				t.Fatal(err)
			}
			res, err := introspect.SQLite(ctx, db.Reader, c.opts)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(res); !slices.Equal(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
			if len(res.Warnings) != len(c.warnings) {
				t.Errorf("warnings %q, want %d", res.Warnings, len(c.warnings))
			}
			for i, w := range c.warnings {
				if i < len(res.Warnings) && !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, res.Warnings[i], w)
				}
			}
			for _, tb := range res.Tables {
				if err := tb.Schema().Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
			}
		})
	}
}
