package jsonp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonp"
)

// fuzzIdent is the callback grammar: identifiers joined by single dots.
var fuzzIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$`)

// FuzzCallback sends callbacks through the middleware: an accepted one
// matches the identifier grammar, is at most DefaultMaxLength bytes and
// opens a /**/-prefixed script served as JavaScript with nosniff; any
// other is a 400 JSON:API error naming the parameter; credentials are
// always refused.
func FuzzCallback(f *testing.F) {
	for _, s := range []string{
		"cb", "jQuery123_456", "app.handlers.person", "$", "_", "a.b.c",
		"alert(1)//", "<script>", "a;b", "a(b)", "a\u2028b", "", strings.Repeat("a", 129),
		"CWS\x07\x0e000x", "new", "a..b", ".a", "a.", "café", "a b", "a\x00",
	} {
		f.Add(s, false)
	}
	f.Add("cb", true)
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Write([]byte(`{"data":null}`))
	}))
	f.Fuzz(func(t *testing.T, cb string, cookie bool) {
		req := httptest.NewRequest("GET", "/api/person?callback="+url.QueryEscape(cb), nil)
		if cookie {
			req.Header.Set("Cookie", "session=1")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		valid := fuzzIdent.MatchString(cb) && len(cb) <= jsonp.DefaultMaxLength
		if got := jsonp.Valid(cb, 0); got && !valid {
			t.Fatalf("Valid(%q) = true outside the grammar", cb)
		}
		if rec.Code == http.StatusOK {
			if cookie {
				t.Fatalf("callback %q served with a cookie", cb)
			}
			if !valid {
				t.Fatalf("callback %q accepted", cb)
			}
			if !strings.HasPrefix(body, "/**/"+cb+"(") {
				t.Fatalf("script %q does not start with /**/%s(", body, cb)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/javascript") {
				t.Fatalf("Content-Type = %q", ct)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("no X-Content-Type-Options: nosniff")
			}
			return
		}
		want := http.StatusBadRequest
		if cookie && jsonp.Valid(cb, 0) {
			want = http.StatusForbidden
		}
		if rec.Code != want {
			t.Fatalf("callback %q (cookie %v): status %d, want %d", cb, cookie, rec.Code, want)
		}
		var doc struct {
			Errors []struct {
				Status string `json:"status"`
				Source struct {
					Parameter string `json:"parameter"`
				} `json:"source"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Errors) != 1 || doc.Errors[0].Source.Parameter != "callback" {
			t.Fatalf("refusal is not an error document naming callback: %s", body)
		}
	})
}
