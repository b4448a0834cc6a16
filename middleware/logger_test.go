package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/middleware"
)

// logLine is the JSON form of a Logger line.
type logLine struct {
	Level      string `json:"level"`
	Msg        string `json:"msg"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	Bytes      int64  `json:"bytes"`
	Duration   *int64 `json:"duration"`
	RemoteAddr string `json:"remote_addr"`
	RequestID  string `json:"request_id"`
}

// decodeLines decodes the JSON lines in buf.
func decodeLines(t *testing.T, buf *bytes.Buffer) []logLine {
	t.Helper()
	var lines []logLine
	dec := json.NewDecoder(buf)
	for {
		var l logLine
		if err := dec.Decode(&l); err == io.EOF {
			return lines
		} else if err != nil {
			t.Fatalf("decoding log: %v", err)
		}
		lines = append(lines, l)
	}
}

func TestLogger(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    logLine
	}{
		{
			name:    "no write",
			handler: func(http.ResponseWriter, *http.Request) {},
			want:    logLine{Level: "INFO", Status: 200, Bytes: 0},
		},
		{
			name: "implicit 200",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "hello")
				io.WriteString(w, ", world")
			},
			want: logLine{Level: "INFO", Status: 200, Bytes: 12},
		},
		{
			name: "explicit status",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				w.WriteHeader(http.StatusAccepted) // superfluous; ignored
				io.WriteString(w, "made")
			},
			want: logLine{Level: "INFO", Status: 201, Bytes: 4},
		},
		{
			name: "informational then final",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusNoContent)
			},
			want: logLine{Level: "INFO", Status: 204},
		},
		{
			name: "client error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				restless.WriteError(w, r, jsonapi.NewError(http.StatusNotFound, "gone"))
			},
			want: logLine{Level: "INFO", Status: 404, Bytes: -1},
		},
		{
			name: "server error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			},
			want: logLine{Level: "ERROR", Status: 502},
		},
		{
			name: "ReadFrom",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.(io.ReaderFrom).ReadFrom(strings.NewReader("abc"))
			},
			want: logLine{Level: "INFO", Status: 200, Bytes: 3},
		},
		{
			name: "flush",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if err := http.NewResponseController(w).Flush(); err != nil {
					panic(err)
				}
			},
			want: logLine{Level: "INFO", Status: 200},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(slog.NewJSONHandler(&buf, nil))
			h := middleware.Chain(middleware.RequestID, middleware.Logger(l))(tt.handler)
			req := httptest.NewRequest("POST", "/things/1?token=secret", nil)
			req.Header.Set("X-Request-Id", "req-1")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if strings.Contains(buf.String(), "secret") {
				t.Errorf("log contains the query string: %s", &buf)
			}
			lines := decodeLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1", len(lines))
			}
			got := lines[0]
			want := tt.want
			want.Msg = "http request"
			want.Method = "POST"
			want.Path = "/things/1"
			want.RemoteAddr = req.RemoteAddr
			want.RequestID = "req-1"
			if want.Bytes == -1 {
				want.Bytes = int64(rec.Body.Len())
			}
			if got.Duration == nil {
				t.Error("no duration logged")
			}
			got.Duration = nil
			if got != want {
				t.Errorf("log line = %+v, want %+v", got, want)
			}
		})
	}
}

func TestLoggerPassesThrough(t *testing.T) {
	var flusher, unwrapped bool
	h := middleware.Logger(slog.New(slog.DiscardHandler))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, flusher = w.(http.Flusher)
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		unwrapped = ok && u.Unwrap() != nil
		w.(http.Flusher).Flush()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !flusher || !unwrapped {
		t.Errorf("Flusher = %v, Unwrap = %v; want both", flusher, unwrapped)
	}
	if !rec.Flushed {
		t.Error("Flush did not reach the recorder")
	}
}

func TestLoggerRequestIDFromHeader(t *testing.T) {
	// Logger outside RequestID still finds the id in the response header.
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	h := middleware.Chain(middleware.Logger(l), middleware.RequestID)(http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-Id", "outer")
	h.ServeHTTP(httptest.NewRecorder(), req)
	lines := decodeLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1", len(lines))
	}
	if got, want := lines[0].RequestID, "outer"; got != want {
		t.Errorf("request_id = %q, want %q", got, want)
	}
}

func TestLoggerHijack(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	srv := httptest.NewServer(middleware.Logger(l)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		brw.Flush()
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := string(body), "ok"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}
