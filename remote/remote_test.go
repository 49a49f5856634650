package remote

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute/narrow"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/wasm"
)

// TestMain lets the test binary play broken engines: with
// REFEREE_FAKE_CHILD=MODE it answers as a child that misbehaves in MODE.
func TestMain(m *testing.M) {
	if mode := os.Getenv("REFEREE_FAKE_CHILD"); mode != "" {
		fakeChild(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeChild answers hello, then misbehaves: v2 speaks protocol 2, garbage
// prints a line that is not JSON, die exits at the first request after
// hello, hang never answers it.
func fakeChild(mode string) {
	in := bufio.NewScanner(os.Stdin)
	for n := 0; in.Scan(); n++ {
		var m message
		json.Unmarshal(in.Bytes(), &m)
		if n == 0 {
			proto := 1
			if mode == "v2" {
				proto = 2
			}
			fmt.Printf(`{"id":%d,"protocol":%d,"engine":"fake"}`+"\n", m.ID, proto)
			continue
		}
		switch mode {
		case "garbage":
			fmt.Println("this is not json")
		case "die":
			fmt.Fprintln(os.Stderr, "fake engine: dying on purpose")
			os.Exit(3)
		case "hang":
			time.Sleep(time.Hour)
		}
	}
}

func fakeEngine(mode string) *Engine {
	return NewEngine("fake-"+mode, []string{os.Args[0]}, []string{"REFEREE_FAKE_CHILD=" + mode})
}

var (
	childOnce sync.Once
	childPath string
	childErr  error
)

// wazeroChild builds wazerochild against this module's wazero (v1.12.0,
// from the module cache: no network) once per test binary.
func wazeroChild(t testing.TB) string {
	t.Helper()
	childOnce.Do(func() {
		dir, err := os.MkdirTemp("", "referee-wazerochild-")
		if err != nil {
			childErr = err
			return
		}
		childPath = filepath.Join(dir, "wazerochild")
		out, err := exec.Command("go", "build", "-o", childPath, "./wazerochild").CombinedOutput()
		if err != nil {
			childErr = fmt.Errorf("go build ./wazerochild: %v: %s", err, out)
		}
	})
	if childErr != nil {
		t.Fatal(childErr)
	}
	return childPath
}

// protocolEngines returns the engines over the protocol that this machine
// has: wazero's compiler and interpreter (the in-module child) and, where
// node is found, V8's two tiers.
func protocolEngines(t testing.TB) []*Engine {
	t.Helper()
	bin := wazeroChild(t)
	es := []*Engine{
		NewEngine("wazero-compiler@module", []string{bin, "compiler"}, nil),
		NewEngine("wazero-interp@module", []string{bin, "interp"}, nil),
	}
	if _, err := NodePath(); err != nil {
		t.Logf("V8 engines skipped: %v", err)
	} else {
		for _, n := range []string{V8Liftoff, V8Turbofan} {
			e, err := NewV8(n)
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
	}
	t.Cleanup(func() {
		for _, e := range es {
			e.Close()
		}
	})
	return es
}

// TestProtocolBlocks checks the example blocks on the reference machine and
// each engine over the protocol (host ABI by call-back): every pair agrees
// and gives the built-in engines' commitment.
func TestProtocolBlocks(t *testing.T) {
	dir := filepath.Join("..", "examples", "blocks")
	ents, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(ents) == 0 {
		t.Fatalf("no example blocks: %v", err)
	}
	for _, e := range protocolEngines(t) {
		for _, p := range ents {
			t.Run(e.Name()+"/"+filepath.Base(p), func(t *testing.T) {
				b, err := block.Load(p)
				if err != nil {
					t.Fatal(err)
				}
				want, err := diff.CheckBlock(context.Background(), b, []diff.Engine{diff.Reference{}}, diff.DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				rep, err := diff.CheckBlock(context.Background(), b, []diff.Engine{diff.Reference{}, e}, diff.DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				if dv := rep.Divergence; dv != nil {
					t.Fatalf("tx %d: %s %s: %s vs %s (%s)", dv.Tx, dv.Class, dv.Field, dv.Values[0], dv.Values[1], rep.Txs[dv.Tx][1].Detail)
				}
				if rep.Commitment != want.Commitment {
					t.Errorf("commitment %x, want %x", rep.Commitment, want.Commitment)
				}
			})
		}
	}
}

// TestProtocolModules runs the module comparisons of diff's tests with the
// protocol engines in place of the built-in ones: the wazero child must
// report what built-in wazero reports (the same divergences from the
// reference, or none), and V8 must agree with the reference machine.
func TestProtocolModules(t *testing.T) {
	regress := filepath.Join("..", "fuzz", "testdata", "regress")
	mods := filepath.Join("..", "diff", "testdata", "modules")
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	runs := []struct {
		name string
		run  diff.ModuleRun
	}{
		{"F1", diff.ModuleRun{Bin: read(filepath.Join(regress, "F1-active-data-not-dropped.wasm")), Calls: []diff.ModuleCall{{Export: "init"}}}},
		{"F2", diff.ModuleRun{Bin: read(filepath.Join(regress, "F2-passive-externref-elem-empty.wasm")), Calls: []diff.ModuleCall{{Export: "init"}}}},
		{"F3", diff.ModuleRun{Bin: read(filepath.Join(regress, "F3-typed-select-annotation-ignored.wasm")), Calls: []diff.ModuleCall{{Export: "f"}}}},
		{"F5", diff.ModuleRun{Bin: read(filepath.Join(regress, "F5-active-elem-overflow-skipped.wasm"))}},
		{"F6", diff.ModuleRun{Bin: read(filepath.Join(regress, "F6-const-expr-mutable-global.wasm")),
			Links: []diff.Link{{Name: "test", Bin: read(filepath.Join(regress, "F6-exporter.wasm"))}}, Calls: []diff.ModuleCall{{Export: "load"}}}},
		{"hidden memory", diff.ModuleRun{Bin: read(filepath.Join(mods, "hidden-memory.wasm")), Calls: []diff.ModuleCall{{Export: "init"}}}},
		{"start", diff.ModuleRun{Bin: read(filepath.Join(mods, "start-global.wasm"))}},
		{"link", diff.ModuleRun{Bin: read(filepath.Join(mods, "import.wasm")), Links: []diff.Link{{Name: "math", Bin: read(filepath.Join(mods, "adder.wasm"))}},
			Calls: []diff.ModuleCall{{Export: "twice", Args: []uint64{20}}, {Export: "twice", Args: []uint64{0xffffffff}}}}},
		{"unlinkable", diff.ModuleRun{Bin: read(filepath.Join(mods, "import.wasm"))}},
	}
	builtin := diff.NewWazero(true, true)
	defer builtin.Close()
	for _, e := range protocolEngines(t) {
		for _, r := range runs {
			t.Run(e.Name()+"/"+r.name, func(t *testing.T) {
				ref := diff.ModuleEngine(builtin)
				if strings.HasPrefix(e.Name(), "v8-") {
					ref = diff.Reference{}
				}
				want, err := diff.RunModule(context.Background(), []diff.ModuleEngine{diff.Reference{}, ref}, &r.run)
				if err != nil {
					t.Fatal(err)
				}
				got, err := diff.RunModule(context.Background(), []diff.ModuleEngine{diff.Reference{}, e}, &r.run)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case (want.Divergence == nil) != (got.Divergence == nil):
					t.Fatalf("divergence %+v, want %+v", got.Divergence, want.Divergence)
				case want.Divergence != nil && (got.Divergence.Signature != want.Divergence.Signature || got.Divergence.Step != want.Divergence.Step):
					t.Fatalf("step %d %s, want step %d %s", got.Divergence.Step, got.Divergence.Signature, want.Divergence.Step, want.Divergence.Signature)
				}
				if len(got.Steps) != len(want.Steps) {
					t.Fatalf("%d steps, want %d", len(got.Steps), len(want.Steps))
				}
				for i := range got.Steps {
					g, w := got.Steps[i].Outcomes[1], want.Steps[i].Outcomes[1]
					if d := diff.CompareSteps(&w, &g, i-1); d != nil {
						t.Errorf("step %d: %s %s: built-in %s, protocol %s", i, d.Class, d.Field, d.A, d.B)
					}
				}
			})
		}
	}
}

// TestBrokenEngines checks that a child that misbehaves is a failure, not
// a result: wrong protocol version, garbage, death, and a hang past the
// deadline (killed, engine-timeout).
func TestBrokenEngines(t *testing.T) {
	p, err := diff.Gate(must(os.ReadFile(filepath.Join("..", "diff", "testdata", "activedata.wasm"))), diff.DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	req := &diff.Request{Prog: p, Tx: block.Tx{Entry: "init", GasLimit: 1 << 20}, TxIndex: -1, State: block.NewState(block.PreState{}), Args: []uint64{1}}
	for _, tc := range []struct{ mode, class, detail string }{
		{"v2", diff.ClassEngineCrash, "speaks engine protocol 2, not 1"},
		{"garbage", diff.ClassEngineCrash, "unreadable message"},
		{"die", diff.ClassEngineCrash, "fake engine: dying on purpose"},
		{"hang", diff.ClassEngineTimeout, "deadline exceeded"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := fakeEngine(tc.mode)
			defer e.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			o := diff.RunSafe(ctx, e, req)
			if o.Failure != tc.class || !strings.Contains(o.Detail, tc.detail) {
				t.Errorf("failure %q %q, want %s containing %q", o.Failure, o.Detail, tc.class, tc.detail)
			}
			if _, err := e.NewStore(context.Background()); tc.mode == "v2" && err == nil {
				t.Errorf("a store on a protocol-2 child was made")
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBuildRelease builds an older wazero release from the Go module proxy
// into the engine cache (once: later runs find it there) and checks that
// it runs and reports its version; it skips with one line when the proxy
// cannot be reached or the build takes more than 3 minutes.
func TestBuildRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no build of a wazero release")
	}
	cache, err := CacheDir()
	if err != nil {
		t.Skip(err)
	}
	const v = "v1.6.0"
	if !upToDate(wazeroDir(cache, v)) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, "go", "mod", "download", "github.com/tetratelabs/wazero@"+v).CombinedOutput()
		cancel()
		if err != nil {
			t.Skipf("Go module proxy unreachable (go mod download wazero@%s: %v: %s)", v, err, strings.TrimSpace(string(out)))
		}
	}
	bctx, bcancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer bcancel()
	e, err := NewWazero(bctx, "compiler", v)
	if err != nil && bctx.Err() != nil {
		t.Skipf("building wazero %s took more than 3 minutes: %v", v, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	name, version, err := e.Hello(context.Background())
	if err != nil || name != "wazero-compiler" || version != v {
		t.Fatalf("hello: %q %q %v, want wazero-compiler %s", name, version, err, v)
	}
	built, err := Built(cache)
	if err != nil || !strings.Contains(strings.Join(built, ","), v) {
		t.Errorf("Built = %v %v, want %s among them", built, err, v)
	}
	rep, err := diff.RunModule(context.Background(), []diff.ModuleEngine{diff.Reference{}, e},
		&diff.ModuleRun{Bin: must(os.ReadFile(filepath.Join("..", "fuzz", "testdata", "regress", "F1-active-data-not-dropped.wasm"))), Calls: []diff.ModuleCall{{Export: "init"}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence == nil || rep.Divergence.Signature != "trap-vs-ok/status/memory.init" {
		t.Errorf("F1 on wazero %s: divergence %+v, want trap-vs-ok/status/memory.init (F1 predates v1.6.0)", v, rep.Divergence)
	}
}

// TestProtocolNarrow narrows a planted fault against each protocol engine:
// the same step as against the built-in engines (narrow runs the
// step-counting module through diff.Engine.Run, so it takes any engine).
func TestProtocolNarrow(t *testing.T) {
	bin := must(os.ReadFile(filepath.Join("..", "testdata", "workloads", "sha256.wasm")))
	mod, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	planted, err := narrow.NewEngines([]string{"planted-op:i32.add@18000"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.CloseEngines(planted)
	tg := &narrow.Target{Base: mod, Entry: "run", Args: []uint64{1000, 1}, TxIndex: -1}
	for _, e := range protocolEngines(t) {
		t.Run(e.Name(), func(t *testing.T) {
			r, err := narrow.Narrow(context.Background(), tg, planted[0], narrow.Engine{Name: e.Name(), Inner: e}, narrow.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Op != "i32.add" || r.Engines[0].Result^r.Engines[1].Result != 1 {
				t.Errorf("narrowed to step %d %s, results %#x / %#x", r.Step, r.Op, r.Engines[0].Result, r.Engines[1].Result)
			}
		})
	}
}

// TestProtocolCampaign runs one fixed campaign of the reference machine
// against wazero's compiler built in and over the protocol (seed 1, 800
// modules: F1 shows at iteration 748): the same modules must give the same
// findings, signature for signature.
func TestProtocolCampaign(t *testing.T) {
	run := func(e diff.Engine) *fuzz.Summary {
		engines := []diff.Engine{diff.Reference{}, e}
		c := &fuzz.Campaign{Seed: 1, Workers: 1, Execs: 800, Oracle: corpus.NewDiffOracle(engines), MinimizeTries: -1}
		s, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	builtin := diff.NewWazero(true, true)
	defer builtin.Close()
	want := run(builtin)
	e := NewEngine("wazero-compiler@module", []string{wazeroChild(t), "compiler"}, nil)
	defer e.Close()
	got := run(e)
	if got.Progress.Execs != want.Progress.Execs || got.Progress.Findings != want.Progress.Findings || len(got.Signatures) != len(want.Signatures) {
		t.Fatalf("protocol: %d execs %d findings %d signatures; built in: %d %d %d", got.Progress.Execs, got.Progress.Findings, len(got.Signatures),
			want.Progress.Execs, want.Progress.Findings, len(want.Signatures))
	}
	for i := range got.Signatures {
		g, w := got.Signatures[i], want.Signatures[i]
		if g.Signature != w.Signature || g.Count != w.Count || g.Iter != w.Iter || g.Worker != w.Worker {
			t.Errorf("signature %d: protocol %+v, built in %+v", i, g, w)
		}
	}
	t.Logf("%d execs, %d findings, %d signatures on both", got.Progress.Execs, got.Progress.Findings, len(got.Signatures))
}
