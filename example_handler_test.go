package restless_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// API.Handler mounts every endpoint of several resources; the middleware
// chain adds request ids, logging, panic recovery and a body limit.
func ExampleAPI_Handler() {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		log.Fatal(err)
	}
	authors := &resource.Table{Name: "author", Path: "authors", Attributes: []resource.Attribute{{Name: "name"}}}

	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api"}
	h, err := api.Handler(authors)
	if err != nil {
		log.Fatal(err)
	}
	// RequestID first, so the log line and any error document carry the id.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "remote_addr" {
				return slog.Attr{}
			}
			return a
		},
	}))
	h = middleware.Chain(
		middleware.RequestID,
		middleware.Logger(logger),
		middleware.Recover,
		middleware.MaxBytes(1<<20),
	)(h)

	req := httptest.NewRequest("DELETE", "/api/authors", nil)
	req.Header.Set("X-Request-Id", "req-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Allow"))
	fmt.Print(rec.Body.String())
	// Output:
	// level=INFO msg="http request" method=DELETE path=/api/authors status=405 bytes=188 request_id=req-1
	// 405 GET, HEAD, POST, OPTIONS
	// {"errors":[{"id":"req-1","status":"405","title":"Method Not Allowed","detail":"This endpoint does not support DELETE; it supports GET, HEAD, POST, OPTIONS."}],"jsonapi":{"version":"1.1"}}
}
