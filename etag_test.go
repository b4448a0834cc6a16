package restless_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestETagNotModified(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for _, path := range []string{"/api/person/1", "/api/person", "/api/person/1/relationships/computers", "/api/person/1/computers", "/api", "/api/eval/person"} {
			t.Run(path, func(t *testing.T) {
				res := e.do("GET", path, "")
				tag := res.Header.Get("ETag")
				if res.Code != http.StatusOK || !strings.HasPrefix(tag, `"`) {
					t.Fatalf("GET %s: %d, ETag %q; want 200 with a strong ETag", path, res.Code, tag)
				}
				for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
					res := e.do("GET", path, "", "If-None-Match", inm)
					if res.Code != http.StatusNotModified || len(res.Body) != 0 || res.Header.Get("ETag") != tag {
						t.Errorf("If-None-Match %s: %d %q ETag %q; want 304, no body, the same ETag", inm, res.Code, res.Body, res.Header.Get("ETag"))
					}
				}
				if res := e.do("GET", path, "", "If-None-Match", `"stale"`); res.Code != http.StatusOK {
					t.Errorf("If-None-Match stale: %d, want 200", res.Code)
				}
			})
		}
		// A change gives a new tag.
		before := e.do("GET", "/api/person/1", "").Header.Get("ETag")
		e.do("PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"age":36}}}`)
		if after := e.do("GET", "/api/person/1", "").Header.Get("ETag"); after == before {
			t.Errorf("ETag unchanged after PATCH: %s", after)
		}
		// Errors carry no ETag.
		if tag := e.do("GET", "/api/person/999", "").Header.Get("ETag"); tag != "" {
			t.Errorf("404 has ETag %q", tag)
		}
	})
}

func TestIfMatch(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tag := e.do("GET", "/api/person/1", "").Header.Get("ETag")
		patch := `{"data":{"type":"person","id":"1","attributes":{"age":50}}}`
		e.unchanged(func() {
			wantError(t, e.do("PATCH", "/api/person/1", patch, "If-Match", `"stale"`), http.StatusPreconditionFailed, "header:If-Match")
			wantError(t, e.do("DELETE", "/api/person/3", "", "If-Match", `"stale"`), http.StatusPreconditionFailed, "header:If-Match")
		}, "person", "computer")
		if res := e.do("PATCH", "/api/person/1", patch, "If-Match", tag); res.Code != http.StatusOK {
			t.Fatalf("PATCH with the current tag: %d %s", res.Code, res.Body)
		}
		// The tag is now stale.
		e.unchanged(func() {
			wantError(t, e.do("PATCH", "/api/person/1", patch, "If-Match", tag), http.StatusPreconditionFailed, "header:If-Match")
		}, "person")
		tag3 := e.do("GET", "/api/person/3", "").Header.Get("ETag")
		if res := e.do("DELETE", "/api/person/3", "", "If-Match", tag3); res.Code != http.StatusNoContent {
			t.Errorf("DELETE with the current tag: %d %s", res.Code, res.Body)
		}
		if res := e.do("PATCH", "/api/person/2", `{"data":{"type":"person","id":"2","attributes":{"age":1}}}`, "If-Match", "*"); res.Code != http.StatusOK {
			t.Errorf("If-Match *: %d %s", res.Code, res.Body)
		}
	})
}

// TestIfMatchConcurrent sends PATCHes with the same If-Match at once:
// exactly one may win.
func TestIfMatchConcurrent(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for round := 0; round < 5; round++ {
			tag := e.do("GET", "/api/person/1", "").Header.Get("ETag")
			const n = 8
			codes := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Every value differs from the current one, so every
					// winner changes the representation.
					body := `{"data":{"type":"person","id":"1","attributes":{"age":` + strconv.Itoa(1000+round*n+i) + `}}}`
					req := httptest.NewRequest("PATCH", "/api/person/1", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/vnd.api+json")
					req.Header.Set("If-Match", tag)
					<-start
					rec := httptest.NewRecorder()
					e.h.ServeHTTP(rec, req)
					codes[i] = rec.Code
				}()
			}
			close(start)
			wg.Wait()
			won, failed := 0, 0
			for _, c := range codes {
				switch c {
				case http.StatusOK:
					won++
				case http.StatusPreconditionFailed:
					failed++
				}
			}
			if won != 1 || failed != n-1 {
				t.Errorf("round %d: codes %v; want exactly one 200 and %d × 412", round, codes, n-1)
			}
		}
	})
}
