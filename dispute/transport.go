package dispute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// View is the public state of a game, as the arbiter shows it to both
// parties before each round.
type View struct {
	Seq    uint64 // the next move's Seq
	Round  uint64 // rounds elapsed
	Turn   Side
	K      int
	Steps  uint64
	Lo, Hi uint64      // the disputed interval
	Gindex uint64      // its generalized index (position.go)
	LoRoot [32]byte    // the agreed root at Lo
	HiRoot [2][32]byte // each side's root at Hi
	Points []uint64    // while the challenger is on turn: the split points p_0 … p_m
	Roots  [][32]byte  // and the defender's roots at them (p_0: LoRoot, p_m: HiRoot[Defender])
	Clock  [2]uint64   // rounds left on each side's clock
	Result Result
}

// Party is one side's player: an independent value that sees only views.
type Party interface {
	// Claim returns the root the party claims after steps steps.
	Claim(steps uint64) ([32]byte, error)
	// Move returns the party's move for view v, in which it is on turn, or
	// nil to send nothing this round.
	Move(v View) (*Move, error)
}

// Transport carries a game's messages between the arbiter and the two
// parties. The arbiter (Play) calls it; the parties sit at its far end.
type Transport interface {
	// Claim asks side for its claimed final root.
	Claim(ctx context.Context, side Side, steps uint64) ([32]byte, error)
	// Exchange shows side the view v (in which it is on turn) and returns
	// its move. A nil move with a nil error means nothing arrived within
	// the round (ctx's deadline).
	Exchange(ctx context.Context, side Side, v View) (*Move, error)
	// Finish shows both parties the final view.
	Finish(ctx context.Context, v View)
}

// PlayOptions tunes Play.
type PlayOptions struct {
	// Round bounds how long the arbiter waits for one move (0: no bound);
	// a move that does not arrive in time is "no move" for that round.
	// Only the transport sees wall time; the game counts rounds.
	Round time.Duration
	// OnEvent, if set, is called after every round.
	OnEvent func(Event)
}

// Play runs a whole game over tr: it collects both claims, then asks the
// party on turn for a move each round until the game ends. It returns the
// finished game, or an error if the game could not start (equal claims:
// ErrNoDispute; a party that cannot state a claim loses nothing: there is
// no game; the parties are shown a finished view with ReasonNone).
func Play(ctx context.Context, cfg Config, checker StepChecker, tr Transport, opt PlayOptions) (*Game, error) {
	var claims [2][32]byte
	for s := Defender; s <= Challenger; s++ {
		c, err := tr.Claim(ctx, s, cfg.Steps)
		if err != nil {
			return nil, fmt.Errorf("%v claim: %w", s, err)
		}
		claims[s] = c
	}
	g, err := NewGame(cfg, checker, claims[Defender], claims[Challenger])
	if errors.Is(err, ErrNoDispute) {
		// Tell the parties: an over game with no reason and no loser.
		tr.Finish(ctx, View{K: cfg.K, Steps: cfg.Steps, Hi: cfg.Steps, Gindex: 1, LoRoot: cfg.Initial,
			HiRoot: claims, Result: Result{Over: true, Reason: ReasonNone, Detail: "no dispute: the claims are equal"}})
	}
	if err != nil {
		return nil, err
	}
	for !g.Over() {
		if err := ctx.Err(); err != nil {
			return g, err
		}
		side := g.Turn()
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if opt.Round > 0 {
			rctx, cancel = context.WithTimeout(ctx, opt.Round)
		}
		mv, xerr := tr.Exchange(rctx, side, g.View())
		cancel()
		if xerr != nil {
			mv = nil // a party or link failure is no move
		}
		_ = g.Submit(side, mv) // a rejection is recorded in the event and costs the round
		if opt.OnEvent != nil {
			evs := g.Events()
			if len(evs) > 0 {
				opt.OnEvent(evs[len(evs)-1])
			}
		}
	}
	tr.Finish(ctx, g.View())
	return g, nil
}

// Local is the in-memory transport: it calls the two parties directly.
// With Wire set it also passes every move through its JSON encoding, as
// the HTTP transport does.
type Local struct {
	Parties [2]Party
	Wire    bool
}

// Claim asks the party.
func (l *Local) Claim(_ context.Context, side Side, steps uint64) ([32]byte, error) {
	return l.Parties[side].Claim(steps)
}

// Exchange calls the party on turn.
func (l *Local) Exchange(_ context.Context, side Side, v View) (*Move, error) {
	mv, err := l.Parties[side].Move(v)
	if err != nil || mv == nil || !l.Wire {
		return mv, err
	}
	b, err := json.Marshal(mv)
	if err != nil {
		return nil, err
	}
	var back Move
	if err := json.Unmarshal(b, &back); err != nil {
		return nil, err
	}
	return &back, nil
}

// Finish does nothing: local parties need no notice.
func (l *Local) Finish(context.Context, View) {}
