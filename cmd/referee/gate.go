package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/upgrade"
)

const gateUsage = `  referee gate --old ENGINE --new ENGINE [--json] [--timeout D] [--progress] CORPUS...
        the engine-upgrade gate: run every input of the corpus (blocks,
        modules with NAME.calls.json beside them, findings directories,
        wast2json spec directories, or directories of these) on both
        engines and report every behavioural difference (input, class,
        signature, both values) and a summary table per kind of input;
        exit 0 no difference, 1 differences, 2 bad input
`

// gateCommand implements "referee gate".
func gateCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gate", flag.ContinueOnError)
	oldFlag := fs.String("old", "", "the engine in use, `ENGINE`")
	newFlag := fs.String("new", "", "the engine to roll out, `ENGINE`")
	jsonOn := fs.Bool("json", false, "print one JSON object")
	timeout := fs.Duration("timeout", diff.DefaultRunBudget, "wall-clock budget `D` of one engine for one step")
	progress := fs.Bool("progress", false, "name each input on stderr as it starts")
	pos, code, ok := parseFlags(fs, gateUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee gate: "+format+"\n", a...)
		return exitBad
	}
	if *oldFlag == "" || *newFlag == "" {
		return bad("want --old ENGINE and --new ENGINE (run 'referee help gate')")
	}
	if len(pos) == 0 {
		return bad("want at least one CORPUS path")
	}
	for _, p := range pos {
		if _, err := os.Stat(p); err != nil {
			return bad("%v", err)
		}
	}
	es, err := diff.Engines([]string{*oldFlag, *newFlag}, diff.EngineConfig{Interruptible: true})
	if err != nil {
		return bad("--old/--new: %v", err)
	}
	defer diff.CloseEngines(es)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := upgrade.Options{Timeout: *timeout}
	if *progress {
		opts.Progress = func(kind, path string) { fmt.Fprintf(stderr, "gate: %s %s\n", kind, path) }
	}
	rep, err := upgrade.Run(ctx, es[0], es[1], pos, opts)
	if err != nil {
		return bad("%v", err)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if *jsonOn {
		if rep.Differences == nil {
			rep.Differences = []upgrade.Difference{}
		}
		writeJSON(out, rep)
	} else {
		writeGateText(out, rep)
	}
	if len(rep.Differences) > 0 {
		return exitNo
	}
	return exitOK
}

func writeGateText(w io.Writer, rep *upgrade.Report) {
	fmt.Fprintf(w, "gate %s -> %s\n", rep.Engines[0], rep.Engines[1])
	nanAllowed, nanNot := 0, 0
	for _, d := range rep.Differences {
		note := ""
		if d.Note != "" {
			note = " (" + d.Note + ")"
			if strings.HasSuffix(d.Note, "both results are allowed") {
				nanAllowed++
			} else {
				nanNot++
			}
		}
		fmt.Fprintf(w, "DIFFERENCE %s %s: class %s, field %s: %s says %s, %s says %s; signature %s%s\n",
			d.Kind, d.Input, d.Class, d.Field, rep.Engines[0], d.Values[0], rep.Engines[1], d.Values[1], d.Signature, note)
	}
	rows := [][]string{{"kind", "inputs", "compared", "skipped", "differences"}}
	var total upgrade.Stats
	for _, k := range upgrade.Kinds {
		s := rep.Stats[k]
		if s == nil {
			continue
		}
		rows = append(rows, []string{k, fmt.Sprint(s.Inputs), fmt.Sprint(s.Compared), fmt.Sprint(s.Skipped), fmt.Sprint(s.Differences)})
		total.Inputs, total.Compared, total.Skipped, total.Differences = total.Inputs+s.Inputs, total.Compared+s.Compared, total.Skipped+s.Skipped, total.Differences+s.Differences
	}
	rows = append(rows, []string{"total", fmt.Sprint(total.Inputs), fmt.Sprint(total.Compared), fmt.Sprint(total.Skipped), fmt.Sprint(total.Differences)})
	writeColumns(w, rows)
	if bc := rep.ByClass(); len(bc) > 0 {
		var parts []string
		for _, c := range bc {
			parts = append(parts, c[0]+" "+c[1])
		}
		fmt.Fprintf(w, "by class: %s\n", strings.Join(parts, ", "))
	}
	if nanAllowed+nanNot > 0 {
		fmt.Fprintf(w, "nan-bits of spec commands: %d allowed by the spec (both NaNs satisfy its nan:canonical, nan:arithmetic or exact bits), %d not\n", nanAllowed, nanNot)
	}
	if len(rep.Differences) == 0 {
		fmt.Fprintf(w, "no behavioural difference (%s)\n", rep.Wall.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "%d differences (%s)\n", len(rep.Differences), rep.Wall.Round(time.Millisecond))
	}
}
