//go:build unix

package bench

import "syscall"

// cpuNanos returns the CPU time (user + system) this process and its
// waited-for children have used, in nanoseconds. Benchmarks report it per
// op beside wall time because the machines they run on are often shared:
// CPU time barely moves when other processes compete for the cores, wall
// time does. The children's share is the wasm3 arm's processes.
func cpuNanos() int64 {
	var n int64
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			return 0
		}
		n += ru.Utime.Nano() + ru.Stime.Nano()
	}
	return n
}
