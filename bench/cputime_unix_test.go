//go:build unix

package bench

import "syscall"

// cpuNanos returns the CPU time (user + system) this process has used, in
// nanoseconds. Benchmarks report it per op beside wall time because the
// machines they run on are often shared: CPU time barely moves when other
// processes compete for the cores, wall time does.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
