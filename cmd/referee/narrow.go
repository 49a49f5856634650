package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/narrow"
	"github.com/refereevm/referee/report"
	"github.com/refereevm/referee/wasm"
)

const narrowUsage = `  referee narrow BLOCK.json [--tx I] --engines A,B [--k K] [--max-steps N] [--json] [-o FILE] [--report FILE] [--write-module FILE] [--allow-outside]
  referee narrow --module M.wasm --func F --engines A,B [--k K] [--max-steps N] [--json] [-o FILE] [--report FILE] [--write-module FILE] [ARG...]
        find the first instruction at which engines A and B disagree on
        transaction I (default: the first transaction on which they
        disagree; each one before it costs a whole run on each engine) or
        on the call F(ARG...), by re-running both to k-1
        points per round (default k: cores/2+1, at least 2); prints the
        step, function, offset, opcode, operands and each engine's result
        and writes the reference machine's one-step proof of that step to
        FILE (default proof.bin); a block transaction is narrowed in its
        metered contract, whose offsets are printed: --write-module FILE
        writes the module the offsets are in; exit 0 narrowed, 3 the
        engines agree, 2 neither engine can run the target;
        engines: those of check, and planted-op[:OP@N] (wazero's compiler
        with the Nth OP's result corrupted, default i32.add@1000000); runs
        still going after --max-steps (default 2^32) are compared there;
        --report writes a self-contained HTML page of the search rounds
`

// narrowCommand implements "referee narrow".
func narrowCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("narrow", flag.ContinueOnError)
	txFlag := fs.Int("tx", -1, "the transaction `I` of the block (from 0; default: the first on which the engines disagree)")
	modFlag := fs.String("module", "", "narrow a call of `M.wasm` instead of a block transaction")
	funcFlag := fs.String("func", "", "with --module: the exported function `F` to call")
	enginesFlag := fs.String("engines", "", "the two engines, `A,B`")
	kFlag := fs.Int("k", 0, "parts per round, `K` >= 2 (default: cores/2+1, at least 2)")
	maxSteps := fs.Uint64("max-steps", narrow.DefaultMaxSteps, "stop whole runs after `N` steps and compare there")
	jsonOn := fs.Bool("json", false, "print a JSON object")
	out := fs.String("o", "proof.bin", "write the one-step proof to `FILE`")
	allowOutside := fs.Bool("allow-outside", false, "let the block's code paths leave its directory")
	writeModule := fs.String("write-module", "", "write the module the printed offsets are in (for a block: the metered contract) to `FILE`")
	reportFile := fs.String("report", "", "write an HTML report of the search rounds to `FILE`")
	pos, code, ok := parseFlags(fs, narrowUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	funcSet := false // --func "" names the export called "", as run accepts it
	fs.Visit(func(f *flag.Flag) { funcSet = funcSet || f.Name == "func" })
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee narrow: "+format+"\n", a...)
		return exitBad
	}
	names := strings.Split(*enginesFlag, ",")
	if len(names) != 2 || names[0] == "" || names[1] == "" {
		return bad("--engines: want two engines A,B, got %q", *enginesFlag)
	}
	if *kFlag < 0 || *kFlag == 1 {
		return bad("--k %d: want K >= 2", *kFlag)
	}
	if err := checkReportPath(*reportFile); err != nil {
		return bad("--report: %v", err)
	}
	// Every engine run instantiates afresh (a new linear memory) while the
	// live heap stays small: the default GOGC collects every few runs
	// (docs/RATIONALE.md, "Why does referee narrow raise GOGC?").
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	ctx := context.Background()
	var tg *narrow.Target
	var blk *block.Block
	var what string
	if *modFlag != "" {
		if *txFlag >= 0 {
			return bad("--tx and --module exclude each other")
		}
		var err error
		if !funcSet {
			return bad("--module needs --func F")
		}
		if tg, err = moduleTarget(*modFlag, *funcFlag, pos); err != nil {
			return bad("%v", err)
		}
		what = fmt.Sprintf("%s %s", *modFlag, *funcFlag)
	} else {
		if len(pos) != 1 {
			return bad("want one BLOCK.json (run 'referee help narrow')")
		}
		var err error
		if blk, err = loadBlock(pos[0], *allowOutside); err != nil {
			return bad("%v", err)
		}
		if *txFlag >= 0 {
			if tg, err = narrow.BlockTarget(ctx, blk, *txFlag); err != nil {
				return bad("%s: %v", pos[0], err)
			}
			what = fmt.Sprintf("%s tx %d", pos[0], *txFlag)
		}
	}
	es, err := narrow.NewEngines(names, diff.EngineConfig{})
	if err != nil {
		return bad("--engines: %v", err)
	}
	defer narrow.CloseEngines(es)
	opts := narrow.Options{K: *kFlag, MaxSteps: *maxSteps}
	var r *narrow.Result
	if tg != nil {
		r, err = narrow.Narrow(ctx, tg, es[0], es[1], opts)
	} else { // a block without --tx: its first disagreeing transaction
		var tx int
		tx, r, err = narrow.NarrowBlock(ctx, blk, es[0], es[1], opts)
		if errors.Is(err, narrow.ErrAgree) {
			if *jsonOn {
				proveJSON(stdout, map[string]any{"target": pos[0], "agree": true, "transactions": len(blk.Txs)})
				return exitNothing
			}
			fmt.Fprintf(stdout, "%s: %s and %s agree on all %d transactions\n", pos[0], names[0], names[1], len(blk.Txs))
			return exitNothing
		}
		what = fmt.Sprintf("%s tx %d", pos[0], tx)
	}
	if *reportFile != "" && r != nil && (err == nil || errors.Is(err, narrow.ErrAgree)) {
		if werr := writeReport(*reportFile, report.NarrowPage(narrowReportData(what, names, r, err != nil))); werr != nil {
			return bad("--report: %v", werr)
		}
	}
	if errors.Is(err, narrow.ErrAgree) {
		if *jsonOn {
			v := map[string]any{"target": what, "agree": true, "totalSteps": r.Total[0], "runs": r.Runs}
			if r.PlantNote != "" {
				v["plantNote"] = r.PlantNote
			}
			proveJSON(stdout, v)
		} else {
			fmt.Fprintf(stdout, "%s: %s and %s agree (%d steps)\n", what, names[0], names[1], r.Total[0])
			if r.PlantNote != "" {
				fmt.Fprintf(stdout, "note: %s\n", r.PlantNote)
			}
		}
		return exitNothing
	}
	if errors.Is(err, narrow.ErrUnrunnable) {
		return bad("%s: %v", what, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "referee narrow: %s: %v\n", what, err)
		return exitNo
	}
	if r.Proof != nil {
		if err := os.WriteFile(*out, r.Proof.Bytes, 0o644); err != nil {
			return bad("%v", err)
		}
	}
	if *writeModule != "" {
		if err := os.WriteFile(*writeModule, wasm.Encode(r.Base), 0o644); err != nil {
			return bad("--write-module: %v", err)
		}
	}
	if *jsonOn {
		v := map[string]any{"target": what, "agree": false, "narrowed": r,
			"offsetHex": fmt.Sprintf("0x%x", r.Offset), "wallMs": r.Wall.Milliseconds()}
		if *writeModule != "" {
			v["module"] = *writeModule
		}
		if r.Proof != nil {
			v["proof"] = map[string]any{"file": *out, "bytes": len(r.Proof.Bytes), "pre": dispute.Hex(r.Proof.Pre), "post": dispute.Hex(r.ProofPost)}
		}
		return proveJSON(stdout, v)
	}
	fmt.Fprintf(stdout, "%s: %s and %s first differ at\n%s", what, names[0], names[1], r.Describe())
	if r.Proof != nil {
		fmt.Fprintf(stdout, "proof    %d bytes -> %s (pre %s, post %s)\n", len(r.Proof.Bytes), *out, dispute.Hex(r.Proof.Pre), dispute.Hex(r.ProofPost))
	} else {
		fmt.Fprintf(stdout, "proof    none: %s\n", r.ProofNote)
	}
	return exitOK
}

// moduleTarget reads the module form's target: M.wasm, F and its arguments.
func moduleTarget(path, name string, pos []string) (*narrow.Target, error) {
	t, err := loadCallTarget(path, name, pos)
	if err != nil {
		return nil, err
	}
	raw := make([]uint64, len(t.args))
	for i, v := range t.args {
		raw[i] = v.Bits
	}
	mod := t.mod
	return &narrow.Target{Base: mod, Entry: name, Args: raw, TxIndex: -1}, nil
}
