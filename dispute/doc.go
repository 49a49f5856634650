// Package dispute settles a disagreement about an execution by checking
// one step of it. Two parties claim different roots for the state after
// the same T steps from an agreed initial root; a k-ary game narrows the
// disagreement to a single step, and the arbiter checks a one-step proof
// of that step. The rules are in docs/dispute.md.
//
// The package owns the game (game.go: a deterministic state machine with
// moves, turns, clocks counted in rounds, and a loser for every ending),
// the positions it moves through (position.go), the parties (party.go:
// the honest one; strategies.go: dishonest ones to test against), the
// transports that connect them (transport.go: in memory; http.go: HTTP on
// loopback or further), and the arbiter's base case (arbiter.go: the
// StepChecker interface). It checks proofs from proof bytes and roots
// only and must not import trace/: a trace over the reference machine
// lives in dispute/reftrace.
//
// # Numbering
//
// Game positions are generalized indices (gindex), as in merkle/: the
// whole interval [0, T] is 1, and the children of position g are
// k·(g−1)+2 … k·g+1, one per sub-interval, left to right. For k = 2 that
// is the binary 2g, 2g+1. With k = 4 and T = 16:
//
//	gindex 1            [0, 16]      the defender posts roots at 4, 8, 12
//	gindex 2 3 4 5      [0, 4] [4, 8] [8, 12] [12, 16]
//	children of 3:      4·(3−1)+2 = 10 … 4·3+1 = 13
//	gindex 10 11 12 13  [4, 5] [5, 6] [6, 7] [7, 8]   one step each
//	children of 5:      18 … 21 = [12, 13] … [15, 16]
//
// If the challenger disputes [4, 8] (picks sub-interval 1 of gindex 1) and
// then [6, 7] (sub-interval 2 of gindex 3), the game ends at gindex 12 and
// the defender must prove step 6 → 7. An interval of n < k steps splits
// into n single steps; the unused child numbers stay unused, so a gindex
// names the same interval in every game over the same T and k (Interval
// computes it). The split points are p_i = lo + ⌊i·(hi−lo)/m⌋ with
// m = min(k, hi−lo) (Split): for T = 10, k = 4 they are 0, 2, 5, 7, 10.
package dispute
