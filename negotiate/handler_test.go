package negotiate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"
)

type errorDoc struct {
	Errors []struct {
		Status string `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Source struct {
			Header string `json:"header"`
		} `json:"source"`
	} `json:"errors"`
}

// serve runs r through n's handler and reports the recorder and the Result
// seen by the next handler (nil if it was not called).
func serve(t *testing.T, n *Negotiator, r *http.Request) (*httptest.ResponseRecorder, *Result) {
	t.Helper()
	var seen *Result
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := FromContext(r.Context())
		if !ok {
			t.Error("FromContext found no Result")
		}
		seen = &res
		w.Header().Set("Content-Type", FormatMediaType(res.AcceptExt, nil))
		w.WriteHeader(http.StatusOK)
	})
	w := httptest.NewRecorder()
	n.Handler(next).ServeHTTP(w, r)
	return w, seen
}

func newRequest(method, body string, header http.Header) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "/articles", rd)
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}

func hasVaryAccept(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept") {
				return true
			}
		}
	}
	return false
}

func TestHandlerErrors(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		body       string
		header     http.Header
		wantStatus int
		wantSource string
	}{
		{name: "body without Content-Type", method: http.MethodPost, body: "{}", wantStatus: 415, wantSource: "Content-Type"},
		{name: "body as text/plain", method: http.MethodPost, body: "{}", header: http.Header{"Content-Type": {"text/plain"}}, wantStatus: 415, wantSource: "Content-Type"},
		{name: "body as application/json", method: http.MethodPatch, body: "{}", header: http.Header{"Content-Type": {"application/json"}}, wantStatus: 415, wantSource: "Content-Type"},
		{name: "charset parameter", method: http.MethodPost, body: "{}", header: http.Header{"Content-Type": {"application/vnd.api+json; charset=utf-8"}}, wantStatus: 415, wantSource: "Content-Type"},
		{name: "unsupported ext in Content-Type", method: http.MethodPost, body: "{}", header: http.Header{"Content-Type": {`application/vnd.api+json; ext="` + unknown + `"`}}, wantStatus: 415, wantSource: "Content-Type"},
		{name: "GET with JSON:API charset Content-Type", method: http.MethodGet, header: http.Header{"Content-Type": {"application/vnd.api+json; charset=utf-8"}}, wantStatus: 415, wantSource: "Content-Type"},
		{name: "Accept text/html", method: http.MethodGet, header: http.Header{"Accept": {"text/html"}}, wantStatus: 406, wantSource: "Accept"},
		{name: "Accept with only bad params", method: http.MethodGet, header: http.Header{"Accept": {"application/vnd.api+json; charset=utf-8"}}, wantStatus: 406, wantSource: "Accept"},
		{name: "Accept with unsupported ext", method: http.MethodGet, header: http.Header{"Accept": {`application/vnd.api+json; ext="` + unknown + `"`}}, wantStatus: 406, wantSource: "Accept"},
		{name: "415 wins over 406", method: http.MethodPost, body: "{}", header: http.Header{"Content-Type": {"text/plain"}, "Accept": {"text/html"}}, wantStatus: 415, wantSource: "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Negotiator{Extensions: []string{atomic}}
			w, seen := serve(t, n, newRequest(tt.method, tt.body, tt.header))
			if seen != nil {
				t.Error("next handler was called")
			}
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status = %d, want %d", got, tt.wantStatus)
			}
			if got := w.Header().Get("Content-Type"); got != MediaType {
				t.Errorf("Content-Type = %q, want %q", got, MediaType)
			}
			if !hasVaryAccept(w.Header()) {
				t.Errorf("Vary = %q, want Accept", w.Header().Values("Vary"))
			}
			var doc errorDoc
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body %q: %v", w.Body.String(), err)
			}
			if len(doc.Errors) != 1 {
				t.Fatalf("errors = %d, want 1; body %s", len(doc.Errors), w.Body.String())
			}
			e := doc.Errors[0]
			if got, want := e.Status, strconv.Itoa(tt.wantStatus); got != want {
				t.Errorf("status member = %q, want %q", got, want)
			}
			if got, want := e.Title, http.StatusText(tt.wantStatus); got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
			if e.Detail == "" {
				t.Error("detail is empty")
			}
			if got := e.Source.Header; got != tt.wantSource {
				t.Errorf("source.header = %q, want %q", got, tt.wantSource)
			}
		})
	}
}

func TestHandlerServes(t *testing.T) {
	tests := []struct {
		name          string
		method        string
		body          string
		header        http.Header
		want          Result
		wantMediaType string
	}{
		{name: "GET without headers", method: http.MethodGet, wantMediaType: MediaType},
		{name: "DELETE without body or Content-Type", method: http.MethodDelete, wantMediaType: MediaType},
		{name: "GET with text/plain Content-Type is ignored", method: http.MethodGet, header: http.Header{"Content-Type": {"text/plain"}}, wantMediaType: MediaType},
		{name: "Accept */*", method: http.MethodGet, header: http.Header{"Accept": {"*/*"}}, wantMediaType: MediaType},
		{name: "bad params with wildcard served plain", method: http.MethodGet, header: http.Header{"Accept": {"application/vnd.api+json; charset=utf-8, */*"}}, wantMediaType: MediaType},
		{
			name:   "POST with atomic ext",
			method: http.MethodPost,
			body:   `{"atomic:operations":[]}`,
			header: http.Header{
				"Content-Type": {`application/vnd.api+json; ext="` + atomic + `"; profile="` + other + `"`},
				"Accept":       {`application/vnd.api+json; ext="` + atomic + `"; profile="` + cursor + `"`},
			},
			want: Result{
				RequestExt:     []string{atomic},
				RequestProfile: []string{other},
				AcceptExt:      []string{atomic},
				AcceptProfile:  []string{cursor},
			},
			wantMediaType: `application/vnd.api+json; ext="` + atomic + `"`,
		},
		{
			name:          "Accept split over two header lines",
			method:        http.MethodGet,
			header:        http.Header{"Accept": {"text/html", `application/vnd.api+json; ext="` + atomic + `"`}},
			want:          Result{AcceptExt: []string{atomic}},
			wantMediaType: `application/vnd.api+json; ext="` + atomic + `"`,
		},
		{name: "OPTIONS skips Accept", method: http.MethodOptions, header: http.Header{"Accept": {"text/html"}}, wantMediaType: MediaType},
		{
			name:   "CORS preflight skips Accept",
			method: http.MethodOptions,
			header: http.Header{
				"Origin":                         {"https://example.com"},
				"Access-Control-Request-Method":  {"PATCH"},
				"Access-Control-Request-Headers": {"content-type"},
				"Accept":                         {"application/json"},
			},
			wantMediaType: MediaType,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Negotiator{Extensions: []string{atomic}}
			w, seen := serve(t, n, newRequest(tt.method, tt.body, tt.header))
			if seen == nil {
				t.Fatalf("next handler was not called; status %d, body %s", w.Code, w.Body.String())
			}
			if got := w.Code; got != http.StatusOK {
				t.Errorf("status = %d, want 200", got)
			}
			if !hasVaryAccept(w.Header()) {
				t.Errorf("Vary = %q, want Accept", w.Header().Values("Vary"))
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantMediaType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantMediaType)
			}
			got := *seen
			if !sameList(got.RequestExt, tt.want.RequestExt) ||
				!sameList(got.RequestProfile, tt.want.RequestProfile) ||
				!sameList(got.AcceptExt, tt.want.AcceptExt) ||
				!sameList(got.AcceptProfile, tt.want.AcceptProfile) {
				t.Errorf("Result = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckBody(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(r *http.Request)
		wantStatus int
	}{
		{name: "no body", setup: func(r *http.Request) { r.ContentLength = 0 }},
		{name: "positive Content-Length", setup: func(r *http.Request) { r.ContentLength = 2 }, wantStatus: 415},
		{name: "unknown length", setup: func(r *http.Request) { r.ContentLength = -1 }, wantStatus: 415},
		{name: "chunked TransferEncoding", setup: func(r *http.Request) { r.TransferEncoding = []string{"chunked"} }, wantStatus: 415},
		{name: "Transfer-Encoding header", setup: func(r *http.Request) { r.Header.Set("Transfer-Encoding", "chunked") }, wantStatus: 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			tt.setup(r)
			_, err := (&Negotiator{}).Check(r)
			checkErr(t, err, tt.wantStatus, "Content-Type")
		})
	}
}

func TestCheckMultipleContentTypes(t *testing.T) {
	r := newRequest(http.MethodPost, "{}", http.Header{"Content-Type": {MediaType, MediaType}})
	_, err := (&Negotiator{}).Check(r)
	checkErr(t, err, 415, "Content-Type")
}

func TestHandlerVaryKeepsOtherValues(t *testing.T) {
	inner := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		inner.ServeHTTP(w, r)
	})
	// Nesting twice must not duplicate Accept.
	h := Handler(outer)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	got := w.Header().Values("Vary")
	want := []string{"Accept", "Origin"}
	if !slices.Equal(got, want) {
		t.Errorf("Vary = %q, want %q", got, want)
	}
}

func TestHandlerVaryOnError(t *testing.T) {
	h := Handler(http.NotFoundHandler())
	w := httptest.NewRecorder()
	w.Header().Set("Vary", "Origin")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", "text/html")
	h.ServeHTTP(w, r)
	if got, want := w.Header().Values("Vary"), []string{"Origin", "Accept"}; !slices.Equal(got, want) {
		t.Errorf("Vary = %q, want %q", got, want)
	}
	if got := w.Code; got != http.StatusNotAcceptable {
		t.Errorf("status = %d, want %d", got, http.StatusNotAcceptable)
	}
}

func TestPackageHandlerSupportsNoExtensions(t *testing.T) {
	called := false
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	r := newRequest(http.MethodPost, "[]", http.Header{"Content-Type": {`application/vnd.api+json; ext="` + atomic + `"`}})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if called {
		t.Error("next handler was called")
	}
	if got := w.Code; got != http.StatusUnsupportedMediaType {
		t.Errorf("status = %d, want %d", got, http.StatusUnsupportedMediaType)
	}
}

func TestCustomErrorHandler(t *testing.T) {
	var gotErr error
	var gotReq *http.Request
	n := &Negotiator{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr, gotReq = err, r
			w.WriteHeader(http.StatusTeapot)
		},
	}
	called := false
	h := n.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	if called {
		t.Error("next handler was called")
	}
	if got := w.Code; got != http.StatusTeapot {
		t.Errorf("status = %d, want %d", got, http.StatusTeapot)
	}
	if gotReq != r {
		t.Error("ErrorHandler got a different request")
	}
	var e *jsonapi.Error
	if !errors.As(gotErr, &e) || e.Status != http.StatusNotAcceptable || e.Source == nil || e.Source.Header != "Accept" {
		t.Errorf("ErrorHandler err = %#v, want *jsonapi.Error 406 Accept", gotErr)
	}
	if !hasVaryAccept(w.Header()) {
		t.Errorf("Vary = %q, want Accept", w.Header().Values("Vary"))
	}
}

func TestDefaultErrorForForeignError(t *testing.T) {
	w := httptest.NewRecorder()
	writeError(w, errors.New("boom"))
	if got := w.Code; got != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", got)
	}
	var doc errorDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || len(doc.Errors) != 1 || doc.Errors[0].Status != "500" {
		t.Errorf("body = %s (err %v), want one 500 error", w.Body.String(), err)
	}
}

func TestContext(t *testing.T) {
	t.Run("empty context", func(t *testing.T) {
		got, ok := FromContext(context.Background())
		if ok {
			t.Errorf("FromContext = %+v, true; want false", got)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		want := Result{AcceptExt: []string{atomic}, AcceptProfile: []string{cursor}}
		got, ok := FromContext(NewContext(context.Background(), want))
		if !ok {
			t.Fatal("FromContext found nothing")
		}
		if !slices.Equal(got.AcceptExt, want.AcceptExt) || !slices.Equal(got.AcceptProfile, want.AcceptProfile) {
			t.Errorf("FromContext = %+v, want %+v", got, want)
		}
	})
}
