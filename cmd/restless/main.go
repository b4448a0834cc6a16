// Command restless serves a database as a JSON:API 1.1 service: a SQLite
// file (-db), a PostgreSQL database (-dsn) or, with neither, an embedded
// demo of people, their computers and seed 004's users. Tables become
// resources by the rules of package introspect.
//
// Usage:
//
//	restless [-db FILE | -dsn postgres://...] [-addr 127.0.0.1:8080] [-prefix /api] [flags]
//
// On SIGTERM or SIGINT it stops accepting connections, lets requests in
// flight finish for up to -shutdown-timeout and closes the database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gorestless/restless"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(args []string, stderr io.Writer) int {
	m := NewMain()
	m.Stderr = stderr
	if err := m.ParseFlags(args, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "restless:", err)
		m.Close()
		return 1
	}
	m.Logger.Info("restless: serving", "url", m.URL())
	err := m.Wait(ctx)
	// A second signal during the shutdown ends the process at once.
	stop()
	if err != nil {
		m.Logger.Error("restless: server failed", "err", err)
	} else {
		m.Logger.Info("restless: shutting down", "timeout", m.ShutdownTimeout)
	}
	if cerr := m.Close(); cerr != nil {
		m.Logger.Error("restless: shutdown", "err", cerr)
		return 1
	}
	if err != nil {
		return 1
	}
	m.Logger.Info("restless: stopped")
	return 0
}

// Main is the command: its configuration and the resources it holds while
// running. Tests run the real command through it: NewMain, ParseFlags,
// Run (with -addr 127.0.0.1:0), URL, Close.
type Main struct {
	// Addr is the address to listen on.
	Addr string
	// Prefix is the URL path of the API.
	Prefix string
	// DBFile is the SQLite file to serve.
	DBFile string
	// DSN is the PostgreSQL database to serve.
	DSN string
	// Schema is the PostgreSQL schema to serve.
	Schema string
	// Tables, ExcludeColumns, WriteOnly and Rename adjust introspection;
	// see package introspect.
	Tables, ExcludeColumns, WriteOnly, Rename []string
	// ReadOnly refuses every write.
	ReadOnly bool
	// ClientIDs lets clients choose ids on every table.
	ClientIDs bool
	// SoftDelete lists table.column entries whose DELETE deactivates.
	SoftDelete []string
	// Bulk lists tables allowing bulk changes by filter.
	Bulk []string
	// PageSize, MaxPageSize and MaxBodyBytes configure the API; zero
	// means its defaults.
	PageSize, MaxPageSize int
	MaxBodyBytes          int64
	// CORSOrigins lists the origins allowed cross-origin access.
	CORSOrigins []string
	// JSONP answers GET requests with a callback with JSONP.
	JSONP bool
	// TrustForwarded builds links from X-Forwarded-* headers.
	TrustForwarded bool
	// LogFormat is "text" or "json".
	LogFormat string
	// The http.Server's timeouts.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds how long Close waits for requests in flight.
	ShutdownTimeout time.Duration
	// Stderr receives the log; nil means os.Stderr.
	Stderr io.Writer
	// Logger is the log; Run makes it from LogFormat and Stderr unless
	// it is set.
	Logger *slog.Logger

	api     *restless.API // for tests: the rows behind the service
	closeDB func() error
	ln      net.Listener
	server  *http.Server
	done    chan error
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{
		Addr:              "127.0.0.1:8080",
		Prefix:            "/api",
		LogFormat:         "text",
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ShutdownTimeout:   20 * time.Second,
	}
}

func (m *Main) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	out := m.Stderr
	if out == nil {
		out = os.Stderr
	}
	if m.LogFormat == "json" {
		m.Logger = slog.New(slog.NewJSONHandler(out, nil))
	} else {
		m.Logger = slog.New(slog.NewTextHandler(out, nil))
	}
	return m.Logger
}

// Run opens the database, reads its tables, starts listening and serves
// in the background. After an error, call Close.
func (m *Main) Run(ctx context.Context) error {
	log := m.logger()
	h, err := m.handler(ctx)
	if err != nil {
		return err
	}
	// Background work (the job runner, API.Jobs) starts here, once the
	// database is open, and stops in Close before the database closes.
	if m.ln, err = net.Listen("tcp", m.Addr); err != nil {
		return err
	}
	m.server = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: m.ReadHeaderTimeout,
		ReadTimeout:       m.ReadTimeout,
		WriteTimeout:      m.WriteTimeout,
		IdleTimeout:       m.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(m.ln) }()
	return nil
}

// URL returns the API's URL once Run has started listening.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return "http://" + m.ln.Addr().String() + m.Prefix
}

// Wait blocks until ctx is done (a signal arrived) or the server fails,
// and returns the failure.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.done:
		m.done <- err // for Close
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Close stops accepting connections, lets requests in flight finish for
// up to ShutdownTimeout, stops background work and closes the database.
// Calling it again does nothing.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.ShutdownTimeout)
		if err := m.server.Shutdown(ctx); err != nil {
			// Requests still running at the deadline are cut off.
			errs = append(errs, fmt.Errorf("requests in flight did not finish within %v: %w", m.ShutdownTimeout, err))
			m.server.Close()
		}
		cancel()
		if err := <-m.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.server = nil
	}
	if m.closeDB != nil {
		errs = append(errs, m.closeDB())
		m.closeDB = nil
	}
	return errors.Join(errs...)
}
