package restless_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// handler, database pool or server a test forgot to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
