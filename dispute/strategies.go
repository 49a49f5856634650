package dispute

import (
	"fmt"
	"strconv"
	"strings"
)

// flip returns r with its first byte inverted: a root that is certainly
// different.
func flip(r [32]byte) [32]byte {
	r[0] ^= 0xff
	return r
}

// flip2 changes a different byte than flip, so that flip2(flip(r)) is
// neither r nor flip(r).
func flip2(r [32]byte) [32]byte {
	r[1] ^= 0xff
	return r
}

// lieTrace wraps an honest trace and changes some of its roots.
type lieTrace struct {
	Trace
	root func(step uint64) ([32]byte, error)
}

func (l *lieTrace) RootAt(step uint64) ([32]byte, error) { return l.root(step) }

// WrongFinal is t with a wrong root after the last step only.
func WrongFinal(t Trace) Trace {
	return &lieTrace{Trace: t, root: func(s uint64) ([32]byte, error) {
		r, err := t.RootAt(s)
		if s == t.Len() {
			r = flip(r)
		}
		return r, err
	}}
}

// WrongAt is t with wrong roots at step at (0 < at) and at the end: a lie
// about one intermediate state besides the final claim.
func WrongAt(t Trace, at uint64) Trace {
	return &lieTrace{Trace: t, root: func(s uint64) ([32]byte, error) {
		r, err := t.RootAt(s)
		if s == at || s == t.Len() {
			r = flip(r)
		}
		return r, err
	}}
}

// Shifted is t consistently shifted by one step from step from on (from ≥
// 1): root(s) = t.root(s−1) for s ≥ from, as if one step had been a no-op.
// Every transition after from is a real one, only misnumbered.
func Shifted(t Trace, from uint64) Trace {
	if from < 1 {
		from = 1
	}
	return &lieTrace{Trace: t, root: func(s uint64) ([32]byte, error) {
		if s >= from {
			return t.RootAt(s - 1)
		}
		return t.RootAt(s)
	}}
}

// Staller plays like P until move After, then sends nothing.
type Staller struct {
	Party
	After uint64
}

// Move returns nil from move After on.
func (s *Staller) Move(v View) (*Move, error) {
	if v.Seq >= s.After {
		return nil, nil
	}
	return s.Party.Move(v)
}

// Forger plays like P but replaces its one-step proof with a forgery: the
// real proof of that step with its first byte flipped (40 zero bytes if P
// has none).
type Forger struct{ Party }

// Move forges the proof move.
func (f *Forger) Move(v View) (*Move, error) {
	mv, err := f.Party.Move(v)
	if v.Turn == Defender && v.Hi-v.Lo == 1 {
		if err != nil || mv == nil || len(mv.Proof) == 0 {
			return &Move{Seq: v.Seq, Kind: KindProof, Proof: make([]byte, 40)}, nil
		}
		p := append([]byte(nil), mv.Proof...)
		p[0] ^= 0xff
		mv.Proof = p
	}
	return mv, err
}

// Equivocator plays like P until move After, then states a second root
// for a step it already stated: as defender it re-sends its last split
// with one root changed; as challenger it picks the last sub-interval with
// a root at Hi other than the one it claimed there.
type Equivocator struct {
	Party
	After uint64
	sent  []Move
}

// Move equivocates once it can.
func (e *Equivocator) Move(v View) (*Move, error) {
	if v.Seq >= e.After {
		if v.Turn == Challenger && len(v.Points) >= 2 {
			return &Move{Seq: v.Seq, Kind: KindPick, Index: uint32(len(v.Points) - 2), Root: flip2(v.HiRoot[Challenger])}, nil
		}
		for i := len(e.sent) - 1; i >= 0; i-- {
			if old := e.sent[i]; old.Kind == KindSplit && len(old.Roots) > 0 {
				c := old
				c.Roots = append([][32]byte(nil), old.Roots...)
				c.Roots[0] = flip2(c.Roots[0])
				return &c, nil
			}
		}
	}
	mv, err := e.Party.Move(v)
	if mv != nil {
		e.sent = append(e.sent, *mv)
	}
	return mv, err
}

// Garbage plays like P but breaks every move it sends from move After on:
// a split with one root too many, a pick of a sub-interval that does not
// exist, an empty proof.
type Garbage struct {
	Party
	After uint64
}

// Move breaks the move.
func (g *Garbage) Move(v View) (*Move, error) {
	mv, err := g.Party.Move(v)
	if err != nil || mv == nil || v.Seq < g.After {
		return mv, err
	}
	switch mv.Kind {
	case KindSplit:
		mv.Roots = append(mv.Roots, [32]byte{})
	case KindPick:
		mv.Index = uint32(len(v.Points))
	case KindProof:
		mv.Seq++ // a proof for a slot that is not open
	}
	return mv, nil
}

// Strategies lists the names NewStrategy accepts (":N" takes a step or a
// move number; without it a default is chosen).
var Strategies = []string{"honest", "wrong-final", "wrong-at[:STEP]", "shifted[:STEP]",
	"equivocate[:MOVE]", "forge", "stall[:MOVE]", "garbage[:MOVE]"}

// NewStrategy builds the party called name for side over the honest trace
// t. Every dishonest strategy starts from a wrong claim (wrong-final
// unless it says otherwise), since a party that claims the true root has
// nothing to lie about.
func NewStrategy(name string, side Side, t Trace) (Party, error) {
	base, arg, hasArg := strings.Cut(name, ":")
	n := uint64(0)
	if hasArg {
		v, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("strategy %q: %w", name, err)
		}
		n = v
	}
	steps := t.Len()
	switch base {
	case "honest":
		return NewHonest(side, t), nil
	case "wrong-final":
		return NewHonest(side, WrongFinal(t)), nil
	case "wrong-at":
		if !hasArg {
			n = max(1, steps/3)
		}
		if n == 0 || n > steps {
			return nil, fmt.Errorf("strategy %q: step not in 1…%d", name, steps)
		}
		return NewHonest(side, WrongAt(t, n)), nil
	case "shifted":
		if !hasArg {
			n = steps/2 + 1
		}
		if n == 0 || n > steps {
			return nil, fmt.Errorf("strategy %q: step not in 1…%d", name, steps)
		}
		return NewHonest(side, Shifted(t, n)), nil
	case "equivocate":
		if !hasArg {
			n = 2
		}
		return &Equivocator{Party: NewHonest(side, WrongFinal(t)), After: n}, nil
	case "forge":
		return &Forger{Party: NewHonest(side, WrongFinal(t))}, nil
	case "stall":
		if !hasArg {
			n = 2
		}
		return &Staller{Party: NewHonest(side, WrongFinal(t)), After: n}, nil
	case "garbage":
		return &Garbage{Party: NewHonest(side, WrongFinal(t)), After: n}, nil
	}
	return nil, fmt.Errorf("strategy %q: want one of %s", name, strings.Join(Strategies, ", "))
}
