package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/internal/input"
)

const checkUsage = `  referee check [--engines LIST] [--json] [--isolate] [--bundle DIR] [--post-state FILE] [--timeout D] [--interrupt MODE] [--allow-outside] BLOCK.json
  referee check --server URL [--token-file FILE] [--engines LIST] [--json] [--bundle DIR] [--post-state FILE] BLOCK.json
        apply the block on every engine (default: all built in) and compare
        everything observable; prints each receipt as the engines agree on
        it; exit 0 when all agree (prints the post-state commitment and each
        engine's time; --post-state FILE writes the post-state as the next
        block's "pre" section), exit 1 at the first divergence (outcomes
        side by side, class and signature; --bundle DIR writes a replay
        bundle); engines: reference, wazero-interp, wazero-compiler,
        wasmtime (cgo builds), planted[:FIELD@TX], and over the engine
        protocol exec:CMD, wazero-interp@VERSION, wazero-compiler@VERSION,
        v8-liftoff, v8-turbofan; code paths must stay in the block's
        directory (--allow-outside lifts that); with --server, the block
        (code inlined) is checked by a running referee serve, printed alike
`

// loadBlock loads a block file; a code path that leaves the block's
// directory is refused unless allowOutside, and the error says how to
// allow it.
func loadBlock(path string, allowOutside bool) (*block.Block, error) {
	b, err := block.LoadWith(path, block.LoadOptions{AllowOutside: allowOutside})
	if errors.Is(err, block.ErrOutside) {
		return nil, fmt.Errorf("%w (--allow-outside reads it)", err)
	}
	return b, err
}

// checkCommand implements "referee check".
func checkCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	enginesFlag := fs.String("engines", "", "comma-separated engine `LIST` (default: every engine built in)")
	jsonOn := fs.Bool("json", false, "print one JSON object instead of text")
	isolate := fs.Bool("isolate", false, "run each engine in a long-lived child process")
	bundle := fs.String("bundle", "", "on divergence, write a replay bundle to `DIR`")
	postState := fs.String("post-state", "", "on agreement, write the post-state to `FILE` as a block \"pre\" section")
	timeout := fs.Duration("timeout", diff.DefaultRunBudget, "wall-clock budget of one engine running one transaction (0 = none)")
	interrupt := fs.String("interrupt", "cheap", "which engines stop themselves at the deadline: `MODE` cheap (wasmtime epochs, reference, and wazero for runs whose gas could outlast the deadline), all (every wazero run too: close-on-context-done, up to 20x slower on tight loops), none; the others are abandoned after the deadline plus 1 s")
	child := fs.Bool("engine-child", false, "internal: serve isolated runs on stdin/stdout until stdin ends")
	server := fs.String("server", "", "check on the referee serve at `URL` instead of here")
	tokenFile := fs.String("token-file", "", "with --server: send the bearer token in `FILE`")
	allowOutside := fs.Bool("allow-outside", false, "let the block's code paths leave its directory")
	pos, code, ok := parseFlags(fs, checkUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	if *child {
		// The parent kills a child at the deadline: cheap interruption suffices.
		if err := diff.ServeChild(os.Stdin, stdout, diff.EngineConfig{Interruptible: true, NoWazeroInterrupt: true}); err != nil {
			fmt.Fprintf(stderr, "referee check: %v\n", err)
			return exitBad
		}
		return exitOK
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "referee check: want one BLOCK.json (run 'referee help check')\n")
		return exitBad
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee check: "+format+"\n", a...)
		return exitBad
	}
	path := pos[0]
	b, err := loadBlock(path, *allowOutside)
	if err != nil {
		return bad("%v", err)
	}
	var names []string
	if *enginesFlag != "" {
		names = strings.Split(*enginesFlag, ",")
	}
	if *server != "" {
		rc := &remoteCheck{server: *server, path: path, b: b, engines: names, json: *jsonOn, bundle: *bundle, post: *postState,
			out: bufio.NewWriter(stdout), stderr: stderr, client: &http.Client{Timeout: remoteTimeout}}
		defer rc.out.Flush()
		if *tokenFile != "" {
			tb, err := input.ReadFile(*tokenFile, maxTokenFile)
			if err != nil {
				return bad("--token-file: %v", err)
			}
			rc.token = strings.TrimSpace(string(tb))
		}
		return rc.run()
	}
	switch *interrupt {
	case "cheap", "all", "none":
	default:
		return bad("--interrupt: %q is not cheap, all or none", *interrupt)
	}
	cfg := referee.Config{Engines: names, Interrupt: *interrupt, RunBudget: *timeout}
	if *timeout == 0 {
		cfg.RunBudget = -1 // none
	}
	if *isolate {
		exe, err := os.Executable()
		if err != nil {
			return bad("--isolate: %v", err)
		}
		cfg.Isolate = &referee.IsolateConfig{Cmd: []string{exe, "check", "--engine-child"}}
	}
	k, err := referee.NewChecker(cfg)
	if err != nil {
		return bad("--engines: %v", err)
	}
	defer k.Close()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	// Text: each receipt is printed (and flushed) as soon as the engines
	// agree on it; the header comes first, once the check has started (a
	// block refused as bad input prints nothing on stdout).
	var opts referee.CheckOptions
	var engineNames []string
	headed := false
	header := func() {
		if !headed && !*jsonOn {
			fmt.Fprintf(out, "block %s: %d transactions, engines %s\n", path, len(b.Txs), strings.Join(engineNames, ","))
			headed = true
		}
	}
	opts.OnStart = func(ns []string) { engineNames = ns }
	if !*jsonOn {
		opts.OnReceipt = func(i int, r block.Receipt) {
			header()
			fmt.Fprintf(out, "%s: %s\n", txLabel(b, i), r)
			out.Flush()
		}
	}
	v, err := k.Check(context.Background(), b, &opts)
	if err != nil {
		return bad("%s: %v", path, err)
	}
	rep := v.Report
	if *jsonOn {
		writeCheckJSON(out, path, v)
	} else {
		header()
		writeCheckResult(out, b, rep)
	}
	if rep.Divergence == nil {
		if *postState != "" {
			if err := os.WriteFile(*postState, v.PostState().JSON(), 0o644); err != nil {
				out.Flush()
				return bad("--post-state: %v", err)
			}
			if !*jsonOn {
				fmt.Fprintf(out, "post-state written to %s\n", *postState)
			}
		}
		return exitOK
	}
	if *bundle != "" {
		if err := writeBundle(*bundle, v); err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "referee check: bundle: %v\n", err)
		} else if !*jsonOn {
			fmt.Fprintf(out, "bundle written to %s\n", *bundle)
		}
	}
	return exitNo
}

func txLabel(b *block.Block, i int) string { return txLabelOf(i, b.Txs[i]) }

// txLabelOf names transaction i for people: "tx 2 0x…0001.transfer (comment)".
func txLabelOf(i int, tx block.Tx) string {
	s := fmt.Sprintf("tx %d %s.%s", i, shortAddr(tx.Contract), tx.Entry)
	if tx.Comment != "" {
		s += " (" + tx.Comment + ")"
	}
	return s
}

// shortAddr abbreviates an address for people: "0x…0003".
func shortAddr(a string) string {
	if len(a) == 42 {
		return "0x…" + a[38:]
	}
	return a
}

// writeCheckResult prints what follows the receipts: the divergence (its
// outcomes side by side) or the commitment, then each engine's time.
func writeCheckResult(w io.Writer, b *block.Block, rep *diff.Report) {
	if dv := rep.Divergence; dv != nil {
		fmt.Fprintf(w, "DIVERGENCE at %s\n", txLabel(b, dv.Tx))
		fmt.Fprintf(w, "%s\n", dv)
		fmt.Fprintf(w, "signature %s\n", dv.Signature)
		writeSideBySide(w, rep.Txs[dv.Tx])
	} else {
		fmt.Fprintf(w, "all %d engines agree; post-state commitment %s\n", len(rep.Engines), block.FormatHex(rep.Commitment[:]))
	}
	for j, name := range rep.Engines {
		fmt.Fprintf(w, "time %s %v\n", name, rep.EngineTime[j].Round(time.Microsecond))
	}
}

// writeSideBySide prints the outcomes of one transaction as a table: one
// row per field, one column per engine.
func writeSideBySide(w io.Writer, outs []diff.Outcome) {
	rows := []struct {
		name string
		get  func(o *diff.Outcome) string
	}{
		{"engine", func(o *diff.Outcome) string { return o.Engine }},
		{"failure", func(o *diff.Outcome) string { return dash(o.Failure) }},
		{"status", func(o *diff.Outcome) string { return dash(o.Receipt.Status) }},
		{"trap", func(o *diff.Outcome) string { return dash(o.Receipt.Trap) }},
		{"abortCode", func(o *diff.Outcome) string { return fmt.Sprint(o.Receipt.AbortCode) }},
		{"results", func(o *diff.Outcome) string { return fmt.Sprintf("%#x", o.Results) }},
		{"returnData", func(o *diff.Outcome) string { return block.FormatHex(o.Receipt.ReturnData) }},
		{"writes", func(o *diff.Outcome) string { return writesText(o.Receipt.Writes) }},
		{"logs", func(o *diff.Outcome) string { return fmt.Sprint(len(o.Receipt.Logs)) }},
		{"gasUsed", func(o *diff.Outcome) string { return fmt.Sprint(o.Receipt.GasUsed) }},
		{"guestGas", func(o *diff.Outcome) string { return fmt.Sprint(o.GuestGas) }},
		{"hostGas", func(o *diff.Outcome) string { return fmt.Sprint(o.HostGas) }},
		{"exit", func(o *diff.Outcome) string { return fmt.Sprint(o.Exit) }},
		{"memory.pages", func(o *diff.Outcome) string { return fmt.Sprint(o.MemoryPages) }},
		{"memory.hash", func(o *diff.Outcome) string { return block.FormatHex(o.MemoryHash[:6]) + "…" }},
		{"memory.dirtyPages", func(o *diff.Outcome) string { return fmt.Sprint(o.DirtyPages) }},
		{"detail", func(o *diff.Outcome) string { return dash(o.Detail) }},
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = append(cells[i], r.name)
		for j := range outs {
			s := r.get(&outs[j])
			if r.name == "detail" && len(s) > 60 {
				s = s[:57] + "..."
			}
			cells[i] = append(cells[i], s)
		}
	}
	writeColumns(w, cells)
}

// writeColumns prints rows of cells as a table indented by two spaces,
// each column as wide as its widest cell.
func writeColumns(w io.Writer, cells [][]string) {
	var widths []int
	for _, row := range cells {
		for j, c := range row {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], len([]rune(c)))
		}
	}
	for _, row := range cells {
		var line strings.Builder
		line.WriteString("  ")
		for j, c := range row {
			line.WriteString(c)
			if j < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[j]-len([]rune(c))+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writesText(ws []block.Write) string {
	if len(ws) == 0 {
		return "0"
	}
	var parts []string
	for _, wr := range ws {
		parts = append(parts, block.FormatHex(wr.Key)+"="+block.FormatHex(wr.Value))
	}
	s := strings.Join(parts, ",")
	if len(s) > 60 {
		s = fmt.Sprintf("%d (%s...)", len(ws), s[:40])
	}
	return s
}

func writeCheckJSON(w io.Writer, path string, v *referee.Verdict) {
	writeJSON(w, v.Document(path)) // encoding these types cannot fail
}

// writeBundle writes the verdict's replay bundle (referee.Verdict.Bundle)
// under dir.
func writeBundle(dir string, v *referee.Verdict) error {
	for _, f := range v.Bundle() {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
