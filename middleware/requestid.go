package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader is the header [RequestID] reads an incoming request id
// from and sets on the response.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen is the longest incoming request id RequestID accepts.
const maxRequestIDLen = 64

// RequestID is a middleware that gives every request an id. It keeps the
// id in the request's X-Request-Id header if that is 1 to 64 characters of
// ASCII letters, digits, '.', '_' and '-', and otherwise generates a random
// one of 16 hex digits. It stores the id in the request context with
// [ContextWithRequestID], where the error writers of package restless and
// of this package and [Logger] find it, and sets it as the X-Request-Id
// response header.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(ContextWithRequestID(r.Context(), id)))
	})
}

type requestIDKey struct{}

// ContextWithRequestID returns a copy of ctx carrying the request id, for
// programs that take request ids from a middleware of their own. Error
// objects written by package restless carry it as their "id" member.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request id stored by
// [ContextWithRequestID] (and so by [RequestID]), or "" when there is
// none.
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID reports whether id is safe to echo and log: 1 to 64 bytes
// of [A-Za-z0-9._-].
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails; see crypto/rand.Read
	return hex.EncodeToString(b[:])
}
