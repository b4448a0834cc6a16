package postgres_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorestless/restless/internal/demo"
)

// TestPostgresAtomic runs Atomic Operations on PostgreSQL: a person and
// three computers linked by lid in one request, and a request whose
// fourth operation fails, which must leave every row as it was (after a
// failed statement PostgreSQL aborts the transaction; the rollback must
// still answer with the classified error).
func TestPostgresAtomic(t *testing.T) {
	api := openTest(t)
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		var n int
		if err := api.DB.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	computer := func(name string) string {
		return `{"op":"add","data":{"type":"computer","attributes":{"name":"` + name + `"},` +
			`"relationships":{"owner":{"data":{"type":"person","lid":"ada"}}}}}`
	}
	post := func(ops ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(`{"atomic:operations":[`+strings.Join(ops, ",")+`]}`))
		req.Header.Set("Content-Type", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ada := `{"op":"add","data":{"type":"person","lid":"ada","attributes":{"name":"Ada","age":36}}}`

	rec := post(ada, computer("c1"), computer("c2"), computer("c3"))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"owner":{"links":{"self":"http://example.com/api/computer/6/relationships/owner","related":"http://example.com/api/computer/6/owner"},"data":{"type":"person","id":"4"}}`) {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if p, c := count("person"), count("computer"); p != 4 || c != 6 {
		t.Fatalf("after create: %d people, %d computers; want 4 and 6", p, c)
	}

	tests := []struct {
		name, fourth string
		status       int
		want         string
	}{
		{"unique conflict", computer("lixie"), 409, `"pointer":"/atomic:operations/3/data/attributes/name"`},
		{"not null", `{"op":"add","data":{"type":"computer","attributes":{"vendor":"x"}}}`, 400, `"pointer":"/atomic:operations/3/data"`},
		{"foreign key", `{"op":"remove","ref":{"type":"person","id":"1"}}`, 409, `"pointer":"/atomic:operations/3"`},
		{"missing target", `{"op":"remove","ref":{"type":"computer","id":"99"}}`, 404, `"pointer":"/atomic:operations/3/ref/id"`},
	}
	for _, tt := range tests {
		rec := post(strings.Replace(ada, "Ada", "Bea", 1), computer("d1"), computer("d2"), tt.fourth)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s; want %d with %s", tt.name, rec.Code, rec.Body, tt.status, tt.want)
		}
		if p, c := count("person"), count("computer"); p != 4 || c != 6 {
			t.Errorf("%s: %d people, %d computers after; want 4 and 6", tt.name, p, c)
		}
	}
}
