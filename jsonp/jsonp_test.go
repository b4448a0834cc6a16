package jsonp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/jsonp"
)

// api stands for a JSON:API server. It answers every method alike.
func api(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Vary", "Accept")
	switch r.URL.Path {
	case "/api/person/1":
		h.Set("Content-Type", "application/vnd.api+json")
		h.Set("ETag", `"abc"`)
		body := `{"meta":{"count":1},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}}` + "\n"
		h.Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	case "/api/self":
		h.Set("Content-Type", "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"")
		fmt.Fprintf(w, `{"data":[],"links":{"self":%q}}`, "http://example.com"+r.URL.String())
	case "/api/missing":
		h.Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errors":[{"status":"404","title":"Not Found"}]}`)
	case "/api/created":
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Location", "http://example.com/api/person/2")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"data":{"type":"person","id":"2"},"meta":{"status":"old","n":1}}`)
	case "/api/separators":
		h.Set("Content-Type", "application/json")
		io.WriteString(w, "{\"meta\":{\"note\":\"a\u2028b\u2029c\"}}")
	case "/api/array":
		h.Set("Content-Type", "application/json")
		io.WriteString(w, `[1,2]`)
	case "/api/invalid":
		h.Set("Content-Type", "application/json")
		io.WriteString(w, `alert(1)//`)
	case "/api/gzip":
		h.Set("Content-Type", "application/json")
		h.Set("Content-Encoding", "gzip")
		io.WriteString(w, "\x1f\x8b")
	case "/api/cached":
		h.Set("ETag", `"abc"`)
		w.WriteHeader(http.StatusNotModified)
	case "/api/empty":
		h.Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(http.StatusNoContent)
	case "/text":
		h.Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello")
	default:
		http.NotFound(w, r)
	}
}

const (
	jsType = "application/javascript; charset=utf-8"
	apiDoc = `{"meta":{"count":1},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}}`
)

func TestHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     jsonp.Options
		method   string
		target   string
		header   http.Header
		wantCode int
		// wantHeader lists headers to check; "" means absent.
		wantHeader map[string]string
		wantBody   string
	}{
		{
			name:   "seed 003 example",
			method: "GET", target: "/api/person/1?callback=foo",
			wantCode: 200,
			wantHeader: map[string]string{
				"Content-Type":           jsType,
				"X-Content-Type-Options": "nosniff",
				"Content-Length":         strconv.Itoa(len(`/**/foo({"meta":{"count":1,"status":200},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}});`)),
				"ETag":                   "",
				"Vary":                   "Accept",
			},
			wantBody: `/**/foo({"meta":{"count":1,"status":200},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}});`,
		},
		{
			name:   "dotted callback among other parameters",
			method: "GET", target: "/api/person/1?include=x&callback=jQuery.cb_1&fields%5Bperson%5D=name",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": jsType},
			wantBody:   `/**/jQuery.cb_1({"meta":{"count":1,"status":200},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}});`,
		},
		{
			name:   "error document with status in meta",
			method: "GET", target: "/api/missing?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": jsType, "X-Content-Type-Options": "nosniff"},
			wantBody:   `/**/foo({"errors":[{"status":"404","title":"Not Found"}],"meta":{"status":404}});`,
		},
		{
			name:   "existing meta.status replaced, other headers kept",
			method: "GET", target: "/api/created?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": jsType, "Location": "http://example.com/api/person/2", "Vary": "Accept"},
			wantBody:   `/**/foo({"data":{"type":"person","id":"2"},"meta":{"status":201,"n":1}});`,
		},
		{
			name:   "line separators escaped",
			method: "GET", target: "/api/separators?callback=foo",
			wantCode: 200,
			wantBody: `/**/foo({"meta":{"note":"a\u2028b\u2029c","status":200}});`,
		},
		{
			name:   "array wrapped unchanged",
			method: "GET", target: "/api/array?callback=foo",
			wantCode: 200,
			wantBody: `/**/foo([1,2]);`,
		},
		{
			name:   "HEAD",
			method: "HEAD", target: "/api/person/1?callback=foo",
			wantCode: 200,
			wantHeader: map[string]string{
				"Content-Type":   jsType,
				"Content-Length": strconv.Itoa(len(`/**/foo({"meta":{"count":1,"status":200},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}});`)),
				"ETag":           "",
			},
			wantBody: "",
		},
		{
			name:   "POST not wrapped",
			method: "POST", target: "/api/person/1?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json", "ETag": `"abc"`, "X-Content-Type-Options": ""},
			wantBody:   apiDoc + "\n",
		},
		{
			name:   "POST with a bad callback not checked",
			method: "POST", target: "/api/person/1?callback=alert(1)",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json"},
			wantBody:   apiDoc + "\n",
		},
		{
			name:   "GET without callback not wrapped",
			method: "GET", target: "/api/person/1",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json", "ETag": `"abc"`},
			wantBody:   apiDoc + "\n",
		},
		{
			name:   "other parameter name",
			opts:   jsonp.Options{Param: "jsonp"},
			method: "GET", target: "/api/person/1?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json"},
			wantBody:   apiDoc + "\n",
		},
		{
			name:   "non-JSON passthrough",
			method: "GET", target: "/text?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			wantBody:   "hello",
		},
		{
			name:   "invalid JSON passthrough",
			method: "GET", target: "/api/invalid?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody:   `alert(1)//`,
		},
		{
			name:   "encoded body passthrough",
			method: "GET", target: "/api/gzip?callback=foo",
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"},
			wantBody:   "\x1f\x8b",
		},
		{
			name:   "304 passthrough",
			method: "GET", target: "/api/cached?callback=foo",
			header:     http.Header{"If-None-Match": {`"abc"`}},
			wantCode:   304,
			wantHeader: map[string]string{"ETag": `"abc"`, "Content-Type": ""},
			wantBody:   "",
		},
		{
			name:   "204 passthrough",
			method: "GET", target: "/api/empty?callback=foo",
			wantCode:   204,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json"},
			wantBody:   "",
		},
		{
			name:   "credentials refused: Cookie",
			method: "GET", target: "/api/person/1?callback=foo",
			header:     http.Header{"Cookie": {"session=1"}},
			wantCode:   403,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json", "X-Content-Type-Options": "nosniff"},
			wantBody:   `{"errors":[{"status":"403","title":"Forbidden","detail":"A JSONP request must not carry credentials (a Cookie or Authorization header).","source":{"parameter":"callback"}}],"jsonapi":{"version":"1.1"}}` + "\n",
		},
		{
			name:   "credentials refused: Authorization",
			method: "GET", target: "/api/person/1?callback=foo",
			header:   http.Header{"Authorization": {"Bearer x"}},
			wantCode: 403,
		},
		{
			name:   "credentials allowed",
			opts:   jsonp.Options{AllowCredentials: true},
			method: "GET", target: "/api/person/1?callback=foo",
			header:     http.Header{"Cookie": {"session=1"}, "Authorization": {"Bearer x"}},
			wantCode:   200,
			wantHeader: map[string]string{"Content-Type": jsType},
			wantBody:   `/**/foo({"meta":{"count":1,"status":200},"data":{"type":"person","id":"1","attributes":{"name":"Jane"}}});`,
		},
		{
			name:   "credentials on POST not checked",
			method: "POST", target: "/api/person/1?callback=foo",
			header:   http.Header{"Cookie": {"session=1"}},
			wantCode: 200,
			wantBody: apiDoc + "\n",
		},
		{
			name:   "bad callback",
			method: "GET", target: "/api/person/1?callback=alert(1)",
			wantCode:   400,
			wantHeader: map[string]string{"Content-Type": "application/vnd.api+json", "X-Content-Type-Options": "nosniff"},
			wantBody:   `{"errors":[{"status":"400","title":"Bad Request","detail":"The callback parameter must be a JavaScript identifier or dotted path of at most 128 characters, such as jQuery123_456 or app.handlers.person.","source":{"parameter":"callback"}}],"jsonapi":{"version":"1.1"}}` + "\n",
		},
		{
			name:   "bad callback with a custom length",
			opts:   jsonp.Options{MaxLength: 3},
			method: "GET", target: "/api/person/1?callback=abcd",
			wantCode: 400,
			wantBody: `{"errors":[{"status":"400","title":"Bad Request","detail":"The callback parameter must be a JavaScript identifier or dotted path of at most 3 characters, such as jQuery123_456 or app.handlers.person.","source":{"parameter":"callback"}}],"jsonapi":{"version":"1.1"}}` + "\n",
		},
		{
			name:   "HEAD with a bad callback",
			method: "HEAD", target: "/api/person/1?callback=%3Cscript%3E",
			wantCode: 400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := jsonp.New(tt.opts)(http.HandlerFunc(api))
			r := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantCode {
				t.Errorf("%s %s: status = %d, want %d", tt.method, tt.target, w.Code, tt.wantCode)
			}
			for k, want := range tt.wantHeader {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s %s: %s = %q, want %q", tt.method, tt.target, k, got, want)
				}
			}
			if tt.wantBody != "" || (tt.method == "HEAD" && tt.wantCode == 200) || tt.wantCode == 304 || tt.wantCode == 204 {
				if got := w.Body.String(); got != tt.wantBody {
					t.Errorf("%s %s: body\ngot  %s\nwant %s", tt.method, tt.target, got, tt.wantBody)
				}
			}
		})
	}
}

func TestHandlerRejectsCallbacks(t *testing.T) {
	t.Parallel()
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("next called for %s", r.URL)
	}))
	for _, cb := range []string{
		"alert(1)", "<script>", "</script><script>alert(1)</script>", "foo()", "foo)", `foo"`, "foo'", `"foo"`,
		"foo;bar", "a b", "", "a..b", ".a", "a.", "new", "this.x", `\u0061`, "\u2028",
		strings.Repeat("a", 129),
	} {
		for _, target := range []string{
			"/api/person/1?callback=" + urlEscape(cb),
			"/api/person/1?callback=ok&callback=" + urlEscape(cb), // two callbacks
		} {
			r := httptest.NewRequest("GET", target, nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusBadRequest {
				t.Errorf("GET %s: status = %d, want 400", target, w.Code)
			}
			var doc struct {
				Errors []struct {
					Status string
					Source struct{ Parameter string }
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || len(doc.Errors) != 1 {
				t.Errorf("GET %s: body %s is not one error (%v)", target, w.Body, err)
				continue
			}
			if got := doc.Errors[0]; got.Status != "400" || got.Source.Parameter != "callback" {
				t.Errorf("GET %s: error = %+v, want status 400 for parameter callback", target, got)
			}
		}
	}
}

// urlEscape escapes s for a query, leaving nothing to chance.
func urlEscape(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestHandlerPercentEncodedParam(t *testing.T) {
	t.Parallel()
	h := jsonp.Handler(http.HandlerFunc(api))
	r := httptest.NewRequest("GET", "/api/self?%63allback=foo&sort=name", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got, want := w.Body.String(), `/**/foo({"data":[],"links":{"self":"http://example.com/api/self?sort=name"},"meta":{"status":200}});`; got != want {
		t.Errorf("body\ngot  %s\nwant %s", got, want)
	}
}

func TestHandlerRemovesCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target    string
		wantQuery string
	}{
		{"/api/self?callback=foo", ""},
		{"/api/self?sort=-name&callback=foo", "sort=-name"},
		{"/api/self?callback=foo&fields%5Bperson%5D=name,age&page[size]=2", "fields%5Bperson%5D=name,age&page[size]=2"},
		{"/api/self?a=1&callback=foo&b=%20x", "a=1&b=%20x"},
	}
	for _, tt := range tests {
		var seen *http.Request
		h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = r
			api(w, r)
		}))
		r := httptest.NewRequest("GET", tt.target, nil)
		orig := r.URL.String()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if seen == nil {
			t.Fatalf("GET %s: next not called", tt.target)
		}
		if got := seen.URL.RawQuery; got != tt.wantQuery {
			t.Errorf("GET %s: next saw RawQuery %q, want %q", tt.target, got, tt.wantQuery)
		}
		if seen.URL.Query().Has("callback") || strings.Contains(w.Body.String(), "callback") {
			t.Errorf("GET %s: callback reached next: %s", tt.target, w.Body)
		}
		if got := r.URL.String(); got != orig {
			t.Errorf("GET %s: request URL modified to %s", tt.target, got)
		}
		if seen == r {
			t.Errorf("GET %s: next got the original request, want a copy", tt.target)
		}
	}
}

func TestHandlerErrorHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		target     string
		header     http.Header
		wantStatus int
	}{
		{"bad callback", "/api/person/1?cb=alert(1)", nil, http.StatusBadRequest},
		{"credentials", "/api/person/1?cb=foo", http.Header{"Cookie": {"a=b"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got error
			h := jsonp.New(jsonp.Options{
				Param: "cb",
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
					got = err
					w.WriteHeader(http.StatusTeapot)
				},
			})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("next called")
			}))
			r := httptest.NewRequest("GET", tt.target, nil)
			r.Header = tt.header
			if r.Header == nil {
				r.Header = http.Header{}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusTeapot {
				t.Errorf("status = %d, want %d (from ErrorHandler)", w.Code, http.StatusTeapot)
			}
			var e *jsonapi.Error
			if !errors.As(got, &e) {
				t.Fatalf("ErrorHandler got %v, want a *jsonapi.Error", got)
			}
			if e.Status != tt.wantStatus || e.Source == nil || e.Source.Parameter != "cb" || e.Detail == "" {
				t.Errorf("ErrorHandler got %+v, want Status %d, source parameter cb and a detail", e, tt.wantStatus)
			}
		})
	}
}

func TestHandlerStreamsPassthrough(t *testing.T) {
	t.Parallel()
	flushed := false
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: 1\n\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		flushed = true
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/events?callback=foo", nil))
	if !flushed || !w.Flushed {
		t.Errorf("passthrough response not flushed")
	}
	if got, want := w.Body.String(), "data: 1\n\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestHandlerBuffersWrapped(t *testing.T) {
	t.Parallel()
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		io.WriteString(w, `{"data":`)
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		io.WriteString(w, `null}`)
		if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok {
			t.Errorf("writer %T has no Unwrap", w)
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x?callback=foo", nil))
	if got, want := w.Body.String(), `/**/foo({"data":null,"meta":{"status":200}});`; got != want {
		t.Errorf("body\ngot  %s\nwant %s", got, want)
	}
}

func TestHandlerTooLarge(t *testing.T) {
	t.Parallel()
	var writeErr error
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"x"`)
		chunk := []byte(`"` + strings.Repeat("a", 1<<20) + `",`)
		io.WriteString(w, "[")
		for range 17 {
			if _, err := w.Write(chunk); err != nil {
				writeErr = err
				break
			}
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/big?callback=foo", nil))
	if writeErr == nil {
		t.Errorf("Write of more than 16 MiB did not fail")
	}
	if w.Code != 200 || w.Header().Get("Content-Type") != jsType || w.Header().Get("ETag") != "" {
		t.Errorf("status %d, headers %v, want 200 with a script", w.Code, w.Header())
	}
	want := `/**/foo({"errors":[{"status":"500","title":"Internal Server Error","detail":"The response is too large to be sent as JSONP."}],"meta":{"status":500}});`
	if got := w.Body.String(); got != want {
		t.Errorf("body\ngot  %s\nwant %s", got, want)
	}
}

func TestHandlerNoWrite(t *testing.T) {
	t.Parallel()
	h := jsonp.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x?callback=foo", nil))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("got %d %q, want 200 with no body", w.Code, w.Body)
	}
}
