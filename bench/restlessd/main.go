// Command restlessd is the restless side of the bench: the demo's person
// and computer resources over a bench/gen database, behind the middleware
// chain of cmd/restless (RequestID, Logger to io.Discard, Recover,
// MaxBytes).
//
// Usage:
//
//	go run ./bench/restlessd -db bench.db [-addr 127.0.0.1:0]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gorestless/restless/bench/internal/rlserver"
	"github.com/gorestless/restless/bench/internal/serve"
)

func main() {
	db := flag.String("db", "", "SQLite `file` written by bench/gen (required)")
	addr := flag.String("addr", "127.0.0.1:0", "loopback `address` to listen on; port 0 picks a free one")
	flag.Parse()
	if *db == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, err := os.Stat(*db); err != nil {
		fmt.Fprintln(os.Stderr, "restlessd:", err)
		os.Exit(1)
	}
	h, closeDB, err := rlserver.New(context.Background(), *db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "restlessd:", err)
		os.Exit(1)
	}
	err = serve.Run("restlessd", *addr, h)
	if cerr := closeDB(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "restlessd:", err)
		os.Exit(1)
	}
}
