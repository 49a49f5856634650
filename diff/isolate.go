package diff

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/refereevm/referee/block"
)

// Isolated runs another engine in long-lived child processes, so that a
// crash of the engine (a segfault in cgo code, a runaway allocation, a
// compilation that will not stop) cannot take the validator down. A pool
// of at most Children processes serves the runs, one run at a time each;
// a child keeps its engine, and so its compiled modules, across runs. A
// child that dies during a run is replaced and the run is the failure
// class engine-crash; one still running at the run's deadline is killed,
// replaced, and the run is engine-timeout.
//
// The child is Cmd (argv, e.g. the referee binary and "check
// --engine-child") with Env added to the environment; it must call
// ServeChild. Requests and outcomes cross as one JSON document per line
// on the child's stdin and stdout.
type Isolated struct {
	Spec string   // the engine name as Engines knows it in the child, e.g. "wasmtime" or "planted:write@0"
	Cmd  []string // the child's argv
	Env  []string // added to the parent's environment
	// Children is the most child processes at once (0: 1); a run waits
	// for a free child. Set it before the first run.
	Children int
	// OnRestart, if set, is called each time a child is discarded: reason
	// is "crash" (it died or answered garbage), "timeout" (killed at the
	// deadline) or "cancel" (killed when its run was abandoned).
	OnRestart func(engine, reason string)
	name      string

	once   sync.Once
	slots  chan struct{} // one token per child that may be busy
	mu     sync.Mutex
	idle   []*child
	closed bool
}

// NewIsolated returns spec's engine run in child processes started with cmd.
func NewIsolated(spec string, cmd []string, env []string) (*Isolated, error) {
	e, err := newEngine(spec, EngineConfig{})
	if err != nil {
		return nil, err
	}
	CloseEngines([]Engine{e})
	return &Isolated{Spec: spec, Cmd: cmd, Env: env, name: e.Name()}, nil
}

// Name returns the inner engine's name.
func (e *Isolated) Name() string { return e.name }

// childRequest is what the parent sends; the child rebuilds the Request
// from it.
type childRequest struct {
	Engine   string        `json:"engine"`
	Code     []byte        `json:"code"` // the instrumented binary
	Tx       block.Tx      `json:"tx"`
	TxIndex  int           `json:"txIndex"`
	Storage  []block.Entry `json:"storage"` // the contract's storage: the only part of the state a Call reads
	Args     []uint64      `json:"args,omitempty"`
	Deadline time.Duration `json:"deadline,omitempty"` // the run's remaining budget; 0 = none
}

// maxChildOutput bounds one message on a child's pipes and what is kept
// of its stderr.
const maxChildOutput = 64 << 20

// childGrace is how long past a run's deadline a child is given to report
// the timeout itself before it is killed.
const childGrace = 250 * time.Millisecond

// child is one live child process.
type child struct {
	cmd    *exec.Cmd
	in     *os.File      // the child's stdin, our end
	out    *bufio.Reader // the child's stdout, our end
	outF   *os.File
	errb   *limitedBuffer
	exited chan struct{} // closed once the process has been waited for
	err    error         // cmd.Wait's result, once exited
}

func (e *Isolated) init() {
	e.once.Do(func() { e.slots = make(chan struct{}, max(e.Children, 1)) })
}

// start starts one child.
func (e *Isolated) start() (*child, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd := exec.Command(e.Cmd[0], e.Cmd[1:]...)
	cmd.Env = append(cmd.Environ(), e.Env...)
	// The pipes are files, not io.Readers, so exec copies nothing: the
	// outcome a child writes just before it dies is still read (Wait
	// would close a StdoutPipe under the reader).
	cmd.Stdin, cmd.Stdout = inR, outW
	ch := &child{cmd: cmd, in: inW, outF: outR, out: bufio.NewReaderSize(outR, 64<<10), errb: &limitedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = ch.errb
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("start child: %w", err)
	}
	go func() {
		ch.err = cmd.Wait()
		close(ch.exited)
	}()
	return ch, nil
}

// take returns an idle child or starts one.
func (e *Isolated) take() (*child, error) {
	e.mu.Lock()
	if n := len(e.idle); n > 0 {
		ch := e.idle[n-1]
		e.idle = e.idle[:n-1]
		e.mu.Unlock()
		return ch, nil
	}
	e.mu.Unlock()
	return e.start()
}

// put returns a healthy child to the pool.
func (e *Isolated) put(ch *child) {
	e.mu.Lock()
	if !e.closed {
		e.idle = append(e.idle, ch)
		e.mu.Unlock()
		return
	}
	e.mu.Unlock()
	ch.stop()
}

// discard kills ch and reports why.
func (e *Isolated) discard(ch *child, reason string) {
	ch.kill()
	if e.OnRestart != nil {
		e.OnRestart(e.name, reason)
	}
}

func (ch *child) kill() {
	if ch.cmd.Process != nil {
		ch.cmd.Process.Kill()
	}
	<-ch.exited
	ch.in.Close()
	ch.outF.Close()
}

// stop ends an idle child: end of input, then a kill if it lingers.
func (ch *child) stop() {
	ch.in.Close()
	select {
	case <-ch.exited:
	case <-time.After(time.Second):
	}
	ch.kill()
}

// Close stops the idle children; a busy one is stopped when its run ends.
func (e *Isolated) Close() error {
	e.mu.Lock()
	e.closed = true
	idle := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, ch := range idle {
		ch.stop()
	}
	return nil
}

// reply is one answer read from a child.
type reply struct {
	line []byte
	err  error
}

// Run sends the request to a child and reads the outcome.
func (e *Isolated) Run(ctx context.Context, req *Request) (Outcome, error) {
	if len(e.Cmd) == 0 {
		return Outcome{}, errors.New("isolated: no child command")
	}
	e.init()
	cr := childRequest{Engine: e.Spec, Code: req.Prog.Code, Tx: req.Tx, TxIndex: req.TxIndex, Args: req.Args}
	if req.State != nil && req.Tx.Contract != "" {
		cr.Storage = req.State.Storage(req.Tx.Contract)
	}
	dl, hasDeadline := ctx.Deadline()
	if hasDeadline {
		cr.Deadline = max(time.Until(dl), time.Millisecond)
	}
	in, err := json.Marshal(cr)
	if err != nil {
		return Outcome{}, fmt.Errorf("isolated: encode request: %w", err)
	}
	in = append(in, '\n')
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return Outcome{}, failf(ClassEngineTimeout, "%s (isolated): no free child before the deadline: %v", e.name, ctx.Err())
	}
	ch, err := e.take()
	if err != nil {
		<-e.slots
		return Outcome{}, failf(ClassEngineCrash, "%s (isolated): %v", e.name, err)
	}
	ch.errb.reset()
	replies := make(chan reply, 1)
	go func() {
		if _, err := ch.in.Write(in); err != nil {
			replies <- reply{err: err}
			return
		}
		line, err := readLine(ch.out)
		replies <- reply{line: line, err: err}
	}()
	var kill <-chan time.Time
	done := ctx.Done()
	for {
		select {
		case r := <-replies:
			<-e.slots
			return e.answer(ch, r)
		case <-done:
			done = nil
			if ctx.Err() != context.DeadlineExceeded {
				// Abandoned (the check stopped elsewhere): the child
				// finishes in the background and rejoins the pool.
				go e.finishAbandoned(ch, replies, dl, hasDeadline)
				return Outcome{}, failf(ClassEngineTimeout, "%s (isolated): run abandoned: %v", e.name, ctx.Err())
			}
			t := time.NewTimer(childGrace) // let the child report the timeout itself
			defer t.Stop()
			kill = t.C
		case <-kill:
			e.discard(ch, "timeout")
			<-replies
			<-e.slots
			return Outcome{}, failf(ClassEngineTimeout, "%s (isolated): child killed at the deadline: %v", e.name, context.DeadlineExceeded)
		}
	}
}

// finishAbandoned waits for the answer of an abandoned run (at most until
// its deadline plus the grace, or a minute without one), then returns the
// child to the pool or kills it.
func (e *Isolated) finishAbandoned(ch *child, replies chan reply, dl time.Time, hasDeadline bool) {
	defer func() { <-e.slots }()
	wait := time.Minute
	if hasDeadline {
		wait = time.Until(dl) + childGrace
	}
	t := time.NewTimer(max(wait, childGrace))
	defer t.Stop()
	select {
	case r := <-replies:
		if _, err := e.answer(ch, r); err != nil {
			return
		}
	case <-t.C:
		e.discard(ch, "cancel")
		<-replies
	}
}

// answer turns a child's reply into the outcome, returning the child to
// the pool if it is healthy and discarding it otherwise.
func (e *Isolated) answer(ch *child, r reply) (Outcome, error) {
	if r.err != nil {
		detail := ch.death()
		e.discard(ch, "crash")
		return Outcome{}, failf(ClassEngineCrash, "%s (isolated): %s", e.name, detail)
	}
	var w wireOutcome
	if err := json.Unmarshal(r.line, &w); err != nil {
		e.discard(ch, "crash")
		return Outcome{}, failf(ClassEngineCrash, "%s (isolated): unreadable outcome: %v", e.name, err)
	}
	e.put(ch)
	o := w.Outcome
	o.Receipt = block.Receipt(w.Receipt)
	return o, nil
}

// death describes how a child that stopped answering ended: its exit
// status or signal, and the first line it wrote to stderr during the run.
func (ch *child) death() string {
	select {
	case <-ch.exited:
	case <-time.After(time.Second): // closed its stdout but lives on
		ch.cmd.Process.Kill()
		<-ch.exited
	}
	detail := "child exited"
	if ch.err != nil {
		detail = "child " + ch.err.Error()
		var ee *exec.ExitError
		if errors.As(ch.err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				detail = "child killed by signal " + ws.Signal().String()
			}
		}
	}
	if s := firstLine(strings.TrimSpace(ch.errb.String())); s != "" {
		detail += ": " + s
	}
	return detail
}

// readLine reads one newline-terminated message of at most maxChildOutput
// bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := r.ReadSlice('\n')
		line = append(line, part...)
		if err == nil {
			return line, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
		if len(line) > maxChildOutput {
			return nil, fmt.Errorf("message longer than %d bytes", maxChildOutput)
		}
	}
}

// wireOutcome is an Outcome as the child sends it: the receipt with its
// plain field layout (block.Receipt marshals itself for people, in hex, and
// has no unmarshaller). The outer Receipt field shadows the embedded one.
type wireOutcome struct {
	Outcome
	Receipt wireReceipt `json:"receipt"`
}

type wireReceipt struct {
	Status     string
	Trap       string
	AbortCode  uint32
	ReturnData []byte
	GasUsed    uint64
	Logs       [][]byte
	Writes     []block.Write
}

// limitedBuffer keeps the first maxChildOutput bytes written to it since
// its last reset; it is written by exec's stderr copier and read by Run.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxChildOutput - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *limitedBuffer) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// ServeChild is the child's side of Isolated: it reads requests from r,
// one JSON document per line, until r ends, runs each on the named engine
// (built with c on first use and kept, so compiled modules are reused)
// and writes each outcome to w as one line. A failed run is an outcome
// too; the error is for a request it cannot read or an engine it cannot
// build.
func ServeChild(r io.Reader, w io.Writer, c EngineConfig) error {
	return ServeChildWrapped(r, w, c, nil)
}

// ServeChildWrapped is ServeChild with every engine passed through wrap
// (nil: none) before use: tests wrap engines with faults (a crash every
// Nth run) that only the child knows.
func ServeChildWrapped(r io.Reader, w io.Writer, c EngineConfig, wrap func(Engine) Engine) error {
	engines := map[string]Engine{}
	defer func() {
		for _, e := range engines { // closing order does not matter
			CloseEngines([]Engine{e})
		}
	}()
	loaded := NewModuleCache(maxCachedModules, 0)
	dec := json.NewDecoder(r)
	enc := json.NewEncoder(w)
	for {
		var cr childRequest
		if err := dec.Decode(&cr); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("engine child: read request: %w", err)
		}
		e := engines[cr.Engine]
		if e == nil {
			if len(engines) >= 16 {
				return fmt.Errorf("engine child: more than 16 engines asked of one child")
			}
			var err error
			if e, err = newEngine(cr.Engine, c); err != nil {
				return fmt.Errorf("engine child: %w", err)
			}
			if wrap != nil {
				e = wrap(e)
			}
			engines[cr.Engine] = e
		}
		p, err := loaded.load(cr.Code)
		if err != nil {
			return fmt.Errorf("engine child: %w", err)
		}
		var pre block.PreState
		if cr.Tx.Contract != "" {
			pre.Contracts = []block.Contract{{Address: cr.Tx.Contract, Storage: cr.Storage}}
		}
		req := &Request{Prog: p, Tx: cr.Tx, TxIndex: cr.TxIndex, State: block.NewState(pre), Args: cr.Args}
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		if cr.Deadline > 0 {
			ctx, cancel = context.WithTimeout(ctx, cr.Deadline)
		}
		o := RunSafe(ctx, e, req)
		cancel()
		if err := enc.Encode(wireOutcome{Outcome: o, Receipt: wireReceipt(o.Receipt)}); err != nil {
			return fmt.Errorf("engine child: write outcome: %w", err)
		}
	}
}

// load is LoadPrepared kept by the binary's hash (a child is sent the
// same instrumented module for every run of a contract).
func (c *ModuleCache) load(code []byte) (*Prepared, error) {
	key := cacheKey{hash: sha256.Sum256(code), config: loadedConfig}
	v, release, err := c.get(key, "load", func() (any, int64, error) {
		p, err := LoadPrepared(code)
		return p, int64(len(code)), err
	}, nil)
	if err != nil {
		return nil, err
	}
	release()
	return v.(*Prepared), nil
}

// loadedConfig keys modules that load (not Gate) prepared.
var loadedConfig = [32]byte{'l', 'o', 'a', 'd'}
