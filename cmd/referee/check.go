package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

const checkUsage = `  referee check [--engines LIST] [--json] [--isolate] [--bundle DIR] [--timeout D] [--interrupt MODE] BLOCK.json
        apply the block on every engine (default: all built in) and compare
        everything observable; exit 0 when all agree (prints the post-state
        commitment, each receipt and each engine's time), exit 1 at the first
        divergence (outcomes side by side, class and signature; --bundle DIR
        writes a replay bundle); engines: reference, wazero-interp,
        wazero-compiler, wasmtime (cgo builds), planted[:FIELD@TX]
`

// checkCommand implements "referee check".
func checkCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	enginesFlag := fs.String("engines", "", "comma-separated engine `LIST` (default: every engine built in)")
	jsonOn := fs.Bool("json", false, "print one JSON object instead of text")
	isolate := fs.Bool("isolate", false, "run each engine in a child process")
	bundle := fs.String("bundle", "", "on divergence, write a replay bundle to `DIR`")
	timeout := fs.Duration("timeout", diff.DefaultRunBudget, "wall-clock budget of one engine running one transaction (0 = none)")
	interrupt := fs.String("interrupt", "cheap", "which engines stop themselves at the deadline: `MODE` cheap (wasmtime epochs, reference, and wazero for runs whose gas could outlast the deadline), all (every wazero run too: close-on-context-done, up to 20x slower on tight loops), none; the others are abandoned after the deadline plus 1 s")
	child := fs.Bool("engine-child", false, "internal: serve one isolated run on stdin/stdout")
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
	b, err := block.Load(path)
	if err != nil {
		return bad("%v", err)
	}
	names := diff.AllEngineNames()
	if *enginesFlag != "" {
		names = strings.Split(*enginesFlag, ",")
	}
	var cfg diff.EngineConfig
	switch *interrupt {
	case "cheap":
		cfg = diff.EngineConfig{Interruptible: true, NoWazeroInterrupt: true}
	case "all":
		cfg = diff.EngineConfig{Interruptible: true}
	case "none":
	default:
		return bad("--interrupt: %q is not cheap, all or none", *interrupt)
	}
	engines, err := buildEngines(names, *isolate, cfg)
	if err != nil {
		return bad("--engines: %v", err)
	}
	defer diff.CloseEngines(engines)
	opts := diff.DefaultOptions()
	opts.RunBudget = *timeout
	rep, err := diff.CheckBlock(context.Background(), b, engines, opts)
	if err != nil {
		return bad("%s: %v", path, err)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if *jsonOn {
		writeCheckJSON(out, path, b, rep)
	} else {
		writeCheckText(out, path, b, rep)
	}
	if rep.Divergence == nil {
		return exitOK
	}
	if *bundle != "" {
		if err := writeBundle(*bundle, b, rep, names); err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "referee check: bundle: %v\n", err)
		} else if !*jsonOn {
			fmt.Fprintf(out, "bundle written to %s\n", *bundle)
		}
	}
	return exitNo
}

// buildEngines builds the named engines, each in child processes when
// isolate is set.
func buildEngines(names []string, isolate bool, cfg diff.EngineConfig) ([]diff.Engine, error) {
	if !isolate {
		return diff.Engines(names, cfg)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("--isolate: %w", err)
	}
	var out []diff.Engine
	for _, n := range names {
		e, err := diff.NewIsolated(n, []string{exe, "check", "--engine-child"}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func txLabel(b *block.Block, i int) string {
	tx := b.Txs[i]
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

func writeCheckText(w io.Writer, path string, b *block.Block, rep *diff.Report) {
	fmt.Fprintf(w, "block %s: %d transactions, engines %s\n", path, len(b.Txs), strings.Join(rep.Engines, ","))
	for i, r := range rep.Receipts {
		fmt.Fprintf(w, "%s: %s\n", txLabel(b, i), r)
	}
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
	widths := make([]int, len(outs)+1)
	for i, r := range rows {
		cells[i] = append(cells[i], r.name)
		for j := range outs {
			s := r.get(&outs[j])
			if r.name == "detail" && len(s) > 60 {
				s = s[:57] + "..."
			}
			cells[i] = append(cells[i], s)
		}
		for j, c := range cells[i] {
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

// JSON output (docs/divergence.md): lowerCamel keys, bytes as 0x hex;
// receipts in block.Receipt's own JSON form (docs/block-format.md).
type jsonOutcome struct {
	Engine      string        `json:"engine"`
	Failure     string        `json:"failure,omitempty"`
	Detail      string        `json:"detail,omitempty"`
	Receipt     block.Receipt `json:"receipt"`
	GuestGas    uint64        `json:"guestGas"`
	HostGas     uint64        `json:"hostGas"`
	Exit        uint32        `json:"exit"`
	MemoryPages uint32        `json:"memoryPages"`
	MemoryHash  string        `json:"memoryHash"`
	DirtyPages  uint32        `json:"dirtyPages"`
	TimeNs      int64         `json:"timeNs"`
}

type jsonDivergence struct {
	Tx        int       `json:"tx"`
	Class     string    `json:"class"`
	Field     string    `json:"field"`
	Signature string    `json:"signature"`
	Engines   [2]string `json:"engines"`
	Values    [2]string `json:"values"`
}

type jsonCheck struct {
	Block      string           `json:"block"`
	Engines    []string         `json:"engines"`
	Agree      bool             `json:"agree"`
	Commitment string           `json:"commitment,omitempty"`
	Receipts   []block.Receipt  `json:"receipts"`
	Divergence *jsonDivergence  `json:"divergence,omitempty"`
	Outcomes   []jsonOutcome    `json:"outcomes,omitempty"` // the divergent transaction's, engine order
	TimeNs     map[string]int64 `json:"timeNs"`
}

func toJSONOutcome(o diff.Outcome) jsonOutcome {
	return jsonOutcome{
		Engine: o.Engine, Failure: o.Failure, Detail: o.Detail, Receipt: o.Receipt,
		GuestGas: o.GuestGas, HostGas: o.HostGas, Exit: o.Exit, MemoryPages: o.MemoryPages,
		MemoryHash: block.FormatHex(o.MemoryHash[:]), DirtyPages: o.DirtyPages, TimeNs: o.Time.Nanoseconds(),
	}
}

func checkJSON(path string, rep *diff.Report) jsonCheck {
	j := jsonCheck{Block: path, Engines: rep.Engines, Agree: rep.Divergence == nil, Receipts: []block.Receipt{}, TimeNs: map[string]int64{}}
	j.Receipts = append(j.Receipts, rep.Receipts...)
	if dv := rep.Divergence; dv != nil {
		j.Divergence = &jsonDivergence{Tx: dv.Tx, Class: dv.Class, Field: dv.Field, Signature: dv.Signature, Engines: dv.Engines, Values: dv.Values}
		for _, o := range rep.Txs[dv.Tx] {
			j.Outcomes = append(j.Outcomes, toJSONOutcome(o))
		}
	} else {
		j.Commitment = block.FormatHex(rep.Commitment[:])
	}
	for i, n := range rep.Engines {
		j.TimeNs[n] = rep.EngineTime[i].Nanoseconds()
	}
	return j
}

func writeCheckJSON(w io.Writer, path string, b *block.Block, rep *diff.Report) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(checkJSON(path, rep)) // encoding these types cannot fail
}

// writeBundle writes a self-contained replay bundle: block.json (code
// inlined), modules/ADDRESS.wasm and ADDRESS.instrumented.wasm, outcomes.json
// (the report as --json prints it) and README.txt with the command that
// replays it.
func writeBundle(dir string, b *block.Block, rep *diff.Report, engines []string) error {
	if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
		return err
	}
	write := func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	if err := write("block.json", b.JSON()); err != nil {
		return err
	}
	for _, c := range b.Pre.Contracts {
		if err := write(filepath.Join("modules", c.Address+".wasm"), c.Code); err != nil {
			return err
		}
		if p := rep.Programs[c.Address]; p != nil {
			if err := write(filepath.Join("modules", c.Address+".instrumented.wasm"), p.Code); err != nil {
				return err
			}
		}
	}
	js, err := json.MarshalIndent(checkJSON("block.json", rep), "", "  ")
	if err != nil {
		return err
	}
	if err := write("outcomes.json", append(js, '\n')); err != nil {
		return err
	}
	dv := rep.Divergence
	readme := fmt.Sprintf(`Replay bundle written by referee check.

Divergence at transaction %d: class %s, field %s, signature %s.
Engines: %s

Replay:
  referee check block.json --engines %s

block.json has every contract's code inlined; modules/ holds each contract
as given (ADDRESS.wasm) and as every engine ran it (ADDRESS.instrumented.wasm).
outcomes.json holds the agreed receipts before the divergence and every
engine's outcome of the divergent transaction.
`, dv.Tx, dv.Class, dv.Field, dv.Signature, strings.Join(rep.Engines, ", "), strings.Join(engines, ","))
	return write("README.txt", []byte(readme))
}
