// Command wazerochild is a wazero engine speaking referee's engine
// protocol (docs/engine-protocol.md) on stdin and stdout: "wazerochild
// interp" or "wazerochild compiler".
//
// It imports only the standard library and wazero's public API as it is
// from v1.0.0 on, because referee builds it against any wazero release
// (package remote, build.go): its source is copied into a module that
// requires that release. Inside referee's own module it builds against
// referee's wazero, which keeps it compiled and vetted.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

type message struct {
	ID       uint64       `json:"id,omitempty"`
	Op       string       `json:"op,omitempty"`
	Protocol int          `json:"protocol,omitempty"`
	Engine   string       `json:"engine,omitempty"`
	Version  string       `json:"version,omitempty"`
	Binary   []byte       `json:"binary,omitempty"`
	Module   string       `json:"module,omitempty"`
	Hash     string       `json:"hash,omitempty"`
	As       string       `json:"as,omitempty"`
	Host     []hostImport `json:"host,omitempty"`
	Snapshot string       `json:"snapshot,omitempty"`
	Set      []globalSet  `json:"set,omitempty"`
	Drop     bool         `json:"drop,omitempty"`
	Instance int          `json:"instance,omitempty"`
	Export   *string      `json:"export,omitempty"`
	Args     []string     `json:"args,omitempty"`
	Globals  []string     `json:"globals,omitempty"`
	Memory   string       `json:"memory,omitempty"`
	Tables   []string     `json:"tables,omitempty"`
	Dirty    bool         `json:"dirty,omitempty"`
	Name     string       `json:"name,omitempty"`
	Value    string       `json:"value,omitempty"`
	Offset   uint32       `json:"offset,omitempty"`
	Length   uint32       `json:"length,omitempty"`
	Data     []byte       `json:"data,omitempty"`
	Error    string       `json:"error,omitempty"`
	Status   *status      `json:"status,omitempty"`
	Results  []string     `json:"results,omitempty"`
	Mem      *digest      `json:"mem,omitempty"`
	Summary  [][2]string  `json:"summaries,omitempty"`
	DirtyPgs *uint32      `json:"dirtyPages,omitempty"`
	Message  string       `json:"message,omitempty"`
}

type hostImport struct {
	Module  string   `json:"module"`
	Name    string   `json:"name"`
	Params  []string `json:"params"`
	Results []string `json:"results"`
}

type globalSet struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

type status struct {
	Status string `json:"status"`
	Trap   string `json:"trap,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type digest struct {
	Pages uint32 `json:"pages"`
	Hash  string `json:"hash"`
}

type instance struct {
	mod      api.Module
	funcs    map[string]api.Function // ExportedFunction allocates a call engine each time
	snapshot map[uint32][]byte       // non-zero 4 KiB pages right after instantiation
	snapMem  string
}

type hostModule struct {
	mod   api.Module
	funcs map[string]hostImport
}

type server struct {
	ctx       context.Context
	engine    string
	rt        wazero.Runtime
	in        *bufio.Reader
	out       *bufio.Writer
	compiled  map[string]wazero.CompiledModule
	instances map[int]*instance
	hosts     map[string]*hostModule
	nextInst  int
	// hostTrap is the message of the host trap the current call ended in.
	hostTrap string
}

func main() {
	kind := "interp"
	if len(os.Args) > 1 {
		kind = os.Args[1]
	}
	cfg := wazero.NewRuntimeConfigInterpreter()
	switch kind {
	case "compiler":
		cfg = wazero.NewRuntimeConfigCompiler()
	case "interp":
	default:
		fmt.Fprintf(os.Stderr, "wazerochild: want interp or compiler, got %q\n", kind)
		os.Exit(2)
	}
	ctx := context.Background()
	s := &server{
		ctx: ctx, engine: "wazero-" + kind, rt: wazero.NewRuntimeWithConfig(ctx, cfg),
		in: bufio.NewReaderSize(os.Stdin, 1<<16), out: bufio.NewWriterSize(os.Stdout, 1<<16),
		compiled: map[string]wazero.CompiledModule{}, instances: map[int]*instance{}, hosts: map[string]*hostModule{},
	}
	for {
		m, err := s.read()
		if err != nil {
			return // stdin closed: the parent is done
		}
		s.write(s.handle(m))
	}
}

func (s *server) read() (*message, error) {
	line, err := s.in.ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return nil, err
	}
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return &message{Op: "?", Error: "unreadable message: " + err.Error()}, nil
	}
	return &m, nil
}

func (s *server) write(m *message) {
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(&message{ID: m.ID, Error: err.Error()})
	}
	s.out.Write(append(b, '\n'))
	s.out.Flush()
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "(unknown)"
}

func (s *server) handle(m *message) (rep *message) {
	rep = &message{ID: m.ID}
	defer func() {
		if r := recover(); r != nil {
			rep = &message{ID: m.ID, Status: &status{Status: "crash", Detail: fmt.Sprintf("wazero panicked: %v", r)}}
		}
	}()
	if m.Error != "" {
		rep.Error = m.Error
		return rep
	}
	fail := func(format string, a ...any) *message {
		rep.Error = fmt.Sprintf(format, a...)
		return rep
	}
	switch m.Op {
	case "hello":
		rep.Protocol, rep.Engine, rep.Version = 1, s.engine, version()
	case "compile":
		if cm, ok := s.compiled[m.Hash]; ok {
			cm.Close(s.ctx)
		}
		cm, err := s.rt.CompileModule(s.ctx, m.Binary)
		if err != nil {
			rep.Status = &status{Status: "rejected", Detail: firstLine(err.Error())}
			return rep
		}
		s.compiled[m.Hash] = cm
		rep.Status = &status{Status: "ok"}
	case "release":
		if cm, ok := s.compiled[m.Hash]; ok {
			cm.Close(s.ctx)
			delete(s.compiled, m.Hash)
		}
	case "instantiate":
		cm, ok := s.compiled[m.Hash]
		if !ok {
			return fail("no compiled module %s", m.Hash)
		}
		if err := s.bindHost(m.Host); err != nil {
			return fail("host: %v", err)
		}
		s.nextInst++
		name := m.As
		if name == "" {
			name = "referee-anonymous-" + strconv.Itoa(s.nextInst)
		}
		s.hostTrap = ""
		mod, err := s.rt.InstantiateModule(s.ctx, cm, wazero.NewModuleConfig().WithName(name))
		if err != nil {
			rep.Status = s.instantiateStatus(err)
			return rep
		}
		for _, gs := range m.Set {
			g, ok := mod.ExportedGlobal(gs.Name).(api.MutableGlobal)
			v, err := strconv.ParseUint(gs.Value, 0, 64)
			if !ok || err != nil {
				mod.Close(s.ctx)
				return fail("set %q: not an exported mutable global, or value %q", gs.Name, gs.Value)
			}
			g.Set(v)
		}
		in := &instance{mod: mod, funcs: map[string]api.Function{}}
		if m.Snapshot != "" {
			in.snapMem = m.Snapshot
			in.snapshot = map[uint32][]byte{}
			if mem := mod.ExportedMemory(m.Snapshot); mem != nil {
				b, _ := mem.Read(0, mem.Size())
				for p := uint32(0); p < uint32(len(b))/4096; p++ {
					if pg := b[p*4096 : (p+1)*4096]; !zero(pg) {
						in.snapshot[p] = append([]byte(nil), pg...)
					}
				}
			}
		}
		s.instances[s.nextInst] = in
		rep.Instance, rep.Status = s.nextInst, &status{Status: "ok"}
	case "invoke":
		in, ok := s.instances[m.Instance]
		if !ok || m.Export == nil {
			return fail("no instance %d or no export", m.Instance)
		}
		fn := in.funcs[*m.Export]
		if fn == nil {
			if fn = in.mod.ExportedFunction(*m.Export); fn == nil {
				rep.Status = &status{Status: "crash", Detail: fmt.Sprintf("no exported function %q", *m.Export)}
				return rep
			}
			in.funcs[*m.Export] = fn
		}
		args, err := parseAll(m.Args)
		if err != nil {
			return fail("%v", err)
		}
		if len(args) != len(fn.Definition().ParamTypes()) {
			rep.Status = &status{Status: "crash", Detail: fmt.Sprintf("%q takes %d arguments, got %d", *m.Export, len(fn.Definition().ParamTypes()), len(args))}
			return rep
		}
		s.hostTrap = ""
		res, err := fn.Call(s.ctx, args...)
		if err != nil {
			rep.Status = s.callStatus(err)
			return rep
		}
		rts := fn.Definition().ResultTypes()
		for i := range res {
			if rts[i] == api.ValueTypeI32 || rts[i] == api.ValueTypeF32 {
				res[i] &= 0xffffffff
			}
			rep.Results = append(rep.Results, hexBits(res[i]))
		}
		rep.Status = &status{Status: "ok"}
	case "global.set":
		in, ok := s.instances[m.Instance]
		if !ok {
			return fail("no instance %d", m.Instance)
		}
		g, ok := in.mod.ExportedGlobal(m.Name).(api.MutableGlobal)
		if !ok {
			return fail("no exported mutable global %q", m.Name)
		}
		v, err := strconv.ParseUint(m.Value, 0, 64)
		if err != nil {
			return fail("value %q", m.Value)
		}
		g.Set(v)
	case "observe":
		in, ok := s.instances[m.Instance]
		if !ok {
			return fail("no instance %d", m.Instance)
		}
		rep.Globals = []string{}
		for _, name := range m.Globals {
			g := in.mod.ExportedGlobal(name)
			if g == nil {
				return fail("no exported global %q", name)
			}
			b := g.Get()
			if t := g.Type(); t == api.ValueTypeI32 || t == api.ValueTypeF32 {
				b &= 0xffffffff
			}
			rep.Globals = append(rep.Globals, hexBits(b))
		}
		if m.Memory != "" {
			mem := in.mod.ExportedMemory(m.Memory)
			if mem == nil {
				return fail("no exported memory %q", m.Memory)
			}
			b, _ := mem.Read(0, mem.Size())
			rep.Mem = &digest{Pages: uint32(len(b) / 65536), Hash: memoryHash(b)}
			if m.Dirty {
				n := dirty(in.snapshot, b)
				rep.DirtyPgs = &n
			}
		}
		rep.Summary = [][2]string{}
		for _, name := range m.Tables {
			fn := in.mod.ExportedFunction(name)
			if fn == nil {
				return fail("no table summary function %q", name)
			}
			res, err := fn.Call(s.ctx)
			if err != nil || len(res) != 2 {
				return fail("table summary %q: %v", name, err)
			}
			rep.Summary = append(rep.Summary, [2]string{hexBits(res[0] & 0xffffffff), hexBits(res[1])})
		}
		if m.Drop {
			in.mod.Close(s.ctx)
			delete(s.instances, m.Instance)
		}
	case "memory.read", "memory.write":
		in, ok := s.instances[m.Instance]
		if !ok {
			return fail("no instance %d", m.Instance)
		}
		return s.memoryOp(in.mod, m)
	case "drop":
		if in, ok := s.instances[m.Instance]; ok {
			in.mod.Close(s.ctx)
			delete(s.instances, m.Instance)
		}
	case "reset":
		for id, in := range s.instances {
			in.mod.Close(s.ctx)
			delete(s.instances, id)
		}
	default:
		return fail("unknown op %q", m.Op)
	}
	return rep
}

func (s *server) memoryOp(mod api.Module, m *message) *message {
	rep := &message{ID: m.ID}
	mem := mod.ExportedMemory(m.Memory)
	if mem == nil {
		rep.Error = fmt.Sprintf("no exported memory %q", m.Memory)
		return rep
	}
	if m.Op == "memory.read" {
		b, ok := mem.Read(m.Offset, m.Length)
		if !ok {
			rep.Error = "out of bounds"
			return rep
		}
		rep.Data = append([]byte{}, b...)
		if rep.Data == nil {
			rep.Data = []byte{}
		}
		return rep
	}
	if !mem.Write(m.Offset, m.Data) {
		rep.Error = "out of bounds"
	}
	return rep
}

// bindHost makes sure a host module exports every function of imports
// (a host module is rebuilt with the union when a function is missing).
func (s *server) bindHost(imports []hostImport) error {
	byModule := map[string][]hostImport{}
	var order []string
	for _, h := range imports {
		if _, ok := byModule[h.Module]; !ok {
			order = append(order, h.Module)
		}
		byModule[h.Module] = append(byModule[h.Module], h)
	}
	for _, name := range order {
		hm := s.hosts[name]
		missing := hm == nil
		if hm != nil {
			for _, h := range byModule[name] {
				if _, ok := hm.funcs[h.Name]; !ok {
					missing = true
				}
			}
		}
		if !missing {
			continue
		}
		funcs := map[string]hostImport{}
		if hm != nil {
			for k, v := range hm.funcs {
				funcs[k] = v
			}
			hm.mod.Close(s.ctx)
		}
		for _, h := range byModule[name] {
			funcs[h.Name] = h
		}
		b := s.rt.NewHostModuleBuilder(name)
		for _, h := range funcs {
			h := h
			params, err := valueTypes(h.Params)
			if err != nil {
				return err
			}
			results, err := valueTypes(h.Results)
			if err != nil {
				return err
			}
			fn := api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
				s.hostCall(mod, h, stack)
			})
			b = b.NewFunctionBuilder().WithGoModuleFunction(fn, params, results).Export(h.Name)
		}
		mod, err := b.Instantiate(s.ctx)
		if err != nil {
			return err
		}
		s.hosts[name] = &hostModule{mod: mod, funcs: funcs}
	}
	return nil
}

// hostCall forwards a host call to the parent and serves its memory
// requests until it answers.
func (s *server) hostCall(mod api.Module, h hostImport, stack []uint64) {
	args := make([]string, len(h.Params))
	for i := range h.Params {
		args[i] = hexBits(stack[i])
	}
	s.write(&message{Op: "host", Module: h.Module, Name: h.Name, Args: args, Memory: "memory"})
	for {
		m, err := s.read()
		if err != nil {
			os.Exit(0)
		}
		switch m.Op {
		case "memory.read", "memory.write":
			s.write(s.memoryOp(mod, m))
		case "host.return":
			for i, r := range m.Results {
				v, err := strconv.ParseUint(r, 0, 64)
				if err != nil || i >= len(stack) {
					s.hostTrap = "bad host result " + r
					panic(errors.New(s.hostTrap))
				}
				stack[i] = v
			}
			return
		case "host.trap":
			s.hostTrap = m.Message
			panic(errors.New("host trap: " + m.Message))
		default:
			s.write(&message{ID: m.ID, Error: "op " + m.Op + " inside a host call"})
		}
	}
}

func valueTypes(names []string) ([]api.ValueType, error) {
	out := make([]api.ValueType, len(names))
	for i, n := range names {
		switch n {
		case "i32":
			out[i] = api.ValueTypeI32
		case "i64":
			out[i] = api.ValueTypeI64
		case "f32":
			out[i] = api.ValueTypeF32
		case "f64":
			out[i] = api.ValueTypeF64
		case "externref":
			out[i] = api.ValueTypeExternref
		default:
			return nil, fmt.Errorf("host function type %q unsupported", n)
		}
	}
	return out, nil
}

func (s *server) callStatus(err error) *status {
	msg := firstLine(err.Error())
	if s.hostTrap != "" {
		return &status{Status: "trap", Trap: "host", Detail: s.hostTrap}
	}
	if _, k, ok := strings.Cut(msg, "wasm error: "); ok {
		return &status{Status: "trap", Trap: k, Detail: msg}
	}
	if strings.Contains(msg, "stack overflow") { // the native stack guard, without the prefix
		return &status{Status: "trap", Trap: "call stack exhausted", Detail: msg}
	}
	return &status{Status: "crash", Detail: msg}
}

func (s *server) instantiateStatus(err error) *status {
	msg := firstLine(err.Error())
	if s.hostTrap != "" {
		return &status{Status: "trap", Trap: "host", Detail: s.hostTrap}
	}
	if _, k, ok := strings.Cut(msg, "wasm error: "); ok {
		return &status{Status: "trap", Trap: k, Detail: msg}
	}
	for _, k := range []string{"out of bounds memory access", "out of bounds table access", "invalid table access"} {
		if strings.Contains(msg, k) {
			return &status{Status: "trap", Trap: k, Detail: msg}
		}
	}
	if strings.Contains(msg, "out of bounds") || strings.Contains(msg, "exceeds") {
		return &status{Status: "trap", Trap: "out of bounds table access", Detail: msg}
	}
	return &status{Status: "link", Detail: msg}
}

func parseAll(ss []string) ([]uint64, error) {
	out := make([]uint64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("argument %q", s)
		}
		out[i] = v
	}
	return out, nil
}

func hexBits(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func zero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// memoryHash is referee's memory digest: sha256 over the size in 64 KiB
// pages (u32 big-endian), then each non-zero 4 KiB page's index (u32
// big-endian) and bytes.
func memoryHash(b []byte) string {
	h := sha256.New()
	var u [4]byte
	binary.BigEndian.PutUint32(u[:], uint32(len(b)/65536))
	h.Write(u[:])
	for p := 0; p+4096 <= len(b); p += 4096 {
		if pg := b[p : p+4096]; !zero(pg) {
			binary.BigEndian.PutUint32(u[:], uint32(p/4096))
			h.Write(u[:])
			h.Write(pg)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dirty counts the 4 KiB pages of b that differ from the snapshot.
func dirty(snap map[uint32][]byte, b []byte) uint32 {
	var n uint32
	for p := uint32(0); p < uint32(len(b))/4096; p++ {
		pg := b[p*4096 : (p+1)*4096]
		if before, ok := snap[p]; ok {
			if string(before) != string(pg) {
				n++
			}
		} else if !zero(pg) {
			n++
		}
	}
	return n
}
