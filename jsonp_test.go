package restless_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/jsonp"
)

// jsonpGet sends GET target through the API wrapped in JSONP middleware
// whose errors are written by restless.WriteError.
func jsonpGet(t *testing.T, e *env, target string) *httptest.ResponseRecorder {
	t.Helper()
	h := jsonp.New(jsonp.Options{ErrorHandler: restless.WriteError})(e.h)
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept", "application/vnd.api+json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// jsonpDocument checks that w is a JSONP script calling callback and
// returns the document it passes.
func jsonpDocument(t *testing.T, w *httptest.ResponseRecorder, callback string) map[string]any {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200\n%s", w.Code, w.Body)
	}
	if got, want := w.Header().Get("Content-Type"), "application/javascript; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	body := w.Body.String()
	prefix, suffix := "/**/"+callback+"(", ");"
	if !strings.HasPrefix(body, prefix) || !strings.HasSuffix(body, suffix) {
		t.Fatalf("body is not a call of %s:\n%s", callback, body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body[len(prefix):len(body)-len(suffix)]), &doc); err != nil {
		t.Fatalf("argument is not a JSON object: %v\n%s", err, body)
	}
	return doc
}

// jsonpStatus returns meta.status of doc.
func jsonpStatus(doc map[string]any) any {
	meta, _ := doc["meta"].(map[string]any)
	return meta["status"]
}

func TestJSONP(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)

		t.Run("seed 003 example", func(t *testing.T) {
			w := jsonpGet(t, e, "/api/person/1?callback=foo")
			body := w.Body.String()
			if want := `/**/foo({"data":{"type":"person","id":"1"`; !strings.HasPrefix(body, want) {
				t.Errorf("body starts %.60q, want %q", body, want)
			}
			if !strings.HasSuffix(body, "});") {
				t.Errorf("body ends %q, want });", body[max(0, len(body)-20):])
			}
			if strings.Contains(body, "callback") {
				t.Errorf("links carry the callback:\n%s", body)
			}
			doc := jsonpDocument(t, w, "foo")
			if got := jsonpStatus(doc); got != 200.0 {
				t.Errorf("meta.status = %v, want 200", got)
			}
			links, _ := doc["links"].(map[string]any)
			if got, want := links["self"], testBase+"/api/person/1"; got != want {
				t.Errorf("links.self = %v, want %v", got, want)
			}
		})

		t.Run("collection keeps other parameters in links", func(t *testing.T) {
			w := jsonpGet(t, e, "/api/person?callback=cb&page%5Bsize%5D=1")
			body := w.Body.String()
			if strings.Contains(body, "callback") {
				t.Errorf("links carry the callback:\n%s", body)
			}
			doc := jsonpDocument(t, w, "cb")
			if got := jsonpStatus(doc); got != 200.0 {
				t.Errorf("meta.status = %v, want 200", got)
			}
			if data, _ := doc["data"].([]any); len(data) != 1 {
				t.Errorf("data has %d resources, want 1", len(data))
			}
		})

		t.Run("function evaluation", func(t *testing.T) {
			fns := url.QueryEscape(`[{"name":"sum","field":"age"}]`)
			w := jsonpGet(t, e, "/api/eval/person?callback=cb&functions="+fns)
			doc := jsonpDocument(t, w, "cb")
			meta, _ := doc["meta"].(map[string]any)
			if meta["sum__age"] == nil {
				t.Errorf("meta lacks sum__age: %v", meta)
			}
			if got := meta["status"]; got != 200.0 {
				t.Errorf("meta.status = %v, want 200", got)
			}
			if strings.Contains(w.Body.String(), "callback") {
				t.Errorf("links carry the callback:\n%s", w.Body)
			}
		})

		t.Run("not found", func(t *testing.T) {
			w := jsonpGet(t, e, "/api/person/999?callback=foo")
			doc := jsonpDocument(t, w, "foo")
			if got := jsonpStatus(doc); got != 404.0 {
				t.Errorf("meta.status = %v, want 404", got)
			}
			errs, _ := doc["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("no errors in %v", doc)
			}
			if got := errs[0].(map[string]any)["status"]; got != "404" {
				t.Errorf("errors[0].status = %v, want \"404\"", got)
			}
		})

		t.Run("rejected callbacks", func(t *testing.T) {
			for _, cb := range []string{"alert(1)", "<script>", strings.Repeat("a", 200), `"foo"`, "foo'", "foo()"} {
				w := jsonpGet(t, e, "/api/person/1?callback="+url.QueryEscape(cb))
				res := &response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
				if got := res.Header.Get("Content-Type"); got != "application/vnd.api+json" {
					t.Errorf("callback %q: Content-Type = %q, want application/vnd.api+json", cb, got)
				}
				wantError(t, res, http.StatusBadRequest, "?callback")
			}
		})

		t.Run("POST not wrapped", func(t *testing.T) {
			h := jsonp.New(jsonp.Options{ErrorHandler: restless.WriteError})(e.h)
			body := `{"data":{"type":"person","attributes":{"name":"Wrapped?","age":1}}}`
			r := httptest.NewRequest(http.MethodPost, "/api/person?callback=foo", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/vnd.api+json")
			r.Header.Set("Accept", "application/vnd.api+json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get("Content-Type"); got != "application/vnd.api+json" {
				t.Errorf("Content-Type = %q, want application/vnd.api+json\n%s", got, w.Body)
			}
			if strings.HasPrefix(w.Body.String(), "/**/") {
				t.Errorf("POST wrapped:\n%s", w.Body)
			}
		})
	})
}
