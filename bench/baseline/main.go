// Command baseline is the bench's hand-written JSON:API server (package
// bench/internal/baseline): net/http, database/sql, modernc.org/sqlite and
// encoding/json, no restless code.
//
// Usage:
//
//	go run ./bench/baseline -db bench.db [-addr 127.0.0.1:0]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gorestless/restless/bench/internal/baseline"
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
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	s, err := baseline.Open(context.Background(), *db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	err = serve.Run("baseline", *addr, s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}
