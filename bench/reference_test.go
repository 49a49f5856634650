package bench

import "testing"

// openReference is replaced once package trace can run workloads.
func openReference(tb testing.TB, w Workload, bin []byte) runner {
	tb.Skip("reference machine not wired yet")
	return nil
}

// referenceSteps returns the reference machine's step count for c on w, or 0
// if unknown.
func referenceSteps(tb testing.TB, w Workload, c Call) uint64 { return 0 }
