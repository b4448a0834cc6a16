package restless

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/middleware"
)

// WriteError replies to r with err as a JSON:API error document: the
// error objects jsonapi.ErrorObjects gives err (an *jsonapi.Error its own
// status, resource.ErrNotFound 404, a query parameter's error 400 with
// source.parameter, a body over its limit 413, a cancelled request 503,
// anything else a 500 that says only that the request failed), with the
// request id (see package middleware) as the id of each. Several errors
// share the most general status of theirs. A 503 carries Retry-After.
//
// The causes of 500s are logged with slog.Default(); the API's own
// handlers log them with the API's Logger.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, slog.Default(), err)
}

// writeError is WriteError logging with the API's Logger.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, a.logger(), err)
}

func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	errs := errorObjects(r.Context(), log, err)
	status := jsonapi.StatusOf(errs)
	if retryAfter(err) {
		w.Header().Set("Retry-After", "1")
	}
	id := middleware.RequestIDFromContext(r.Context())
	for _, e := range errs {
		if e.ID == "" {
			e.ID = id
		}
	}
	jsonapi.WriteErrors(w, contentType(r), status, errs...)
}

// errorObjects returns the error objects of err, logging with log the
// causes the client is not shown.
func errorObjects(ctx context.Context, log *slog.Logger, err error) []*jsonapi.Error {
	errs := jsonapi.ErrorObjects(err)
	for _, e := range errs {
		if e.Status >= http.StatusInternalServerError && e.Err != nil {
			log.ErrorContext(ctx, "restless: request failed", "status", e.Status, "err", e.Err,
				"request_id", middleware.RequestIDFromContext(ctx))
		}
	}
	return errs
}

// retryAfter reports whether a reply to err asks the client to try again
// shortly: a 503 the server chose (a busy database, a full job queue) or
// a request that took too long; not a client that went away.
func retryAfter(err error) bool {
	var e *jsonapi.Error
	return errors.As(err, &e) && e.Status == http.StatusServiceUnavailable || errors.Is(err, context.DeadlineExceeded)
}
