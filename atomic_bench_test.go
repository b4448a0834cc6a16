package restless_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkAtomicCreate measures one atomic request that creates a person
// and three computers linked by lid (seed 001's nested creation), through
// the whole stack on SQLite.
func BenchmarkAtomicCreate(b *testing.B) {
	h := benchStack(b, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := ops(
			fmt.Sprintf(`{"op":"add","data":{"type":"person","lid":"p","attributes":{"name":"p%d","age":30}}}`, i),
			addComputer(fmt.Sprintf("a%d", i), "p"), addComputer(fmt.Sprintf("b%d", i), "p"), addComputer(fmt.Sprintf("c%d", i), "p"))
		req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(body))
		req.Header.Set("Content-Type", atomicType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSeparateCreates does the same work as BenchmarkAtomicCreate
// with four POSTs, one transaction each, for comparison.
func BenchmarkSeparateCreates(b *testing.B) {
	h := benchStack(b, 0)
	b.ReportAllocs()
	i := 0
	post := func(path, body string) string {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/vnd.api+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return rec.Header().Get("Location")
	}
	for b.Loop() {
		i++
		loc := post("/api/person", fmt.Sprintf(`{"data":{"type":"person","attributes":{"name":"p%d","age":30}}}`, i))
		id := loc[strings.LastIndexByte(loc, '/')+1:]
		for _, c := range []string{"a", "b", "c"} {
			post("/api/computer", fmt.Sprintf(`{"data":{"type":"computer","attributes":{"name":"%s%d","vendor":"Acme"},`+
				`"relationships":{"owner":{"data":{"type":"person","id":"%s"}}}}}`, c, i, id))
		}
	}
}
