//go:build race

package restless_test

// raceEnabled says the tests run under the race detector, which makes
// them 5 to 20 times slower: the long loops then run their short variant.
const raceEnabled = true
