// Command referee-onchain runs referee's on-chain arbiter in an EVM:
// `verify` checks a one-step proof with the OneStepVerifier contract
// in-process, `play` plays a whole dispute game with the DisputeGame
// contract on a simulated chain (docs/cli.md, "referee-onchain").
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, as referee's (docs/cli.md).
const (
	exitOK      = 0
	exitNo      = 1
	exitBad     = 2
	exitNothing = 3
)

const usage = `usage: referee-onchain COMMAND [FLAGS] ARGS

  referee-onchain verify [--pre ROOT] [--json] PROOF
        check a one-step proof ("-" = stdin) with OneStepVerifier in an
        in-process EVM (Osaka rules); print "ok PRE -> POST gas N" (N: the
        transaction's gas), or the contract's rejection (exit 1)
  referee-onchain play [--k K] [--defender S] [--challenger S] [--json] EXECUTION
        play a whole dispute game with DisputeGame on a simulated chain:
        each move is a transaction; print each with its gas, and the winner.
        S is honest, wrong-final, wrong-at[:STEP], shifted[:STEP],
        equivocate[:MOVE], forge, stall[:MOVE], garbage[:MOVE]; EXECUTION is
        --sim N [--seed S] (a simulated trace, checked by SimStepChecker) or
        [--every C] MODULE.wasm FUNC [ARG...] (the reference machine, its
        one-step proofs checked by OneStepVerifier); exit 0 when the game
        ended, 3 when the claims agree
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitBad
	}
	switch args[0] {
	case "verify":
		return verifyCommand(args[1:], stdin, stdout, stderr)
	case "play":
		return playCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "referee-onchain: unknown command %q (want verify or play)\n", args[0])
	return exitBad
}

// parseFlags parses flags that may come before or after the positional
// arguments; a bad flag is exit 2, -h prints the usage and exits 0.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int, bool) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fmt.Fprint(stdout, usage)
				return nil, exitOK, false
			}
			fmt.Fprintf(stderr, "referee-onchain %s: %v\n", fs.Name(), err)
			return nil, exitBad, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if rest[0] == "--" {
			pos = append(pos[:len(pos)-1], args...)
			return pos, 0, true
		}
		// values that look like negative numbers are arguments, not flags
		for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 && (args[0][1] >= '0' && args[0][1] <= '9') {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
}
