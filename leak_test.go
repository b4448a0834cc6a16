package restless_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// handler, database pool or server a test forgot to stop. A test binary
// started again as a child server (the multi-process job, replica and
// kill tests) is not checked: it ends on a signal or a closed standard
// input, with that input's reader still blocked, and its parent checks
// how it ended.
func TestMain(m *testing.M) {
	for _, v := range []string{envJobServer, envReplica, killChildEnv} {
		if os.Getenv(v) != "" {
			os.Exit(m.Run())
		}
	}
	goleak.VerifyTestMain(m)
}
