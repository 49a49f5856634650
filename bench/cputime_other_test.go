//go:build !unix

package bench

// cpuNanos is unknown on this platform; the cpu-ns/op metric is then omitted.
func cpuNanos() int64 { return 0 }
