package postgres_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/dialect"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/postgres"
	"github.com/gorestless/restless/resource"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want dialect.Failure
	}{
		{&pgconn.PgError{Code: "23505", Detail: `Key (name)=(Ada) already exists.`}, dialect.Failure{Kind: dialect.Unique, Column: "name"}},
		{&pgconn.PgError{Code: "23505", Detail: `Key ("Odd Name")=(x) already exists.`}, dialect.Failure{Kind: dialect.Unique, Column: "Odd Name"}},
		{&pgconn.PgError{Code: "23505", Detail: `Key (user_email, friend_email)=(a, b) already exists.`}, dialect.Failure{Kind: dialect.Unique, Column: "user_email"}},
		{&pgconn.PgError{Code: "23502", ColumnName: "name"}, dialect.Failure{Kind: dialect.NotNull, Column: "name"}},
		{&pgconn.PgError{Code: "23503", Detail: `Key (owner_id)=(9) is not present in table "person".`}, dialect.Failure{Kind: dialect.ForeignKey, Column: "owner_id"}},
		{&pgconn.PgError{Code: "23503", Detail: `Key (id)=(1) is still referenced from table "computer".`}, dialect.Failure{Kind: dialect.ForeignKey, Column: "id"}},
		{&pgconn.PgError{Code: "23514", ColumnName: "age"}, dialect.Failure{Kind: dialect.Check, Column: "age"}},
		{&pgconn.PgError{Code: "22001"}, dialect.Failure{Kind: dialect.Check}},
		{&pgconn.PgError{Code: "22003"}, dialect.Failure{Kind: dialect.Check}},
		{&pgconn.PgError{Code: "22P02"}, dialect.Failure{Kind: dialect.Check}},
		{&pgconn.PgError{Code: "40001"}, dialect.Failure{Kind: dialect.Busy}},
		{&pgconn.PgError{Code: "40P01"}, dialect.Failure{Kind: dialect.Busy}},
		{&pgconn.PgError{Code: "55P03"}, dialect.Failure{Kind: dialect.Busy}},
		{&pgconn.PgError{Code: "57014"}, dialect.Failure{Kind: dialect.Busy}},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"}), dialect.Failure{Kind: dialect.Busy}},
		{&pgconn.PgError{Code: "42P01"}, dialect.Failure{}},
		{errors.New("failed to encode args[0]: unable to encode"), dialect.Failure{Kind: dialect.Check}},
		{errors.New("connection refused"), dialect.Failure{}},
	}
	for _, tt := range tests {
		if got := postgres.Dialect.Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %+v, want %+v", tt.err, got, tt.want)
		}
	}
}

func TestOpenSession(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	show := func(t *testing.T, db *sql.DB, name string) string {
		t.Helper()
		var v string
		if err := db.QueryRowContext(ctx, "SHOW "+name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("defaults", func(t *testing.T) {
		// The DSN asks for another zone: sessions stay in UTC.
		db, err := postgres.Open(ctx, dsn+sep(dsn)+"timezone=America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := show(t, db, "TimeZone"); got != "UTC" {
			t.Errorf("TimeZone = %q, want UTC", got)
		}
		if got := show(t, db, "statement_timeout"); got != "30s" {
			t.Errorf("statement_timeout = %q, want 30s", got)
		}
		var now time.Time
		if err := db.QueryRowContext(ctx, "SELECT LOCALTIMESTAMP::timestamptz").Scan(&now); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(now); d < -time.Minute || d > time.Minute {
			t.Errorf("LOCALTIMESTAMP is %v from now: the session is not in UTC", d)
		}
	})
	t.Run("options", func(t *testing.T) {
		db, err := postgres.Open(ctx, dsn, postgres.StatementTimeout(1500*time.Millisecond), postgres.Param("application_name", "restless-test"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := show(t, db, "statement_timeout"); got != "1500ms" {
			t.Errorf("statement_timeout = %q, want 1500ms", got)
		}
		if got := show(t, db, "application_name"); got != "restless-test" {
			t.Errorf("application_name = %q, want restless-test", got)
		}
	})
	t.Run("timeout in the DSN", func(t *testing.T) {
		db, err := postgres.Open(ctx, dsn+sep(dsn)+"statement_timeout=1200")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := show(t, db, "statement_timeout"); got != "1200ms" {
			t.Errorf("statement_timeout = %q, want the DSN's 1200ms", got)
		}
		db2, err := postgres.Open(ctx, dsn+sep(dsn)+"statement_timeout=1200", postgres.StatementTimeout(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		if got := show(t, db2, "statement_timeout"); got != "2s" {
			t.Errorf("statement_timeout = %q, want the option's 2s over the DSN's", got)
		}
	})
	t.Run("no timeout", func(t *testing.T) {
		db, err := postgres.Open(ctx, dsn, postgres.StatementTimeout(0))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := show(t, db, "statement_timeout"); got != "0" {
			t.Errorf("statement_timeout = %q, want 0", got)
		}
	})
	t.Run("timeout cancels", func(t *testing.T) {
		db, err := postgres.Open(ctx, dsn, postgres.StatementTimeout(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "SELECT pg_sleep(2)")
		if got := postgres.Dialect.Classify(err); got.Kind != dialect.Busy {
			t.Errorf("pg_sleep past the timeout: %v classified %+v, want DBBusy", err, got)
		}
	})
	t.Run("bad DSN", func(t *testing.T) {
		if _, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"); err == nil {
			t.Error("Open of a closed port succeeded")
		}
		if _, err := postgres.Open(ctx, "::not a dsn"); err == nil {
			t.Error("Open of a malformed DSN succeeded")
		}
	})
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

// reply is a recorded response with its decoded first error, if any.
type reply struct {
	code int
	hdr  http.Header
	body string
	err  struct {
		Status string
		Source map[string]string
	}
}

func serve(t *testing.T, h http.Handler, method, path, body string) reply {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := reply{code: rec.Code, hdr: rec.Header(), body: rec.Body.String()}
	var doc struct {
		Errors []struct {
			Status string
			Source map[string]string
		}
	}
	if json.Unmarshal(rec.Body.Bytes(), &doc) == nil && len(doc.Errors) > 0 {
		r.err.Status, r.err.Source = doc.Errors[0].Status, doc.Errors[0].Source
	}
	return r
}

// TestErrorStatuses: each constraint PostgreSQL enforces answers with its
// status and points at the member at fault, without SQL in the body.
func TestErrorStatuses(t *testing.T) {
	api := openTest(t)
	// computer with its foreign key also writable as an attribute, so a
	// missing owner reaches the database's foreign key.
	computer := demo.Computer()
	computer.Attributes = append(computer.Attributes, resource.Attribute{Name: "owner_id", Type: resource.Integer})
	h, err := api.Handler(demo.Person(), computer)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		pointer                  string // "" for none
	}{
		{"unique", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Jeffrey"}}}`, 409, "/data/attributes/name"},
		{"unique on update", "PATCH", "/api/person/2", `{"data":{"type":"person","id":"2","attributes":{"name":"Jeffrey"}}}`, 409, "/data/attributes/name"},
		{"not null", "POST", "/api/person", `{"data":{"type":"person","attributes":{"age":3}}}`, 400, "/data"},
		{"not null given", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":null}}}`, 400, "/data/attributes/name"},
		{"not null on update", "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"name":null}}}`, 400, "/data/attributes/name"},
		{"missing referenced row", "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"x","owner_id":99}}}`, 404, "/data/attributes/owner_id"},
		{"missing referenced row on update", "PATCH", "/api/computer/1", `{"data":{"type":"computer","id":"1","attributes":{"owner_id":99}}}`, 404, "/data/attributes/owner_id"},
		{"missing related resource", "PATCH", "/api/computer/1", `{"data":{"type":"computer","id":"1","relationships":{"owner":{"data":{"type":"person","id":"99"}}}}}`, 404, "/data/relationships/owner/data/id"},
		{"delete still referenced", "DELETE", "/api/person/1", ``, 409, ""},
		{"out of range", "POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Big","birth_date":"99999-01-01"}}}`, 400, "/data/attributes/birth_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := serve(t, h, tt.method, tt.path, tt.body)
			if r.code != tt.status || r.err.Status != fmt.Sprint(tt.status) {
				t.Fatalf("status %d (errors[0].status %q), want %d\n%s", r.code, r.err.Status, tt.status, r.body)
			}
			if got := r.err.Source["pointer"]; got != tt.pointer {
				t.Errorf("source.pointer = %q, want %q\n%s", got, tt.pointer, r.body)
			}
			for _, s := range []string{"SQLSTATE", "violates", "constraint", "Key ("} {
				if strings.Contains(r.body, s) {
					t.Errorf("body shows the database error (%q): %s", s, r.body)
				}
			}
		})
	}
	var n int
	if err := api.DB.QueryRow(`SELECT count(*) FROM person`).Scan(&n); err != nil || n != 3 {
		t.Errorf("person rows = %d (%v), want the 3 seeded: a failed write changed the table", n, err)
	}
}

// TestBusy: a statement timeout, a lock timeout and a deadlock answer 503
// with Retry-After.
func TestBusy(t *testing.T) {
	t.Run("statement timeout", func(t *testing.T) {
		// The demo loads without the short timeout (it may take longer on
		// a busy machine); the API's own pool has it.
		var schema string
		if err := openDB(t).QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		db, err := postgres.Open(context.Background(), testDSN(t), postgres.StatementTimeout(100*time.Millisecond), postgres.Param("search_path", schema))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		api := &restless.API{DB: db, Dialect: postgres.Dialect, Prefix: "/api", BaseURL: "http://example.com"}
		slow := demo.Person()
		slow.Attributes = append(slow.Attributes, resource.Attribute{Name: "slow", Expr: "(SELECT 1 FROM pg_sleep(1))", Type: resource.Integer})
		h, err := api.Handler(slow, demo.Computer())
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/person", "/api/person/1"} {
			r := serve(t, h, "GET", path, "")
			if r.code != 503 || r.hdr.Get("Retry-After") == "" {
				t.Errorf("GET %s: %d, Retry-After %q; want 503 with Retry-After\n%s", path, r.code, r.hdr.Get("Retry-After"), r.body)
			}
		}
	})
	t.Run("lock timeout", func(t *testing.T) {
		api := openTest(t, postgres.Param("lock_timeout", "100ms"))
		h, err := api.Handler(demo.Resources()...)
		if err != nil {
			t.Fatal(err)
		}
		// Another transaction holds person 1.
		tx, err := api.DB.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(`SELECT * FROM person WHERE id = 1 FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ method, body string }{
			{"PATCH", `{"data":{"type":"person","id":"1","attributes":{"age":1}}}`},
			{"DELETE", ""},
		} {
			r := serve(t, h, tc.method, "/api/person/1", tc.body)
			if r.code != 503 || r.hdr.Get("Retry-After") == "" {
				t.Errorf("%s while locked: %d, Retry-After %q; want 503 with Retry-After\n%s", tc.method, r.code, r.hdr.Get("Retry-After"), r.body)
			}
		}
		tx.Rollback()
		if r := serve(t, h, "PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"age":1}}}`); r.code != 200 {
			t.Errorf("PATCH after the lock is gone: %d\n%s", r.code, r.body)
		}
	})
}

// TestTimestamps: timestamptz values round-trip as RFC 3339 in UTC,
// whatever offset the client sends and whatever zone the server has.
func TestTimestamps(t *testing.T) {
	api := openTest(t)
	h, err := api.Handler(append(demo.Resources(), demo.Users())...)
	if err != nil {
		t.Fatal(err)
	}
	r := serve(t, h, "GET", "/api/computer/1", "")
	if !strings.Contains(r.body, `"purchase_time":"2024-03-01T09:30:00Z"`) {
		t.Errorf("seeded purchase_time: %s", r.body)
	}
	r = serve(t, h, "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"new","purchase_time":"2024-01-01T10:00:00.123456+02:00"}}}`)
	if r.code != 201 || !strings.Contains(r.body, `"purchase_time":"2024-01-01T08:00:00.123456Z"`) {
		t.Fatalf("POST with an offset: %d %s", r.code, r.body)
	}
	var stored time.Time
	if err := api.DB.QueryRow(`SELECT purchase_time FROM computer WHERE name = 'new'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 1, 1, 8, 0, 0, 123456000, time.UTC); !stored.Equal(want) {
		t.Errorf("stored %v, want %v", stored, want)
	}
	var text string
	if err := api.DB.QueryRow(`SELECT purchase_time::text FROM computer WHERE name = 'new'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "2024-01-01 08:00:00.123456+00" {
		t.Errorf("purchase_time::text = %q: the session is not in UTC", text)
	}
	// Filters compare instants, not text.
	filter := url.QueryEscape(`[{"name":"purchase_time","op":"gt","val":"2024-01-01T09:00:00.1+01:00"}]`)
	r = serve(t, h, "GET", "/api/computer?sort=id&fields[computer]=name&filter[objects]="+filter, "")
	if got := ids(t, r.body); got != "1,2,4" {
		t.Errorf("purchase_time > 08:00:00.1Z: ids %s, want 1,2,4\n%s", got, r.body)
	}
	// A database default is UTC too.
	r = serve(t, h, "POST", "/api/users", `{"data":{"type":"users","id":"a@x","attributes":{}}}`)
	if r.code != 201 || !regexp.MustCompile(`"created":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`).MatchString(r.body) {
		t.Errorf("created: %d %s", r.code, r.body)
	}
	r = serve(t, h, "POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"now","purchase_time":"CURRENT_TIMESTAMP"}}}`)
	var doc struct {
		Data struct {
			Attributes struct {
				PurchaseTime time.Time `json:"purchase_time"`
			}
		}
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil || r.code != 201 {
		t.Fatalf("POST CURRENT_TIMESTAMP: %d %s", r.code, r.body)
	}
	if d := time.Since(doc.Data.Attributes.PurchaseTime); d < -time.Minute || d > time.Minute {
		t.Errorf("CURRENT_TIMESTAMP stored %v, %v from now", doc.Data.Attributes.PurchaseTime, d)
	}
}

// ids returns the ids of a collection document's data, joined by commas.
func ids(t *testing.T, body string) string {
	t.Helper()
	var doc struct{ Data []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	out := make([]string, len(doc.Data))
	for i, d := range doc.Data {
		out[i] = d.ID
	}
	return strings.Join(out, ",")
}

// deviceSchema is a table keyed by uuid that PostgreSQL fills in, and one
// that refers to it.
const deviceSchema = `
CREATE TABLE device (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name     TEXT NOT NULL,
    owner_id BIGINT REFERENCES person (id)
);
CREATE TABLE port (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label     TEXT,
    device_id uuid REFERENCES device (id)
);
INSERT INTO device (id, name) VALUES ('6f9619ff-8b86-d011-b42d-00c04fc964ff', 'router');
INSERT INTO port (id, label, device_id) VALUES ('00000000-0000-0000-0000-000000000001', 'eth0', '6f9619ff-8b86-d011-b42d-00c04fc964ff');
`

func TestUUIDKeys(t *testing.T) {
	api := openTest(t)
	if _, err := api.DB.Exec(deviceSchema); err != nil {
		t.Fatal(err)
	}
	device := &resource.Table{Name: "device", UUIDs: true, ClientIDs: true,
		Attributes: []resource.Attribute{{Name: "name"}},
		Relationships: []resource.Relationship{
			{Name: "ports", Type: "port", Kind: resource.ToMany, ForeignKey: "device_id"},
		}}
	port := &resource.Table{Name: "port", UUIDs: true,
		Attributes: []resource.Attribute{{Name: "label"}, {Name: "device_id", Type: resource.UUID}},
		Relationships: []resource.Relationship{
			{Name: "device", Type: "device", Kind: resource.ToOne, ForeignKey: "device_id"},
		}}
	h, err := api.Handler(device, port)
	if err != nil {
		t.Fatal(err)
	}
	const router = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
	uuidRE := regexp.MustCompile(`"id":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"`)

	r := serve(t, h, "POST", "/api/device", `{"data":{"type":"device","attributes":{"name":"switch"}}}`)
	m := uuidRE.FindStringSubmatch(r.body)
	if r.code != 201 || m == nil {
		t.Fatalf("POST without id: %d %s", r.code, r.body)
	}
	created := m[1]
	if loc := r.hdr.Get("Location"); loc != "http://example.com/api/device/"+created {
		t.Errorf("Location = %q", loc)
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string // in the body
	}{
		{"get created", "GET", "/api/device/" + created, "", 200, `"name":"switch"`},
		{"get seeded", "GET", "/api/device/" + router, "", 200, `"id":"` + router + `"`},
		{"upper case is the same id", "GET", "/api/device/" + strings.ToUpper(router), "", 200, `"id":"` + router + `"`},
		{"braces and no hyphens", "GET", "/api/device/%7B6F9619FF8B86D011B42D00C04FC964FF%7D", "", 404, `"status":"404"`},
		{"no hyphens", "GET", "/api/device/6F9619FF8B86D011B42D00C04FC964FF", "", 404, `"status":"404"`},
		{"malformed id", "GET", "/api/device/not-a-uuid", "", 404, `"status":"404"`},
		{"integer id", "GET", "/api/device/1", "", 404, `"status":"404"`},
		{"almost a uuid", "GET", "/api/device/6f9619ff-8b86-d011-b42d-00c04fc964fg", "", 404, `"status":"404"`},
		{"unknown uuid", "GET", "/api/device/00000000-0000-0000-0000-000000000000", "", 404, `"status":"404"`},
		{"malformed id related", "GET", "/api/device/x/ports", "", 404, `"status":"404"`},
		{"malformed id relationship", "GET", "/api/device/x/relationships/ports", "", 404, `"status":"404"`},
		{"malformed id PATCH", "PATCH", "/api/device/x", `{"data":{"type":"device","id":"x","attributes":{"name":"y"}}}`, 404, `"status":"404"`},
		{"malformed id DELETE", "DELETE", "/api/device/x", "", 404, `"status":"404"`},
		{"related", "GET", "/api/device/" + router + "/ports", "", 200, `"label":"eth0"`},
		{"include", "GET", "/api/port?include=device", "", 200, `"included":[{"type":"device","id":"` + router + `"`},
		{"filter by id", "GET", "/api/device?filter[id]=" + strings.ToUpper(router), "", 200, `"total":1`},
		{"filter by malformed id", "GET", "/api/device?filter[id]=nope", "", 400, `"parameter":"filter[id]"`},
		{"filter objects malformed uuid", "GET", "/api/port?filter[objects]=" + url.QueryEscape(`[{"name":"device_id","op":"eq","val":"nope"}]`), "", 400, `"parameter":"filter[objects]"`},
		{"has on a uuid key", "GET", "/api/port?filter[objects]=" + url.QueryEscape(`[{"name":"device","op":"has","val":{"name":"name","op":"eq","val":"router"}}]`), "", 200, `"total":1`},
		{"link to a malformed id", "POST", "/api/port", `{"data":{"type":"port","relationships":{"device":{"data":{"type":"device","id":"nope"}}}}}`, 404, `"pointer":"/data/relationships/device`},
		{"link to an unknown uuid", "POST", "/api/port", `{"data":{"type":"port","relationships":{"device":{"data":{"type":"device","id":"00000000-0000-0000-0000-000000000000"}}}}}`, 404, `"pointer":"/data/relationships/device`},
		{"attribute malformed uuid", "POST", "/api/port", `{"data":{"type":"port","attributes":{"device_id":"nope"}}}`, 400, `"pointer":"/data/attributes/device_id"`},
		{"attribute unknown uuid", "POST", "/api/port", `{"data":{"type":"port","attributes":{"device_id":"00000000-0000-0000-0000-000000000000"}}}`, 404, `"pointer":"/data/attributes/device_id"`},
		{"link to a uuid", "POST", "/api/port", `{"data":{"type":"port","attributes":{"label":"eth1"},"relationships":{"device":{"data":{"type":"device","id":"` + strings.ToUpper(created) + `"}}}}}`, 201, `"data":{"type":"device","id":"` + created + `"}`},
		{"client uuid", "POST", "/api/device", `{"data":{"type":"device","id":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11","attributes":{"name":"ap"}}}`, 201, `"id":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"`},
		{"client uuid taken", "POST", "/api/device", `{"data":{"type":"device","id":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","attributes":{"name":"ap2"}}}`, 409, `"pointer":"/data/id"`},
		{"client id malformed", "POST", "/api/device", `{"data":{"type":"device","id":"ap","attributes":{"name":"ap"}}}`, 400, `"pointer":"/data/id"`},
		{"patch", "PATCH", "/api/device/" + created, `{"data":{"type":"device","id":"` + created + `","attributes":{"name":"core"}}}`, 200, `"name":"core"`},
		{"delete referenced", "DELETE", "/api/device/" + router, "", 409, `"status":"409"`},
		{"delete", "DELETE", "/api/device/a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "", 204, ``},
		{"deleted", "GET", "/api/device/a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "", 404, `"status":"404"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := serve(t, h, tt.method, tt.path, tt.body)
			if r.code != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("%s %s: %d %s\nwant %d with %s", tt.method, tt.path, r.code, r.body, tt.status, tt.want)
			}
		})
	}
}

// TestNestedPlaceholders: filters nest builders (has inside any inside
// not, a simple filter beside them, a cursor) and each bind parameter
// still gets its own $N, numbered once by the outermost statement.
func TestNestedPlaceholders(t *testing.T) {
	api := openTest(t)
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	filter := url.QueryEscape(`[{"or":[` +
		`{"name":"computers","op":"any","val":{"and":[{"name":"vendor","op":"in","val":["Apple","Dell"]},{"name":"owner","op":"has","val":{"name":"age","op":"ge","val":30}}]}},` +
		`{"not":{"name":"name","op":"ilike","val":"%a%"}}]},` +
		`{"name":"age","op":"lt","val":40}]`)
	r := serve(t, h, "GET", "/api/person?filter[objects]="+filter+"&filter[birth_date][gt]=1900-01-01&sort=-age&page[size]=5&withCount=computers&include=computers.owner", "")
	if r.code != 200 || ids(t, r.body) != "1" {
		t.Errorf("nested filter: %d, ids %q; want 200 with person 1\n%s", r.code, ids(t, r.body), r.body)
	}
}
