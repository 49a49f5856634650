package main

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/serve"
)

// TestMain lets this test binary serve isolated runs: with --isolate the
// CLI re-executes os.Executable() as "check --engine-child", which here is
// the test binary; and be the CLI itself for execCLI.
func TestMain(m *testing.M) {
	if os.Getenv("REFEREE_TEST_AS_CLI") == "1" { // execCLI: be the CLI
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	if len(os.Args) >= 3 && os.Args[1] == "check" && os.Args[2] == "--engine-child" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const blocksDir = "../../examples/blocks/"

// withoutTimes drops the "time ENGINE D" lines, the only part of check's
// text output that varies between runs, and the engines' trap messages
// (the reference machine's names a step count and code offset of the
// instrumented module, which follow every change of the meter).
func withoutTimes(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "time ") && !strings.HasPrefix(l, "  detail ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// golden compares have with testdata/check/NAME.golden (-update rewrites it).
func golden(t *testing.T, name, have string) {
	t.Helper()
	path := filepath.Join("testdata", "check", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(have), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if have != string(want) {
		t.Errorf("output differs from %s:\nhave:\n%s\nwant:\n%s", path, have, want)
	}
}

// writeBlock writes a block file into a temporary directory.
func writeBlock(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "block.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckCLI is the golden table of referee check: exit codes, the exact
// text output (times removed) and one-line errors.
func TestCheckCLI(t *testing.T) {
	three := "--engines=reference,wazero-interp,wazero-compiler"
	malformed := writeBlock(t, "{\n  \"version\": 1,\n  \"pre\": {\"contracts\": []},\n  \"txs\": [\n}\n")
	missing := writeBlock(t, `{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001", "code": "missing.wasm"}]}, "txs": []}`)
	relaxed := writeBlock(t, `{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001",
		"codeBase64": "AGFzbQEAAAABBQFgAAF/AwIBAAcFAQFmAAAKLgEsAP0MAQAAAAIAAAADAAAABAAAAP0MAAAAAAAAAAAAAAAAAAAAAP2AAv0bAAs="}]}, "txs": []}`)
	tests := []struct {
		name      string
		args      []string
		code      int
		golden    string // compare stdout without times to testdata/check/GOLDEN.golden
		stdoutHas string
		stderrHas string
	}{
		{name: "token", args: []string{"check", blocksDir + "token.json", three}, golden: "token"},
		{name: "mixed", args: []string{"check", three, blocksDir + "mixed.json"}, golden: "mixed"},
		{name: "traps", args: []string{"check", blocksDir + "traps.json", three}, golden: "traps"},
		{name: "default engines", args: []string{"check", blocksDir + "token.json"},
			stdoutHas: "engines agree; post-state commitment 0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4\n"},
		{name: "planted", args: []string{"check", blocksDir + "token.json", "--engines", "reference,planted"}, code: 1, golden: "planted"},
		{name: "planted write", args: []string{"check", blocksDir + "mixed.json", "--engines", "wazero-compiler,planted:write@4"}, code: 1,
			stdoutHas: "class storage, field writes[0].value"},
		{name: "isolated planted", args: []string{"check", "--isolate", blocksDir + "traps.json", "--engines", "reference,planted:status@2"}, code: 1,
			stdoutHas: "DIVERGENCE at tx 2 0x…0004.div (7 / 0: integer divide by zero)\nclass trap-vs-ok, field status: reference says trap, planted says ok\nsignature trap-vs-ok/status/i32.div_u\n"},
		{name: "malformed json", args: []string{"check", malformed}, code: 2, stderrHas: "block.json:5:1: invalid character '}'"},
		{name: "missing module", args: []string{"check", missing}, code: 2, stderrHas: "pre.contracts[0].code: open "},
		{name: "relaxed simd module", args: []string{"check", relaxed}, code: 2, stderrHas: "relaxed SIMD is non-deterministic by design and not supported"},
		{name: "missing block", args: []string{"check", "nope.json"}, code: 2, stderrHas: "nope.json"},
		{name: "unknown engine", args: []string{"check", blocksDir + "token.json", "--engines", "v8"}, code: 2, stderrHas: `--engines: unknown engine "v8"`},
		{name: "bad planted", args: []string{"check", blocksDir + "token.json", "--engines", "planted:x@1"}, code: 2, stderrHas: `unknown field "x"`},
		{name: "no block", args: []string{"check"}, code: 2, stderrHas: "want one BLOCK.json"},
		{name: "interrupt all", args: []string{"check", blocksDir + "token.json", "--interrupt", "all", three}, golden: "token"},
		{name: "interrupt none", args: []string{"check", blocksDir + "token.json", "--interrupt=none", three}, golden: "token"},
		{name: "bad interrupt", args: []string{"check", blocksDir + "token.json", "--interrupt", "some"}, code: 2, stderrHas: `--interrupt: "some" is not cheap, all or none`},
		{name: "help check", args: []string{"help", "check"}, stdoutHas: "referee check [--engines LIST]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			switch {
			case tt.golden != "":
				golden(t, tt.golden, withoutTimes(stdout))
			case !contains(stdout, tt.stdoutHas):
				t.Errorf("stdout %q does not contain %q", stdout, tt.stdoutHas)
			}
			switch {
			case tt.stderrHas == "" && stderr != "":
				t.Errorf("unexpected stderr %q", stderr)
			case !contains(stderr, tt.stderrHas):
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderrHas)
			case tt.code == exitBad && strings.Count(stderr, "\n") != 1:
				t.Errorf("error output is not one line: %q", stderr)
			}
		})
	}
}

// TestCheckEverySubset is Done-when 1 through the CLI: each example block
// prints its commitment on every engine alone.
func TestCheckEverySubset(t *testing.T) {
	want := map[string]string{
		"token.json": "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4",
		"mixed.json": "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44",
		"traps.json": "0x77cef6b03f3e65550741c0e91012e922b43f2c98ae88da8d0ddd125b89aa114e",
	}
	for blk, commit := range want {
		for _, e := range append(allEngines(), strings.Join(allEngines(), ",")) {
			code, stdout, stderr := cli("check", blocksDir+blk, "--engines", e)
			if code != exitOK || !contains(stdout, "post-state commitment "+commit+"\n") {
				t.Errorf("%s on %s: exit %d, stdout %q, stderr %q", blk, e, code, stdout, stderr)
			}
		}
	}
}

func allEngines() []string {
	_, stdout, _ := cli("check", blocksDir+"token.json", "--json")
	var j struct{ Engines []string }
	json.Unmarshal([]byte(stdout), &j)
	return j.Engines
}

// TestCheckJSONAndBundle: --json is one document with the divergence and
// outcomes; --bundle writes a bundle that replays to the same divergence
// without the original files.
func TestCheckJSONAndBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	code, stdout, stderr := cli("check", blocksDir+"mixed.json", "--engines", "reference,planted:gas@3", "--json", "--bundle", dir)
	if code != exitNo {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var j struct {
		Agree      bool
		Receipts   []struct{ Status string }
		Divergence *struct {
			Tx    int
			Class string
		}
		Outcomes []struct{ Receipt struct{ GasUsed uint64 } }
	}
	if err := json.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	if j.Agree || j.Divergence == nil || j.Divergence.Tx != 3 || j.Divergence.Class != "gas" || len(j.Receipts) != 3 || len(j.Outcomes) != 2 {
		t.Fatalf("json: %+v", j)
	}
	if j.Outcomes[1].Receipt.GasUsed != j.Outcomes[0].Receipt.GasUsed+1 {
		t.Errorf("outcomes: %+v", j.Outcomes)
	}
	for _, f := range []string{"block.json", "outcomes.json", "README.txt",
		"modules/0x0000000000000000000000000000000000000003.wasm",
		"modules/0x0000000000000000000000000000000000000003.instrumented.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("bundle: %v", err)
		}
	}
	code, stdout, _ = cli("check", filepath.Join(dir, "block.json"), "--engines", "reference,planted:gas@3")
	if code != exitNo || !contains(stdout, "class gas, field gasUsed") {
		t.Errorf("replay: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = cli("check", filepath.Join(dir, "block.json"), "--engines", "reference")
	if code != exitOK || !contains(stdout, "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44") {
		t.Errorf("replay without the planted engine: exit %d, stdout %q", code, stdout)
	}
}

// TestCheckPostStateChains: the post-state written by --post-state is the
// pre-state of the next block: token.json split after transaction 4 and
// checked as two chained blocks ends at the commitment of the whole block.
func TestCheckPostStateChains(t *testing.T) {
	dir := t.TempDir()
	b, err := block.Load(blocksDir + "token.json")
	if err != nil {
		t.Fatal(err)
	}
	rest := b.Txs[4:]
	b.Txs = b.Txs[:4]
	first := filepath.Join(dir, "first.json")
	if err := os.WriteFile(first, b.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	post := filepath.Join(dir, "post.json")
	code, out, errs := cli("check", first, "--post-state", post, "--engines", "reference,wazero-interp")
	if code != 0 || !strings.HasSuffix(out, "post-state written to "+post+"\n") {
		t.Fatalf("first block: exit %d, %q, %q", code, out, errs)
	}
	pre, err := os.ReadFile(post)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := block.ParseInline(post, []byte(`{"version": 1, "pre": `+string(pre)+`, "txs": []}`))
	if err != nil {
		t.Fatalf("the post-state is not a pre section: %v", err)
	}
	nb.Txs = rest
	second := filepath.Join(dir, "second.json")
	if err := os.WriteFile(second, nb.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = cli("check", second, "--engines", "reference,wazero-compiler")
	want := "post-state commitment 0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("second block: exit %d, %q, %q; want the whole block's commitment", code, out, errs)
	}
	// A refused block writes no post-state.
	os.Remove(post)
	if code, _, _ := cli("check", first, "--post-state", post, "--engines", "reference,planted:write@1"); code != 1 {
		t.Fatalf("planted: exit %d", code)
	}
	if _, err := os.Stat(post); err == nil {
		t.Fatal("a refused block wrote a post-state")
	}
}

// blockingWriter holds the first write that contains mark until release
// is closed, and reports it on seen.
type blockingWriter struct {
	mu      sync.Mutex
	buf     strings.Builder
	mark    string
	seen    chan string
	release chan struct{}
	once    sync.Once
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	s := w.buf.String()
	w.mu.Unlock()
	if strings.Contains(s, w.mark) {
		w.once.Do(func() {
			w.seen <- s
			<-w.release
		})
	}
	return len(p), nil
}

// TestCheckStreamsReceipts: the first receipt reaches stdout while the
// check is still running (the writer holds the command inside that write
// and sees no verdict yet).
func TestCheckStreamsReceipts(t *testing.T) {
	w := &blockingWriter{mark: "tx 0 ", seen: make(chan string, 1), release: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"check", blocksDir + "token.json", "--engines", "reference,wazero-interp"}, w, io.Discard)
	}()
	var so string
	select {
	case so = <-w.seen:
	case code := <-done:
		t.Fatalf("check ended (exit %d) without writing a receipt line", code)
	}
	if strings.Contains(so, "agree") || !strings.HasPrefix(so, "block ") {
		t.Fatalf("at the first receipt, stdout is %q: want the header and receipts only", so)
	}
	close(w.release)
	if code := <-done; code != 0 || !strings.Contains(w.buf.String(), "all 2 engines agree") {
		t.Fatalf("exit %d, stdout %q", code, w.buf.String())
	}
}

// TestCheckServer: check --server prints what a local check prints (the
// goldens), plus the record's id, and writes the bundle it fetches.
func TestCheckServer(t *testing.T) {
	s, err := serve.New(serve.Config{DataDir: t.TempDir(), Engines: []string{"reference", "wazero-interp", "wazero-compiler"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer s.Close()
	defer ts.Close()
	withoutID := func(s string) string {
		i := strings.Index(s, "recorded as ")
		if i < 0 {
			t.Fatalf("no record id in %q", s)
		}
		j := strings.IndexByte(s[i:], '\n')
		return s[:i] + s[i+j+1:]
	}
	code, out, errs := cli("check", "--server", ts.URL, blocksDir+"token.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "token", withoutTimes(withoutID(out)))
	bundle := filepath.Join(t.TempDir(), "bundle")
	code, out, errs = cli("check", "--server", ts.URL, blocksDir+"token.json", "--engines", "reference,planted", "--bundle", bundle)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out = strings.Replace(withoutID(out), "bundle written to "+bundle+"\n", "", 1)
	golden(t, "planted", withoutTimes(out))
	if b, err := os.ReadFile(filepath.Join(bundle, "README.txt")); err != nil || !strings.Contains(string(b), "referee check block.json --engines reference,planted") {
		t.Fatalf("bundle README: %v %s", err, b)
	}
	if code, _, errs := cli("check", "--server", ts.URL, blocksDir+"token.json", "--engines", "v8"); code != 2 || !strings.Contains(errs, `unknown engine "v8"`) {
		t.Fatalf("unknown engine: exit %d, %s", code, errs)
	}
}
