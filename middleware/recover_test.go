package middleware_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorestless/restless/middleware"
)

// errorDoc is the part of a JSON:API error document the tests look at.
type errorDoc struct {
	Errors []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// checkErrorDoc checks that rec holds a JSON:API error document with one
// error object of status and returns it.
func checkErrorDoc(t *testing.T, rec *httptest.ResponseRecorder, status int) errorDoc {
	t.Helper()
	if got, want := rec.Code, status; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got, want := rec.Header().Get("Content-Type"), "application/vnd.api+json"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	var doc errorDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body, err)
	}
	if len(doc.Errors) != 1 {
		t.Fatalf("got %d error objects, want 1: %s", len(doc.Errors), rec.Body)
	}
	if got, want := doc.Errors[0].Status, fmt.Sprint(status); got != want {
		t.Errorf("error status = %q, want %q", got, want)
	}
	return doc
}

func TestRecover(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantCode int
		wantBody string // "" means a JSON:API error document
	}{
		{
			name:     "string",
			handler:  func(http.ResponseWriter, *http.Request) { panic("secret password") },
			wantCode: 500,
		},
		{
			name:     "error",
			handler:  func(http.ResponseWriter, *http.Request) { panic(errors.New("secret password")) },
			wantCode: 500,
		},
		{
			name: "headers set, nothing written",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("Content-Length", "100")
				panic("secret password")
			},
			wantCode: 500,
		},
		{
			name: "after writing",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusAccepted)
				io.WriteString(w, "partial")
				panic("secret password")
			},
			wantCode: 202,
			wantBody: "partial",
		},
		{
			name: "after flushing",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.NewResponseController(w).Flush()
				panic("secret password")
			},
			wantCode: 200,
			wantBody: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(slog.NewJSONHandler(&buf, nil))
			h := middleware.Chain(middleware.RequestID, middleware.RecoverWithLogger(l))(tt.handler)
			req := httptest.NewRequest("GET", "/boom", nil)
			req.Header.Set("X-Request-Id", "req-7")
			rec := httptest.NewRecorder()
			var aborted any
			func() {
				defer func() { aborted = recover() }()
				h.ServeHTTP(rec, req)
			}()
			if started := tt.wantCode != 500; started != (aborted == http.ErrAbortHandler) {
				t.Errorf("panic after the handler = %v; want http.ErrAbortHandler exactly when the response had started", aborted)
			}

			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("body reveals the panic value: %s", rec.Body)
			}
			switch {
			case tt.wantCode == 500:
				doc := checkErrorDoc(t, rec, 500)
				if got, want := doc.Errors[0].ID, "req-7"; got != want {
					t.Errorf("error id = %q, want %q", got, want)
				}
				if got := rec.Header().Get("Content-Encoding"); got != "" {
					t.Errorf("Content-Encoding = %q, want none", got)
				}
				if got := rec.Header().Get("Content-Length"); got != "" {
					t.Errorf("Content-Length = %q, want none", got)
				}
			default:
				if got, want := rec.Code, tt.wantCode; got != want {
					t.Errorf("status = %d, want %d", got, want)
				}
				if got, want := rec.Body.String(), tt.wantBody; got != want {
					t.Errorf("body = %q, want %q", got, want)
				}
			}

			var line struct {
				Level     string `json:"level"`
				Panic     string `json:"panic"`
				Stack     string `json:"stack"`
				RequestID string `json:"request_id"`
				Path      string `json:"path"`
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("decoding log %q: %v", &buf, err)
			}
			if line.Level != "ERROR" || line.Panic != "secret password" || line.RequestID != "req-7" || line.Path != "/boom" {
				t.Errorf("log line = %s", &buf)
			}
			if !strings.Contains(line.Stack, "recover_test.go") {
				t.Errorf("stack does not show the panicking handler:\n%s", line.Stack)
			}
		})
	}
}

func TestRecoverDefaultLogger(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	h := middleware.Recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret password") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	checkErrorDoc(t, rec, 500)
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("body reveals the panic value: %s", rec.Body)
	}
	if !strings.Contains(buf.String(), "secret password") {
		t.Errorf("default logger did not log the panic: %q", &buf)
	}
}

func TestRecoverNoPanic(t *testing.T) {
	h := middleware.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "fine")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got, want := rec.Code, 200; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got, want := rec.Body.String(), "fine"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestRecoverAbortHandler(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	for _, mw := range []func(http.Handler) http.Handler{middleware.Recover, middleware.RecoverWithLogger(l)} {
		h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
		rec := httptest.NewRecorder()
		got := func() (v any) {
			defer func() { v = recover() }()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			return nil
		}()
		if want := any(http.ErrAbortHandler); got != want {
			t.Errorf("panic = %v, want %v", got, want)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("body = %q, want none", rec.Body)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("logged %q, want nothing", &buf)
	}
}
