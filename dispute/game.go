package dispute

import (
	"errors"
	"fmt"
)

// Side is one of the two parties.
type Side uint8

// The defender claimed the final root first and must back it up; the
// challenger disputes it.
const (
	Defender Side = iota
	Challenger
)

func (s Side) String() string {
	switch s {
	case Defender:
		return "defender"
	case Challenger:
		return "challenger"
	}
	return fmt.Sprintf("side(%d)", uint8(s))
}

// Other returns the opposing side.
func (s Side) Other() Side { return 1 - s }

// ParseSide reads "defender" or "challenger".
func ParseSide(s string) (Side, error) {
	switch s {
	case "defender":
		return Defender, nil
	case "challenger":
		return Challenger, nil
	}
	return 0, fmt.Errorf("side %q: want defender or challenger", s)
}

// Reason says why a game ended.
type Reason uint8

// Ways a game ends. Every ending names a loser.
const (
	ReasonNone         Reason = iota // the game is not over
	ReasonProofValid                 // the one-step proof checked: the challenger loses
	ReasonProofInvalid               // the one-step proof failed or was malformed: the defender loses
	ReasonTimeout                    // the loser's clock ran out
	ReasonStalling                   // the loser let MaxIdle rounds in a row pass without a valid move
	ReasonEquivocation               // the loser sent two different moves for one slot, or two roots for one step
)

var reasonNames = [...]string{"none", "proof valid", "proof invalid", "timeout", "stalling", "equivocation"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Errors returned by Game.Submit. A rejected move by the party on turn
// still costs it the round.
var (
	ErrOver        = errors.New("game over")
	ErrNotYourTurn = errors.New("not your turn")
	ErrInvalidMove = errors.New("invalid move")
	ErrNoDispute   = errors.New("no dispute: the claims are equal")
	ErrConfig      = errors.New("invalid game config")
)

// Defaults for Config's zero fields.
const (
	DefaultGrace   = 8
	DefaultMaxIdle = 3
)

// Config fixes a game before it starts. Both parties and the arbiter
// agree on it: the arity, the execution's length and its initial root.
type Config struct {
	K       int      // arity: the defender posts K−1 roots per split; MinK … MaxK
	Steps   uint64   // T: the claims are roots after T steps; 1 … MaxSteps
	Initial [32]byte // the agreed root at step 0
	// Grace is how many rounds each party may waste (send nothing or an
	// invalid move) over the game on top of the moves it needs: its
	// clock's budget is its moves at the deepest narrowing plus Grace.
	// 0 means DefaultGrace.
	Grace uint64
	// MaxIdle is how many rounds in a row a party may let pass without a
	// valid move before it loses for stalling. 0 means DefaultMaxIdle.
	MaxIdle uint64
}

// Result is the outcome of a game.
type Result struct {
	Over   bool
	Winner Side
	Reason Reason
	Detail string // the rejected proof's error, the equivocating move, …
	Step   uint64 // the narrowed step (the proof's pre-state step), when the game got there
}

func (r Result) String() string {
	if !r.Over {
		return "not over"
	}
	s := fmt.Sprintf("%v wins (%v loses: %v)", r.Winner, r.Winner.Other(), r.Reason)
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

// Stats counts what a game cost, for choosing K (docs/dispute.md).
type Stats struct {
	Rounds      uint64 // rounds elapsed, idle ones included
	Moves       uint64 // accepted moves
	Bytes       uint64 // Move.Size summed over the accepted moves
	RootsPosted uint64 // roots the arbiter stored (split roots and pick roots)
	Checks      uint64 // one-step proofs the arbiter checked (0 or 1)
}

// Event is one round of a game, for transcripts.
type Event struct {
	Round uint64
	Side  Side
	Move  *Move // nil: no move within the round
	Err   string
}

// played is an accepted move and who made it.
type played struct {
	side Side
	move Move
}

// Game is the arbiter's state machine of one k-ary dispute game. It is
// deterministic: its state depends only on the sequence of Submit calls.
// Time is counted in rounds: every Submit by the party on turn is one
// round on that party's clock, whether it carries a valid move, an
// invalid one, or none (the transport maps "no move in time" to nil).
type Game struct {
	cfg     Config
	checker StepChecker

	lo, hi uint64
	gindex uint64
	loRoot [32]byte    // agreed root at lo
	hiRoot [2][32]byte // each side's root at hi
	points []uint64    // split points p_0 … p_m while the challenger is on turn
	roots  [][32]byte  // the defender's roots at points

	turn    Side
	used    [2]uint64
	budget  [2]uint64
	idle    [2]uint64
	stated  [2]map[uint64][32]byte // every root each side has stated, by step
	history []played
	events  []Event
	stats   Stats
	result  Result
}

// NewGame starts a game between a defender claiming root def and a
// challenger claiming root chal after cfg.Steps steps from cfg.Initial.
// The defender moves first.
func NewGame(cfg Config, checker StepChecker, def, chal [32]byte) (*Game, error) {
	if cfg.K < MinK || cfg.K > MaxK {
		return nil, fmt.Errorf("%w: k %d not in %d…%d", ErrConfig, cfg.K, MinK, MaxK)
	}
	if cfg.Steps < 1 || cfg.Steps > MaxSteps {
		return nil, fmt.Errorf("%w: steps %d not in 1…2^48", ErrConfig, cfg.Steps)
	}
	if checker == nil {
		return nil, fmt.Errorf("%w: no step checker", ErrConfig)
	}
	if def == chal {
		return nil, ErrNoDispute
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.MaxIdle == 0 {
		cfg.MaxIdle = DefaultMaxIdle
	}
	d := Depth(cfg.Steps, cfg.K)
	g := &Game{
		cfg: cfg, checker: checker,
		lo: 0, hi: cfg.Steps, gindex: 1,
		loRoot: cfg.Initial,
		hiRoot: [2][32]byte{def, chal},
		turn:   Defender,
		budget: [2]uint64{d + 1 + cfg.Grace, d + cfg.Grace},
	}
	for s := range g.stated {
		g.stated[s] = map[uint64][32]byte{0: cfg.Initial}
	}
	g.stated[Defender][cfg.Steps] = def
	g.stated[Challenger][cfg.Steps] = chal
	return g, nil
}

// Config returns the game's config with defaults filled in.
func (g *Game) Config() Config { return g.cfg }

// Result returns the outcome so far (Over is false while the game runs).
func (g *Game) Result() Result { return g.result }

// Over reports whether the game has ended.
func (g *Game) Over() bool { return g.result.Over }

// Turn returns the side expected to move.
func (g *Game) Turn() Side { return g.turn }

// Stats returns the game's costs so far.
func (g *Game) Stats() Stats { return g.stats }

// Events returns the transcript: one event per round, in order.
func (g *Game) Events() []Event { return g.events }

// View returns the public state both parties see.
func (g *Game) View() View {
	v := View{
		Seq: uint64(len(g.history)), Round: g.stats.Rounds, Turn: g.turn,
		K: g.cfg.K, Steps: g.cfg.Steps,
		Lo: g.lo, Hi: g.hi, Gindex: g.gindex,
		LoRoot: g.loRoot, HiRoot: g.hiRoot,
		Result: g.result,
	}
	for s := range v.Clock {
		v.Clock[s] = g.budget[s] - g.used[s]
	}
	if g.points != nil {
		v.Points = append([]uint64(nil), g.points...)
		v.Roots = append([][32]byte(nil), g.roots...)
	}
	return v
}

// Submit plays one round. from is the sender and mv its move, or nil when
// the party on turn sent nothing within the round. A move whose Seq is
// already taken is checked against the recorded one: the same move is
// ignored (a retransmission), a different one is equivocation and loses.
// Otherwise only the party on turn may submit (ErrNotYourTurn costs
// nothing); its round is charged whatever it sends, and a rejected move
// returns an error wrapping ErrInvalidMove.
func (g *Game) Submit(from Side, mv *Move) error {
	if g.result.Over {
		return ErrOver
	}
	if from > Challenger {
		return fmt.Errorf("%w: unknown side %d", ErrInvalidMove, from)
	}
	if mv != nil && mv.Seq < uint64(len(g.history)) {
		return g.checkPast(from, mv)
	}
	if from != g.turn {
		return fmt.Errorf("%w: %v moves next", ErrNotYourTurn, g.turn)
	}
	g.stats.Rounds++
	g.used[from]++
	ev := Event{Round: g.stats.Rounds, Side: from}
	if g.used[from] > g.budget[from] {
		// Its last valid move used up its clock: this round is past it.
		ev.Move = mv
		ev.Err = "clock used up"
		g.events = append(g.events, ev)
		g.end(from.Other(), ReasonTimeout, fmt.Sprintf("%v used all %d rounds of its clock", from, g.budget[from]))
		return ErrOver
	}
	var err error
	if mv != nil {
		c := *mv
		ev.Move = &c
		err = g.apply(from, mv)
	}
	if err != nil {
		ev.Err = err.Error()
	}
	g.events = append(g.events, ev)
	if mv != nil && err == nil {
		g.idle[from] = 0
		return nil
	}
	if g.result.Over { // the move itself ended the game (equivocation)
		return err
	}
	g.idle[from]++
	switch {
	case g.used[from] >= g.budget[from]:
		g.end(from.Other(), ReasonTimeout, fmt.Sprintf("%v used all %d rounds of its clock", from, g.budget[from]))
	case g.idle[from] >= g.cfg.MaxIdle:
		g.end(from.Other(), ReasonStalling, fmt.Sprintf("%v let %d rounds in a row pass without a valid move", from, g.idle[from]))
	}
	return err
}

// checkPast handles a move for a slot already filled.
func (g *Game) checkPast(from Side, mv *Move) error {
	p := g.history[mv.Seq]
	if p.side != from {
		return fmt.Errorf("%w: move %d was the %v's", ErrNotYourTurn, mv.Seq, p.side)
	}
	if p.move.Equal(mv) {
		return nil
	}
	g.end(from.Other(), ReasonEquivocation, fmt.Sprintf("%v sent %v after %v", from, mv, &p.move))
	return fmt.Errorf("%w: move %d differs from the one recorded", ErrInvalidMove, mv.Seq)
}

func (g *Game) end(winner Side, r Reason, detail string) {
	g.result = Result{Over: true, Winner: winner, Reason: r, Detail: detail, Step: g.lo}
	g.points, g.roots = nil, nil
}

// state records that side states root r at step s; a different root for
// a step it stated before is equivocation and ends the game.
func (g *Game) state(side Side, s uint64, r [32]byte) bool {
	if old, ok := g.stated[side][s]; ok && old != r {
		g.end(side.Other(), ReasonEquivocation,
			fmt.Sprintf("%v stated root %s at step %d after %s", side, short(r), s, short(old)))
		return false
	}
	g.stated[side][s] = r
	return true
}

// apply checks and applies a move by the party on turn.
func (g *Game) apply(from Side, mv *Move) error {
	seq := uint64(len(g.history))
	if mv.Seq != seq {
		return fmt.Errorf("%w: seq %d, want %d", ErrInvalidMove, mv.Seq, seq)
	}
	switch {
	case from == Defender && g.hi-g.lo > 1:
		if mv.Kind != KindSplit {
			return fmt.Errorf("%w: %v on [%d, %d], want split", ErrInvalidMove, mv.Kind, g.lo, g.hi)
		}
		pts := Split(g.lo, g.hi, g.cfg.K)
		if len(mv.Roots) != len(pts)-2 {
			return fmt.Errorf("%w: split of [%d, %d] has %d roots, want %d", ErrInvalidMove, g.lo, g.hi, len(mv.Roots), len(pts)-2)
		}
		for i, r := range mv.Roots {
			if !g.state(Defender, pts[i+1], r) {
				return fmt.Errorf("%w: equivocation at step %d", ErrInvalidMove, pts[i+1])
			}
		}
		g.points = pts
		g.roots = make([][32]byte, 0, len(pts))
		g.roots = append(g.roots, g.loRoot)
		g.roots = append(g.roots, mv.Roots...)
		g.roots = append(g.roots, g.hiRoot[Defender])
		g.stats.RootsPosted += uint64(len(mv.Roots))
		g.turn = Challenger
	case from == Challenger:
		if mv.Kind != KindPick {
			return fmt.Errorf("%w: %v, want pick", ErrInvalidMove, mv.Kind)
		}
		m := len(g.points) - 1
		if int64(mv.Index) >= int64(m) {
			return fmt.Errorf("%w: pick %d of %d sub-intervals", ErrInvalidMove, mv.Index, m)
		}
		j := int(mv.Index)
		end := g.points[j+1]
		if mv.Root == g.roots[j+1] {
			return fmt.Errorf("%w: pick %d: the challenger's root at step %d equals the defender's", ErrInvalidMove, j, end)
		}
		if !g.state(Challenger, end, mv.Root) {
			return fmt.Errorf("%w: equivocation at step %d", ErrInvalidMove, end)
		}
		// Picking sub-interval j means agreeing with the defender's root
		// at its start.
		if !g.state(Challenger, g.points[j], g.roots[j]) {
			return fmt.Errorf("%w: equivocation at step %d", ErrInvalidMove, g.points[j])
		}
		g.lo, g.hi = g.points[j], end
		g.loRoot = g.roots[j]
		g.hiRoot = [2][32]byte{g.roots[j+1], mv.Root}
		g.gindex = Gindex(g.gindex, g.cfg.K, j)
		g.points, g.roots = nil, nil
		g.stats.RootsPosted++
		g.turn = Defender
	default: // defender, one step left
		if mv.Kind != KindProof {
			return fmt.Errorf("%w: %v on one step [%d, %d], want proof", ErrInvalidMove, mv.Kind, g.lo, g.hi)
		}
		g.stats.Checks++
		ok, err := g.checker.CheckStep(g.lo, g.loRoot, g.hiRoot[Defender], mv.Proof)
		g.record(from, mv)
		switch {
		case err != nil:
			g.end(Challenger, ReasonProofInvalid, fmt.Sprintf("step %d: %v", g.lo, err))
		case !ok:
			g.end(Challenger, ReasonProofInvalid, fmt.Sprintf("step %d: proof rejected", g.lo))
		default:
			g.end(Defender, ReasonProofValid, fmt.Sprintf("step %d: %s -> %s", g.lo, short(g.loRoot), short(g.hiRoot[Defender])))
		}
		return nil
	}
	g.record(from, mv)
	return nil
}

func (g *Game) record(from Side, mv *Move) {
	c := *mv
	c.Roots = append([][32]byte(nil), mv.Roots...)
	c.Proof = append([]byte(nil), mv.Proof...)
	g.history = append(g.history, played{side: from, move: c})
	g.stats.Moves++
	g.stats.Bytes += uint64(mv.Size())
}
