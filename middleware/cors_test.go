package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless/middleware"
)

// corsListHeaders are the Access-Control-* response headers whose values
// are comma-separated lists of case-insensitive names.
var corsListHeaders = map[string]bool{
	"Access-Control-Allow-Methods":  false, // methods are case-sensitive
	"Access-Control-Allow-Headers":  true,
	"Access-Control-Expose-Headers": true,
}

// corsHeaders returns the Access-Control-* headers of h, with the values of
// list-based ones split, trimmed, sorted and, for names, lowercased.
func corsHeaders(h http.Header) map[string][]string {
	m := make(map[string][]string)
	for k, vs := range h {
		if !strings.HasPrefix(k, "Access-Control-") {
			continue
		}
		fold, list := corsListHeaders[k]
		if !list {
			m[k] = vs
			continue
		}
		var elems []string
		for _, v := range vs {
			for e := range strings.SplitSeq(v, ",") {
				e = strings.TrimSpace(e)
				if fold {
					e = strings.ToLower(e)
				}
				elems = append(elems, e)
			}
		}
		slices.Sort(elems)
		m[k] = elems
	}
	return m
}

// varies reports whether the Vary header of h lists name.
func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for e := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(e), name) {
				return true
			}
		}
	}
	return false
}

func TestCORS(t *testing.T) {
	const (
		app  = "https://app.example.com"
		evil = "https://evil.example"
	)
	exact := middleware.CORSOptions{AllowedOrigins: []string{app}}
	creds := middleware.CORSOptions{AllowedOrigins: []string{app}, AllowCredentials: true}
	anyOrigin := middleware.CORSOptions{AllowedOrigins: []string{"*"}}
	pattern := middleware.CORSOptions{AllowedOrigins: []string{"https://*.example.com"}}

	// preflight returns the headers of a browser's preflight for a PATCH
	// with a JSON:API body and an If-Match precondition.
	preflight := func(origin string) map[string]string {
		return map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "PATCH",
			"Access-Control-Request-Headers": "content-type,if-match",
		}
	}
	// wantPreflight is the response to preflight(origin) when it is allowed.
	wantPreflight := func(allowOrigin string) http.Header {
		return http.Header{
			"Access-Control-Allow-Origin":  {allowOrigin},
			"Access-Control-Allow-Methods": {"PATCH"},
			"Access-Control-Allow-Headers": {"content-type", "if-match"},
			"Access-Control-Max-Age":       {"600"},
		}
	}
	// created answers like a JSON:API server creating a resource.
	created := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Header().Set("Location", "/articles/1")
		w.Header().Set("Content-Location", "/articles/1")
		w.Header().Set("ETag", `"v1"`)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"data":{"type":"articles","id":"1"}}`)
	}
	exposed := []string{"content-location", "etag", "location", "preference-applied", "retry-after", "x-request-id"}

	tests := []struct {
		name       string
		options    middleware.CORSOptions
		method     string
		reqHeaders map[string]string
		handler    http.HandlerFunc // nil writes 200 "ok"
		wantCode   int
		wantNext   bool
		want       http.Header // the Access-Control-* response headers; nil for none
	}{
		{
			name:       "preflight from allowed origin",
			options:    exact,
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
			want:       wantPreflight(app),
		},
		{
			name:       "preflight from disallowed origin",
			options:    exact,
			method:     "OPTIONS",
			reqHeaders: preflight(evil),
			wantCode:   204,
		},
		{
			name:       "preflight from origin with a trailing slash",
			options:    exact,
			method:     "OPTIONS",
			reqHeaders: preflight(app + "/"),
			wantCode:   204,
		},
		{
			name:       "preflight with zero options",
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
		},
		{
			name:    "preflight for a method not allowed",
			options: exact,
			method:  "OPTIONS",
			reqHeaders: map[string]string{
				"Origin":                        app,
				"Access-Control-Request-Method": "PUT",
			},
			wantCode: 204,
		},
		{
			name:       "preflight for a method not in AllowedMethods",
			options:    middleware.CORSOptions{AllowedOrigins: []string{app}, AllowedMethods: []string{"GET", "POST"}},
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
		},
		{
			name:    "preflight for a header not allowed",
			options: exact,
			method:  "OPTIONS",
			reqHeaders: map[string]string{
				"Origin":                         app,
				"Access-Control-Request-Method":  "POST",
				"Access-Control-Request-Headers": "content-type,x-tenant",
			},
			wantCode: 204,
		},
		{
			name:    "preflight for an added header",
			options: middleware.CORSOptions{AllowedOrigins: []string{app}, AllowedHeaders: []string{"X-Tenant"}},
			method:  "OPTIONS",
			reqHeaders: map[string]string{
				"Origin":                         app,
				"Access-Control-Request-Method":  "POST",
				"Access-Control-Request-Headers": "content-type,x-tenant",
			},
			wantCode: 204,
			want: http.Header{
				"Access-Control-Allow-Origin":  {app},
				"Access-Control-Allow-Methods": {"POST"},
				"Access-Control-Allow-Headers": {"content-type", "x-tenant"},
				"Access-Control-Max-Age":       {"600"},
			},
		},
		{
			name:    "preflight for all default headers",
			options: exact,
			method:  "OPTIONS",
			reqHeaders: map[string]string{
				"Origin":                         app,
				"Access-Control-Request-Method":  "DELETE",
				"Access-Control-Request-Headers": "accept,authorization,content-type,if-match,if-none-match,prefer,x-request-id",
			},
			wantCode: 204,
			want: http.Header{
				"Access-Control-Allow-Origin":  {app},
				"Access-Control-Allow-Methods": {"DELETE"},
				"Access-Control-Allow-Headers": {"accept", "authorization", "content-type", "if-match", "if-none-match", "prefer", "x-request-id"},
				"Access-Control-Max-Age":       {"600"},
			},
		},
		{
			name:       "preflight with MaxAge",
			options:    middleware.CORSOptions{AllowedOrigins: []string{app}, MaxAge: 60},
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
			want: http.Header{
				"Access-Control-Allow-Origin":  {app},
				"Access-Control-Allow-Methods": {"PATCH"},
				"Access-Control-Allow-Headers": {"content-type", "if-match"},
				"Access-Control-Max-Age":       {"60"},
			},
		},
		{
			name:       "preflight with negative MaxAge",
			options:    middleware.CORSOptions{AllowedOrigins: []string{app}, MaxAge: -1},
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
			want: http.Header{
				"Access-Control-Allow-Origin":  {app},
				"Access-Control-Allow-Methods": {"PATCH"},
				"Access-Control-Allow-Headers": {"content-type", "if-match"},
				"Access-Control-Max-Age":       {"0"},
			},
		},
		{
			name:       "OPTIONS that is not a preflight",
			options:    exact,
			method:     "OPTIONS",
			reqHeaders: map[string]string{"Origin": app},
			wantCode:   200,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":   {app},
				"Access-Control-Expose-Headers": exposed,
			},
		},
		{
			name:       "POST from allowed origin exposes Location",
			options:    exact,
			method:     "POST",
			reqHeaders: map[string]string{"Origin": app, "Content-Type": "application/vnd.api+json"},
			handler:    created,
			wantCode:   201,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":   {app},
				"Access-Control-Expose-Headers": exposed,
			},
		},
		{
			name: "POST with an added exposed header",
			options: middleware.CORSOptions{
				AllowedOrigins: []string{app},
				ExposedHeaders: []string{"X-Total-Count", "etag"}, // etag is a default
			},
			method:     "POST",
			reqHeaders: map[string]string{"Origin": app},
			handler:    created,
			wantCode:   201,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":   {app},
				"Access-Control-Expose-Headers": append(slices.Clone(exposed), "x-total-count"),
			},
		},
		{
			name:       "POST from disallowed origin",
			options:    exact,
			method:     "POST",
			reqHeaders: map[string]string{"Origin": evil},
			handler:    created,
			wantCode:   201, // CORS does not stop the request, only the reading
			wantNext:   true,
		},
		{
			name:       "GET from disallowed origin",
			options:    exact,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": evil},
			wantCode:   200,
			wantNext:   true,
		},
		{
			name:     "GET without Origin",
			options:  exact,
			method:   "GET",
			wantCode: 200,
			wantNext: true,
		},
		{
			name:       "PUT from allowed origin, method not allowed",
			options:    exact,
			method:     "PUT",
			reqHeaders: map[string]string{"Origin": app},
			wantCode:   200,
			wantNext:   true,
		},
		{
			name:       "preflight with credentials",
			options:    creds,
			method:     "OPTIONS",
			reqHeaders: preflight(app),
			wantCode:   204,
			want: http.Header{
				"Access-Control-Allow-Origin":      {app},
				"Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Allow-Methods":     {"PATCH"},
				"Access-Control-Allow-Headers":     {"content-type", "if-match"},
				"Access-Control-Max-Age":           {"600"},
			},
		},
		{
			name:       "POST with credentials",
			options:    creds,
			method:     "POST",
			reqHeaders: map[string]string{"Origin": app, "Cookie": "session=1"},
			handler:    created,
			wantCode:   201,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":      {app},
				"Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers":    exposed,
			},
		},
		{
			name:       "preflight with credentials from disallowed origin",
			options:    creds,
			method:     "OPTIONS",
			reqHeaders: preflight(evil),
			wantCode:   204,
		},
		{
			name:       "GET with credentials from disallowed origin",
			options:    creds,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": evil},
			wantCode:   200,
			wantNext:   true,
		},
		{
			name:       "preflight with any origin",
			options:    anyOrigin,
			method:     "OPTIONS",
			reqHeaders: preflight(evil),
			wantCode:   204,
			want:       wantPreflight("*"),
		},
		{
			name:       "GET with any origin",
			options:    anyOrigin,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": evil},
			wantCode:   200,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"*"},
				"Access-Control-Expose-Headers": exposed,
			},
		},
		{
			name:       "preflight from origin matching a pattern",
			options:    pattern,
			method:     "OPTIONS",
			reqHeaders: preflight("https://api.example.com"),
			wantCode:   204,
			want:       wantPreflight("https://api.example.com"),
		},
		{
			name:       "GET from origin matching a pattern",
			options:    pattern,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": "https://api.example.com"},
			wantCode:   200,
			wantNext:   true,
			want: http.Header{
				"Access-Control-Allow-Origin":   {"https://api.example.com"},
				"Access-Control-Expose-Headers": exposed,
			},
		},
		{
			name:       "preflight from origin not matching a pattern",
			options:    pattern,
			method:     "OPTIONS",
			reqHeaders: preflight("https://example.org"),
			wantCode:   204,
		},
		{
			name:       "GET from origin not matching a pattern",
			options:    pattern,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": "https://example.org"},
			wantCode:   200,
			wantNext:   true,
		},
		{
			name:       "GET from the domain of a pattern",
			options:    pattern,
			method:     "GET",
			reqHeaders: map[string]string{"Origin": "https://example.com"},
			wantCode:   200,
			wantNext:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := middleware.NewCORS(tt.options)
			if err != nil {
				t.Fatalf("NewCORS: %v", err)
			}
			handler := tt.handler
			if handler == nil {
				handler = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
			}
			var called bool
			h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				handler(w, r)
			}))
			req := httptest.NewRequest(tt.method, "/articles", nil)
			for k, v := range tt.reqHeaders {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if got, want := rec.Code, tt.wantCode; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if got, want := called, tt.wantNext; got != want {
				t.Errorf("next handler called = %v, want %v", got, want)
			}
			got, want := corsHeaders(rec.Header()), corsHeaders(tt.want)
			for k, g := range got {
				if w, ok := want[k]; !ok {
					t.Errorf("%s = %q, want none", k, g)
				} else if !slices.Equal(g, w) {
					t.Errorf("%s = %q, want %q", k, g, w)
				}
			}
			for k, w := range want {
				if _, ok := got[k]; !ok {
					t.Errorf("%s missing, want %q", k, w)
				}
			}
			if !varies(rec.Header(), "Origin") {
				t.Errorf("Vary = %q, want it to list Origin", rec.Header().Values("Vary"))
			}
			if !tt.wantNext && rec.Body.Len() != 0 {
				t.Errorf("preflight body = %q, want none", rec.Body)
			}
		})
	}
}

func TestNewCORSErrors(t *testing.T) {
	tests := []struct {
		name    string
		options middleware.CORSOptions
		wantErr string // "" for no error; otherwise a part of it
	}{
		{"zero", middleware.CORSOptions{}, ""},
		{"exact", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com", "http://localhost:8080"}}, ""},
		{"exact with credentials", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com"}, AllowCredentials: true}, ""},
		{"credentials without origins", middleware.CORSOptions{AllowCredentials: true}, ""},
		{"IPv6", middleware.CORSOptions{AllowedOrigins: []string{"http://[::1]:3000"}}, ""},
		{"other scheme", middleware.CORSOptions{AllowedOrigins: []string{"capacitor://localhost"}}, ""},
		{"any", middleware.CORSOptions{AllowedOrigins: []string{"*"}}, ""},
		{"subdomain pattern", middleware.CORSOptions{AllowedOrigins: []string{"https://*.example.com"}}, ""},
		{"label pattern", middleware.CORSOptions{AllowedOrigins: []string{"https://pr-*.example.com"}}, ""},
		{"port pattern", middleware.CORSOptions{AllowedOrigins: []string{"http://localhost:*"}}, ""},
		{"other options", middleware.CORSOptions{
			AllowedHeaders: []string{"X-Tenant", "*"},
			ExposedHeaders: []string{"X-Total-Count"},
			AllowedMethods: []string{"GET", "PUT"},
			MaxAge:         -1,
		}, ""},

		{"any with credentials", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com", "*"}, AllowCredentials: true}, "AllowCredentials"},
		{"pattern with credentials", middleware.CORSOptions{AllowedOrigins: []string{"https://*.example.com"}, AllowCredentials: true}, "AllowCredentials"},
		{"port pattern with credentials", middleware.CORSOptions{AllowedOrigins: []string{"http://localhost:*"}, AllowCredentials: true}, "AllowCredentials"},
		{"no scheme", middleware.CORSOptions{AllowedOrigins: []string{"example.com"}}, "example.com"},
		{"empty", middleware.CORSOptions{AllowedOrigins: []string{""}}, "empty origin"},
		{"path", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com/path"}}, "https://a.com/path"},
		{"trailing slash", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com/"}}, "https://a.com/"},
		{"query", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com?x=1"}}, "scheme://host"},
		{"fragment", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com#x"}}, "scheme://host"},
		{"user info", middleware.CORSOptions{AllowedOrigins: []string{"https://u@a.com"}}, "scheme://host"},
		{"empty port", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com:"}}, "scheme://host"},
		{"bad port", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com:x"}}, "scheme://host"},
		{"no host", middleware.CORSOptions{AllowedOrigins: []string{"https://:443"}}, "scheme://host"},
		{"null", middleware.CORSOptions{AllowedOrigins: []string{"null"}}, "scheme://host"},
		{"pattern without dot", middleware.CORSOptions{AllowedOrigins: []string{"https://*example.com"}}, "the *"},
		{"pattern in scheme", middleware.CORSOptions{AllowedOrigins: []string{"http*://a.com"}}, "the *"},
		{"pattern in path", middleware.CORSOptions{AllowedOrigins: []string{"https://a.com/*.js"}}, "scheme://host"},
		{"two stars", middleware.CORSOptions{AllowedOrigins: []string{"https://*.*.example.com"}}, "more than one"},
		{"bad allowed header", middleware.CORSOptions{AllowedHeaders: []string{"X Tenant"}}, "AllowedHeaders"},
		{"empty allowed header", middleware.CORSOptions{AllowedHeaders: []string{""}}, "AllowedHeaders"},
		{"bad exposed header", middleware.CORSOptions{ExposedHeaders: []string{"X-A,X-B"}}, "ExposedHeaders"},
		{"empty method", middleware.CORSOptions{AllowedMethods: []string{""}}, "AllowedMethods"},
		{"any method", middleware.CORSOptions{AllowedMethods: []string{"*"}}, "AllowedMethods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := middleware.NewCORS(tt.options)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("NewCORS: %v", err)
			case tt.wantErr == "" && c == nil:
				t.Fatal("NewCORS returned nil and no error")
			case tt.wantErr != "" && err == nil:
				t.Fatalf("NewCORS succeeded, want an error containing %q", tt.wantErr)
			case tt.wantErr != "" && c != nil:
				t.Errorf("NewCORS returned a middleware with error %v", err)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCORSOriginAllowed(t *testing.T) {
	tests := []struct {
		origins []string
		origin  string // "" sends no Origin
		want    bool
	}{
		{nil, "https://a.com", false},
		{nil, "", false},
		{[]string{"https://a.com"}, "https://a.com", true},
		{[]string{"https://a.com"}, "https://A.com", true},
		{[]string{"https://a.com"}, "http://a.com", false},
		{[]string{"https://a.com"}, "https://a.com:8443", false},
		{[]string{"https://a.com"}, "https://a.com.evil.example", false},
		{[]string{"https://a.com"}, "null", false},
		{[]string{"https://a.com"}, "", false},
		{[]string{"*"}, "https://anything.example", true},
		{[]string{"*"}, "", false},
		{[]string{"https://*.example.com"}, "https://api.example.com", true},
		{[]string{"https://*.example.com"}, "https://a.b.example.com", true},
		{[]string{"https://*.example.com"}, "https://example.com", false},
		{[]string{"https://*.example.com"}, "https://example.org", false},
		{[]string{"https://*.example.com"}, "http://api.example.com", false},
		{[]string{"https://*.example.com"}, "https://evilexample.com", false},
		{[]string{"http://localhost:*"}, "http://localhost:5173", true},
		{[]string{"http://localhost:*"}, "http://localhost.evil.example", false},
	}
	for _, tt := range tests {
		c, err := middleware.NewCORS(middleware.CORSOptions{AllowedOrigins: tt.origins})
		if err != nil {
			t.Fatalf("NewCORS(%q): %v", tt.origins, err)
		}
		req := httptest.NewRequest("GET", "/", nil)
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		if got, want := c.OriginAllowed(req), tt.want; got != want {
			t.Errorf("%q: OriginAllowed(%q) = %v, want %v", tt.origins, tt.origin, got, want)
		}
	}
}

func TestCORSOptionsNotShared(t *testing.T) {
	// Options added to the defaults by one middleware do not leak into
	// another, and changing the options after NewCORS changes nothing.
	opts := middleware.CORSOptions{
		AllowedOrigins: []string{"https://a.com"},
		ExposedHeaders: []string{"X-A"},
		AllowedMethods: []string{"GET"},
	}
	a, err := middleware.NewCORS(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.AllowedOrigins[0] = "https://b.com"
	opts.AllowedMethods[0] = "DELETE"
	b, err := middleware.NewCORS(middleware.CORSOptions{
		AllowedOrigins: []string{"https://a.com"},
		ExposedHeaders: []string{"X-B"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		c    *middleware.CORS
		want []string
	}{
		{a, []string{"content-location", "etag", "location", "preference-applied", "retry-after", "x-a", "x-request-id"}},
		{b, []string{"content-location", "etag", "location", "preference-applied", "retry-after", "x-b", "x-request-id"}},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Origin", "https://a.com")
		rec := httptest.NewRecorder()
		tt.c.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
		got := corsHeaders(rec.Header())["Access-Control-Expose-Headers"]
		if !slices.Equal(got, tt.want) {
			t.Errorf("Access-Control-Expose-Headers = %q, want %q", got, tt.want)
		}
	}
}

func TestCORSInChain(t *testing.T) {
	// Inside Recover, the error document of a panic keeps the CORS headers,
	// so the page can read it; preflights never reach the handler.
	c, err := middleware.NewCORS(middleware.CORSOptions{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	h := middleware.Chain(middleware.RequestID, middleware.RecoverWithLogger(slog.New(slog.DiscardHandler)), c.Handler)(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			calls++
			panic("boom")
		}))

	pre := httptest.NewRequest("OPTIONS", "/articles/1", nil)
	pre.Header.Set("Origin", "https://app.example.com")
	pre.Header.Set("Access-Control-Request-Method", "DELETE")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	if got, want := rec.Code, 204; got != want {
		t.Errorf("preflight status = %d, want %d", got, want)
	}

	req := httptest.NewRequest("DELETE", "/articles/1", nil)
	req.Header.Set("Origin", "https://app.example.com")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	checkErrorDoc(t, rec, 500)
	if got, want := rec.Header().Get("Access-Control-Allow-Origin"), "https://app.example.com"; got != want {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, want)
	}
	if calls != 1 {
		t.Errorf("handler called %d times, want 1 (not for the preflight)", calls)
	}
}
