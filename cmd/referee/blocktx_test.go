package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRunBlockTx: run --tx prints the receipt check agrees on (the golden
// line of testdata/check/token.golden), exit 1 for a receipt that is not
// ok, 2 for a block without --tx or a transaction it does not have.
func TestRunBlockTx(t *testing.T) {
	tok := blocksDir + "token.json"
	for _, tt := range []struct {
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{[]string{"run", tok, "--tx", "0"}, 0, "tx 0 0x…0001.transfer (alice sends 100 to bob): ok gas=3385 return=0x8403000000000000 logs=1 writes=2\nsteps 295\n", ""},
		{[]string{"run", "--tx", "2", tok}, 1, "abort (code 2) gas=520\n", ""},
		{[]string{"run", "--tx", "0", "--max-steps", "10", tok}, 1, "trap: step limit exceeded\n", ""},
		{[]string{"run", tok}, 2, "", "referee run: " + tok + ": a block needs --tx I, the transaction"},
		{[]string{"run", "--tx", "9", tok}, 2, "", "tx 9: the block has 9 transactions"},
		{[]string{"root", "--tx", "0", tok, "extra"}, 2, "", "with --tx, want one BLOCK.json, got 2 arguments"},
		{[]string{"prove", tok}, 2, "", "a block needs --tx I"},
	} {
		code, out, errs := cli(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.stdoutHas) || !strings.Contains(errs, tt.stderrHas) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				strings.Join(tt.args, " "), code, out, errs, tt.code, tt.stdoutHas, tt.stderrHas)
		}
	}
	// The traced steps are the steps counted, and --json ends with the
	// receipt.
	code, out, _ := cli("run", "--tx", "1", "--trace", "--json", tok)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Tx      int
		Steps   uint64
		Receipt struct{ Status string }
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); code != 0 || err != nil {
		t.Fatalf("run --tx 1 --trace --json: exit %d, %v", code, err)
	}
	if uint64(len(lines)-1) != last.Steps || last.Receipt.Status != "ok" || last.Tx != 1 {
		t.Fatalf("%d step lines, summary %+v", len(lines)-1, last)
	}
}
