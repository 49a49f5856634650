package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Wasm3Env names the environment variable that gives the wasm3 binary for
// the wasm3 arm of BenchmarkWorkloads (e.g. built by
// ../shared/anchors/wasm3/build.sh). Without it the arm is skipped: no test
// or build needs wasm3.
const Wasm3Env = "WASM3"

// wasm3Runner runs a workload in a wasm3 process of its own, started once
// per benchmark in its REPL mode (`wasm3 --repl MODULE`), each call one
// `:invoke` line: like the in-process engines, parsing, compiling and
// instantiating happen before the timer, and every call reuses the
// instance. The REPL takes and prints raw bits, so results are compared
// exactly. Its CPU time is the process's own (/proc/PID/schedstat).
type wasm3Runner struct {
	w   Workload
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
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
	cmd := exec.Command(bin, "--repl", module)
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("%s: wasm3: %v", w.Name, err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		tb.Fatalf("%s: wasm3: %v", w.Name, err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw // the prompt goes to stdout, results to stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("%s: wasm3: %v", w.Name, err)
	}
	pw.Close()
	return &wasm3Runner{w: w, cmd: cmd, in: in, out: bufio.NewReader(pr)}
}

func (r *wasm3Runner) call(args []uint64) (uint64, error) {
	line := ":invoke " + r.w.Export
	for i, a := range args {
		line += " " + strconv.FormatUint(a&ResultMask(r.w.Params[i]), 10)
	}
	if _, err := io.WriteString(r.in, line+"\n"); err != nil {
		return 0, fmt.Errorf("wasm3: %v", err)
	}
	for {
		s, err := r.out.ReadString('\n')
		if err != nil {
			return 0, fmt.Errorf("wasm3: %v (after %q)", err, s)
		}
		if i := strings.Index(s, "Result: "); i >= 0 {
			// "Result: BITS:TYPE"
			v, _, _ := strings.Cut(strings.TrimSpace(s[i+len("Result: "):]), ":")
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("wasm3: result %q: %v", s, err)
			}
			return n, nil
		}
		if i := strings.Index(s, "Error"); i >= 0 {
			return 0, fmt.Errorf("wasm3: %s", strings.TrimSpace(s[i:]))
		}
	}
}

func (r *wasm3Runner) close() {
	r.in.Close()
	r.cmd.Wait()
}

// cpuNanos is the wasm3 process's CPU time so far: the first field of
// /proc/PID/schedstat, in nanoseconds; not known where that is not
// available (then only wall time is reported).
func (r *wasm3Runner) cpuNanos() (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", r.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	f, _, _ := strings.Cut(string(b), " ")
	n, err := strconv.ParseInt(f, 10, 64)
	return n, err == nil
}
