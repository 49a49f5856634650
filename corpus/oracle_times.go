package corpus

import (
	"sync"
	"time"
)

// EngineTimes adds up the wall-clock time each engine of an oracle spent
// on calls, for reports. It is safe for concurrent use; nothing an oracle
// decides ever depends on it.
type EngineTimes struct {
	mu    sync.Mutex
	total []time.Duration
	runs  []uint64
}

func (t *EngineTimes) add(engine int, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.total) <= engine {
		t.total = append(t.total, 0)
		t.runs = append(t.runs, 0)
	}
	t.total[engine] += d
	t.runs[engine]++
}

// Snapshot returns each engine's total time and number of runs, by the
// engine's index in the oracle.
func (t *EngineTimes) Snapshot() (total []time.Duration, runs []uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Duration(nil), t.total...), append([]uint64(nil), t.runs...)
}
