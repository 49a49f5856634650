package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/onchain/verifier"
)

// maxProof bounds what verify reads: twice the largest proof a block can
// need (a 64 KiB copy, ~135 KB), far under what an EVM call could take.
const maxProof = 1 << 20

func readProof(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxProof+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxProof {
		return nil, fmt.Errorf("%s: longer than %d bytes: not a one-step proof", path, maxProof)
	}
	return b, nil
}

func verifyCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	preFlag := fs.String("pre", "", "require the proof to open pre-state `ROOT` (0x + 64 hex digits)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	pos, code, ok := parseFlags(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "referee-onchain verify: want one PROOF file")
		return exitBad
	}
	b, err := readProof(pos[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "referee-onchain verify: %v\n", err)
		return exitBad
	}
	info, _ := dispute.DescribeProof(b)
	pre := info.Pre
	if *preFlag != "" {
		if pre, err = dispute.ParseRoot(*preFlag); err != nil {
			fmt.Fprintf(stderr, "referee-onchain verify: --pre: %v\n", err)
			return exitBad
		}
	}
	v, err := verifier.New()
	if err != nil {
		fmt.Fprintf(stderr, "referee-onchain verify: deploy: %v\n", err)
		return exitBad
	}
	o, err := v.Verify(pre, b)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err != nil {
		if !errors.Is(err, verifier.ErrRejected) && !errors.Is(err, verifier.ErrNotProvable) && !errors.Is(err, verifier.ErrFloatPending) {
			fmt.Fprintf(stderr, "referee-onchain verify: %v\n", err)
			return exitBad
		}
		if *asJSON {
			_ = enc.Encode(map[string]any{"ok": false, "pre": dispute.Hex(pre), "error": err.Error(), "gas": o.TxGas})
		} else {
			fmt.Fprintf(stdout, "rejected: %v\n", err)
		}
		return exitNo
	}
	if *asJSON {
		_ = enc.Encode(map[string]any{"ok": true, "pre": dispute.Hex(pre), "post": dispute.Hex(o.Post),
			"gas": o.TxGas, "execGas": o.ExecGas, "calldata": o.Calldata, "step": info.Steps + 1, "op": info.Op,
			"func": info.Func, "offset": fmt.Sprintf("0x%x", info.Offset)})
		return exitOK
	}
	fmt.Fprintf(stdout, "ok %s -> %s gas %d\n", dispute.Hex(pre), dispute.Hex(o.Post), o.TxGas)
	return exitOK
}
