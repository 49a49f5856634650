package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/report"
	"github.com/refereevm/referee/trace"
)

const disputeUsage = `  referee dispute serve [--addr HOST:PORT] [--k K] [--round DUR] [--json] EXECUTION
        run the arbiter of a dispute game over HTTP: wait for both parties'
        claims, play the game, print the moves and the winner
  referee dispute play [--k K] [--defender S] [--challenger S] [--json] [--report FILE] EXECUTION
  referee dispute play --server URL --side SIDE [--strategy S] [--json] EXECUTION
        play a whole game in memory between two strategies, or one side
        against an arbiter; S is honest, wrong-final, wrong-at[:STEP],
        shifted[:STEP], equivocate[:MOVE], forge, stall[:MOVE], garbage[:MOVE]
        EXECUTION is --sim N [--seed S] (a simulated trace of N steps) or
        [--every C] [--proof merkle|snapshot] MODULE.wasm FUNC [ARG...] (the
        reference machine with a snapshot every C steps; merkle: state roots
        and one-step proofs checked by dispute.Verify; snapshot: sha256 of
        snapshots, checked by re-executing the step);
        exit 0 when the game ended (with --server: when SIDE won), 1 when
        SIDE lost, 3 when the claims agree; --report (not with --server)
        writes a self-contained HTML page of the game: the disputed
        interval round by round and each party's roots
`

// disputeCommand implements "referee dispute serve|play".
func disputeCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && isHelpFlag(args[0]) {
		args = append([]string{"play"}, args...) // the flags are the same for serve and play
	}
	if len(args) == 0 || (args[0] != "serve" && args[0] != "play") {
		fmt.Fprintf(stderr, "referee dispute: want serve or play (run 'referee help dispute')\n")
		return exitBad
	}
	serve := args[0] == "serve"
	fs := flag.NewFlagSet("dispute", flag.ContinueOnError)
	k := fs.Int("k", 16, "arity: the defender posts `K`-1 roots per split")
	sim := fs.Uint64("sim", 0, "play over a simulated trace of `N` steps")
	seed := fs.Uint64("seed", 1, "the simulated trace's `seed`")
	every := fs.Uint64("every", 4096, "reference machine: keep a snapshot every `C` steps")
	asJSON := fs.Bool("json", false, "print one JSON object")
	proofKind := fs.String("proof", "merkle", "reference machine: `merkle` roots and proofs, or snapshot hashes")
	addr := fs.String("addr", "127.0.0.1:8547", "serve: listen on `HOST:PORT`")
	round := fs.Duration("round", 5*time.Second, "serve: wait `DUR` for a move before the round passes")
	server := fs.String("server", "", "play one side against the arbiter at `URL`")
	sideName := fs.String("side", "", "with --server: defender or challenger")
	strategy := fs.String("strategy", "honest", "with --server: the side's strategy")
	defName := fs.String("defender", "honest", "the defender's strategy")
	chalName := fs.String("challenger", "wrong-final", "the challenger's strategy")
	reportFile := fs.String("report", "", "write an HTML report of the game to `FILE`")
	pos, code, ok := parseFlags(fs, disputeUsage, args[1:], stdout, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee dispute %s: "+format+"\n", append([]any{args[0]}, a...)...)
		return exitBad
	}
	if *reportFile != "" && *server != "" {
		return fail("--report draws the whole game: it needs the arbiter (play without --server, or serve)")
	}
	if err := checkReportPath(*reportFile); err != nil {
		return fail("--report: %v", err)
	}
	tr, checker, err := disputeExecution(*sim, *seed, *every, *proofKind, pos)
	if err != nil {
		return fail("%v", err)
	}
	init, err := tr.RootAt(0)
	if err != nil {
		return fail("root at step 0: %v", err)
	}
	cfg := dispute.Config{K: *k, Steps: tr.Len(), Initial: init}
	if _, err := dispute.NewGame(cfg, checker, [32]byte{}, [32]byte{1}); err != nil {
		return fail("%v", err)
	}
	ctx := context.Background()

	if *server != "" {
		side, err := dispute.ParseSide(*sideName)
		if err != nil {
			return fail("--side: %v", err)
		}
		party, err := dispute.NewStrategy(*strategy, side, tr)
		if err != nil {
			return fail("%v", err)
		}
		var moves []*dispute.Move
		c := &dispute.HTTPClient{URL: strings.TrimSuffix(*server, "/"), Side: side, Party: party,
			OnMove: func(m *dispute.Move) { moves = append(moves, m) }}
		res, err := c.Play(ctx)
		if err != nil {
			return fail("%v", err)
		}
		if res.Reason == dispute.ReasonNone {
			fmt.Fprintf(stdout, "no dispute: both parties claim %s\n", dispute.Hex(mustRoot(tr, tr.Len())))
			return exitNothing
		}
		if *asJSON {
			_ = json.NewEncoder(stdout).Encode(map[string]any{"side": side.String(), "moves": moves, "result": resultJSON(res)})
		} else {
			for _, m := range moves {
				fmt.Fprintf(stdout, "%v %v\n", side, m)
			}
			fmt.Fprintf(stdout, "%v\n", res)
		}
		if res.Winner != side {
			return exitNo
		}
		return exitOK
	}

	var tp dispute.Transport
	if serve {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fail("%v", err)
		}
		host := dispute.NewHTTPHost(cfg)
		srv := &http.Server{Handler: host}
		go func() { _ = srv.Serve(ln) }()
		defer func() {
			// Give clients a moment to read the final view before closing.
			time.Sleep(200 * time.Millisecond)
			_ = srv.Close()
		}()
		fmt.Fprintf(stderr, "referee dispute serve: listening on http://%s (k=%d, %d steps)\n", ln.Addr(), *k, tr.Len())
		tp = host
	} else {
		var ps [2]dispute.Party
		for s, name := range []string{*defName, *chalName} {
			// Each party gets its own trace value: parties share nothing.
			t := tr
			if *sim == 0 {
				if t, _, err = disputeExecution(*sim, *seed, *every, *proofKind, pos); err != nil {
					return fail("%v", err)
				}
			}
			if ps[s], err = dispute.NewStrategy(name, dispute.Side(s), t); err != nil {
				return fail("%v", err)
			}
		}
		tp = &dispute.Local{Parties: ps, Wire: true}
	}
	var opt dispute.PlayOptions
	if serve {
		opt.Round = *round
	}
	claims := &claimRecorder{Transport: tp}
	g, err := dispute.Play(ctx, cfg, checker, claims, opt)
	if errors.Is(err, dispute.ErrNoDispute) {
		fmt.Fprintf(stdout, "no dispute: both parties claim %s\n", dispute.Hex(mustRoot(tr, tr.Len())))
		return exitNothing
	}
	if err != nil {
		return fail("%v", err)
	}
	printGame(stdout, g, *asJSON)
	if *reportFile != "" {
		if err := writeReport(*reportFile, report.GamePage(gameReportData(g, claims.claims))); err != nil {
			return fail("--report: %v", err)
		}
	}
	return exitOK
}

// claimRecorder is a transport that remembers both parties' claims, for
// the report.
type claimRecorder struct {
	dispute.Transport
	claims [2][32]byte
}

func (c *claimRecorder) Claim(ctx context.Context, side dispute.Side, steps uint64) ([32]byte, error) {
	r, err := c.Transport.Claim(ctx, side, steps)
	if err == nil && side <= dispute.Challenger {
		c.claims[side] = r
	}
	return r, err
}

func mustRoot(t dispute.Trace, s uint64) [32]byte {
	r, _ := t.RootAt(s)
	return r
}

// disputeExecution builds the honest trace and the arbiter's checker.
func disputeExecution(sim, seed, every uint64, proofKind string, pos []string) (dispute.Trace, dispute.StepChecker, error) {
	if sim > 0 {
		if len(pos) != 0 {
			return nil, nil, fmt.Errorf("--sim takes no MODULE.wasm FUNC arguments")
		}
		var s [32]byte
		binary.BigEndian.PutUint64(s[24:], seed)
		return &dispute.SimTrace{Seed: s, N: sim}, dispute.SimChecker{}, nil
	}
	if len(pos) < 2 {
		return nil, nil, fmt.Errorf("want --sim N or MODULE.wasm FUNC [ARG...] (run 'referee help dispute')")
	}
	t, err := loadCallTarget(pos[0], pos[1], pos[2:])
	if err != nil {
		return nil, nil, err
	}
	path, name, b, vals := t.path, t.name, t.bin, t.args
	setup, err := reftrace.FromModule(b, name, vals, trace.Config{})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var checker dispute.StepChecker
	var root reftrace.RootFunc
	var prove reftrace.ProveFunc
	switch proofKind {
	case "merkle":
		root, prove = reftrace.Merkle()
		checker = dispute.ProofChecker{}
	case "snapshot":
		root, prove = reftrace.SnapshotRoot, reftrace.SnapshotProver
		checker = reftrace.ReexecChecker{Setup: setup}
	default:
		return nil, nil, fmt.Errorf("--proof %q: want merkle or snapshot", proofKind)
	}
	tr, err := reftrace.New(setup, every, root, prove)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if tr.Len() == 0 {
		return nil, nil, fmt.Errorf("%s: %s runs no steps: nothing to dispute", path, name)
	}
	return tr, checker, nil
}

func resultJSON(r dispute.Result) map[string]any {
	return map[string]any{"winner": r.Winner.String(), "reason": r.Reason.String(), "detail": r.Detail, "step": r.Step}
}

// printGame prints the transcript and the winner.
func printGame(w io.Writer, g *dispute.Game, asJSON bool) {
	cfg, res, st := g.Config(), g.Result(), g.Stats()
	if asJSON {
		type round struct {
			Round uint64        `json:"round"`
			Side  string        `json:"side"`
			Move  *dispute.Move `json:"move"`
			Error string        `json:"error,omitempty"`
		}
		rounds := []round{}
		for _, e := range g.Events() {
			rounds = append(rounds, round{e.Round, e.Side.String(), e.Move, e.Err})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"k": cfg.K, "steps": cfg.Steps, "initial": dispute.Hex(cfg.Initial),
			"rounds": rounds, "result": resultJSON(res),
			"stats": map[string]uint64{"rounds": st.Rounds, "moves": st.Moves, "bytes": st.Bytes, "rootsPosted": st.RootsPosted, "checks": st.Checks},
		})
		return
	}
	fmt.Fprintf(w, "game: k=%d, %d steps\n", cfg.K, cfg.Steps)
	for _, e := range g.Events() {
		switch {
		case e.Move == nil:
			fmt.Fprintf(w, "round %d %v: no move\n", e.Round, e.Side)
		case e.Err != "":
			fmt.Fprintf(w, "round %d %v: %v rejected: %s\n", e.Round, e.Side, e.Move, e.Err)
		default:
			fmt.Fprintf(w, "round %d %v: %v\n", e.Round, e.Side, e.Move)
		}
	}
	fmt.Fprintf(w, "%v at step %d (%d rounds, %d bytes posted)\n", res, res.Step, st.Rounds, st.Bytes)
}
