package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/diff"
)

// This test binary is also the service and the engine children the
// process tests need: with childModeEnv set, TestMain runs childMain
// instead of the tests.
const childModeEnv = "REFEREE_SERVE_TEST_MODE"

// serverConfig is what a server process is started with (as JSON in
// serverConfigEnv).
type serverConfig struct {
	DataDir   string
	Engines   []string
	Workers   int
	Queue     int
	RunBudget time.Duration
}

const serverConfigEnv = "REFEREE_SERVE_TEST_CONFIG"

// childMain runs mode "server" (Run until SIGTERM, the address on the
// first line of stdout) or "child:crash:ENGINE:N" (an isolated engine
// child whose ENGINE dies by SIGKILL at every Nth run).
func childMain(mode string) int {
	if mode == "server" {
		var sc serverConfig
		if err := json.Unmarshal([]byte(os.Getenv(serverConfigEnv)), &sc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		cfg := Config{DataDir: sc.DataDir, Engines: sc.Engines, Workers: sc.Workers, Queue: sc.Queue, RunBudget: sc.RunBudget,
			Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))}
		err := Run(ctx, cfg, "127.0.0.1:0", 30*time.Second, func(a net.Addr) { fmt.Println(a.String()) })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	parts := strings.Split(mode, ":")
	if len(parts) != 4 || parts[0] != "child" || parts[1] != "crash" {
		fmt.Fprintf(os.Stderr, "bad %s %q\n", childModeEnv, mode)
		return 2
	}
	engine := parts[2]
	n, _ := strconv.Atoi(parts[3])
	wrap := func(e diff.Engine) diff.Engine {
		if e.Name() != engine {
			return e
		}
		return &crashEvery{Engine: e, n: n}
	}
	if err := diff.ServeChildWrapped(os.Stdin, os.Stdout, diff.EngineConfig{Interruptible: true, NoWazeroInterrupt: true}, wrap); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// crashEvery is the test engine of the crash test: its child process
// dies by SIGKILL (as from the OOM killer) at every nth run.
type crashEvery struct {
	diff.Engine
	n, runs int
}

func (c *crashEvery) Run(ctx context.Context, req *diff.Request) (diff.Outcome, error) {
	if c.runs++; c.runs%c.n == 0 {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return c.Engine.Run(ctx, req)
}

// proc is a server process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	exited chan struct{}
	err    error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer starts this test binary as a server process and waits for
// its address.
func startServer(t *testing.T, sc serverConfig) *proc {
	t.Helper()
	js, _ := json.Marshal(sc)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childModeEnv+"=server", serverConfigEnv+"="+string(js))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		if a == "" {
			<-p.exited
			t.Fatalf("server did not start: %v\n%s", p.err, p.stderr)
		}
		p.url = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start in 30 s:\n%s", p.stderr)
	}
	return p
}

// answered is one 200 answer a client got.
type answered struct {
	id      string
	refused bool
	body    []byte
}

// load posts bodies (round robin) from conc clients until stop is closed
// or the server stops answering, and returns every 200 answer.
func load(url string, bodies []string, conc int, stop <-chan struct{}) []answered {
	var mu sync.Mutex
	var out []answered
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := 0; c < conc; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i += conc {
				select {
				case <-stop:
					return
				default:
				}
				q, body, _ := strings.Cut(bodies[i%len(bodies)], "\n")
				resp, err := client.Post(url+"/v1/check"+q, "application/json", strings.NewReader(body))
				if err != nil {
					return // the server is gone
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					continue
				}
				var w struct {
					ID    string
					Agree bool
				}
				if json.Unmarshal(b, &w) == nil {
					mu.Lock()
					out = append(out, answered{w.ID, !w.Agree, b})
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// verifyAnswered checks that every answer is stored as answered (and each
// refusal with its whole bundle).
func verifyAnswered(t *testing.T, url string, answers []answered) {
	t.Helper()
	for _, a := range answers {
		r := get(t, url+"/v1/verdicts/"+a.id)
		var vr struct{ Verdict json.RawMessage }
		if r.code != 200 || json.Unmarshal(r.body, &vr) != nil {
			t.Fatalf("answered verdict %s lost: %d %s", a.id, r.code, r.body)
		}
		if got, want := withoutTimes(t, vr.Verdict), withoutTimes(t, a.body); got != want {
			t.Fatalf("verdict %s stored as\n%s\nanswered as\n%s", a.id, got, want)
		}
		if a.refused {
			var rr RefusalRecord
			r := get(t, url+"/v1/refusals/"+a.id)
			if r.code != 200 || json.Unmarshal(r.body, &rr) != nil || !wholeBundle(rr.Bundle) {
				t.Fatalf("refusal %s: %d, %d bundle files", a.id, r.code, len(rr.Bundle))
			}
		}
	}
}

// wholeBundle reports whether a bundle has every file of a replay bundle:
// block.json, two modules per contract, outcomes.json and README.txt.
func wholeBundle(files []BundleFile) bool {
	n := len(files)
	if n < 5 || n%2 == 0 || files[0].Name != "block.json" || files[n-2].Name != "outcomes.json" || files[n-1].Name != "README.txt" {
		return false
	}
	for _, f := range files {
		if len(f.Data) == 0 {
			return false
		}
	}
	return true
}

// verifyStore opens the store file and checks that every record is whole:
// each verdict parses, and each refused one has its refusal, whole too.
func verifyStore(t *testing.T, dir string) (verdicts, refusals int) {
	t.Helper()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	n, _ := st.count(bucketVerdicts)
	for seq := uint64(1); verdicts < n && seq < uint64(n)*4+16; seq++ {
		var v VerdictRecord
		ok, err := st.get(bucketVerdicts, recordID(seq), &v)
		if err != nil {
			t.Fatalf("verdict %s: %v", recordID(seq), err)
		}
		if !ok {
			continue
		}
		verdicts++
		var doc struct{ Engines []string }
		if v.ID != recordID(seq) || v.BlockHash == "" || json.Unmarshal(v.Document, &doc) != nil || len(doc.Engines) == 0 {
			t.Fatalf("verdict %s incomplete: %+v", recordID(seq), v)
		}
		if v.Refused {
			var r RefusalRecord
			ok, err := st.get(bucketRefusals, v.ID, &r)
			var doc struct{ Divergence *struct{ Class string } }
			if !ok || err != nil || !wholeBundle(r.Bundle) || json.Unmarshal(r.Document, &doc) != nil || doc.Divergence == nil {
				t.Fatalf("refusal %s incomplete: %v %v", v.ID, ok, err)
			}
			refusals++
		}
	}
	if verdicts != n {
		t.Fatalf("%d verdicts found by id, %d in the bucket", verdicts, n)
	}
	return verdicts, refusals
}

// TestKill9 is Done-when 1 and 3: under load, the service is killed with
// SIGKILL at a random moment, twice; after each restart on the same
// directory every answered verdict and refusal is there as answered, and
// every record in the store is whole.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	sc := serverConfig{DataDir: dir, Engines: []string{"reference", "wazero-interp"}, Workers: 2}
	bodies := []string{
		"\n" + string(inlineBlock(t, "token.json")),
		"?engines=reference,planted\n" + string(inlineBlock(t, "token.json")),
		"\n" + string(inlineBlock(t, "traps.json")),
		"?engines=wazero-interp,planted:write@1\n" + string(inlineBlock(t, "traps.json")),
	}
	var all []answered
	for round := 0; round < 2; round++ {
		p := startServer(t, sc)
		stop := make(chan struct{})
		done := make(chan []answered, 1)
		go func() { done <- load(p.url, bodies, 8, stop) }()
		time.Sleep(time.Duration(300+rand.IntN(400)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
		close(stop)
		got := <-done
		if len(got) == 0 {
			t.Fatalf("round %d: no answer before the kill:\n%s", round, p.stderr)
		}
		t.Logf("round %d: %d answers before SIGKILL", round, len(got))
		all = append(all, got...)
		q := startServer(t, sc)
		verifyAnswered(t, q.url, all)
		listed := map[string]bool{}
		for after := ""; ; {
			var page refusalList
			json.Unmarshal(get(t, q.url+"/v1/refusals?limit=7&after="+after).body, &page)
			for _, r := range page.Refusals {
				listed[r.ID] = true
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
		for _, a := range all {
			if a.refused && !listed[a.id] {
				t.Fatalf("refusal %s answered before the kill is not listed by GET /v1/refusals after the restart", a.id)
			}
		}
		q.cmd.Process.Signal(syscall.SIGTERM)
		<-q.exited
	}
	refused := 0
	for _, a := range all {
		if a.refused {
			refused++
		}
	}
	v, r := verifyStore(t, dir)
	if v < len(all) || r < refused || refused == 0 {
		t.Fatalf("store holds %d verdicts and %d refusals; %d and %d were answered", v, r, len(all), refused)
	}
}

// TestSIGTERMDrain is Done-when 3: SIGTERM stops new connections,
// finishes the checks in flight and queued (each answered and recorded),
// closes the store and exits 0.
func TestSIGTERMDrain(t *testing.T) {
	dir := t.TempDir()
	sc := serverConfig{DataDir: dir, Engines: []string{"reference"}, Workers: 2, Queue: 8, RunBudget: 500 * time.Millisecond}
	p := startServer(t, sc)
	spin := spinBlock(t)
	const n = 4
	var wg sync.WaitGroup
	answers := make([]answer, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(p.url+"/v1/check", "application/json", strings.NewReader(string(spin)))
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answers[i] = answer{code: resp.StatusCode, body: b}
		}()
	}
	waitQueue(t, p.url, 2, 2) // two run, two wait: then ask the server to stop
	p.cmd.Process.Signal(syscall.SIGTERM)
	// A new connection is refused soon after.
	refused := false
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		c := &http.Client{Timeout: time.Second}
		resp, err := c.Get(p.url + "/healthz")
		if err != nil {
			refused = true
			break
		}
		resp.Body.Close()
	}
	wg.Wait()
	<-p.exited
	if p.err != nil {
		t.Fatalf("server exit: %v\n%s", p.err, p.stderr)
	}
	if !refused {
		t.Error("new connections were still accepted 2 s after SIGTERM")
	}
	var ids []answered
	for i := range answers {
		if errs[i] != nil || answers[i].code != 200 {
			t.Fatalf("check %d in flight at SIGTERM: %v %d %s", i, errs[i], answers[i].code, answers[i].body)
		}
		w := decode(t, answers[i])
		ids = append(ids, answered{w.ID, !w.Agree, answers[i].body})
	}
	for _, want := range []string{`"msg":"draining"`, `"msg":"stopped"`} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("log has no %s line:\n%s", want, p.stderr)
		}
	}
	q := startServer(t, sc)
	verifyAnswered(t, q.url, ids)
}

// TestCrashingEngineUnderLoad: under load, an isolated engine whose child
// dies at every 40th run (a check runs it 9 times); the service keeps answering, every crash is an
// engine-crash refusal with its child replaced, and nothing answered is
// lost.
func TestCrashingEngineUnderLoad(t *testing.T) {
	requests, conc := 120, 6
	if testing.Short() {
		requests = 40
	}
	if os.Getenv("REFEREE_LOAD") == "full" { // the load: 2,000 requests at concurrency 32
		requests, conc = 2000, 32
	}
	s, ts := testServer(t, Config{Engines: []string{"reference", "wazero-interp"}, Workers: 2, Queue: 64,
		Isolate: &referee.IsolateConfig{Cmd: []string{os.Args[0]}, Env: []string{childModeEnv + "=child:crash:wazero-interp:40"}}})
	tok := string(inlineBlock(t, "token.json"))
	var got []answered
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < conc; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if len(got) >= requests {
					mu.Unlock()
					return
				}
				mu.Unlock()
				a := postRaw(ts.URL+"/v1/check", []byte(tok))
				if a.code != 200 {
					t.Errorf("status %d: %s", a.code, a.body)
					return
				}
				var w wire
				if err := json.Unmarshal(a.body, &w); err != nil {
					t.Errorf("answer %s: %v", a.body, err)
					return
				}
				mu.Lock()
				got = append(got, answered{w.ID, !w.Agree, a.body})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	crashes := 0
	for _, a := range got {
		var w wire
		json.Unmarshal(a.body, &w)
		switch {
		case w.Agree:
		case w.Divergence != nil && w.Divergence.Class == diff.ClassEngineCrash:
			crashes++
		default:
			t.Fatalf("verdict %s: neither agreement nor engine-crash", a.body)
		}
	}
	restarts := 0.0
	mfs, _ := s.m.reg.Gather()
	for _, f := range mfs {
		if f.GetName() == "referee_isolated_restarts_total" {
			for _, m := range f.Metric {
				for _, l := range m.Label {
					if l.GetName() == "reason" && l.GetValue() == "crash" {
						restarts += m.Counter.GetValue()
					}
				}
			}
		}
	}
	t.Logf("%d checks at concurrency %d in %v (%.0f/s), %d engine-crash refusals, %v children replaced after a crash",
		len(got), conc, time.Since(start).Round(time.Millisecond), float64(len(got))/time.Since(start).Seconds(), crashes, restarts)
	if crashes == 0 || float64(crashes) != restarts {
		t.Fatalf("%d engine-crash verdicts, %v crash restarts: want as many, and some", crashes, restarts)
	}
	verifyAnswered(t, ts.URL, got)
	if a := get(t, ts.URL+"/healthz"); a.code != 200 {
		t.Fatalf("healthz: %d", a.code)
	}
}
