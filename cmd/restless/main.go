// Command restless serves a database as a JSON:API 1.1 service. With no
// database named it serves an embedded demo: people and their computers.
//
// Usage:
//
//	restless [-addr 127.0.0.1:8080] [-prefix /api]
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
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/middleware"
	"github.com/gorestless/restless/openapi"
	"github.com/gorestless/restless/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "restless:", err)
		m.Close()
		os.Exit(1)
	}
	m.Logger.Info("restless: serving", "url", m.URL())
	<-ctx.Done()
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "restless:", err)
		os.Exit(1)
	}
}

// Main is the command: its configuration and the resources it holds while
// running. Tests run the real command through it.
type Main struct {
	// Addr is the address to listen on.
	Addr string
	// Prefix is the URL path of the API.
	Prefix string
	// Logger receives the request log.
	Logger *slog.Logger

	db     *sqlite.DB
	ln     net.Listener
	server *http.Server
	done   chan error
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Addr: "127.0.0.1:8080", Prefix: "/api", Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
}

// ParseFlags reads the command line; usage and errors go to out.
func (m *Main) ParseFlags(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restless", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&m.Addr, "addr", m.Addr, "`address` to listen on")
	fs.StringVar(&m.Prefix, "prefix", m.Prefix, "URL `path` of the API")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(out, "restless: unexpected argument %q\n", fs.Arg(0))
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// Run opens the database, starts listening and serves in the background.
func (m *Main) Run(ctx context.Context) error {
	var err error
	if m.db, err = demo.Open(ctx); err != nil {
		return err
	}
	api := &restless.API{
		DB:      m.db.Reader,
		WriteDB: m.db.Writer,
		Dialect: sqlite.Dialect,
		Prefix:  m.Prefix,
		Logger:  m.Logger,
	}
	res := demo.Resources()
	if api.Description, err = openapi.Handler(api, res...); err != nil {
		return err
	}
	h, err := api.Handler(res...)
	if err != nil {
		return err
	}
	// RequestID first so every later layer logs and reports the id; the
	// logger outside Recover so it records the 500 a panic becomes.
	h = middleware.Chain(
		middleware.RequestID,
		middleware.Logger(m.Logger),
		middleware.Recover,
		middleware.MaxBytes(restless.DefaultMaxBodyBytes),
	)(h)
	if m.ln, err = net.Listen("tcp", m.Addr); err != nil {
		return err
	}
	m.server = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
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

// Close stops serving, letting requests in flight finish for up to ten
// seconds, and closes the database. Calling it again does nothing.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		defer func() { m.server = nil }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.server.Shutdown(ctx))
		if err := <-m.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
		m.db = nil
	}
	return errors.Join(errs...)
}
