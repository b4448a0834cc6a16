//go:build unix

package bench_test

import "syscall"

// cpuTime returns the CPU time, user and system, the process has used so
// far, in nanoseconds. On a shared machine the CPU time per request
// (cpu-ns/op) varies far less than the wall time (ns/op), which also
// counts the time other processes hold the cores.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
