// Command gen writes the bench's SQLite database: demo.Schema's person and
// computer tables (without the three seed rows) holding 10,000 persons and
// 30,000 computers with deterministic values, and an index on
// computer.owner_id.
//
// Usage:
//
//	go run ./bench/gen -out bench.db [-persons 10000] [-computers 30000] [-force]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gorestless/restless/bench/internal/gendata"
)

func main() {
	out := flag.String("out", "", "`file` to write (required)")
	persons := flag.Int("persons", gendata.Persons, "number of persons")
	computers := flag.Int("computers", gendata.Computers, "number of computers")
	force := flag.Bool("force", false, "replace the file if it exists")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *force {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(*out + suffix); err != nil && !os.IsNotExist(err) {
				fmt.Fprintln(os.Stderr, "gen:", err)
				os.Exit(1)
			}
		}
	}
	start := time.Now()
	if err := gendata.Generate(context.Background(), *out, *persons, *computers); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %s: %d persons, %d computers in %v\n", *out, *persons, *computers, time.Since(start).Round(time.Millisecond))
}
