package middleware

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gorestless/restless/jsonapi"
)

// Recover is a middleware that recovers from panics in the handlers it
// wraps. It logs the panic value, the stack and the request id with the
// [slog.Default] logger and, if the response has not started, replies with
// a JSON:API error document of status 500 that carries the request id.
// The document says only that the server could not complete the request;
// the panic value is never sent. Headers the handler set for the response it
// meant to send, such as Content-Encoding and Cache-Control, are dropped
// first. If the response has started, Recover logs and then panics with
// [http.ErrAbortHandler], so net/http drops the connection and the client
// cannot mistake the truncated response for a complete one.
//
// A panic with [http.ErrAbortHandler] is not recovered: Recover panics again
// so that net/http aborts the response as it intends.
func Recover(next http.Handler) http.Handler { return recoverer(nil, next) }

// RecoverWithLogger returns a middleware like [Recover] that logs with l
// instead of the default logger. A nil l means the [slog.Default] logger at
// the time RecoverWithLogger is called.
func RecoverWithLogger(l *slog.Logger) func(http.Handler) http.Handler {
	if l == nil {
		l = slog.Default()
	}
	return func(next http.Handler) http.Handler { return recoverer(l, next) }
}

// panicHeaders are the response headers a handler may have set before
// panicking that would misdescribe the error document.
var panicHeaders = [...]string{
	"Cache-Control",
	"Content-Disposition",
	"Content-Encoding",
	"Content-Range",
	"Last-Modified",
	"Trailer",
}

// recoverer implements Recover; a nil l means slog.Default() when a panic
// happens.
func recoverer(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &responseWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			logger := l
			if logger == nil {
				logger = slog.Default()
			}
			ctx := r.Context()
			logger.LogAttrs(ctx, slog.LevelError, "panic serving request",
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("request_id", requestID(w, r)),
			)
			if rw.written() {
				// The client has part of a response; abort the connection
				// so it cannot take the part for the whole.
				panic(http.ErrAbortHandler)
			}
			h := w.Header()
			for _, k := range panicHeaders {
				h.Del(k)
			}
			writeError(w, r, &jsonapi.Error{
				Status: http.StatusInternalServerError,
				Title:  http.StatusText(http.StatusInternalServerError),
				Detail: "The server could not complete the request.",
			})
		}()
		next.ServeHTTP(rw, r)
	})
}
