package postgres_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/postgres"
)

// testDSN returns the DSN of the test server, or skips.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("RESTLESS_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: RESTLESS_TEST_POSTGRES is not set")
	}
	return dsn
}

// openDB opens a fresh demo schema with seed 004's users, dropped when the
// test ends.
func openDB(t *testing.T, opts ...postgres.Option) *sql.DB {
	t.Helper()
	db, cleanup, err := demo.OpenPostgres(context.Background(), testDSN(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	if _, err := db.Exec(demo.PostgresUsersSchema); err != nil {
		t.Fatal(err)
	}
	return db
}

// openTest serves the demo over a fresh schema, or skips.
func openTest(t *testing.T, opts ...postgres.Option) *restless.API {
	t.Helper()
	return &restless.API{DB: openDB(t, opts...), Dialect: postgres.Dialect, Prefix: "/api", BaseURL: "http://example.com"}
}

func TestPostgresWrites(t *testing.T) {
	api := openTest(t)
	h, err := api.Handler(append(demo.Resources(), demo.Users())...)
	if err != nil {
		t.Fatal(err)
	}
	// The cursor of Tomasz (age 26, id 3) in sort=age.
	afterCursor := cursorOf(t, h, "/api/person?sort=age&page[size]=1")
	tests := []struct {
		method, path, body string
		status             int
		want               string // in the body
	}{
		{"POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada","birth_date":"1815-12-10","age":9007199254740993}}}`, 201, `"age":9007199254740993`},
		{"GET", "/api/person/4", "", 200, `"birth_date":"1815-12-10"`},
		{"PATCH", "/api/person/4", `{"data":{"type":"person","id":"4","attributes":{"name":"Ada L"}}}`, 200, `"name":"Ada L"`},
		{"POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Ada L"}}}`, 409, `"pointer":"/data/attributes/name"`},
		{"POST", "/api/person", `{"data":{"type":"person","attributes":{"name":null}}}`, 400, `"pointer":"/data/attributes/name"`},
		{"POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"x","owner_id":1}}}`, 400, `"pointer":"/data/attributes/owner_id"`},
		{"POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"new","purchase_time":"2024-01-01T10:00:00+02:00"}}}`, 201, `"purchase_time":"2024-01-01T08:00:00Z"`},
		{"POST", "/api/computer", `{"data":{"type":"computer","attributes":{"name":"now","purchase_time":"LOCALTIMESTAMP"}}}`, 201, `"purchase_time":"20`},
		{"DELETE", "/api/person/1", "", 409, `"status":"409"`},
		{"DELETE", "/api/person/4", "", 204, ``},
		{"GET", "/api/person/4", "", 404, `"status":"404"`},
		{"GET", "/api/person?page[size]=2&page[number]=2", "", 200, `"total":3`},
		{"GET", `/api/person?filter[objects]=` + url.QueryEscape(`[{"name":"name","op":"ilike","val":"jeff%"}]`), "", 200, `"total":1`},
		{"GET", `/api/person?filter[objects]=` + url.QueryEscape(`[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Apple"}}]`), "", 200, `"name":"Jeffrey"`},
		{"GET", `/api/computer?filter[objects]=` + url.QueryEscape(`[{"name":"owner","op":"has","val":{"name":"age","op":"gt","val":40}}]`), "", 200, `"total":1`},
		{"GET", "/api/computer?sort=-owner.name&page[size]=1", "", 200, `"name":"new"`},
		{"GET", "/api/computer?filter[owner]=1,2&fields[computer]=vendor", "", 200, `"total":3`},
		{"GET", "/api/eval/person?functions=" + url.QueryEscape(`[{"name":"sum","field":"age"},{"name":"avg","field":"age"},{"name":"max","field":"birth_date"}]`), "", 200, `"sum__age":102`},
		{"GET", "/api/person?sort=age&page[size]=1&page[after]=" + afterCursor, "", 200, `"name":"Jeffrey"`},
		{"GET", "/api/person?include=computers.owner&withCount=computers", "", 200, `"count":2`},
		{"PATCH", "/api/person/1/relationships/computers", `{"data":[{"type":"computer","id":"3"}]}`, 204, ``},
		{"GET", "/api/person/1/relationships/computers", "", 200, `"data":[{"type":"computer","id":"3"}]`},
		{"POST", "/api/users", `{"data":{"type":"users","id":"mom@x","attributes":{"gender":"f"}}}`, 201, `"active":true`},
		{"POST", "/api/users", `{"data":{"type":"users","id":"ryan@x","relationships":{"mom":{"data":{"type":"users","id":"mom@x"}}}}}`, 201, `"data":{"type":"users","id":"mom@x"}`},
		{"POST", "/api/users/ryan@x/relationships/friends", `{"data":[{"type":"users","id":"mom@x","meta":{"met":"space camp"}}]}`, 204, ``},
		{"GET", "/api/users/ryan@x?include=friends,mom", "", 200, `"met":"space camp"`},
		{"GET", "/api/users/ryan@x/relationships/friends", "", 200, `"met":"space camp"`},
		{"DELETE", "/api/users/ryan@x/relationships/friends", `{"data":[{"type":"users","id":"mom@x"}]}`, 204, ``},
		{"GET", "/api/users/ryan@x/friends", "", 200, `"data":[]`},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/vnd.api+json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s %s %s: %d %s; want %d with %s", tt.method, tt.path, tt.body, rec.Code, rec.Body, tt.status, tt.want)
		}
	}
}

// cursorOf returns the page[after] cursor of the single row path selects.
func cursorOf(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", `application/vnd.api+json; profile="https://jsonapi.org/profiles/ethanresnick/cursor-pagination"`)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc struct{ Links struct{ Next *string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Links.Next == nil {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	u, err := url.Parse(*doc.Links.Next)
	if err != nil {
		t.Fatal(err)
	}
	return url.QueryEscape(u.Query().Get("page[after]"))
}

// TestPostgresIfMatchConcurrent: PATCHes with the same If-Match at once on
// a pool of connections; the row lock makes exactly one win.
func TestPostgresIfMatchConcurrent(t *testing.T) {
	api := openTest(t)
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 20; round++ {
		get := httptest.NewRecorder()
		h.ServeHTTP(get, httptest.NewRequest("GET", "/api/person/1", nil))
		tag := get.Header().Get("ETag")
		const n = 8
		codes := make(chan int, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			go func() {
				body := `{"data":{"type":"person","id":"1","attributes":{"age":` + strconv.Itoa(100+round*n+i) + `}}}`
				req := httptest.NewRequest("PATCH", "/api/person/1", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/vnd.api+json")
				req.Header.Set("If-Match", tag)
				<-start
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				codes <- rec.Code
			}()
		}
		close(start)
		won := 0
		for i := 0; i < n; i++ {
			switch c := <-codes; c {
			case 200:
				won++
			case 412:
			default:
				t.Errorf("status %d, want 200 or 412", c)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d PATCHes won, want exactly 1", round, won)
		}
	}
}
