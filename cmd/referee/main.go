package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	_ "github.com/refereevm/referee/remote" // engines outside the binary: exec:CMD, wazero-*@VERSION, v8-*
)

// Exit codes, shared by every subcommand (docs/cli.md).
const (
	exitOK      = 0 // done: result printed, every spec command passed
	exitNo      = 1 // a definite "no": the guest trapped, a spec command failed
	exitBad     = 2 // bad input: usage, unreadable file, malformed module or argument
	exitNothing = 3 // nothing to do: e.g. spec on a directory without command files
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name  string
	usage string // synopsis line(s), printed by help
	run   func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order help prints them.
func commands() []command {
	return []command{
		{name: "run", usage: runUsage, run: runCommand},
		{name: "spec", usage: specUsage, run: specCommand},
		{name: "check", usage: checkUsage, run: checkCommand},
		{name: "diff", usage: diffUsage, run: diffCommand},
		{name: "gate", usage: gateUsage, run: gateCommand},
		{name: "engine", usage: engineUsage, run: engineCommand},
		{name: "dispute", usage: disputeUsage, run: disputeCommand},
		{name: "fuzz", usage: fuzzUsage, run: fuzzCommand},
		{name: "corpus", usage: corpusUsage, run: corpusCommand},
		{name: "prove", usage: proveUsage, run: proveCommand},
		{name: "verify", usage: verifyUsage, run: verifyCommand},
		{name: "root", usage: rootUsage, run: rootCommand},
		{name: "narrow", usage: narrowUsage, run: narrowCommand},
		{name: "serve", usage: serveUsage, run: serveCommand},
		{name: "version", usage: versionUsage, run: versionCommand},
	}
}

// run is the whole CLI: it dispatches args[0] to a subcommand and returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitBad
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					return c.run([]string{"-h"}, stdout, stderr) // the usage and every flag
				}
			}
			fmt.Fprintf(stderr, "referee help: unknown command %q\n", args[1])
			return exitBad
		}
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "referee: unknown command %q (run 'referee help')\n", name)
	return exitBad
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "referee is a deterministic WebAssembly 2.0 reference machine.\n\nUsage:\n\n")
	for _, c := range commands() {
		fmt.Fprint(w, c.usage)
	}
	fmt.Fprint(w, `  referee help [COMMAND]

Exit codes: 0 done, 1 trap or failure, 2 bad input, 3 nothing to do.
See docs/cli.md for the full specification.
`)
}

// parseFlags parses fs's flags wherever they appear in args (before,
// between or after the positional arguments, unlike flag.Parse, which
// stops at the first positional one) and returns the positional
// arguments in order. "--" ends the flags. ok is false after a usage
// error, which has been reported on stderr, or after -h, which printed
// the usage on stdout (code says which exit code to use).
func parseFlags(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			printFlags(stdout, fs)
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(stderr, "referee %s: %v (run 'referee help %s')\n", fs.Name(), err, fs.Name())
			return nil, exitBad, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, exitOK, true
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), exitOK, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printFlags lists every flag of fs, in name order, with its value's
// name, its meaning and its default (what -h prints after the usage).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "\nFlags of referee %s:\n", fs.Name())
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		def := f.DefValue
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isString := g.Get().(string); isString {
				def = fmt.Sprintf("%q", def)
			}
		}
		fmt.Fprintf(w, "  %s\n        %s (default %s)\n", name, usage, def)
	})
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" || s == "--h" }
