package introspect_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless/introspect"
	"github.com/gorestless/restless/postgres"
)

func TestPostgres(t *testing.T) {
	dsn := os.Getenv("RESTLESS_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("RESTLESS_TEST_POSTGRES is unset: set it to a PostgreSQL URL, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable, to run this test")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // after the schemas are dropped: cleanups run last first
	var b [6]byte
	rand.Read(b[:])
	schema := "restless_intro_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema+`; CREATE SCHEMA `+schema+`_other`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE; DROP SCHEMA `+schema+`_other CASCADE`); err != nil {
			t.Errorf("drop the test schemas: %v", err)
		}
	})
	ddl := `
CREATE TABLE S_other.region (id serial PRIMARY KEY);
CREATE TABLE S.person (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name varchar(40) NOT NULL, born date, seen timestamptz, at timestamp,
  score numeric(6,2), ratio double precision, n smallint, ok boolean, prefs jsonb, doc json, tags text[], region_id int REFERENCES S_other.region (id),
  w int, h int, area int GENERATED ALWAYS AS (w * h) STORED);
CREATE TABLE S.device (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), owner_id bigint REFERENCES S.person (id), label text);
CREATE TABLE S.token (id uuid PRIMARY KEY, device_id uuid NOT NULL REFERENCES S.device (id) ON DELETE CASCADE);
CREATE TABLE S.users (email text PRIMARY KEY, mom_id text REFERENCES S.users (email));
CREATE TABLE S.friendship (user_id text REFERENCES S.users (email), friend_id text REFERENCES S.users (email), met text, since timestamptz DEFAULT now(), PRIMARY KEY (user_id, friend_id));
CREATE TABLE S.log (line text);
CREATE VIEW S.names AS SELECT name FROM S.person;`
	if _, err := db.ExecContext(ctx, strings.NewReplacer("S_other.", schema+"_other.", "S.", schema+".").Replace(ddl)); err != nil {
		t.Fatal(err)
	}
	res, err := introspect.Postgres(ctx, db, schema, introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"device(device) id:string uuid attrs=[label:string] rels=[owner:one>person(owner_id) token:many>token(device_id)]",
		"person(person) id:integer attrs=[name:string born:date seen:date-time at:date-time score:number ratio:number n:integer ok:boolean prefs:json doc:json tags:string region_id:integer w:integer h:integer area:integer ro] rels=[device:many>device(owner_id)]",
		"token(token) id:string uuid client attrs=[] rels=[device:one>device(device_id)]",
		"users(users) email:string client attrs=[] rels=[mom:one>users(mom_id) users:many>users(mom_id) friend:m2m>users(friendship.user_id,friend_id meta=[met:string since:date-time]) user:m2m>users(friendship.friend_id,user_id meta=[met:string since:date-time])]",
	}
	if got := describe(res); !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	wantWarnings := []string{`table "log" is not exposed`, `foreign key "region_id" of table "person" refers to ` + schema + `_other.region.id`}
	if len(res.Warnings) != len(wantWarnings) {
		t.Errorf("warnings %q, want %q", res.Warnings, wantWarnings)
	}
	for i, w := range wantWarnings {
		if i < len(res.Warnings) && !strings.Contains(res.Warnings[i], w) {
			t.Errorf("warning %q, want %q", res.Warnings[i], w)
		}
	}

	if _, err := introspect.Postgres(ctx, db, schema+"_none", introspect.Options{}); err == nil || !strings.Contains(err.Error(), "no schema") {
		t.Errorf("a missing schema: %v, want an error", err)
	}
	// Without a schema, the first of the search_path.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	scoped, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer scoped.Close()
	res, err = introspect.Postgres(ctx, scoped, "", introspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(res); !slices.Equal(got, want) {
		t.Errorf("from the search_path: got\n\t%s", strings.Join(got, "\n\t"))
	}
}
