package postgres_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless/internal/demo"
)

// pgDo sends one request to h and returns the status and body.
func pgDo(h http.Handler, method, path, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestPostgresBulkAndSoftDelete(t *testing.T) {
	api := openTest(t)
	if _, err := api.DB.Exec(`ALTER TABLE person ADD COLUMN deleted_at TIMESTAMP;
		INSERT INTO users (email, gender, mom) VALUES ('m@x', 'f', NULL), ('a@x', 'f', 'm@x'), ('b@x', 'm', 'a@x')`); err != nil {
		t.Fatal(err)
	}
	person, computer, users := demo.Person(), demo.Computer(), demo.Users()
	person.Bulk = true
	person.SoftDelete = &resource.SoftDelete{Column: "deleted_at", Timestamp: true}
	computer.Bulk = true
	users.Bulk = true
	users.SoftDelete = &resource.SoftDelete{Column: "active"}
	h, err := api.Handler(person, computer, users)
	if err != nil {
		t.Fatal(err)
	}
	young := "filter[objects]=" + url.QueryEscape(`[{"name":"age","op":"lt","val":40}]`)
	tests := []struct {
		method, path, body string
		status             int
		want               string // in the body
	}{
		{"PATCH", "/api/person?" + young, `{"data":{"type":"person","attributes":{"age":30}}}`, 200, `"num_modified":2`},
		{"GET", "/api/person?filter[age]=30", "", 200, `"total":2`},
		// Row 1 takes the name, row 3 then breaks the unique constraint.
		{"PATCH", "/api/person?" + young, `{"data":{"type":"person","attributes":{"name":"Same"}}}`, 409, `"pointer":"/data/attributes/name"`},
		{"GET", "/api/person?filter[name]=Same", "", 200, `"total":0`},
		{"DELETE", "/api/computer?filter[vendor]=Dell", "", 200, `"num_deleted":1`},
		{"DELETE", "/api/computer", "", 400, `"Filter Required"`},
		// Soft delete: person 1 still owns a computer, which a real DELETE
		// would refuse.
		{"DELETE", "/api/person/1", "", 204, ``},
		{"GET", "/api/person/1", "", 404, `"status":"404"`},
		{"DELETE", "/api/person/1", "", 404, `"status":"404"`},
		{"GET", "/api/computer/2", "", 200, `"owner":{"links":{"self":"http://example.com/api/computer/2/relationships/owner","related":"http://example.com/api/computer/2/owner"},"data":null}`},
		{"DELETE", "/api/person?filter[age]=30", "", 200, `"num_deleted":1`},
		{"GET", "/api/person", "", 200, `"total":1`},
		{"DELETE", "/api/users/m@x", "", 204, ``},
		{"GET", "/api/users/a@x?include=mom", "", 200, `"included":[]`},
		{"GET", "/api/users/a@x/mom", "", 200, `"data":null`},
		{"DELETE", "/api/users?filter[gender]=f", "", 200, `"num_deleted":1`},
		{"GET", "/api/users", "", 200, `"total":1`},
		{"PATCH", "/api/users/b@x", `{"data":{"type":"users","id":"b@x","relationships":{"mom":{"data":{"type":"users","id":"m@x"}}}}}`, 404, `"pointer":"/data/relationships/mom/data/id"`},
	}
	for _, tt := range tests {
		if code, body := pgDo(h, tt.method, tt.path, tt.body); code != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s %s: %d %s; want %d with %s", tt.method, tt.path, tt.body, code, body, tt.status, tt.want)
		}
	}
	var persons, live, activeUsers int
	if err := api.DB.QueryRow(`SELECT count(*), count(*) FILTER (WHERE deleted_at IS NULL) FROM person`).Scan(&persons, &live); err != nil {
		t.Fatal(err)
	}
	if persons != 3 || live != 1 {
		t.Errorf("persons %d, live %d; want 3 rows, 1 live", persons, live)
	}
	if err := api.DB.QueryRow(`SELECT count(*) FROM users WHERE active`).Scan(&activeUsers); err != nil {
		t.Fatal(err)
	}
	if activeUsers != 1 {
		t.Errorf("active users = %d, want 1", activeUsers)
	}
}

// TestPostgresBulkConcurrent runs overlapping bulk changes at once: the
// rows are locked in key order, so none deadlocks and each applies whole.
func TestPostgresBulkConcurrent(t *testing.T) {
	api := openTest(t)
	if _, err := api.DB.Exec(`INSERT INTO person (name, age) SELECT 'p' || i, i FROM generate_series(1, 200) AS i`); err != nil {
		t.Fatal(err)
	}
	person := demo.Person()
	person.Bulk = true
	h, err := api.Handler(person, demo.Computer())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			// Every request takes all rows with age >= i*10.
			path := "/api/person?filter[age][ge]=" + strconv.Itoa(i*10)
			codes[i], _ = pgDo(h, "PATCH", path, `{"data":{"type":"person","attributes":{"birth_date":"2000-01-0`+strconv.Itoa(i+1)+`"}}}`)
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: status %d, want 200", i, c)
		}
	}
	// The last request to commit wrote its date to every row it took; the
	// rows of the smallest filter (age >= 70) all carry one date.
	var dates int
	if err := api.DB.QueryRow(`SELECT count(DISTINCT birth_date) FROM person WHERE age >= 70`).Scan(&dates); err != nil {
		t.Fatal(err)
	}
	if dates != 1 {
		t.Errorf("rows of age >= 70 carry %d dates, want 1", dates)
	}
}
