package restless_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// BenchmarkJobCreate compares a POST that creates a computer at once
// ("sync") with one that goes through a job and waits for it with
// Prefer: wait ("job-wait", instant work), and with the 202 of a job that
// is recorded and queued ("job-202").
func BenchmarkJobCreate(b *testing.B) {
	for _, mode := range []string{"sync", "job-wait", "job-202"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			db, err := demo.Open(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase}
			var computer resource.Resource = demo.Computer()
			want, prefer := http.StatusCreated, ""
			if mode != "sync" {
				computer = sleepyMachines{demo.Computer()}
				api.Jobs = &jobs.Runner{Queue: b.N + 1}
				if err := api.Jobs.Start(ctx, api.JobStore()); err != nil {
					b.Fatal(err)
				}
				defer func() {
					sctx, cancel := context.WithTimeout(ctx, time.Minute)
					defer cancel()
					api.Jobs.Shutdown(sctx)
				}()
				if mode == "job-wait" {
					prefer = "wait=10"
				} else {
					want = http.StatusAccepted
				}
			}
			h, err := api.Handler(demo.Person(), computer)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				req := httptest.NewRequest("POST", "/api/computer",
					strings.NewReader(fmt.Sprintf(`{"data":{"type":"computer","attributes":{"name":"m%d"}}}`, i)))
				req.Header.Set("Content-Type", "application/vnd.api+json")
				if prefer != "" {
					req.Header.Set("Prefer", prefer)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					b.Fatalf("POST: %d\n%s", rec.Code, rec.Body)
				}
			}
		})
	}
}
