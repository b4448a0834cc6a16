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
	"github.com/gorestless/restless/bench/internal/rlserver"
	"github.com/gorestless/restless/bench/internal/serve"
)

func main() {
	serve.Main("restlessd", rlserver.New)
}
