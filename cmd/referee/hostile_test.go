//go:build linux

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/refereevm/referee/wasm"
)

// The hostile-input suite: blocks a hostile block producer would send, and
// contracts that loop, recurse, grow memory to the limit, carry huge
// segments or are compile-time bombs. Each must end, run as a separate
// process of the CLI, in exit 2 with one line naming the file and the
// field, or in a classified outcome (check's --json verdict), within a
// bounded time and peak RSS. The bounds are generous on purpose (a loaded
// 2-core machine must pass): they catch a hang or an unbounded
// allocation, not a slowdown. BenchmarkHostile reports the figures.

const (
	hostileWall = 90 * time.Second
	hostileRSS  = 2 << 30 // bytes
	addrA       = "0x00000000000000000000000000000000000000a1"
)

// hostileCase is one input and what must become of it.
type hostileCase struct {
	name string
	// setup writes the block (and anything it names) into dir and
	// returns the command line's arguments after "check".
	setup func(t testing.TB, dir string) []string
	// field is, for bad input (exit 2), a substring the one error line
	// must hold besides the file name; "" for a classified outcome.
	field string
	// status, for a classified outcome, is what every receipt's status
	// must be ("" for any).
	status string
	// refusal, if set, is the divergence class the check must end in
	// (exit 1) instead of every engine agreeing.
	refusal string
	// flags are extra flags of check.
	flags []string
}

// contractBlock is a block of n transactions calling entry "run" of one
// contract given inline, each with gas.
func contractBlock(code []byte, n int, gas uint64) string {
	var txs []string
	for i := 0; i < n; i++ {
		txs = append(txs, fmt.Sprintf(`{"contract": %q, "entry": "run", "gasLimit": %d}`, addrA, gas))
	}
	return fmt.Sprintf(`{"version": 1, "pre": {"contracts": [{"address": %q, "codeBase64": %q}]}, "txs": [%s]}`,
		addrA, base64.StdEncoding.EncodeToString(code), strings.Join(txs, ",\n"))
}

// runModule is a contract whose entry run: [] -> [] has body (without its
// final end), extra functions after it, optional memory and data.
func runModule(body []wasm.Instr, locals uint32, extra ...[]wasm.Instr) *wasm.Module {
	m := &wasm.Module{
		Types:   []wasm.FuncType{{}},
		Exports: []wasm.Export{{Name: "run", Kind: wasm.ExternFunc}},
	}
	add := func(ins []wasm.Instr, locals uint32) {
		c := wasm.Code{Body: wasm.EncodeBody(append(ins, wasm.Instr{Op: wasm.OpEnd}))}
		if locals > 0 {
			c.Locals, c.NumLocals = []wasm.LocalDecl{{Count: locals, Type: wasm.I64}}, uint64(locals)
		}
		m.Funcs = append(m.Funcs, 0)
		m.Codes = append(m.Codes, c)
	}
	add(body, locals)
	for _, e := range extra {
		add(e, 0)
	}
	return m
}

func instrs(ops ...wasm.Opcode) []wasm.Instr {
	out := make([]wasm.Instr, len(ops))
	for i, op := range ops {
		out[i] = wasm.Instr{Op: op}
	}
	return out
}

func writeIn(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func hostileCases() []hostileCase {
	block := func(body string) func(testing.TB, string) []string {
		return func(t testing.TB, dir string) []string { return []string{writeIn(t, dir, "b.json", body)} }
	}
	trivial := wasm.Encode(runModule(nil, 0))
	loopForever := wasm.Encode(runModule([]wasm.Instr{{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}},
		{Op: wasm.OpBr, Index: 0}, {Op: wasm.OpEnd}}, 0))
	recurse := wasm.Encode(runModule([]wasm.Instr{{Op: wasm.OpCall, Index: 0}}, 0))
	// grow memory by one page until memory.grow fails, then stop
	grow := runModule([]wasm.Instr{
		{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}},
		{Op: wasm.OpI32Const, Const: 1}, {Op: wasm.OpMemoryGrow},
		{Op: wasm.OpI32Const, Const: uint64(0xffffffffffffffff)}, {Op: wasm.OpI32Ne},
		{Op: wasm.OpBrIf, Index: 0},
		{Op: wasm.OpEnd},
	}, 0)
	grow.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}}
	bigData := runModule(nil, 0)
	bigData.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: 16}}}
	bigData.Datas = []wasm.Data{{Mode: wasm.SegmentActive, Offset: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}, Init: make([]byte, 300<<10)}}
	// nested loops at the gate's depth cap, each reading a local (zero: no
	// branch is taken)
	var nest []wasm.Instr
	for i := 0; i < 255; i++ {
		nest = append(nest, wasm.Instr{Op: wasm.OpLoop, Block: wasm.BlockType{Kind: wasm.BlockEmpty}},
			wasm.Instr{Op: wasm.OpLocalGet, Index: uint32(i % 64)}, wasm.Instr{Op: wasm.OpI64Eqz}, wasm.Instr{Op: wasm.OpI32Eqz}, wasm.Instr{Op: wasm.OpBrIf, Index: 0})
	}
	for i := 0; i < 255; i++ {
		nest = append(nest, wasm.Instr{Op: wasm.OpEnd})
	}
	nested := wasm.Encode(runModule(nest, 64))
	// recursion keeping 4,000 i64 values on the operand stack per frame
	// (issue 17: the reference exited 0, wazero's interpreter trapped)
	var heavy []wasm.Instr
	for i := 0; i < 4000; i++ {
		heavy = append(heavy, wasm.Instr{Op: wasm.OpI64Const, Const: uint64(i)})
	}
	heavy = append(heavy, wasm.Instr{Op: wasm.OpCall, Index: 1})
	for i := 0; i < 4000; i++ {
		heavy = append(heavy, wasm.Instr{Op: wasm.OpDrop})
	}
	stackRec := wasm.Encode(runModule([]wasm.Instr{{Op: wasm.OpCall, Index: 1}}, 0, heavy))
	// an exported funcref global (issue 17: compared as an engine's address)
	funcrefGlobal := runModule(nil, 0)
	funcrefGlobal.Globals = []wasm.Global{{Type: wasm.GlobalType{Type: wasm.FuncRef}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: 0}}}
	funcrefGlobal.Exports = append(funcrefGlobal.Exports, wasm.Export{Name: "gf", Kind: wasm.ExternGlobal, Index: 0})
	funcrefGlobal.Elems = []wasm.Elem{{Type: wasm.FuncRef, Mode: wasm.SegmentDeclarative, Init: []wasm.ConstExpr{{Op: byte(wasm.OpRefFunc), Imm: 0}}}}
	// an active data segment past the end of memory: a trap at
	// instantiation on every engine (issue 17: refused as a divergence)
	oobData := runModule(nil, 0)
	oobData.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}}
	oobData.Datas = []wasm.Data{{Mode: wasm.SegmentActive, Offset: wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: 65535}, Init: []byte{1, 2}}}
	// a br_table with the gate's maximum of targets in a loop
	labels := make([]uint32, 1023)
	brt := wasm.Encode(runModule([]wasm.Instr{{Op: wasm.OpBlock, Block: wasm.BlockType{Kind: wasm.BlockEmpty}},
		{Op: wasm.OpI32Const, Const: 7}, {Op: wasm.OpBrTable, Labels: labels, Index: 0}, {Op: wasm.OpEnd}}, 0))

	return []hostileCase{
		// Malformed blocks: exit 2, naming the field (or line and column).
		{name: "gasLimit string", setup: block(`{"version": 1, "pre": {"contracts": []}, "txs": [{"contract": "` + addrA + `", "entry": "run", "gasLimit": "many"}]}`), field: "gasLimit"},
		{name: "version string", setup: block(`{"version": "1", "pre": {"contracts": []}, "txs": []}`), field: "version"},
		{name: "txs not an array", setup: block(`{"version": 1, "pre": {"contracts": []}, "txs": {}}`), field: "txs"},
		{name: "json nested 100000 deep", setup: block(`{"version": 1, "comment": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `, "pre": {"contracts": []}, "txs": []}`), field: ":1:"},
		{name: "100000 transactions", setup: block(contractBlock(trivial, 100000, 1000)), field: "txs: 100000 transactions, limit 65536"},
		{name: "huge base64", setup: block(contractBlock(make([]byte, 6<<20), 1, 1000)), field: "codeBase64: 6291456 bytes of code, limit 4194304"},
		{name: "input too long", setup: block(`{"version": 1, "pre": {"contracts": [{"address": "` + addrA + `", "codeBase64": "` + base64.StdEncoding.EncodeToString(trivial) + `"}]}, "txs": [{"contract": "` + addrA + `", "entry": "run", "gasLimit": 1, "input": "0x` + strings.Repeat("00", 70000) + `"}]}`), field: "txs[0].input"},
		{name: "block file of 65 MiB", field: "larger than the limit of 67108864 bytes", setup: func(t testing.TB, dir string) []string {
			p := writeIn(t, dir, "b.json", "{")
			if err := os.Truncate(p, 65<<20); err != nil { // sparse: costs no disk
				t.Fatal(err)
			}
			return []string{p}
		}},
		{name: "code path with ..", field: `pre.contracts[0].code: "../c.wasm": outside the block file's directory`, setup: func(t testing.TB, dir string) []string {
			writeIn(t, dir, "c.wasm", string(trivial))
			return []string{writeIn(t, dir, "blocks/b.json", `{"version": 1, "pre": {"contracts": [{"address": "`+addrA+`", "code": "../c.wasm"}]}, "txs": []}`)}
		}},
		{name: "code path absolute", setup: block(`{"version": 1, "pre": {"contracts": [{"address": "` + addrA + `", "code": "/etc/passwd"}]}, "txs": []}`), field: `pre.contracts[0].code: absolute path`},
		{name: "code not wasm", setup: block(contractBlock([]byte("#!/bin/sh\nrm -rf /\n"), 1, 1000)), field: "pre.contracts[0]"},
		{name: "data segment over the gate", setup: block(contractBlock(wasm.Encode(bigData), 1, 1000)), field: "pre.contracts[0]"},
		// Contracts that run: a classified outcome, every engine agreeing.
		{name: "loop forever", setup: block(contractBlock(loopForever, 2, 10_000_000)), status: "out-of-gas"},
		{name: "recursion", setup: block(contractBlock(recurse, 2, 10_000_000)), status: "trap"},
		{name: "memory grows to the limit", setup: block(contractBlock(wasm.Encode(grow), 1, 10_000_000)), status: "ok"},
		{name: "20000 trivial transactions", setup: block(contractBlock(trivial, 20000, 1000)), status: "ok"},
		{name: "nested loops at the depth cap", setup: block(contractBlock(nested, 1, 1_000_000)), status: "ok"},
		{name: "br_table of 1024 targets", setup: block(contractBlock(brt, 1, 1_000_000)), status: "ok"},
		{name: "operand-stack recursion", setup: block(contractBlock(stackRec, 2, 1<<40)), status: "trap"},
		{name: "exported funcref global", setup: block(contractBlock(wasm.Encode(funcrefGlobal), 2, 1000)), status: "ok"},
		{name: "active data segment out of bounds", setup: block(contractBlock(wasm.Encode(oobData), 2, 1000)), status: "trap"},
		// The 2^48-gas spin of issue 17 in the default --interrupt cheap:
		// the verdict is engine-timeout at the deadline plus the grace.
		{name: "spin with 2^48 gas, --timeout 5s", setup: block(contractBlock(loopForever, 1, 1<<48)),
			flags: []string{"--timeout", "5s"}, refusal: "engine-timeout"},
	}
}

// TestHostileBlocks runs the suite.
func TestHostileBlocks(t *testing.T) {
	for _, hc := range hostileCases() {
		t.Run(hc.name, func(t *testing.T) {
			args := append(append([]string{"check", "--json"}, hc.flags...), hc.setup(t, t.TempDir())...)
			r := execCLI(t, args...)
			t.Logf("exit %d, %v wall, peak RSS %d MiB; stderr %.300s", r.code, r.wall.Round(time.Millisecond), r.maxRSS>>20, r.stderr)
			if r.wall > hostileWall || r.maxRSS > hostileRSS {
				t.Errorf("took %v and %d MiB of RSS; bounds %v, %d MiB", r.wall, r.maxRSS>>20, hostileWall, hostileRSS>>20)
			}
			if hc.field != "" {
				if r.code != exitBad || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, args[len(args)-1]) || !strings.Contains(r.stderr, hc.field) {
					t.Fatalf("exit %d, stderr %q: want exit 2 and one line naming the file and %q", r.code, r.stderr, hc.field)
				}
				return
			}
			var v struct {
				Agree      bool
				Receipts   []struct{ Status string }
				Divergence *struct{ Class string }
			}
			if hc.refusal != "" {
				if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != exitNo || v.Divergence == nil || v.Divergence.Class != hc.refusal {
					t.Fatalf("exit %d (%v), want a refusal of class %s; stderr %q, stdout %.600s", r.code, err, hc.refusal, r.stderr, r.stdout)
				}
				return
			}
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != exitOK || !v.Agree {
				t.Fatalf("exit %d (%v), want every engine agreeing; stderr %q, stdout %.400s", r.code, err, r.stderr, r.stdout)
			}
			for i, rc := range v.Receipts {
				if hc.status != "" && rc.Status != hc.status {
					t.Fatalf("receipt %d: status %q, want %q", i, rc.Status, hc.status)
				}
			}
		})
	}
}

// BenchmarkHostile reports each case's wall time and peak RSS, a whole
// CLI process per run.
func BenchmarkHostile(b *testing.B) {
	for _, hc := range hostileCases() {
		b.Run(strings.ReplaceAll(hc.name, " ", "_"), func(b *testing.B) {
			args := append(append([]string{"check", "--json"}, hc.flags...), hc.setup(b, b.TempDir())...)
			var rss int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rss = max(rss, execCLI(b, args...).maxRSS)
			}
			b.ReportMetric(float64(rss)/(1<<20), "MiB-peak-RSS")
		})
	}
}

type cliResult struct {
	code           int
	stdout, stderr string
	wall           time.Duration
	maxRSS         int64 // bytes
}

// execCLI runs the CLI as a child process (this test binary, see
// TestMain), so that its time and peak RSS are its own.
func execCLI(tb testing.TB, args ...string) cliResult {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "REFEREE_TEST_AS_CLI=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Start()
	if err != nil {
		tb.Fatal(err)
	}
	timer := time.AfterFunc(2*hostileWall, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	timer.Stop()
	r := cliResult{stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	if cmd.ProcessState == nil {
		tb.Fatalf("%v", err)
	}
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) << 10 // Linux reports KiB
	}
	return r
}
