package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/refereevm/referee/report/reporttest"
)

func sampleFuzz() *FuzzData {
	d := &FuzzData{Seed: 7, Workers: 2, Engines: []string{"reference", "wazero-compiler"}, Corpus: "findings"}
	for i := 1; i <= 10; i++ {
		d.Samples = append(d.Samples, FuzzSample{Elapsed: time.Duration(i) * time.Second, Execs: uint64(400 * i),
			Findings: uint64(i / 3), Unique: min(i/3, 2), OpsCovered: min(150+6*i, 201), OpsTotal: 201})
	}
	d.Signatures = []FuzzSignature{
		{Signature: "value-mismatch/results", Count: 2, FoundAfter: 3 * time.Second, ID: "0123456789abcdef0123", MinSize: 46},
		{Signature: "trap-vs-ok/status/i32.div_s", Count: 1, FoundAfter: 6500 * time.Millisecond, ID: "fedcba9876543210fedc"},
	}
	d.EngineTime = []EngineTime{{"reference", 2 * time.Second, 8000}, {"wazero-compiler", 9 * time.Second, 8000}}
	return d
}

// write renders p to a file in a temporary directory.
func write(t *testing.T, p *Page) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// selfContained fails t if the page refers to anything outside itself.
func selfContained(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := strings.ReplaceAll(string(b), `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "http://", "https://", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page is not self-contained: it contains %q", bad)
		}
	}
}

// count returns how many times re matches dom.
func count(dom, re string) int { return len(regexp.MustCompile(re).FindAllString(dom, -1)) }

// TestFuzzPageRenders renders a campaign report in headless Chromium and
// checks what the page shows: the facts, the four charts with their data
// (a line of 10 samples, one timeline mark per signature, one bar per
// engine), the tables, and that the lines were drawn in their colours.
func TestFuzzPageRenders(t *testing.T) {
	path := write(t, FuzzPage(sampleFuzz()))
	selfContained(t, path)
	browser := reporttest.Browser(t)
	dom := reporttest.DOM(t, browser, path)
	for _, want := range []string{
		"referee fuzz: seed 7, 2 workers, engines reference,wazero-compiler",
		`<svg id="execs-per-sec"`, `<svg id="opcode-coverage"`, `<svg id="findings-over-time"`,
		`<svg id="findings-timeline"`, `<svg id="engine-time"`,
		"value-mismatch/results", "trap-vs-ok/status/i32.div_s", "0123456789abcdef", "4000 (400/s)",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if n := count(dom, `<polyline class="series"`); n != 4 { // execs/s, coverage, findings, signatures
		t.Errorf("%d lines drawn, want 4", n)
	}
	if n := count(dom, `<circle class="mark"`); n != 2 {
		t.Errorf("%d timeline marks, want 2 (one per signature)", n)
	}
	if n := count(dom, `<rect class="bar"`); n != 2 {
		t.Errorf("%d engine bars, want 2", n)
	}
	if n := count(dom, `<tr><td class="mono">`); n != 2 {
		t.Errorf("%d finding rows, want 2", n)
	}
	img := reporttest.Screenshot(t, browser, path, 900, 2400)
	for _, col := range palette[:2] {
		if n := reporttest.CountColor(img, col, 40); n < 200 {
			t.Errorf("only %d pixels of %s: the charts were not drawn", n, col)
		}
	}
}

func sampleGame() *GameData {
	d := &GameData{K: 4, Steps: 64, Result: "defender wins (challenger loses: proof valid)", Step: 37, Bytes: 600}
	d.Claims[0][0], d.Claims[1][0] = 0xaa, 0xbb
	lo, hi := uint64(0), uint64(64)
	round := uint64(1)
	for _, pick := range []int{2, 1, 1} {
		pts := []uint64{lo}
		for i := uint64(1); i <= 4; i++ {
			pts = append(pts, lo+i*(hi-lo)/4)
		}
		roots := make([][32]byte, 3)
		for i := range roots {
			roots[i][0] = byte(round*16 + uint64(i))
		}
		d.Rounds = append(d.Rounds, GameRound{Round: round, Side: "defender", Kind: "split", Lo: lo, Hi: hi, Points: pts, Roots: roots})
		round++
		d.Rounds = append(d.Rounds, GameRound{Round: round, Side: "challenger", Kind: "pick", Lo: lo, Hi: hi, Index: pick, PickRoot: [32]byte{0xcc}})
		round++
		lo, hi = pts[pick], pts[pick+1]
	}
	d.Rounds = append(d.Rounds, GameRound{Round: round, Side: "defender", Kind: "proof", Lo: lo, Hi: hi, ProofSize: 420})
	return d
}

// TestGamePageRenders renders a game report: the ladder has a row per
// split with the picked part filled, the width falls by k per split, and
// the table lists every round with its roots.
func TestGamePageRenders(t *testing.T) {
	path := write(t, GamePage(sampleGame()))
	selfContained(t, path)
	browser := reporttest.Browser(t)
	dom := reporttest.DOM(t, browser, path)
	for _, want := range []string{`<svg id="interval-ladder"`, `<svg id="interval-width"`, "→ [32, 48]",
		"→ [36, 40]", "→ [37, 38]", "proof of step 37, 420 bytes", "@16 10000000…", "0xaa00"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if n := count(dom, `<rect class="pick"`); n != 3 {
		t.Errorf("%d picked parts drawn, want 3", n)
	}
	if n := count(dom, `<tr><td>`); n != 7 {
		t.Errorf("%d round rows, want 7", n)
	}
	img := reporttest.Screenshot(t, browser, path, 900, 1400)
	if n := reporttest.CountColor(img, "#e88a8d", 30); n < 100 { // the picked parts: #d62728 at 60% on white
		t.Errorf("only %d pixels of the picked parts' colour", n)
	}
}

// TestNarrowPageRenders renders a narrowing report.
func TestNarrowPageRenders(t *testing.T) {
	d := &NarrowData{Target: "sha256.wasm run", Engines: [2]string{"planted-op", "wazero-compiler"}, K: 2,
		Total: [2]uint64{1000, 1000}, Step: 700, Where: "func 1 offset 0x20 i32.add", Field: "value", Runs: 22,
		Describe: "step 700 ...", Rounds: []NarrowRound{
			{Lo: 0, Hi: 1000, Points: []uint64{0, 500, 1000}, First: 1},
			{Lo: 500, Hi: 1000, Points: []uint64{500, 750, 1000}, First: 0},
		}}
	path := write(t, NarrowPage(d))
	selfContained(t, path)
	browser := reporttest.Browser(t)
	dom := reporttest.DOM(t, browser, path)
	for _, want := range []string{`<svg id="search-ladder"`, `<svg id="search-width"`, "→ [500, 1000]",
		"→ [500, 750]", "func 1 offset 0x20 i32.add"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if n := count(dom, `<rect class="pick"`); n != 2 {
		t.Errorf("%d kept parts drawn, want 2", n)
	}
}
