package restless_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/sqlite"
)

// benchStack is the command's whole handler stack over the demo database
// with n extra people.
func benchStack(b *testing.B, n int) http.Handler {
	b.Helper()
	ctx := context.Background()
	db, err := demo.Open(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for i := 0; i < n; i++ {
		if _, err := db.Writer.Exec(`INSERT INTO person (name, birth_date, age) VALUES (?, '1990-01-01', ?)`, fmt.Sprintf("person %d", i), i%90); err != nil {
			b.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", Logger: logger}
	h, err := api.Handler(demo.Resources()...)
	if err != nil {
		b.Fatal(err)
	}
	return middleware.Chain(middleware.RequestID, middleware.Logger(logger), middleware.Recover,
		middleware.MaxBytes(restless.DefaultMaxBodyBytes))(h)
}

func benchGet(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", "application/vnd.api+json")
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

// BenchmarkGetItem measures GET /api/person/{id} through the whole stack.
func BenchmarkGetItem(b *testing.B) {
	benchGet(b, benchStack(b, 1000), "/api/person/500")
}

// BenchmarkGetCollection measures a page of 10 people out of 1,003.
func BenchmarkGetCollection(b *testing.B) {
	benchGet(b, benchStack(b, 1000), "/api/person?page[number]=3&page[size]=10")
}
