package restless

import (
	"net/http"

	"github.com/gorestless/restless/negotiate"
)

// Negotiate wraps next in JSON:API content negotiation (package negotiate)
// whose failures are written by [WriteError], so they carry the request id
// like every other error. It supports no extension: a request whose
// Content-Type applies one, the Atomic Operations extension included, gets
// a 415; the operations endpoint ([API.Operations]) negotiates on its own.
func Negotiate(next http.Handler) http.Handler {
	n := &negotiate.Negotiator{ErrorHandler: WriteError}
	return n.Handler(next)
}
