package middleware

import (
	"net/http"

	"strconv"

	"github.com/gorestless/restless/jsonapi"
)

// MaxBytes returns a middleware that limits request bodies to n bytes. A
// request whose Content-Length exceeds n is answered at once with a JSON:API
// error document of status 413, without calling the next handler. Any other
// body is wrapped with [http.MaxBytesReader], so a handler reading more than
// n bytes gets an [*http.MaxBytesError], which package restless answers
// with 413 too. MaxBytes panics if n is not positive.
func MaxBytes(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		panic("middleware: MaxBytes limit must be positive")
	}
	tooLarge := &jsonapi.Error{Status: http.StatusRequestEntityTooLarge, Title: http.StatusText(http.StatusRequestEntityTooLarge),
		Detail: "The request body is larger than " + strconv.FormatInt(n, 10) + " bytes."}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				writeError(w, r, tooLarge)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			// Handlers must not modify the request they are given, so
			// the limited body goes on a shallow copy.
			r2 := *r
			r2.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, &r2)
		})
	}
}
