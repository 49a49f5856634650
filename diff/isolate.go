package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/refereevm/referee/block"
)

// Isolated runs another engine in a child process, one process per run, so
// that a crash of the engine (a segfault in cgo code, a runaway
// allocation, a compilation that will not stop) cannot take the validator
// down: the child is killed at the run's deadline, and its death is the
// failure class engine-crash (or engine-timeout at the deadline).
//
// The child is Cmd (argv, e.g. the referee binary and "check
// --engine-child") with Env added to the environment; it must call
// ServeChild. The request and the outcome cross as one JSON document each
// on stdin and stdout. Compiled code is not cached across runs.
type Isolated struct {
	Spec string   // the engine name as Engines knows it in the child, e.g. "wasmtime" or "planted:write@0"
	Cmd  []string // the child's argv
	Env  []string // added to the parent's environment
	name string
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

// maxChildOutput bounds what is read from a child's stdout and stderr.
const maxChildOutput = 64 << 20

// Run starts the child, sends the request and reads the outcome.
func (e *Isolated) Run(ctx context.Context, req *Request) (Outcome, error) {
	if len(e.Cmd) == 0 {
		return Outcome{}, errors.New("isolated: no child command")
	}
	cr := childRequest{Engine: e.Spec, Code: req.Prog.Code, Tx: req.Tx, TxIndex: req.TxIndex, Args: req.Args}
	if req.State != nil && req.Tx.Contract != "" {
		cr.Storage = req.State.Storage(req.Tx.Contract)
	}
	if dl, ok := ctx.Deadline(); ok {
		cr.Deadline = max(time.Until(dl), time.Millisecond)
	}
	in, err := json.Marshal(cr)
	if err != nil {
		return Outcome{}, fmt.Errorf("isolated: encode request: %w", err)
	}
	cmd := exec.CommandContext(ctx, e.Cmd[0], e.Cmd[1:]...)
	cmd.Env = append(cmd.Environ(), e.Env...)
	cmd.Stdin = bytes.NewReader(in)
	var out, errb limitedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return Outcome{}, failf(ClassEngineTimeout, "%s (isolated): child killed: %v", e.name, ctx.Err())
	}
	if runErr != nil {
		detail := runErr.Error()
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				detail = "child killed by signal " + ws.Signal().String()
			}
		}
		if s := firstLine(strings.TrimSpace(errb.String())); s != "" {
			detail += ": " + s
		}
		return Outcome{}, failf(ClassEngineCrash, "%s (isolated): %s", e.name, detail)
	}
	var w wireOutcome
	if err := json.Unmarshal(out.Bytes(), &w); err != nil {
		return Outcome{}, failf(ClassEngineCrash, "%s (isolated): unreadable outcome: %v", e.name, err)
	}
	o := w.Outcome
	o.Receipt = block.Receipt(w.Receipt)
	return o, nil
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

// limitedBuffer keeps the first maxChildOutput bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxChildOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// ServeChild is the child's side of Isolated: it reads one request from r,
// runs it on the named engine (built with c) and writes the outcome to w.
// A failed run is an outcome too; the error is for a request it cannot
// read.
func ServeChild(r io.Reader, w io.Writer, c EngineConfig) error {
	var cr childRequest
	if err := json.NewDecoder(io.LimitReader(r, maxChildOutput)).Decode(&cr); err != nil {
		return fmt.Errorf("engine child: read request: %w", err)
	}
	e, err := newEngine(cr.Engine, c)
	if err != nil {
		return fmt.Errorf("engine child: %w", err)
	}
	defer CloseEngines([]Engine{e})
	p, err := LoadPrepared(cr.Code)
	if err != nil {
		return fmt.Errorf("engine child: %w", err)
	}
	var pre block.PreState
	if cr.Tx.Contract != "" {
		pre.Contracts = []block.Contract{{Address: cr.Tx.Contract, Storage: cr.Storage}}
	}
	req := &Request{Prog: p, Tx: cr.Tx, TxIndex: cr.TxIndex, State: block.NewState(pre), Args: cr.Args}
	ctx := context.Background()
	if cr.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cr.Deadline)
		defer cancel()
	}
	o := RunSafe(ctx, e, req)
	return json.NewEncoder(w).Encode(wireOutcome{Outcome: o, Receipt: wireReceipt(o.Receipt)})
}
