// Package serve runs a bench server: it listens on a loopback address,
// reports the address it got on stderr ("listening http://ADDR") so a
// script can ask for port 0, and shuts down on SIGINT or SIGTERM.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Main is the whole command of a bench server called name: it reads the
// flags -db (the bench/gen file, required) and -addr (default
// 127.0.0.1:0), opens the server with open, runs it until a signal
// arrives, closes it and exits non-zero on any failure.
func Main(name string, open func(ctx context.Context, file string) (http.Handler, func() error, error)) {
	db := flag.String("db", "", "SQLite `file` written by bench/gen (required)")
	addr := flag.String("addr", "127.0.0.1:0", "loopback `address` to listen on; port 0 picks a free one")
	flag.Parse()
	if *db == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	if _, err := os.Stat(*db); err != nil {
		fail(err)
	}
	h, closeDB, err := open(context.Background(), *db)
	if err != nil {
		fail(err)
	}
	err = Run(name, *addr, h)
	if cerr := closeDB(); err == nil {
		err = cerr
	}
	if err != nil {
		fail(err)
	}
}

// Run serves h on addr until a signal arrives. addr must be a loopback
// address: the bench never listens on other interfaces.
func Run(name, addr string, h http.Handler) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: -addr must be a loopback IP such as 127.0.0.1:0, not %q", name, addr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(os.Stderr, "%s: listening http://%s pid %d\n", name, ln.Addr(), os.Getpid())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
