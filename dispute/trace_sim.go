package dispute

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// simLabel separates simulated roots from every other hash.
const simLabel = "referee/sim-root/v1"

// SimRoot is the root of a simulated trace with the given seed after
// step steps: sha256(label ‖ seed ‖ step as 8 big-endian bytes). Roots
// are random-access, so traces of 10^9 steps cost nothing to build.
func SimRoot(seed [32]byte, step uint64) [32]byte {
	var b [len(simLabel) + 32 + 8]byte
	copy(b[:], simLabel)
	copy(b[len(simLabel):], seed[:])
	binary.BigEndian.PutUint64(b[len(simLabel)+32:], step)
	return sha256.Sum256(b[:])
}

// SimTrace is a simulated execution of N steps. Its one-step proof of
// step s is the preimage seed ‖ s (40 bytes), which SimChecker checks by
// recomputing both roots: a stand-in for real one-step proofs whose
// soundness rests on sha256 alone.
type SimTrace struct {
	Seed [32]byte
	N    uint64
}

// Len returns N.
func (t *SimTrace) Len() uint64 { return t.N }

// RootAt returns SimRoot(Seed, step).
func (t *SimTrace) RootAt(step uint64) ([32]byte, error) {
	if step > t.N {
		return [32]byte{}, fmt.Errorf("step %d beyond the trace's %d steps", step, t.N)
	}
	return SimRoot(t.Seed, step), nil
}

// ProveStep returns the 40-byte preimage proof of step.
func (t *SimTrace) ProveStep(step uint64) ([]byte, error) {
	if step >= t.N {
		return nil, fmt.Errorf("step %d: no transition after the trace's %d steps", step, t.N)
	}
	p := make([]byte, 40)
	copy(p, t.Seed[:])
	binary.BigEndian.PutUint64(p[32:], step)
	return p, nil
}

// SimChecker checks SimTrace proofs: the proof must be seed ‖ step for
// the step being disputed, with SimRoot(seed, step) = pre and
// SimRoot(seed, step+1) = post.
type SimChecker struct{}

// CheckStep implements StepChecker.
func (SimChecker) CheckStep(step uint64, pre, post [32]byte, proof []byte) (bool, error) {
	if len(proof) != 40 {
		return false, fmt.Errorf("sim proof: %d bytes, want 40", len(proof))
	}
	var seed [32]byte
	copy(seed[:], proof)
	if s := binary.BigEndian.Uint64(proof[32:]); s != step {
		return false, fmt.Errorf("sim proof: step %d at byte 32, want %d", s, step)
	}
	return SimRoot(seed, step) == pre && SimRoot(seed, step+1) == post, nil
}
