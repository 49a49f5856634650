package bench

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// Wasm3Env names the environment variable that gives the wasm3 binary for
// the wasm3 arm of BenchmarkWorkloads (e.g. built by
// ../shared/anchors/wasm3/build.sh). Without it the arm is skipped: no test
// or build needs wasm3.
const Wasm3Env = "WASM3"

// wasm3Runner runs one workload call as a whole wasm3 process (`wasm3 --func
// EXPORT MODULE ARG...`), so its time includes wasm3's start-up: parsing and
// compiling the module, well under a millisecond for these modules (the
// README of testdata/workloads gives the figure).
type wasm3Runner struct {
	bin, module string
	w           Workload
}

func openWasm3(tb testing.TB, w Workload, _ []byte) runner {
	tb.Helper()
	bin := os.Getenv(Wasm3Env)
	if bin == "" {
		tb.Skipf("set %s to a wasm3 binary to run this arm", Wasm3Env)
	}
	module, err := filepath.Abs(filepath.Join(WorkloadDir, w.File))
	if err != nil {
		tb.Fatalf("%s: %v", w.Name, err)
	}
	return &wasm3Runner{bin: bin, module: module, w: w}
}

func (r *wasm3Runner) call(args []uint64) (uint64, error) {
	argv := []string{"--func", r.w.Export, r.module}
	for i, a := range args {
		argv = append(argv, wasm3Arg(r.w.Params[i], a))
	}
	cmd := exec.Command(r.bin, argv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("wasm3: %v: %s", err, strings.TrimSpace(out.String()))
	}
	return parseWasm3Result(r.w.Result, out.String())
}

func (r *wasm3Runner) close() {}

// wasm3Arg renders raw argument bits as wasm3's command line parses them.
func wasm3Arg(t wasm.ValType, bits uint64) string {
	switch t {
	case wasm.I32:
		return strconv.FormatUint(bits&0xffffffff, 10)
	case wasm.F32:
		return strconv.FormatFloat(float64(math.Float32frombits(uint32(bits))), 'g', -1, 32)
	case wasm.F64:
		return strconv.FormatFloat(math.Float64frombits(bits), 'g', -1, 64)
	}
	return strconv.FormatUint(bits, 10)
}

// parseWasm3Result reads the "Result: V" line wasm3 prints. Integers are
// printed signed in decimal; floats with printf's %f (6 decimals), so a
// float result comes back rounded and checkResult compares it as text.
func parseWasm3Result(t wasm.ValType, out string) (uint64, error) {
	i := strings.LastIndex(out, "Result: ")
	if i < 0 {
		return 0, fmt.Errorf("wasm3: no result in %q", strings.TrimSpace(out))
	}
	v := strings.TrimSpace(out[i+len("Result: "):])
	if j := strings.IndexByte(v, '\n'); j >= 0 {
		v = v[:j]
	}
	switch t {
	case wasm.I32, wasm.I64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("wasm3: result %q: %v", v, err)
		}
		return uint64(n) & ResultMask(t), nil
	case wasm.F32:
		f, err := strconv.ParseFloat(v, 32)
		return uint64(math.Float32bits(float32(f))), err
	}
	f, err := strconv.ParseFloat(v, 64)
	return math.Float64bits(f), err
}

// sameAsPrinted reports whether float result bits got (parsed from wasm3's
// %f output) and want print the same with %f.
func sameAsPrinted(t wasm.ValType, got, want uint64) bool {
	if t == wasm.F32 {
		return fmt.Sprintf("%f", math.Float32frombits(uint32(got))) == fmt.Sprintf("%f", math.Float32frombits(uint32(want)))
	}
	return fmt.Sprintf("%f", math.Float64frombits(got)) == fmt.Sprintf("%f", math.Float64frombits(want))
}
