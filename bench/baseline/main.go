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
	"net/http"

	"github.com/gorestless/restless/bench/internal/baseline"
	"github.com/gorestless/restless/bench/internal/serve"
)

func main() {
	serve.Main("baseline", func(ctx context.Context, file string) (http.Handler, func() error, error) {
		s, err := baseline.Open(ctx, file)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	})
}
