package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/onchain/game"
	"github.com/refereevm/referee/trace"
)

func playCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	k := fs.Int("k", 16, "arity: the defender posts `K`-1 roots per split")
	sim := fs.Uint64("sim", 0, "play over a simulated trace of `N` steps")
	seed := fs.Uint64("seed", 1, "the simulated trace's `seed`")
	every := fs.Uint64("every", 4096, "reference machine: keep a snapshot every `C` steps")
	proofKind := fs.String("proof", "merkle", "reference machine: `merkle` roots and proofs (the only kind a contract can check)")
	defName := fs.String("defender", "honest", "the defender's `strategy`")
	chalName := fs.String("challenger", "wrong-final", "the challenger's `strategy`")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee-onchain play: "+format+"\n", a...)
		return exitBad
	}
	if *k < dispute.MinK || *k > dispute.MaxK {
		return fail("--k %d: want %d…%d", *k, dispute.MinK, dispute.MaxK)
	}
	if *proofKind != "merkle" {
		return fail("--proof %q: only merkle proofs can be checked on chain (snapshot proofs need the arbiter to run the machine)", *proofKind)
	}
	newTrace, err := execution(*sim, *seed, *every, pos)
	if err != nil {
		return fail("%v", err)
	}
	var parties [2]dispute.Party
	var tr dispute.Trace
	for s, name := range []string{*defName, *chalName} {
		if tr, err = newTrace(); err != nil { // each party its own trace: they share nothing
			return fail("%v", err)
		}
		if parties[s], err = dispute.NewStrategy(name, dispute.Side(s), tr); err != nil {
			return fail("%v", err)
		}
	}
	init, err := tr.RootAt(0)
	if err != nil {
		return fail("root at step 0: %v", err)
	}
	var claims [2][32]byte
	for s := range parties {
		if claims[s], err = parties[s].Claim(tr.Len()); err != nil {
			return fail("%v claim: %v", dispute.Side(s), err)
		}
	}
	if claims[0] == claims[1] {
		fmt.Fprintf(stdout, "no dispute: both parties claim %s\n", dispute.Hex(claims[0]))
		return exitNothing
	}
	d, err := game.Deploy()
	if err != nil {
		return fail("deploy: %v", err)
	}
	defer d.Close()
	checker, checkerName := d.Verifier.Address, "OneStepVerifier"
	if *sim > 0 {
		checker, checkerName = d.Sim.Address, "SimStepChecker"
	}
	opt := game.Options{Checker: checker}
	if !*asJSON {
		fmt.Fprintf(stdout, "game: k=%d, %d steps, on a simulated chain (Osaka rules); DisputeGame %s, checker %s %s\n",
			*k, tr.Len(), d.Game.Address, checkerName, checker)
		opt.OnRound = func(r game.MoveRecord) { printRound(stdout, r) }
	}
	res, err := d.Play(*k, tr.Len(), init, parties, opt)
	if errors.Is(err, dispute.ErrNoDispute) {
		r, _ := tr.RootAt(tr.Len())
		fmt.Fprintf(stdout, "no dispute: both parties claim %s\n", dispute.Hex(r))
		return exitNothing
	}
	if err != nil {
		return fail("%v", err)
	}
	if *asJSON {
		return playJSON(stdout, res, tr.Len(), init, checkerName)
	}
	total := res.GasBySide[0] + res.GasBySide[1] + res.ClaimGas[0] + res.ClaimGas[1]
	fmt.Fprintf(stdout, "%v wins (%v loses: %s) at step %d; %d rounds; gas: defender %d, challenger %d (moves), claims %d + %d, total %d; bonds: %s wei to the %v\n",
		res.Winner, res.Winner.Other(), res.Reason, res.Lo, len(res.Rounds), res.GasBySide[0], res.GasBySide[1],
		res.ClaimGas[0], res.ClaimGas[1], total, res.Credit[res.Winner], res.Winner)
	return exitOK
}

func printRound(w io.Writer, r game.MoveRecord) {
	switch {
	case r.Method == "claimTimeout":
		fmt.Fprintf(w, "round %d %v: claims the timeout, gas %d%s\n", r.Round, r.Side, r.Gas, errSuffix(r.Err))
	case r.Move == nil:
		fmt.Fprintf(w, "round %d %v: no move%s\n", r.Round, r.Side, errSuffix(r.Err))
	case r.Err != "":
		fmt.Fprintf(w, "round %d %v: %v rejected, gas %d: %s\n", r.Round, r.Side, r.Move, r.Gas, r.Err)
	default:
		fmt.Fprintf(w, "round %d %v: %v gas %d\n", r.Round, r.Side, r.Move, r.Gas)
	}
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return ": " + e
}

func playJSON(w io.Writer, res *game.Result, steps uint64, init [32]byte, checker string) int {
	type round struct {
		Round    uint64        `json:"round"`
		Side     string        `json:"side"`
		Method   string        `json:"method,omitempty"`
		Move     *dispute.Move `json:"move"`
		Gas      uint64        `json:"gas"`
		Calldata int           `json:"calldata"`
		Error    string        `json:"error,omitempty"`
	}
	rounds := []round{}
	for _, r := range res.Rounds {
		rounds = append(rounds, round{r.Round, r.Side.String(), r.Method, r.Move, r.Gas, r.Calldata, r.Err})
	}
	enc := json.NewEncoder(w)
	_ = enc.Encode(map[string]any{
		"k": res.Config.K, "steps": steps, "initial": dispute.Hex(init), "checker": checker,
		"rounds": rounds,
		"result": map[string]any{"winner": res.Winner.String(), "reason": res.Reason, "step": res.Lo},
		"gas":    map[string]uint64{"defender": res.GasBySide[0], "challenger": res.GasBySide[1], "defenderClaim": res.ClaimGas[0], "challengerClaim": res.ClaimGas[1]},
		"bonds":  map[string]*big.Int{"defender": res.Credit[0], "challenger": res.Credit[1]},
	})
	return exitOK
}

// execution returns a function making the honest trace: simulated, or the
// reference machine with Merkle roots and one-step proofs.
func execution(sim, seed, every uint64, pos []string) (func() (dispute.Trace, error), error) {
	if sim > 0 {
		if len(pos) != 0 {
			return nil, fmt.Errorf("--sim takes no MODULE.wasm FUNC arguments")
		}
		if sim > dispute.MaxSteps {
			return nil, fmt.Errorf("--sim %d: at most 2^48 steps", sim)
		}
		var s [32]byte
		binary.BigEndian.PutUint64(s[24:], seed)
		return func() (dispute.Trace, error) { return &dispute.SimTrace{Seed: s, N: sim}, nil }, nil
	}
	if len(pos) < 2 {
		return nil, fmt.Errorf("want --sim N or MODULE.wasm FUNC [ARG...]")
	}
	mod, args, err := loadCall(pos[0], pos[1], pos[2:])
	if err != nil {
		return nil, err
	}
	setup := reftrace.FromDecoded(mod, pos[1], args, trace.Config{})
	return func() (dispute.Trace, error) {
		root, prove := reftrace.Merkle()
		tr, err := reftrace.New(setup, every, root, prove)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos[0], err)
		}
		if tr.Len() == 0 {
			return nil, fmt.Errorf("%s: %s runs no steps: nothing to dispute", pos[0], pos[1])
		}
		if tr.Len() > dispute.MaxSteps {
			return nil, fmt.Errorf("%s: %d steps, more than a game takes", pos[0], tr.Len())
		}
		return tr, nil
	}, nil
}
