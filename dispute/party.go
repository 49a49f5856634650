package dispute

import (
	"errors"
	"fmt"
)

// Trace is one party's view of an execution: its roots after every step
// and one-step proofs. Len is the number of steps; roots exist for steps
// 0 … Len. ProveStep(s) proves the transition from the state after s
// steps to the state after s+1, for s < Len.
type Trace interface {
	Len() uint64
	RootAt(step uint64) ([32]byte, error)
	ProveStep(step uint64) ([]byte, error)
}

// Honest plays by the rules from its trace: as defender it posts its roots
// at the split points and finally its proof; as challenger it picks the
// first sub-interval whose end root differs from its own. Both are the
// only moves that cannot lose when the trace is right: the defender's
// roots are all true, so any single step it is asked to prove has a valid
// proof; the challenger keeps the invariant "agree at Lo, disagree at
// Hi", so the defender is finally asked to prove a false step.
type Honest struct {
	Side  Side
	Trace Trace

	// RootCalls counts RootAt calls, for the cost tables.
	RootCalls uint64
}

// NewHonest returns an honest party for side over t.
func NewHonest(side Side, t Trace) *Honest { return &Honest{Side: side, Trace: t} }

// errBadView reports a view the honest party cannot act on.
var errBadView = errors.New("view inconsistent with the trace")

// Claim returns the trace's root after steps steps.
func (h *Honest) Claim(steps uint64) ([32]byte, error) {
	if steps != h.Trace.Len() {
		return [32]byte{}, fmt.Errorf("%w: game over %d steps, trace has %d", errBadView, steps, h.Trace.Len())
	}
	return h.root(steps)
}

func (h *Honest) root(s uint64) ([32]byte, error) {
	h.RootCalls++
	return h.Trace.RootAt(s)
}

// Move returns the honest move for v.
func (h *Honest) Move(v View) (*Move, error) {
	if v.Result.Over || v.Turn != h.Side {
		return nil, nil
	}
	if v.Steps != h.Trace.Len() {
		return nil, fmt.Errorf("%w: game over %d steps, trace has %d", errBadView, v.Steps, h.Trace.Len())
	}
	if h.Side == Defender {
		return h.defend(v)
	}
	return h.challenge(v)
}

func (h *Honest) defend(v View) (*Move, error) {
	if v.Hi-v.Lo == 1 {
		p, err := h.Trace.ProveStep(v.Lo)
		if err != nil {
			return nil, fmt.Errorf("prove step %d: %w", v.Lo, err)
		}
		return &Move{Seq: v.Seq, Kind: KindProof, Proof: p}, nil
	}
	pts := Split(v.Lo, v.Hi, v.K)
	if len(pts) < 3 {
		return nil, fmt.Errorf("%w: interval [%d, %d]", errBadView, v.Lo, v.Hi)
	}
	roots := make([][32]byte, len(pts)-2)
	for i := range roots {
		r, err := h.root(pts[i+1])
		if err != nil {
			return nil, fmt.Errorf("root at step %d: %w", pts[i+1], err)
		}
		roots[i] = r
	}
	return &Move{Seq: v.Seq, Kind: KindSplit, Roots: roots}, nil
}

func (h *Honest) challenge(v View) (*Move, error) {
	if len(v.Points) < 2 || len(v.Roots) != len(v.Points) {
		return nil, fmt.Errorf("%w: no split to pick from", errBadView)
	}
	for j := 1; j < len(v.Points); j++ {
		mine, err := h.root(v.Points[j])
		if err != nil {
			return nil, fmt.Errorf("root at step %d: %w", v.Points[j], err)
		}
		if mine != v.Roots[j] {
			return &Move{Seq: v.Seq, Kind: KindPick, Index: uint32(j - 1), Root: mine}, nil
		}
	}
	// Agreeing with every root including the defender's at Hi cannot
	// happen while the challenger's own root at Hi differs from it.
	return nil, fmt.Errorf("%w: agree with every root of [%d, %d]", errBadView, v.Lo, v.Hi)
}
