package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxLine bounds one message from a child.
const maxLine = 256 << 20

// errDead is wrapped by every error of a child that died or was killed.
var errDead = errors.New("engine process ended")

// HostFunc answers a host call of the child: the import's module and name,
// the arguments' bits, and the memory of the instance that called, read
// and written over the protocol while the call is open.
type HostFunc func(module, name string, args []uint64, mem *HostMemory) ([]uint64, error)

// child is one engine process. It serves one request at a time; the
// caller owns it for the duration (pool.go).
type child struct {
	argv   []string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *tailBuffer
	nextID uint64
	dead   error // set once the process is unusable
	hello  message
	// compiled is the set of module hashes the child holds; order is their
	// compile order, for release.
	compiled map[string]bool
	order    []string
	waitOnce sync.Once
}

// startChild starts argv and exchanges hellos.
func startChild(ctx context.Context, argv []string, env []string) (*child, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(cmd.Environ(), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{argv: argv, cmd: cmd, stdin: in, stdout: bufio.NewReaderSize(out, 1<<16), stderr: &tailBuffer{}, compiled: map[string]bool{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := c.call(hctx, &message{Op: "hello", Protocol: ProtocolVersion}, nil)
	if err != nil {
		c.kill()
		return nil, fmt.Errorf("%s: hello: %w", strings.Join(argv, " "), err)
	}
	if rep.Protocol != ProtocolVersion {
		c.kill()
		return nil, fmt.Errorf("%s speaks engine protocol %d, not %d", strings.Join(argv, " "), rep.Protocol, ProtocolVersion)
	}
	c.hello = *rep
	return c, nil
}

// kill ends the process (idempotent).
func (c *child) kill() {
	if c.dead == nil {
		c.dead = errDead
	}
	c.waitOnce.Do(func() {
		c.stdin.Close()
		if c.cmd.Process != nil {
			c.cmd.Process.Kill()
		}
		c.cmd.Wait()
	})
}

// close ends the process politely: stdin closed, then a kill after a grace.
func (c *child) close() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			c.cmd.Process.Kill()
		}
	}()
	c.waitOnce.Do(func() { c.cmd.Wait() })
	close(done)
	if c.dead == nil {
		c.dead = errDead
	}
}

// deathReason describes how the process ended, with its last stderr line.
func (c *child) deathReason() string {
	c.kill()
	s := "exited"
	if st := c.cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			s = "killed by signal " + ws.Signal().String()
		} else {
			s = st.String()
		}
	}
	if t := c.stderr.lastLine(); t != "" {
		s += ": " + t
	}
	return s
}

// send writes one message.
func (c *child) send(m *message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("BUG: remote: encode %s: %w", m.Op, err)
	}
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		c.dead = fmt.Errorf("%w: write: %v", errDead, err)
		return c.dead
	}
	return nil
}

// recv reads one message.
func (c *child) recv() (*message, error) {
	var line []byte
	for {
		part, err := c.stdout.ReadSlice('\n')
		line = append(line, part...)
		if err == bufio.ErrBufferFull && len(line) < maxLine {
			continue
		}
		if err != nil {
			c.dead = fmt.Errorf("%w: %s", errDead, c.deathReason())
			return nil, c.dead
		}
		break
	}
	var m message
	if err := json.Unmarshal(bytes.TrimSpace(line), &m); err != nil {
		c.kill()
		c.dead = fmt.Errorf("%w: unreadable message %.80q: %v", errDead, line, err)
		return nil, c.dead
	}
	return &m, nil
}

// call sends req and returns the child's reply to it, answering the host
// calls the child makes meanwhile with host (nil: such a call is an error).
// Past ctx's deadline the process is killed and the error wraps
// context.DeadlineExceeded.
func (c *child) call(ctx context.Context, req *message, host HostFunc) (*message, error) {
	if c.dead != nil {
		return nil, c.dead
	}
	// Past the deadline only the process is killed (safe from another
	// goroutine); the read below then fails and marks the child dead.
	stop := context.AfterFunc(ctx, func() { c.cmd.Process.Kill() })
	defer stop()
	c.nextID++
	req.ID = c.nextID
	if err := c.send(req); err != nil {
		return nil, c.ctxErr(ctx, err)
	}
	for {
		m, err := c.recv()
		if err != nil {
			return nil, c.ctxErr(ctx, err)
		}
		switch {
		case m.Op == "host":
			if err := c.answerHost(ctx, m, host); err != nil {
				return nil, c.ctxErr(ctx, err)
			}
		case m.ID == req.ID:
			if m.Error != "" {
				return m, fmt.Errorf("%s: %s", req.Op, m.Error)
			}
			return m, nil
		default:
			c.kill()
			c.dead = fmt.Errorf("%w: reply to id %d, op %q, while waiting for id %d", errDead, m.ID, m.Op, req.ID)
			return nil, c.dead
		}
	}
}

func (c *child) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// answerHost runs one host call of the child and sends its answer.
func (c *child) answerHost(ctx context.Context, m *message, host HostFunc) error {
	if host == nil {
		return c.send(&message{Op: "host.trap", Message: fmt.Sprintf("no host function %s.%s", m.Module, m.Name)})
	}
	args, err := parseBitsList(m.Args)
	if err != nil {
		return c.send(&message{Op: "host.trap", Message: err.Error()})
	}
	res, herr := host(m.Module, m.Name, args, &HostMemory{c: c, ctx: ctx, name: m.Memory})
	if c.dead != nil {
		return c.dead
	}
	if herr != nil {
		return c.send(&message{Op: "host.trap", Message: herr.Error()})
	}
	return c.send(&message{Op: "host.return", Results: bitsList(res)})
}

// HostMemory is the memory of the instance in a host call, reached over
// the protocol (memory.read and memory.write while the call is open).
type HostMemory struct {
	c    *child
	ctx  context.Context
	name string // the memory export; "" = "memory"
}

// Read reads n bytes at off; false if out of bounds (or the child failed).
func (h *HostMemory) Read(off, n uint32) ([]byte, bool) {
	rep, err := h.c.nested(&message{Op: "memory.read", Memory: h.mem(), Offset: off, Length: n})
	if err != nil || uint32(len(rep.Data)) != n {
		return nil, false
	}
	return rep.Data, true
}

// Write writes data at off; false if out of bounds.
func (h *HostMemory) Write(off uint32, data []byte) bool {
	_, err := h.c.nested(&message{Op: "memory.write", Memory: h.mem(), Offset: off, Data: data})
	return err == nil
}

func (h *HostMemory) mem() string {
	if h.name == "" {
		return "memory"
	}
	return h.name
}

// nested sends a request inside an open host call and reads its reply (a
// child does not call the host again before answering).
func (c *child) nested(req *message) (*message, error) {
	if c.dead != nil {
		return nil, c.dead
	}
	c.nextID++
	req.ID = c.nextID
	if err := c.send(req); err != nil {
		return nil, err
	}
	m, err := c.recv()
	if err != nil {
		return nil, err
	}
	if m.ID != req.ID {
		c.kill()
		c.dead = fmt.Errorf("%w: reply to id %d while waiting for id %d", errDead, m.ID, req.ID)
		return nil, c.dead
	}
	if m.Error != "" {
		return m, errors.New(m.Error)
	}
	return m, nil
}

// tailBuffer keeps the last 4 KiB written to it (a child's stderr).
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append([]byte(nil), t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
