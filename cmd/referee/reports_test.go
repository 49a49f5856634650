package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/refereevm/referee/report/reporttest"
)

// rendered renders the report at path in headless Chromium and returns its
// DOM, after checking the file exists and is a complete page.
func rendered(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("report not written: %v", err)
	}
	if !strings.HasSuffix(strings.TrimSpace(string(b)), "</html>") {
		t.Fatalf("report %s is not a complete page", path)
	}
	return reporttest.DOM(t, reporttest.Browser(t), path)
}

func domCount(dom, re string) int { return len(regexp.MustCompile(re).FindAllString(dom, -1)) }

// TestFuzzReport is issue 16's Done-when 3 in small (bounded by --execs,
// not time): referee fuzz --report writes a page that Chromium renders
// with the charts: execs/s and coverage over time, the findings timeline
// with the campaign's signature, and a bar per engine.
func TestFuzzReport(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "r.html")
	code, out, errs := cli("fuzz", "--engines", "reference,planted:i32.rotl", "--workers", "2", "--execs", "60",
		"--corpus", filepath.Join(dir, "findings"), "--progress", "0", "--report", page)
	if code != exitNo { // the campaign finds the planted bug: exit 1
		t.Fatalf("fuzz exit %d: %s %s", code, out, errs)
	}
	dom := rendered(t, page)
	for _, want := range []string{`<svg id="execs-per-sec"`, `<svg id="opcode-coverage"`, `<svg id="findings-timeline"`,
		`<svg id="engine-time"`, "engines reference,planted:i32.rotl", "120 (", `data-label="planted:i32.rotl"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	sigs := regexp.MustCompile(`(?m)^(\S+): \d+ modules, first after`).FindAllStringSubmatch(out, -1)
	if len(sigs) == 0 {
		t.Fatalf("the campaign found nothing to draw:\n%s", out)
	}
	for _, s := range sigs {
		if !strings.Contains(dom, `data-row="`+s[1]+`"`) {
			t.Errorf("signature %s of the summary has no mark on the timeline", s[1])
		}
	}
	if n := domCount(dom, `<rect class="bar"`); n != 2 {
		t.Errorf("%d engine bars, want 2", n)
	}
}

// TestDisputeReport: dispute play --report draws the narrowing of a game
// on a simulated trace: one ladder row per split, the table with every
// round and its roots.
func TestDisputeReport(t *testing.T) {
	page := filepath.Join(t.TempDir(), "g.html")
	code, out, errs := cli("dispute", "play", "--sim", "4096", "--k", "8", "--report", page)
	if code != exitOK {
		t.Fatalf("dispute play exit %d: %s %s", code, out, errs)
	}
	splits := strings.Count(out, ": #") - strings.Count(out, "pick") - strings.Count(out, "proof")
	dom := rendered(t, page)
	for _, want := range []string{`<svg id="interval-ladder"`, `<svg id="interval-width"`, "defender claims", "challenger claims", "proof valid"} {
		if !strings.Contains(dom, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// 4096 steps at k = 8: four splits (4096 → 512 → 64 → 8 → 1).
	if n := domCount(dom, `<rect class="pick"`); n != 4 {
		t.Errorf("%d picked parts, want 4 (transcript: %d splits)\n%s", n, splits, out)
	}
	if n := domCount(dom, `<rect class="interval"`); n != 4 {
		t.Errorf("%d ladder rows, want 4", n)
	}
}

// TestNarrowReport: narrow --report draws the search rounds, the last of
// which keeps the one step named in the text output.
func TestNarrowReport(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "n.html")
	code, out, errs := cli("narrow", "--module", "../../testdata/workloads/loop.wasm", "--func", "run",
		"--engines", "planted-op:i64.add@1500,wazero-compiler", "--k", "4", "-o", filepath.Join(dir, "p.bin"), "--report", page, "i64:2000")
	if code != exitOK {
		t.Fatalf("narrow exit %d: %s %s", code, out, errs)
	}
	m := regexp.MustCompile(`(?m)^step\s+(\d+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no step in the output:\n%s", out)
	}
	dom := rendered(t, page)
	step := m[1]
	for _, want := range []string{`<svg id="search-ladder"`, `<svg id="search-width"`, "first differing step</dt><dd>" + step} {
		if !strings.Contains(dom, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if !regexp.MustCompile(`→ \[\d+, ` + step + `\]`).MatchString(dom) {
		t.Errorf("no round keeps an interval ending at step %s", step)
	}
}

// TestReportFlagErrors: a report that cannot be written is refused before
// the run, with one line naming the flag.
func TestReportFlagErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "r.html")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"fuzz", []string{"fuzz", "--engines", "reference,wazero-interp", "--execs", "1", "--report", missing}, "--report"},
		{"dispute", []string{"dispute", "play", "--sim", "100", "--report", missing}, "--report"},
		{"dispute server", []string{"dispute", "play", "--sim", "100", "--server", "http://127.0.0.1:1", "--side", "defender", "--report", "x.html"}, "--report draws the whole game"},
		{"narrow", []string{"narrow", "--module", "../../testdata/workloads/loop.wasm", "--func", "run", "--engines", "reference,wazero-compiler", "--report", missing, "i64:5"}, "--report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := cli(tc.args...)
			if code != exitBad || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q; want exit 2 and one line with %q", code, errs, tc.want)
			}
		})
	}
}
