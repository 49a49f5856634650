package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/trace"
)

const proveUsage = `  referee prove [--step N] [--max-steps N] [-o FILE] [--json] MODULE.wasm FUNC [ARG...]
  referee prove --tx I [--step N] [--max-steps N] [-o FILE] [--json] BLOCK.json
        write the one-step proof of step N+1 of the call (the state after
        N machine steps, start function included) to FILE ("-" = stdout,
        default proof.bin); prints the pre- and post-state roots and the
        instruction (docs/proof-format.md); with --tx, the call is
        transaction I of the block: its metered contract with the host ABI,
        on the state the transactions before it leave
`

const verifyUsage = `  referee verify [--pre ROOT] [--json] PROOF
        check a one-step proof ("-" = stdin) and print "ok PRE -> POST", or
        the rejection (exit 1); --pre also requires the proof to open ROOT
`

const rootUsage = `  referee root [--step N] [--max-steps N] [--json] MODULE.wasm FUNC [ARG...]
  referee root --tx I [--step N] [--max-steps N] [--json] BLOCK.json
        print the state root after N machine steps of the call (default: at
        its end; docs/state-commitment.md); --tx I: of block transaction I
`

// proofMachine builds the machine of MODULE FUNC ARGS, starts the call and
// runs it to step N (all steps when N < 0). It returns the committer.
//
// The machine is reftrace's (FromDecoded), as `referee dispute` plays on:
// a module that imports functions (spectest's print functions) can call
// host code, which is proven from a committed host tape
// (docs/state-commitment.md §11), so the call is first run to its end (or
// to --max-steps) recording its host calls, and the machine returned
// replays that tape. The tape is the whole run's whatever N, so every
// step's root is the same for prove and root. A module without function
// imports runs once, with host functions live (it cannot call any).
//
// With tx >= 0, pos is one BLOCK.json and the call is its transaction tx
// (blockTx): a contract calls the host ABI, so it is always recorded and
// replayed.
func proofMachine(pos []string, tx int, maxSteps uint64, n int64) (*trace.Committer, error) {
	m, err := stepMachine(pos, tx, maxSteps)
	if err != nil {
		return nil, err
	}
	c := trace.NewCommitter(m)
	if err := reftrace.RunTo(m, n); err != nil {
		return nil, err
	}
	return c, nil
}

// withTape adds to a JSON object, for a machine that replays a host tape,
// its entry count ("host_tape") and the entries taken ("host_calls").
func withTape(m *trace.Machine, v map[string]any) map[string]any {
	if m.Replaying() {
		v["host_tape"], v["host_calls"] = len(m.HostTape()), m.HostCalls()
	}
	return v
}

func rootHex(r [32]byte) string { return "0x" + hex.EncodeToString(r[:]) }

// proveCommand implements "referee prove".
func proveCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prove", flag.ContinueOnError)
	step := fs.Int64("step", 0, "prove the step from the state after `N` steps")
	maxSteps := fs.Uint64("max-steps", 0, "machine fuel: trap after `N` steps (0 = no limit)")
	tx := fs.Int("tx", -1, "prove a step of transaction `I` of a BLOCK.json (from 0)")
	out := fs.String("o", "proof.bin", "write the proof to `FILE` (\"-\" = stdout)")
	jsonOn := fs.Bool("json", false, "print a JSON object")
	pos, code, ok := parseFlags(fs, proveUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "referee prove: "+format+"\n", a...)
		return code
	}
	if *step < 0 {
		return fail(exitBad, "--step %d: want N >= 0", *step)
	}
	c, err := proofMachine(pos, *tx, *maxSteps, *step)
	if err != nil {
		return fail(exitBad, "%v", err)
	}
	p, err := dispute.Prove(c)
	if err != nil {
		return fail(exitBad, "%v", err)
	}
	info, _ := dispute.DescribeProof(p.Bytes)
	post, verr := dispute.Verify(p.Pre, p.Bytes)
	if verr == nil {
		// the verifier's post-state must be the machine's
		if _, err := c.Machine().Step(); err != nil {
			return fail(exitBad, "%v", err)
		}
		if want := c.Root(); want != post {
			return fail(exitNo, "BUG: step %d: verified root %s, machine root %s", *step+1, rootHex(post), rootHex(want))
		}
	}
	if *out == "-" {
		if _, err := stdout.Write(p.Bytes); err != nil {
			return fail(exitBad, "%v", err)
		}
	} else if err := os.WriteFile(*out, p.Bytes, 0o644); err != nil {
		return fail(exitBad, "%v", err)
	}
	if verr != nil {
		return fail(exitNo, "step %d (%s): %v", *step+1, info.Op, verr)
	}
	if *out == "-" {
		return exitOK
	}
	if *jsonOn {
		return proveJSON(stdout, withTape(c.Machine(), map[string]any{
			"step": *step + 1, "pre": rootHex(p.Pre), "post": rootHex(post), "op": info.Op,
			"func": info.Func, "offset": fmt.Sprintf("0x%x", info.Offset), "bytes": len(p.Bytes), "file": *out,
		}))
	}
	fmt.Fprintf(stdout, "pre   %s\npost  %s\nstep  %d: func[%d] +0x%x %s\nproof %d bytes -> %s\n",
		rootHex(p.Pre), rootHex(post), *step+1, info.Func, info.Offset, info.Op, len(p.Bytes), *out)
	return exitOK
}

func proveJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return exitBad
	}
	return exitOK
}

// verifyCommand implements "referee verify".
func verifyCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	preFlag := fs.String("pre", "", "require the proof to open pre-state `ROOT` (0x + 64 hex digits)")
	jsonOn := fs.Bool("json", false, "print a JSON object")
	pos, code, ok := parseFlags(fs, verifyUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "referee verify: want one PROOF file (run 'referee help verify')\n")
		return exitBad
	}
	var b []byte
	var err error
	if pos[0] == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, dispute.MaxProofSize+1))
		if err == nil && len(b) > dispute.MaxProofSize {
			err = fmt.Errorf("stdin: more than %d bytes: not a proof (dispute.MaxProofSize)", dispute.MaxProofSize)
		}
	} else {
		b, err = input.ReadFile(pos[0], dispute.MaxProofSize)
	}
	if err != nil {
		fmt.Fprintf(stderr, "referee verify: %v\n", err)
		return exitBad
	}
	info, _ := dispute.DescribeProof(b)
	pre := info.Pre
	if *preFlag != "" {
		if pre, err = dispute.ParseRoot(*preFlag); err != nil {
			fmt.Fprintf(stderr, "referee verify: --pre: %v\n", err)
			return exitBad
		}
	}
	post, err := dispute.Verify(pre, b)
	if err != nil {
		if *jsonOn {
			proveJSON(stdout, map[string]any{"ok": false, "pre": rootHex(pre), "error": err.Error()})
		} else {
			fmt.Fprintf(stdout, "rejected: %v\n", err)
		}
		return exitNo
	}
	if *jsonOn {
		return proveJSON(stdout, map[string]any{"ok": true, "pre": rootHex(pre), "post": rootHex(post),
			"step": info.Steps + 1, "op": info.Op, "func": info.Func, "offset": fmt.Sprintf("0x%x", info.Offset)})
	}
	fmt.Fprintf(stdout, "ok %s -> %s\n", rootHex(pre), rootHex(post))
	return exitOK
}

// rootCommand implements "referee root".
func rootCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("root", flag.ContinueOnError)
	step := fs.Int64("step", -1, "the state after `N` steps (default: the end of the call)")
	maxSteps := fs.Uint64("max-steps", 0, "machine fuel: trap after `N` steps (0 = no limit)")
	tx := fs.Int("tx", -1, "the root of transaction `I` of a BLOCK.json (from 0)")
	jsonOn := fs.Bool("json", false, "print a JSON object")
	pos, code, ok := parseFlags(fs, rootUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	c, err := proofMachine(pos, *tx, *maxSteps, *step)
	if err != nil {
		fmt.Fprintf(stderr, "referee root: %v\n", err)
		return exitBad
	}
	m := c.Machine()
	r := c.Root()
	if *jsonOn {
		return proveJSON(stdout, withTape(m, map[string]any{"step": m.Steps(), "status": m.Status().String(), "root": rootHex(r)}))
	}
	fmt.Fprintln(stdout, rootHex(r))
	return exitOK
}
