package middleware_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/middleware"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name     string
		incoming string // "" sends no header
		keep     bool   // whether the incoming id is used
	}{
		{"none", "", false},
		{"good", "abc-DEF_123.x", true},
		{"64 chars", strings.Repeat("a", 64), true},
		{"65 chars", strings.Repeat("a", 65), false},
		{"100 chars", strings.Repeat("a", 100), false},
		{"spaces", "abc def", false},
		{"newline", "abc\ndef", false},
		{"non-ASCII", "idé", false},
		{"slash", "a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ctxID string
			h := middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctxID = middleware.RequestIDFromContext(r.Context())
				restless.WriteError(w, r, jsonapi.NewError(http.StatusNotFound, "no such thing"))
			}))
			req := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				req.Header.Set("X-Request-Id", tt.incoming)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			got := rec.Header().Get("X-Request-Id")
			if tt.keep {
				if got != tt.incoming {
					t.Errorf("X-Request-Id = %q, want %q", got, tt.incoming)
				}
			} else if !generatedID.MatchString(got) {
				t.Errorf("X-Request-Id = %q, want 16 hex digits", got)
			}
			if ctxID != got {
				t.Errorf("context id = %q, want %q", ctxID, got)
			}
			var doc struct {
				Errors []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("decoding %s: %v", rec.Body, err)
			}
			if len(doc.Errors) != 1 {
				t.Fatalf("got %d error objects, want 1: %s", len(doc.Errors), rec.Body)
			}
			if got, want := doc.Errors[0].ID, got; got != want {
				t.Errorf("error id = %q, want %q", got, want)
			}
		})
	}
}

func TestRequestIDUnique(t *testing.T) {
	h := middleware.RequestID(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	seen := make(map[string]bool)
	for range 100 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		id := rec.Header().Get("X-Request-Id")
		if seen[id] {
			t.Fatalf("id %q generated twice", id)
		}
		seen[id] = true
	}
}
