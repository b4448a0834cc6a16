//go:build !race

package restless_test

// raceEnabled says the tests run under the race detector.
const raceEnabled = false
