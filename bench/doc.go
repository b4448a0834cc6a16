// Package bench compares restless with a hand-written net/http server that
// serves the same JSON:API documents from the same SQLite database.
//
//   - bench/gen writes the database: 10,000 persons and 30,000 computers.
//   - bench/baseline is the hand-written server (bench/internal/baseline).
//   - bench/restlessd is restless as cmd/restless runs it.
//   - bench/run.sh loads both with wrk, in alternation, and prints
//     requests/s, p99 latency, their ratio and peak RSS per scenario.
//   - bench_test.go has the same scenarios as in-process Go benchmarks,
//     and a test that the two servers answer with the same documents.
//
// See README.md.
package bench
