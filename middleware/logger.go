package middleware

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Logger returns a middleware that logs one line with l after each request:
// its method, URL path (never the query string, which may hold secrets),
// response status, number of body bytes written, duration, remote address
// and request id. Responses with a status of 500 or more are logged at
// [slog.LevelError], all others at [slog.LevelInfo]. A nil l means the
// [slog.Default] logger at the time Logger is called.
//
// Put Logger outside [Recover] so that it records the 500 a panic becomes,
// and inside [RequestID] so that it logs the id.
func Logger(l *slog.Logger) func(http.Handler) http.Handler {
	if l == nil {
		l = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rw := &responseWriter{ResponseWriter: w}
			next.ServeHTTP(rw, r)
			d := time.Since(start)

			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			ctx := r.Context()
			if !l.Enabled(ctx, level) {
				return
			}
			l.LogAttrs(ctx, level, "http request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", rw.bytes),
				slog.Duration("duration", d),
				slog.String("remote_addr", r.RemoteAddr),
				slog.String("request_id", requestID(w, r)),
			)
		})
	}
}

// requestID returns the request id from r's context or, when the
// middleware runs outside RequestID, from the response header.
func requestID(w http.ResponseWriter, r *http.Request) string {
	if id := RequestIDFromContext(r.Context()); id != "" {
		return id
	}
	return w.Header().Get(RequestIDHeader)
}

// responseWriter records the status and the number of body bytes written
// through it. It passes flushing, hijacking and io.ReaderFrom through to the
// writer it wraps, and Unwrap lets http.ResponseController reach the rest.
type responseWriter struct {
	http.ResponseWriter
	status   int   // final status written, 0 until then
	bytes    int64 // body bytes written
	hijacked bool
}

// written reports whether the response has started, so that no other status
// can be sent.
func (w *responseWriter) written() bool { return w.status != 0 || w.hijacked }

func (w *responseWriter) WriteHeader(code int) {
	// 1xx responses other than 101 are informational; the final status
	// follows.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the wrapped writer's io.ReaderFrom (sendfile) fast path.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, src)
	w.bytes += n
	return n, err
}

func (w *responseWriter) Flush() { _ = w.FlushError() }

func (w *responseWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil && w.status == 0 {
		w.status = http.StatusOK
	}
	return err
}

func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, brw, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
