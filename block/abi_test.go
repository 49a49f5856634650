package block

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// fakeMem is a Memory over a byte slice with exactly the bounds rule the
// Memory interface documents.
type fakeMem struct {
	b     []byte
	reads int
}

func (m *fakeMem) Read(off, n uint32) ([]byte, bool) {
	m.reads++
	end := uint64(off) + uint64(n)
	if end > uint64(len(m.b)) {
		return nil, false
	}
	return m.b[off:end], true
}

func (m *fakeMem) Write(off uint32, d []byte) bool {
	end := uint64(off) + uint64(len(d))
	if end > uint64(len(m.b)) {
		return false
	}
	copy(m.b[off:], d)
	return true
}

type hostCall struct {
	fn   string
	args []uint64
	want []uint64 // results, when no trap
	trap string   // HostTrap kind expected, "" for none
	code uint32   // abort code
}

func TestHostFunctions(t *testing.T) {
	pre := PreState{Contracts: []Contract{{Address: addr1, Code: emptyWasm, Storage: []Entry{{Key: []byte("k"), Value: []byte("value")}}}}}
	mem64 := func(init string) []byte { b := make([]byte, 64); copy(b, init); return b }
	many := func(n int, c hostCall) []hostCall {
		out := make([]hostCall, n)
		for i := range out {
			out[i] = c
		}
		return out
	}
	tests := []struct {
		name    string
		input   string
		gas     uint64 // gas limit; 0 means 1e9
		mem     []byte // nil: no exported memory
		calls   []hostCall
		wantGas uint64
		wantMem map[uint32]string // offset -> expected bytes after the calls
		wantRet string
		logs    int
		writes  int
	}{
		{name: "input_size", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_size", want: []uint64{3}}}, wantGas: 10},
		{name: "input_copy", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{8, 1, 2}}}, wantGas: 22, wantMem: map[uint32]string{7: "\x00bc\x00"}},
		{name: "input_copy zero length at both ends", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{64, 3, 0}}}, wantGas: 20},
		{name: "input_copy range outside the input is checked before the charge", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{0, 2, 2}, trap: TrapOutOfBounds}}, wantGas: 0},
		{name: "input_copy offset overflow", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{0, 0xffffffff, 2}, trap: TrapOutOfBounds}}},
		{name: "input_copy destination past memory", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{63, 0, 2}, trap: TrapOutOfBounds}}, wantGas: 22, wantMem: map[uint32]string{63: "\x00"}},
		{name: "input_copy destination wraps", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{0xffffffff, 0, 2}, trap: TrapOutOfBounds}}, wantGas: 22},
		{name: "input_copy zero length past memory", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{65, 0, 0}, trap: TrapOutOfBounds}}, wantGas: 20},
		{name: "arguments use the low 32 bits", input: "abc", mem: mem64(""),
			calls: []hostCall{{fn: "input_copy", args: []uint64{1<<32 | 8, 1 << 33, 1<<40 | 1}}}, wantGas: 21, wantMem: map[uint32]string{8: "a"}},
		{name: "return_data", mem: mem64("hello"),
			calls: []hostCall{{fn: "return_data", args: []uint64{0, 5}}, {fn: "return_data", args: []uint64{1, 4}}}, wantGas: 25 + 24, wantRet: "ello"},
		{name: "return_data past memory", mem: mem64(""),
			calls: []hostCall{{fn: "return_data", args: []uint64{62, 4}, trap: TrapOutOfBounds}}, wantGas: 24},
		{name: "return_data over the limit", mem: mem64(""),
			calls: []hostCall{{fn: "return_data", args: []uint64{0, MaxReturnSize + 1}, trap: TrapLimit}}, wantGas: 0},
		{name: "log", mem: mem64("abc"),
			calls: []hostCall{{fn: "log", args: []uint64{0, 3}}, {fn: "log", args: []uint64{64, 0}}}, wantGas: 112 + 100, logs: 2},
		{name: "log record too long", mem: mem64(""),
			calls: []hostCall{{fn: "log", args: []uint64{0, MaxLogSize + 1}, trap: TrapLimit}}},
		{name: "log count limit", mem: mem64(""),
			calls:   append(many(MaxLogs, hostCall{fn: "log", args: []uint64{0, 0}}), hostCall{fn: "log", args: []uint64{0, 0}, trap: TrapLimit}),
			wantGas: 100 * MaxLogs, logs: MaxLogs},
		{name: "log past memory", mem: mem64(""),
			calls: []hostCall{{fn: "log", args: []uint64{60, 5}, trap: TrapOutOfBounds}}, wantGas: 120},
		{name: "storage_read present", mem: mem64("k"),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, 1, 16, 8}, want: []uint64{5}}}, wantGas: 209, wantMem: map[uint32]string{16: "value\x00\x00\x00"}},
		{name: "storage_read copies at most the capacity", mem: mem64("k"),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, 1, 16, 2}, want: []uint64{5}}}, wantGas: 203, wantMem: map[uint32]string{16: "va\x00"}},
		{name: "storage_read absent returns -1", mem: mem64("x"),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, 1, 16, 8}, want: []uint64{0xffffffff}}}, wantGas: 209, wantMem: map[uint32]string{16: "\x00\x00\x00\x00\x00\x00\x00\x00"}},
		{name: "storage_read charge caps the capacity at MaxValueSize", mem: mem64("k"),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, 1, 16, 0xffffffff}, trap: TrapOutOfBounds}}, wantGas: 200 + 1 + MaxValueSize},
		{name: "storage_read key too long", mem: mem64(""),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, MaxKeySize + 1, 0, 0}, trap: TrapLimit}}},
		{name: "storage_read key past memory", mem: mem64(""),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0xffff0000, 4, 0, 0}, trap: TrapOutOfBounds}}, wantGas: 204},
		{name: "storage_read buffer past memory traps even if absent", mem: mem64("x"),
			calls: []hostCall{{fn: "storage_read", args: []uint64{0, 1, 60, 8}, trap: TrapOutOfBounds}}, wantGas: 209},
		{name: "storage_read sees the tx's own writes", mem: mem64("knew"),
			calls: []hostCall{
				{fn: "storage_write", args: []uint64{0, 1, 1, 3}},
				{fn: "storage_read", args: []uint64{0, 1, 16, 8}, want: []uint64{3}},
			}, wantGas: 1032 + 209, wantMem: map[uint32]string{16: "new\x00"}, writes: 1},
		{name: "storage_read after a delete", mem: mem64("k"),
			calls: []hostCall{
				{fn: "storage_write", args: []uint64{0, 1, 0, 0}},
				{fn: "storage_read", args: []uint64{0, 1, 16, 8}, want: []uint64{0xffffffff}},
			}, wantGas: 1008 + 209, writes: 1},
		{name: "storage_write key too long", mem: mem64(""),
			calls: []hostCall{{fn: "storage_write", args: []uint64{0, MaxKeySize + 1, 0, 0}, trap: TrapLimit}}},
		{name: "storage_write value too long", mem: mem64(""),
			calls: []hostCall{{fn: "storage_write", args: []uint64{0, 1, 0, MaxValueSize + 1}, trap: TrapLimit}}},
		{name: "storage_write count limit", mem: mem64(""),
			calls:   append(many(MaxWrites, hostCall{fn: "storage_write", args: []uint64{0, 1, 0, 1}}), hostCall{fn: "storage_write", args: []uint64{0, 1, 0, 1}, trap: TrapLimit}),
			wantGas: 1016 * MaxWrites, writes: MaxWrites},
		{name: "storage_write value past memory", mem: mem64(""),
			calls: []hostCall{{fn: "storage_write", args: []uint64{0, 1, 63, 2}, trap: TrapOutOfBounds}}, wantGas: 1024},
		{name: "abort, then every call returns the same trap", mem: mem64(""),
			calls: []hostCall{
				{fn: "abort", args: []uint64{7}, trap: TrapAbort, code: 7},
				{fn: "input_size", trap: TrapAbort, code: 7},
			}, wantGas: 10},
		{name: "host gas runs out", gas: 250, mem: mem64("k"),
			calls: []hostCall{
				{fn: "storage_read", args: []uint64{0, 1, 16, 8}, want: []uint64{5}},
				{fn: "input_size", want: []uint64{0}},
				{fn: "storage_read", args: []uint64{0, 1, 16, 8}, trap: TrapOutOfGas},
			}, wantGas: 250, wantMem: map[uint32]string{16: "value"}},
		{name: "a charge equal to the gas left is allowed", gas: 10, mem: mem64(""),
			calls: []hostCall{{fn: "input_size", want: []uint64{0}}, {fn: "input_size", trap: TrapOutOfGas}}, wantGas: 10},
		{name: "out of gas before the limit is checked on abort", gas: 5, mem: mem64(""),
			calls: []hostCall{{fn: "abort", args: []uint64{1}, trap: TrapOutOfGas}}, wantGas: 5},
		{name: "no memory: zero-length accesses at 0 only", input: "abc",
			calls: []hostCall{
				{fn: "input_copy", args: []uint64{0, 0, 0}},
				{fn: "return_data", args: []uint64{0, 0}},
				{fn: "log", args: []uint64{1, 0}, trap: TrapOutOfBounds},
			}, wantGas: 20 + 20 + 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gas := tt.gas
			if gas == 0 {
				gas = 1e9
			}
			st := NewState(pre)
			c := NewCall(st, Tx{Contract: addr1, Entry: "f", Input: []byte(tt.input), GasLimit: gas})
			var mem Memory
			var fm *fakeMem
			if tt.mem != nil {
				fm = &fakeMem{b: tt.mem}
				mem = fm
			}
			for i, hc := range tt.calls {
				res, err := c.Invoke(hc.fn, mem, hc.args)
				if hc.trap != "" {
					var ht *HostTrap
					if !errors.As(err, &ht) || ht.Kind != hc.trap || ht.Code != hc.code || ht.Func == "" {
						t.Fatalf("call %d %s%v: got %v, %v; want host trap %s code %d", i, hc.fn, hc.args, res, err, hc.trap, hc.code)
					}
					continue
				}
				if err != nil || len(res) != len(hc.want) {
					t.Fatalf("call %d %s%v: got %v, %v; want %v", i, hc.fn, hc.args, res, err, hc.want)
				}
				for j := range res {
					if res[j] != hc.want[j] {
						t.Fatalf("call %d %s%v: got %v, want %v", i, hc.fn, hc.args, res, hc.want)
					}
				}
			}
			if c.HostGas() != tt.wantGas {
				t.Errorf("host gas %d, want %d", c.HostGas(), tt.wantGas)
			}
			for off, want := range tt.wantMem {
				if got := string(fm.b[off : int(off)+len(want)]); got != want {
					t.Errorf("memory at %d: %q, want %q", off, got, want)
				}
			}
			if string(c.ret) != tt.wantRet || len(c.logs) != tt.logs || len(c.writes) != tt.writes {
				t.Errorf("return %q, %d logs, %d writes; want %q, %d, %d", c.ret, len(c.logs), len(c.writes), tt.wantRet, tt.logs, tt.writes)
			}
			if fm != nil && fm.reads > 2*len(tt.calls)+4*len(tt.calls) {
				t.Errorf("%d memory reads for %d calls", fm.reads, len(tt.calls))
			}
			if v, _ := st.Get(addr1, []byte("k")); string(v) != "value" {
				t.Errorf("a Call changed the State: k = %q", v)
			}
		})
	}
}

func TestHostCopiesWhatItKeeps(t *testing.T) {
	fm := &fakeMem{b: []byte("kvvlog")}
	c := NewCall(NewState(PreState{Contracts: []Contract{{Address: addr1}}}), Tx{Contract: addr1, GasLimit: 1e6})
	for _, hc := range []hostCall{
		{fn: "storage_write", args: []uint64{0, 1, 1, 2}},
		{fn: "log", args: []uint64{3, 3}},
		{fn: "return_data", args: []uint64{1, 2}},
	} {
		if _, err := c.Invoke(hc.fn, fm, hc.args); err != nil {
			t.Fatal(err)
		}
	}
	copy(fm.b, "XXXXXX") // the guest overwrites its memory afterwards
	r := c.Receipt("", 0)
	if string(r.Writes[0].Key) != "k" || string(r.Writes[0].Value) != "vv" || string(r.Logs[0]) != "log" || string(r.ReturnData) != "vv" {
		t.Fatalf("receipt aliases guest memory: %+v", r)
	}
}

func TestInvokeAdapterErrors(t *testing.T) {
	c := NewCall(NewState(PreState{}), Tx{GasLimit: 100})
	if _, err := c.Invoke("nope", nil, nil); !errors.Is(err, ErrNoHostFunc) {
		t.Errorf("unknown function: got %v", err)
	}
	if _, err := c.Invoke("log", nil, []uint64{1}); !errors.Is(err, ErrHostArgs) {
		t.Errorf("wrong arity: got %v", err)
	}
	if c.Trap() != nil || c.HostGas() != 0 || c.HostCalls() != 0 {
		t.Errorf("adapter errors changed the call: trap %v gas %d calls %d", c.Trap(), c.HostGas(), c.HostCalls())
	}
}

func TestHostFuncsTable(t *testing.T) {
	fs := HostFuncs()
	if !sort.SliceIsSorted(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name }) {
		t.Error("HostFuncs not sorted by name")
	}
	want := map[string]string{
		"abort": "[i32] -> []", "input_copy": "[i32 i32 i32] -> []", "input_size": "[] -> [i32]",
		"log": "[i32 i32] -> []", "return_data": "[i32 i32] -> []",
		"storage_read": "[i32 i32 i32 i32] -> [i32]", "storage_write": "[i32 i32 i32 i32] -> []",
	}
	if len(fs) != len(want) {
		t.Fatalf("%d host functions, want %d", len(fs), len(want))
	}
	for _, f := range fs {
		if typeString(f.Type) != want[f.Name] {
			t.Errorf("%s: type %s, want %s", f.Name, typeString(f.Type), want[f.Name])
		}
		if f.Gas == 0 {
			t.Errorf("%s: free", f.Name)
		}
	}
	fs[0].Type.Params[0] = wasm.F64
	if f, _ := LookupHostFunc("abort"); f.Type.Params[0] != wasm.I32 {
		t.Error("HostFuncs returned the shared table")
	}
}

func TestCheckContract(t *testing.T) {
	i32 := []wasm.ValType{wasm.I32}
	mod := func(imports ...wasm.Import) *wasm.Module {
		return &wasm.Module{
			Types:   []wasm.FuncType{{Params: i32}, {}, {Results: i32}},
			Imports: imports,
			Funcs:   []uint32{1, 0, 2},
			Exports: []wasm.Export{{Name: "run", Kind: wasm.ExternFunc, Index: uint32(len(imports))}, {Name: "takes", Kind: wasm.ExternFunc, Index: uint32(len(imports) + 1)},
				{Name: "gives", Kind: wasm.ExternFunc, Index: uint32(len(imports) + 2)}, {Name: "memory", Kind: wasm.ExternMemory}},
		}
	}
	tests := []struct {
		name string
		m    *wasm.Module
		want string
	}{
		{name: "no imports", m: mod()},
		{name: "abort", m: mod(wasm.Import{Module: "referee", Name: "abort", Kind: wasm.ExternFunc, Func: 0})},
		{name: "other module", m: mod(wasm.Import{Module: "env", Name: "abort", Kind: wasm.ExternFunc}),
			want: `import[0] "env"."abort": module is not "referee": not a referee-v1 contract`},
		{name: "unknown name", m: mod(wasm.Import{Module: "referee", Name: "sstore", Kind: wasm.ExternFunc}),
			want: `import[0] "referee"."sstore": no such function in referee-v1: not a referee-v1 contract`},
		{name: "wrong type", m: mod(wasm.Import{Module: "referee", Name: "input_size", Kind: wasm.ExternFunc, Func: 0}),
			want: `import[0] "referee"."input_size": type [i32] -> [], want [] -> [i32]: not a referee-v1 contract`},
		{name: "start function", m: func() *wasm.Module { m := mod(); m.HasStart, m.Start = true, 1; return m }(),
			want: `start function 1: contracts may not have one: not a referee-v1 contract`},
		{name: "memory import", m: mod(wasm.Import{Module: "referee", Name: "memory", Kind: wasm.ExternMemory}),
			want: `import[0] "referee"."memory": not a function: not a referee-v1 contract`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckContract(tt.m)
			if (err == nil) != (tt.want == "") || (err != nil && err.Error() != tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	entries := []struct{ entry, want string }{
		{"run", ""},
		{"takes", `export "takes": type [i32] -> [], want [] -> []: not a referee-v1 contract`},
		{"gives", `export "gives": type [] -> [i32], want [] -> []: not a referee-v1 contract`},
		{"memory", `export "memory": not a function: not a referee-v1 contract`},
		{"absent", `no exported function "absent": not a referee-v1 contract`},
	}
	for _, e := range entries {
		err := CheckEntry(mod(), e.entry)
		if (err == nil) != (e.want == "") || (err != nil && err.Error() != e.want) {
			t.Errorf("CheckEntry(%q): got %v, want %q", e.entry, err, e.want)
		}
		if err != nil && !errors.Is(err, ErrContract) {
			t.Errorf("CheckEntry(%q): %v does not match ErrContract", e.entry, err)
		}
	}
}

func TestHostTrapError(t *testing.T) {
	c := NewCall(NewState(PreState{}), Tx{GasLimit: 100})
	_, err := c.Invoke("return_data", &fakeMem{b: make([]byte, 4)}, []uint64{2, 4})
	if want := "host return_data: out-of-bounds: return data [2, 6) outside memory"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if !strings.Contains((&HostTrap{Kind: TrapAbort, Code: 3, Func: "abort"}).Error(), "code 3") {
		t.Error("abort trap message lacks the code")
	}
}
