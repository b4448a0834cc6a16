package middleware_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/middleware"
)

func TestMaxBytes(t *testing.T) {
	const limit = 10
	tests := []struct {
		name          string
		body          string
		contentLength int64 // -1 for an unknown (chunked) length
		wantCalled    bool
		wantCode      int
		wantRead      string
	}{
		{"empty", "", 0, true, 200, ""},
		{"small", "hello", 5, true, 200, "hello"},
		{"at limit", "0123456789", 10, true, 200, "0123456789"},
		{"chunked small", "hello", -1, true, 200, "hello"},
		{"chunked at limit", "0123456789", -1, true, 200, "0123456789"},
		{"large Content-Length", strings.Repeat("x", 11), 11, false, 413, ""},
		{"huge Content-Length", "", 1 << 40, false, 413, ""},
		{"chunked too long", strings.Repeat("x", 100), -1, true, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called bool
			var readErr error
			var read string
			h := middleware.MaxBytes(limit)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				b, err := io.ReadAll(r.Body)
				if err != nil {
					readErr = err
					restless.WriteError(w, r, err)
					return
				}
				read = string(b)
			}))
			req := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader(tt.body)))
			req.ContentLength = tt.contentLength
			origBody := req.Body
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if got, want := called, tt.wantCalled; got != want {
				t.Errorf("handler called = %v, want %v", got, want)
			}
			if req.Body != origBody {
				t.Error("MaxBytes modified the caller's request")
			}
			if tt.wantCode == 413 {
				checkErrorDoc(t, rec, 413)
				if called {
					var mbe *http.MaxBytesError
					if !errors.As(readErr, &mbe) {
						t.Fatalf("read error = %v, want *http.MaxBytesError", readErr)
					}
					if got, want := mbe.Limit, int64(limit); got != want {
						t.Errorf("Limit = %d, want %d", got, want)
					}
				}
				return
			}
			if readErr != nil {
				t.Errorf("read error = %v", readErr)
			}
			if got, want := rec.Code, tt.wantCode; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if got, want := read, tt.wantRead; got != want {
				t.Errorf("read %q, want %q", got, want)
			}
		})
	}
}

func TestMaxBytesNoBody(t *testing.T) {
	var body io.ReadCloser
	h := middleware.MaxBytes(1)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body = r.Body
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got, want := body, http.NoBody; got != want {
		t.Errorf("body = %T, want http.NoBody", got)
	}
}

func TestMaxBytesServer(t *testing.T) {
	// Over a real connection a chunked body has ContentLength -1.
	srv := httptest.NewServer(middleware.MaxBytes(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			restless.WriteError(w, r, err)
		}
	})))
	defer srv.Close()
	for _, tt := range []struct {
		name string
		body io.Reader
		want int
	}{
		{"Content-Length", strings.NewReader(strings.Repeat("x", 100)), 413},
		{"chunked", io.MultiReader(strings.NewReader(strings.Repeat("x", 100))), 413},
		{"chunked small", io.MultiReader(strings.NewReader("ok")), 200},
	} {
		resp, err := http.Post(srv.URL, "text/plain", tt.body)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		resp.Body.Close()
		if got := resp.StatusCode; got != tt.want {
			t.Errorf("%s: status = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestMaxBytesPanics(t *testing.T) {
	for _, n := range []int64{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MaxBytes(%d) did not panic", n)
				}
			}()
			middleware.MaxBytes(n)
		}()
	}
}
