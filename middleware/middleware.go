// Package middleware provides the net/http middleware a restless API is
// usually served with: request ids, access logging, panic recovery, CORS
// (built on github.com/rs/cors) and a request-body limit.
//
// A middleware is a func(http.Handler) http.Handler. Middleware that needs
// no configuration, such as [RequestID] and [Recover], is one itself;
// configurable middleware, such as [Logger] and [MaxBytes], is built by a
// constructor that checks its arguments once and panics on programmer error,
// never per request. [Chain] composes middleware.
//
// Other concerns live elsewhere: content negotiation is in package
// github.com/gorestless/restless/negotiate and JSONP in package
// github.com/gorestless/restless/jsonp.
//
// A typical order, outermost first, is
//
//	middleware.Chain(
//		middleware.RequestID,       // every later layer sees the id
//		middleware.Logger(logger),  // records the 500 a panic becomes
//		middleware.Recover,
//		cors.Handler,               // preflights stop here; errors below keep CORS headers
//		jsonp.New(jsonp.Options{ErrorHandler: restless.WriteError}),
//		middleware.MaxBytes(restless.DefaultMaxBodyBytes),
//		// then the API's handler, which negotiates content itself
//	)
package middleware

import (
	"net/http"
	"strconv"

	"github.com/gorestless/restless/jsonapi"
)

// Chain returns a middleware that applies mws in order: the first listed is
// the outermost, so it sees the request first and the response last. Chain
// with no arguments returns a middleware that returns its handler unchanged.
// Chain panics if any of mws is nil.
func Chain(mws ...func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	for i, mw := range mws {
		if mw == nil {
			panic("middleware: Chain: middleware " + strconv.Itoa(i) + " is nil")
		}
	}
	mws = append([]func(http.Handler) http.Handler(nil), mws...)
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}
}

// writeError replies with e, an error document whose id is the request
// id, as the handlers of package restless write theirs.
func writeError(w http.ResponseWriter, r *http.Request, e *jsonapi.Error) {
	c := *e
	if c.ID == "" {
		c.ID = requestID(w, r)
	}
	jsonapi.WriteErrors(w, jsonapi.MediaType, c.Status, &c)
}
