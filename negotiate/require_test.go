package negotiate

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gorestless/restless/jsonapi"
)

const atomicURI = "https://jsonapi.org/ext/atomic"

// TestRequire checks a Negotiator whose endpoint requires an extension:
// Content-Type must apply it (415) and Accept must allow it (406).
func TestRequire(t *testing.T) {
	atomic := `application/vnd.api+json; ext="` + atomicURI + `"`
	n := &Negotiator{Extensions: []string{atomicURI}, Require: atomicURI}
	tests := []struct {
		name, method, contentType, accept string
		status                            int
		header                            string // at fault
	}{
		{"both", "POST", atomic, atomic, 200, ""},
		{"no Accept", "POST", atomic, "", 200, ""},
		{"wildcard", "POST", atomic, "*/*", 200, ""},
		{"application wildcard", "POST", atomic, "application/*", 200, ""},
		{"second choice", "POST", atomic, "application/vnd.api+json, " + atomic + ";q=0.1", 200, ""},
		{"with a profile", "POST", atomic + `; profile="https://example.com/p"`, atomic + `; profile="https://example.com/p"`, 200, ""},
		{"OPTIONS", "OPTIONS", "", "", 200, ""},
		{"plain Content-Type", "POST", "application/vnd.api+json", atomic, 415, "Content-Type"},
		{"no Content-Type", "POST", "", atomic, 415, "Content-Type"},
		{"no Content-Type, no body", "GET", "", atomic, 415, "Content-Type"},
		{"unsupported ext", "POST", `application/vnd.api+json; ext="https://example.com/x"`, atomic, 415, "Content-Type"},
		{"plain Accept", "POST", atomic, "application/vnd.api+json", 406, "Accept"},
		{"plain and unsupported Accept", "POST", atomic, `application/vnd.api+json, application/vnd.api+json; ext="https://example.com/x"`, 406, "Accept"},
		{"refused", "POST", atomic, atomic + ";q=0, */*", 406, "Accept"},
		{"refused through wildcard only", "POST", atomic, "text/html", 406, "Accept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			if tt.accept != "" {
				h.Set("Accept", tt.accept)
			}
			body := "{}"
			if tt.method == "GET" || tt.method == "OPTIONS" {
				body = ""
			}
			w, seen := serve(t, n, newRequest(tt.method, body, h))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				var e *jsonapi.Error
				_, err := n.Check(newRequest(tt.method, body, h))
				if !errors.As(err, &e) || e.Source == nil || e.Source.Header != tt.header {
					t.Errorf("Check: %v, want a %d at %s", err, tt.status, tt.header)
				}
				return
			}
			if tt.method == "POST" && !slices.Contains(seen.RequestExt, atomicURI) {
				t.Errorf("RequestExt = %v", seen.RequestExt)
			}
		})
	}
	// Require alone makes the extension supported.
	only := &Negotiator{Require: atomicURI}
	if w, _ := serve(t, only, newRequest("POST", "{}", http.Header{"Content-Type": {atomic}, "Accept": {atomic}})); w.Code != 200 {
		t.Errorf("Require without Extensions: %d %s", w.Code, w.Body)
	}
	// Without Require the extension is optional, as before.
	plain := &Negotiator{Extensions: []string{atomicURI}}
	if w, _ := serve(t, plain, newRequest("POST", "{}", http.Header{"Content-Type": {"application/vnd.api+json"}, "Accept": {"application/vnd.api+json"}})); w.Code != 200 {
		t.Errorf("without Require: %d", w.Code)
	}
}
