package block_test

// This file runs the example blocks on the reference machine through the
// ABI, first uninstrumented (guest gas is zero, gas comes from host calls
// alone, and the machine's step limit stands in for the meter's out-of-gas),
// then instrumented by meter. It drives the machine directly, binding the ABI
// with diff.BindABI (package block itself must not import trace or diff).

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

const refStepLimit = 2_000_000

// runTx runs one transaction on a fresh reference machine and returns its
// receipt (without committing it). metered instruments the code first, with
// the tx's gas limit as the meter's starting gas (the instance is fresh, so
// no global needs setting).
func runTx(t *testing.T, st *block.State, code []byte, tx block.Tx, metered bool) (*block.Call, block.Receipt) {
	t.Helper()
	if metered {
		o := meter.DefaultOptions()
		o.StartGas = tx.GasLimit
		bin, err := meter.Prepare(code, wasm.DefaultLimits(), o)
		if err != nil {
			t.Fatalf("meter %s: %v", tx.Contract, err)
		}
		code = bin
	}
	mod, err := wasm.Decode(code)
	if err != nil {
		t.Fatalf("decode %s: %v", tx.Contract, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		t.Fatalf("validate %s: %v", tx.Contract, err)
	}
	if err := block.CheckContract(mod); err != nil {
		t.Fatalf("%s: %v", tx.Contract, err)
	}
	if err := block.CheckEntry(mod, tx.Entry); err != nil {
		t.Fatalf("%s: %v", tx.Contract, err)
	}
	m := trace.NewMachine(trace.Config{MaxSteps: refStepLimit})
	call := block.NewCall(st, tx)
	var mem *trace.Memory // set once the instance exists
	diff.BindABI(m, call, func() *trace.Memory { return mem })
	inst, err := m.Instantiate(mod)
	if err != nil {
		t.Fatalf("instantiate %s: %v", tx.Contract, err)
	}
	if ex, ok := inst.Export("memory"); ok {
		mem = m.Memory(ex.Addr)
	}
	engineTrap := ""
	_, err = m.Invoke(inst, tx.Entry, nil)
	if err != nil {
		var tr *trace.Trap
		if !errors.As(err, &tr) {
			t.Fatalf("invoke %s.%s: %v", tx.Contract, tx.Entry, err)
		}
		engineTrap = tr.Kind.String()
		if tr.Kind == trace.TrapStepLimit {
			engineTrap = block.TrapOutOfGas
		}
	}
	if !metered {
		return call, call.Receipt(engineTrap, 0)
	}
	global := func(name string) uint64 {
		ex, ok := inst.Export(name)
		if !ok {
			t.Fatalf("instrumented %s exports no %s", tx.Contract, name)
		}
		return m.GlobalValue(ex).Bits
	}
	guestGas := tx.GasLimit - global(meter.ExportGas)
	if err != nil {
		switch global(meter.ExportExit) {
		case meter.ExitOutOfGas:
			engineTrap, guestGas = block.TrapOutOfGas, tx.GasLimit
		case meter.ExitCallDepth:
			engineTrap = "call stack exhausted"
		}
	}
	return call, call.Receipt(engineTrap, guestGas)
}

func runBlock(t *testing.T, name string) (*block.Block, []block.Receipt, *block.State) {
	return runBlockWith(t, name, false)
}

func runBlockWith(t *testing.T, name string, metered bool) (*block.Block, []block.Receipt, *block.State) {
	t.Helper()
	b, err := block.Load(filepath.Join("..", "examples", "blocks", name))
	if err != nil {
		t.Fatal(err)
	}
	st := block.NewState(b.Pre)
	var rs []block.Receipt
	for _, tx := range b.Txs {
		call, r := runTx(t, st, b.Pre.Code(tx.Contract), tx, metered)
		call.Commit()
		rs = append(rs, r)
	}
	return b, rs, st
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func checkReceipts(t *testing.T, b *block.Block, rs []block.Receipt, want []string) {
	t.Helper()
	if len(rs) != len(want) {
		t.Fatalf("%d receipts, want %d", len(rs), len(want))
	}
	for i, r := range rs {
		if r.String() != want[i] {
			t.Errorf("tx %d (%s, %s):\n got %s\nwant %s", i, b.Txs[i].Entry, b.Txs[i].Comment, r, want[i])
		}
	}
}

func TestTokenBlockOnReference(t *testing.T) {
	b, rs, st := runBlock(t, "token.json")
	// Host gas only: a transfer is input_size 10 + input_copy 20+24 +
	// 2 × storage_read 200+9+8 + 2 × storage_write 1000+8×17 + log 100+4×24
	// + return_data 20+8 = 2984.
	checkReceipts(t, b, rs, []string{
		"ok gas=2984 return=0x8403000000000000 logs=1 writes=2", // alice: 1000-100 = 900
		"ok gas=2984 return=0x5e01000000000000 logs=1 writes=2", // bob: 500+100-250 = 350
		"abort (code 2) gas=281",                                // carol has 250 < 1000
		"ok gas=2708 return=0x2c01000000000000 writes=2",        // carol: 250+50 = 300
		"ok gas=495 return=0x8403000000000000 logs=1",           // self-transfer: no writes
		"ok gas=2920 return=0x0000000000000000 logs=1 writes=2", // carol sends all 300: her key is deleted
		"abort (code 1) gas=20",                                 // an 8-byte input: input_size + abort
		"ok gas=283 return=0xb004000000000000",                  // alice: 900+300 = 1200
		"ok gas=267 return=0x0e06000000000000",                  // supply: 1500+50 = 1550
	})
	post := block.PreState{Contracts: []block.Contract{{
		Address: b.Pre.Contracts[0].Address, Code: b.Pre.Contracts[0].Code,
		Storage: []block.Entry{
			{Key: append([]byte("b"), "alice\x00\x00\x00"...), Value: u64(1200)},
			{Key: append([]byte("b"), "bob\x00\x00\x00\x00\x00"...), Value: u64(350)},
			{Key: []byte("s"), Value: u64(1550)},
		},
	}}}
	if got, want := st.Commitment(), block.NewState(post).Commitment(); got != want {
		t.Errorf("post-state commitment %x, want %x (storage %x)", got, want, st.Storage(b.Pre.Contracts[0].Address))
	}
}

func TestMixedBlockOnReference(t *testing.T) {
	b, rs, st := runBlock(t, "mixed.json")
	hello := sha256.Sum256([]byte("hello"))
	empty := sha256.Sum256(nil)
	chain := sha256.Sum256([]byte("abc"))
	for i := 1; i < 100; i++ {
		chain = sha256.Sum256(chain[:])
	}
	checkReceipts(t, b, rs, []string{
		"ok gas=1355 return=0x2a00000000000000 writes=1",
		"ok gas=2984 return=0xe703000000000000 logs=1 writes=2",
		"ok gas=2656 return=" + block.FormatHex(hello[:]) + " writes=2",
		"ok gas=1383 return=0x1204000000000000 writes=1",
		"ok gas=1385 return=" + block.FormatHex(chain[:]) + " writes=1",
		"ok gas=2651 return=" + block.FormatHex(empty[:]) + " writes=2",
		"abort (code 2) gas=261",
		"ok gas=251 return=0x1204000000000000",
		"ok gas=283 return=0x0100000000000000",
	})
	hashAddr := "0x0000000000000000000000000000000000000003"
	if v, _ := st.Get(hashAddr, []byte("last")); string(v) != string(empty[:]) {
		t.Errorf("hash contract: last = %x, want %x", v, empty)
	}
	if v, _ := st.Get(hashAddr, []byte("n")); string(v) != string(u64(2)) {
		t.Errorf("hash contract: n = %x, want 2", v)
	}
}

func TestTrapsBlockOnReference(t *testing.T) {
	b, rs, st := runBlock(t, "traps.json")
	// A failing entry of traps.wasm first pays for $dirty: storage_write
	// 1000+8×10 and log 100+4×5 = 1200.
	checkReceipts(t, b, rs, []string{
		"ok gas=1116 return=0x68656c6c6f writes=1",
		"ok gas=2302 return=0x03000000 logs=1 writes=2", // writes "dirty", then deletes it
		"trap (integer divide by zero) gas=1238",
		"trap (unreachable) gas=1200",
		"trap (out of bounds memory access) gas=1200",
		"trap (host out-of-bounds) gas=1404",
		"trap (host limit) gas=1200",
		"abort (code 42) gas=1233 return=0x627965",
		"trap (call stack exhausted) gas=1200",
		"out-of-gas gas=100000", // the step limit stands in for the meter here
		"out-of-gas gas=500",    // storage_read 213 + storage_write 1104 > 500
		"ok gas=1355 return=0x0100000000000000 writes=1",
		"ok gas=58 return=0x01000000",
		"ok gas=58 return=0xffffffff",
		"ok gas=1096 return=0x627965 writes=1",
	})
	post := block.PreState{Contracts: []block.Contract{
		{Address: b.Pre.Contracts[0].Address, Code: b.Pre.Contracts[0].Code, Storage: []block.Entry{{Key: []byte("count"), Value: u64(1)}}},
		{Address: b.Pre.Contracts[1].Address, Code: b.Pre.Contracts[1].Code, Storage: []block.Entry{{Key: []byte("ok"), Value: []byte("bye")}}},
	}}
	if got, want := st.Commitment(), block.NewState(post).Commitment(); got != want {
		t.Errorf("post-state commitment %x, want %x", got, want)
	}
}

// TestExampleCommitments pins the post-state commitment of every example
// block. Every engine must print these: the examples' gas limits leave room
// for guest gas, so metering changes gas used but no status.
func TestExampleCommitments(t *testing.T) {
	tests := []struct{ block, want string }{
		{"token.json", "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4"},
		{"mixed.json", "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44"},
		{"traps.json", "0x77cef6b03f3e65550741c0e91012e922b43f2c98ae88da8d0ddd125b89aa114e"},
	}
	for _, tt := range tests {
		t.Run(tt.block, func(t *testing.T) {
			b, plain, st := runBlockWith(t, tt.block, false)
			_, metered, mst := runBlockWith(t, tt.block, true)
			for i, s := range []*block.State{st, mst} {
				c := s.Commitment()
				if got := block.FormatHex(c[:]); got != tt.want {
					t.Errorf("%s: commitment %s, want %s", []string{"plain", "metered"}[i], got, tt.want)
				}
			}
			// Metering adds guest gas and changes nothing else.
			for i := range plain {
				p, m := plain[i], metered[i]
				t.Logf("tx %d %s: metered %s", i, b.Txs[i].Entry, m)
				if m.GasUsed < p.GasUsed {
					t.Errorf("tx %d: metered gas %d below host gas %d", i, m.GasUsed, p.GasUsed)
				}
				p.GasUsed, m.GasUsed = 0, 0
				if string(p.Encode()) != string(m.Encode()) {
					t.Errorf("tx %d: metered receipt %s differs from plain %s beyond gas", i, m, p)
				}
			}
		})
	}
}
