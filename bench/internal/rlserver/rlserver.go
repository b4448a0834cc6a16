// Package rlserver builds the restless side of the bench the way
// cmd/restless does: sqlite.Open, the demo's person and computer
// resources, api.Handler and the command's middleware chain, with the
// request log going to io.Discard.
package rlserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/sqlite"
)

// New opens the database file at path and returns the handler serving it
// under /api, and a function closing the database.
func New(ctx context.Context, path string) (http.Handler, func() error, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := &restless.API{
		DB:      db.Reader,
		WriteDB: db.Writer,
		Dialect: sqlite.Dialect,
		Prefix:  "/api",
		Logger:  logger,
	}
	h, err := api.Handler(demo.Person(), demo.Computer())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	h = middleware.Chain(
		middleware.RequestID,
		middleware.Logger(logger),
		middleware.Recover,
		middleware.MaxBytes(restless.DefaultMaxBodyBytes),
	)(h)
	return h, db.Close, nil
}
