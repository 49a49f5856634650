//go:build !unix

package merkle

import "time"

// cpuTime is unavailable here; cpu-ns/op then reports 0.
func cpuTime() time.Duration { return 0 }
