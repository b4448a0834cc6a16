package restless_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// The pagination benchmarks run over one in-memory database of exactly
// 1,000,000 people (the demo's three plus 999,997 more), so that the id of
// a person is its position in id order and the 10,000th page of ten holds
// the ids 99,991 to 100,000. The database is built lazily, at most once per
// process, by the first benchmark that needs it; plain go test never
// builds it.
const (
	pagRows     = 1_000_000
	pagSize     = 10
	pagDeepPage = 10_000
	// pagBeforeDeep is the id of the last row before the deep page.
	pagBeforeDeep = (pagDeepPage - 1) * pagSize
)

// cursorAccept asks for the cursor pagination profile.
const cursorAccept = `application/vnd.api+json; profile="https://jsonapi.org/profiles/ethanresnick/cursor-pagination"`

var pag struct {
	once sync.Once
	db   *sqlite.DB
	h    http.Handler
	err  error
}

// pagHandler returns the API over the million-row database.
func pagHandler(b *testing.B) http.Handler {
	b.Helper()
	pag.once.Do(func() {
		ctx := context.Background()
		db, err := demo.Open(ctx)
		if err != nil {
			pag.err = err
			return
		}
		// One statement is one transaction: the rows and the unique index
		// on name are written in a single pass.
		_, err = db.Writer.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i+1 FROM n WHERE i < ?)
			INSERT INTO person (id, name, birth_date, age) SELECT i, 'p' || i, '1990-01-01', i % 90 FROM n`, pagRows)
		if err != nil {
			db.Close()
			pag.err = err
			return
		}
		var n int
		if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM person`).Scan(&n); err != nil || n != pagRows {
			db.Close()
			pag.err = err
			if err == nil {
				pag.err = fmt.Errorf("person has %d rows, want %d", n, pagRows)
			}
			return
		}
		api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api",
			BaseURL: testBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		h, err := api.Handler(demo.Resources()...)
		if err != nil {
			db.Close()
			pag.err = err
			return
		}
		// The database lives as long as the test binary.
		pag.db, pag.h = db, h
	})
	if pag.err != nil {
		b.Fatal(pag.err)
	}
	return pag.h
}

// pagDoc is the part of a collection document the benchmarks read.
type pagDoc struct {
	Data []struct {
		ID         string         `json:"id"`
		Attributes map[string]any `json:"attributes"`
	} `json:"data"`
	Links map[string]*string `json:"links"`
	Meta  map[string]any     `json:"meta"`
}

// pagGet sends one GET and decodes the reply, failing on anything but 200.
func pagGet(b *testing.B, h http.Handler, path, accept string) pagDoc {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	var doc pagDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		b.Fatalf("GET %s: %v\n%s", path, err, rec.Body)
	}
	return doc
}

// pagAfter returns the page[after] cursor of the first row that path (a
// cursor-mode request with page[size]=1 whose filters start at the wanted
// row) returns: the cursor in its next link, without the filters.
func pagAfter(b *testing.B, h http.Handler, path string) (cursor, firstID string) {
	b.Helper()
	doc := pagGet(b, h, path, cursorAccept)
	if len(doc.Data) != 1 || doc.Links["next"] == nil {
		b.Fatalf("GET %s: want one row and a next link, got %+v", path, doc)
	}
	u, err := url.Parse(*doc.Links["next"])
	if err != nil {
		b.Fatal(err)
	}
	cursor = u.Query().Get("page[after]")
	if cursor == "" {
		b.Fatalf("GET %s: next link %s has no page[after]", path, *doc.Links["next"])
	}
	return cursor, doc.Data[0].ID
}

// pagBench checks the first reply to path against want (the ids of the
// page) and then measures the request.
func pagBench(b *testing.B, h http.Handler, path, accept string, want []string) {
	b.Helper()
	doc := pagGet(b, h, path, accept)
	var got []string
	for _, d := range doc.Data {
		got = append(got, d.ID)
	}
	if len(got) != len(want) {
		b.Fatalf("GET %s: ids %v, want %v", path, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			b.Fatalf("GET %s: ids %v, want %v", path, got, want)
		}
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", accept)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// pagIDs returns the ids from..from+n-1 as strings.
func pagIDs(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

// pagPath builds /api/person?<v>.
func pagPath(v url.Values) string { return "/api/person?" + v.Encode() }

// BenchmarkPageFirst measures the first page by page[number]; it includes
// the count(*) over the million rows that meta.total needs.
func BenchmarkPageFirst(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"page[number]": {"1"}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json", pagIDs(1, pagSize))
}

// BenchmarkPageDeep measures the 10,000th page by page[number].
func BenchmarkPageDeep(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"page[number]": {strconv.Itoa(pagDeepPage)}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json", pagIDs(pagBeforeDeep+1, pagSize))
}

// BenchmarkCursorFirst measures the first page of the cursor profile.
func BenchmarkCursorFirst(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"page[size]": {strconv.Itoa(pagSize)}}), cursorAccept, pagIDs(1, pagSize))
}

// BenchmarkCursorDeep measures the 10,000th page of the cursor profile:
// the page after the row with id 99,990.
func BenchmarkCursorDeep(b *testing.B) {
	h := pagHandler(b)
	after, id := pagAfter(b, h, pagPath(url.Values{"page[size]": {"1"}, "filter[id][ge]": {strconv.Itoa(pagBeforeDeep)}}))
	if id != strconv.Itoa(pagBeforeDeep) {
		b.Fatalf("cursor row id = %s, want %d", id, pagBeforeDeep)
	}
	pagBench(b, h, pagPath(url.Values{"page[size]": {strconv.Itoa(pagSize)}, "page[after]": {after}}),
		cursorAccept, pagIDs(pagBeforeDeep+1, pagSize))
}

// ageOrder returns the ids of the page'th page (from 1) in the order
// sort=-age, read by page[number], which the cursor variants must match.
func ageOrder(b *testing.B, h http.Handler, page int) []string {
	b.Helper()
	doc := pagGet(b, h, pagPath(url.Values{"sort": {"-age"}, "page[number]": {strconv.Itoa(page)}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json")
	var ids []string
	for _, d := range doc.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

// BenchmarkPageFirstSortedAge is BenchmarkPageFirst with sort=-age, which
// no index serves.
func BenchmarkPageFirstSortedAge(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"sort": {"-age"}, "page[number]": {"1"}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json", ageOrder(b, h, 1))
}

// BenchmarkPageDeepSortedAge is BenchmarkPageDeep with sort=-age.
func BenchmarkPageDeepSortedAge(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"sort": {"-age"}, "page[number]": {strconv.Itoa(pagDeepPage)}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json", ageOrder(b, h, pagDeepPage))
}

// BenchmarkCursorFirstSortedAge is BenchmarkCursorFirst with sort=-age.
func BenchmarkCursorFirstSortedAge(b *testing.B) {
	h := pagHandler(b)
	pagBench(b, h, pagPath(url.Values{"sort": {"-age"}, "page[size]": {strconv.Itoa(pagSize)}}), cursorAccept, ageOrder(b, h, 1))
}

// BenchmarkCursorDeepSortedAge is BenchmarkCursorDeep with sort=-age: the
// cursor is that of the last row of page 9,999, found by page[number].
func BenchmarkCursorDeepSortedAge(b *testing.B) {
	h := pagHandler(b)
	prev := pagGet(b, h, pagPath(url.Values{"sort": {"-age"}, "page[number]": {strconv.Itoa(pagDeepPage - 1)}, "page[size]": {strconv.Itoa(pagSize)}}),
		"application/vnd.api+json")
	if len(prev.Data) != pagSize {
		b.Fatalf("page %d has %d rows", pagDeepPage-1, len(prev.Data))
	}
	last := prev.Data[pagSize-1]
	age, ok := last.Attributes["age"].(float64)
	if !ok {
		b.Fatalf("row %s has no age: %v", last.ID, last.Attributes)
	}
	// In the order -age, id the rows with that age and an id from the last
	// row's on start at the last row.
	after, id := pagAfter(b, h, pagPath(url.Values{"sort": {"-age"}, "page[size]": {"1"},
		"filter[age]": {strconv.Itoa(int(age))}, "filter[id][ge]": {last.ID}}))
	if id != last.ID {
		b.Fatalf("cursor row id = %s, want %s", id, last.ID)
	}
	pagBench(b, h, pagPath(url.Values{"sort": {"-age"}, "page[size]": {strconv.Itoa(pagSize)}, "page[after]": {after}}),
		cursorAccept, ageOrder(b, h, pagDeepPage))
}
