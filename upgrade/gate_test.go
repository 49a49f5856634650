package upgrade

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refereevm/referee/diff"
)

// TestSpecFile runs the spec suite's elem.wast commands on the reference
// machine and wazero's compiler: the differences are exactly wazero's
// known bugs F5 (12 assert_uninstantiable modules instantiate) and F6 (2
// assert_invalid modules pass its validator); the reference machine against
// itself has none.
func TestSpecFile(t *testing.T) {
	file := filepath.Join("..", "testdata", "spectest", "wasm-2.0", "elem.json")
	wz := diff.NewWazero(true, true)
	defer wz.Close()
	rep, err := Run(context.Background(), diff.Reference{}, wz, []string{file}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var f5, f6 int
	for _, d := range rep.Differences {
		switch {
		case strings.Contains(d.Input, "assert_uninstantiable") && d.Signature == "trap-vs-ok/instantiate.status":
			f5++
		case strings.Contains(d.Input, "assert_invalid") && d.Class == diff.ClassRejected:
			f6++
		default:
			t.Errorf("unexpected difference: %+v", d)
		}
	}
	if f5 != 12 || f6 != 2 {
		t.Errorf("F5 %d, F6 %d differences, want 12 and 2", f5, f6)
	}
	s := rep.Stats[KindSpec]
	if s == nil || s.Inputs != 1 || s.Compared < 90 || s.Differences != len(rep.Differences) {
		t.Errorf("stats %+v", s)
	}
	self, err := Run(context.Background(), diff.Reference{}, diff.Reference{}, []string{file}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(self.Differences) != 0 || self.Stats[KindSpec].Compared != s.Compared {
		t.Errorf("reference against itself: %d differences, %d compared (want 0, %d)", len(self.Differences), self.Stats[KindSpec].Compared, s.Compared)
	}
}

// TestNaNNote checks how a NaN difference stands against the spec's
// expectation.
func TestNaNNote(t *testing.T) {
	out := func(bits uint64) diff.StepOutcome { return diff.StepOutcome{Results: []uint64{bits}} }
	for _, tc := range []struct {
		want string
		a, b uint64
		note string
	}{
		{`"nan:canonical"`, 0x7fc00000, 0xffc00000, "both results are allowed"},
		{`"nan:canonical"`, 0x7fc00000, 0x7fc00001, "new's result is not allowed"},
		{`"nan:arithmetic"`, 0x7fc00001, 0x7fe00000, "both results are allowed"},
		{`"nan:arithmetic"`, 0x7fa00000, 0x7fe00000, "old's result is not allowed"},
		{`"2141192192"`, 0x7fa00000, 0x7fe00000, "new's result is not allowed"},
	} {
		got := nanNote("results[0]", []specValue{{Type: "f32", Value: []byte(tc.want)}}, [2]diff.StepOutcome{out(tc.a), out(tc.b)}, [2]string{"old", "new"})
		if !strings.HasSuffix(got, tc.note) {
			t.Errorf("%s %#x %#x: %q, want …%q", tc.want, tc.a, tc.b, got, tc.note)
		}
	}
}
