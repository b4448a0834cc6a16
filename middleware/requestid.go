package middleware

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/gorestless/restless"
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
// [restless.ContextWithRequestID], where [restless.WriteError] and [Logger]
// find it, and sets it as the X-Request-Id response header.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(restless.ContextWithRequestID(r.Context(), id)))
	})
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
