package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/refereevm/referee/trace/spectest"
)

const specUsage = `  referee spec [--json] [-v] [--max-steps N] PATH...
        run wast2json command files (a .json file, or every .json file
        under a directory) on the reference machine; ends with the line
        "N passed, N failed, N skipped" (exit 1 if any failed)
`

// specFile is one file's entry in --json output.
type specFile struct {
	File     string        `json:"file"`
	Source   string        `json:"source"`
	Passed   int           `json:"passed"`
	Failed   int           `json:"failed"`
	Skipped  int           `json:"skipped"`
	Failures []specFailure `json:"failures,omitempty"` // with -v
	Notes    []specFailure `json:"notes,omitempty"`    // with -v
}

type specFailure struct {
	Line    int    `json:"line"`
	Command string `json:"command"`
	Msg     string `json:"msg"`
}

// specReport is the --json document.
type specReport struct {
	Files   []specFile `json:"files"`
	Passed  int        `json:"passed"`
	Failed  int        `json:"failed"`
	Skipped int        `json:"skipped"`
}

// specCommand implements "referee spec".
func specCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	jsonOn := fs.Bool("json", false, "print one JSON document with per-file counts")
	verbose := fs.Bool("v", false, "name every failure (and note) with its file and line")
	maxSteps := fs.Uint64("max-steps", 0, "step budget of each file's machine (0 = default)")
	pos, code, ok := parseFlags(fs, specUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintf(stderr, "referee spec: want at least one PATH (run 'referee help spec')\n")
		return exitBad
	}
	results, err := spectest.RunPath(spectest.Options{MaxSteps: *maxSteps}, pos...)
	if err != nil {
		fmt.Fprintf(stderr, "referee spec: %v\n", err)
		return exitBad
	}
	rep := specReport{Files: make([]specFile, 0, len(results))}
	for _, r := range results {
		f := specFile{File: r.File, Source: r.Source, Passed: r.Passed, Failed: r.Failed, Skipped: r.Skipped}
		if *verbose {
			f.Failures = toSpecFailures(r.Failures)
			f.Notes = toSpecFailures(r.Notes)
		}
		rep.Files = append(rep.Files, f)
		rep.Passed += r.Passed
		rep.Failed += r.Failed
		rep.Skipped += r.Skipped
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if *jsonOn {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		writeSpecText(out, results, *verbose)
		fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", rep.Passed, rep.Failed, rep.Skipped)
	}
	switch {
	case rep.Failed > 0:
		return exitNo
	case len(results) == 0 || rep.Passed == 0:
		return exitNothing
	}
	return exitOK
}

// writeSpecText prints one line per file with failures (every file with
// -v, followed by its failures and notes, each as source.wast:LINE).
func writeSpecText(w io.Writer, results []spectest.Result, verbose bool) {
	for _, r := range results {
		if r.Failed == 0 && !verbose {
			continue
		}
		fmt.Fprintf(w, "%s: %d passed, %d failed, %d skipped\n", r.File, r.Passed, r.Failed, r.Skipped)
		if !verbose {
			continue
		}
		src := filepath.Join(filepath.Dir(r.File), r.Source)
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  FAIL %s:%d: %s: %s\n", src, f.Line, f.Command, oneLine(f.Msg))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note %s:%d: %s: %s\n", src, n.Line, n.Command, oneLine(n.Msg))
		}
	}
}

func toSpecFailures(fs []spectest.Failure) []specFailure {
	out := make([]specFailure, len(fs))
	for i, f := range fs {
		out[i] = specFailure{Line: f.Line, Command: f.Command, Msg: f.Msg}
	}
	return out
}

// oneLine keeps a message on one line of text output.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
