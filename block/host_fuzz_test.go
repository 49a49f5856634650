package block

import (
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzHost drives a Call with arbitrary sequences of host calls and
// arguments on a small memory: it must never panic, every error must be a
// HostTrap of a known kind, host gas must stay within the limit, and the
// receipt must be consistent with its status.
func FuzzHost(f *testing.F) {
	f.Add([]byte{5, 0, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0}, uint64(10000))
	f.Add([]byte{6, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0}, uint64(5000))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, uint64(100))
	f.Add([]byte{0, 3, 0, 0, 0}, uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, limit uint64) {
		limit %= 1 << 20
		st := NewState(PreState{Contracts: []Contract{{Address: addr1, Storage: []Entry{{Key: []byte("k"), Value: []byte("v")}}}}})
		c := NewCall(st, Tx{Contract: addr1, Input: []byte("input bytes"), GasLimit: limit})
		mem := &fakeMem{b: make([]byte, 256)}
		copy(mem.b, "k")
		fs := HostFuncs()
		for len(data) > 0 {
			fn := fs[int(data[0])%len(fs)]
			data = data[1:]
			args := make([]uint64, len(fn.Type.Params))
			for i := range args {
				if len(data) < 4 {
					data = nil
					break
				}
				args[i] = uint64(binary.LittleEndian.Uint32(data))
				data = data[4:]
			}
			_, err := c.Invoke(fn.Name, mem, args)
			if err != nil {
				var ht *HostTrap
				if !errors.As(err, &ht) {
					t.Fatalf("%s%v: non-trap error %v", fn.Name, args, err)
				}
				switch ht.Kind {
				case TrapAbort, TrapOutOfBounds, TrapOutOfGas, TrapLimit:
				default:
					t.Fatalf("%s%v: unknown trap kind %q", fn.Name, args, ht.Kind)
				}
			}
			if c.HostGas() > limit {
				t.Fatalf("host gas %d over the limit %d", c.HostGas(), limit)
			}
		}
		r := c.Receipt("", 0)
		if r.GasUsed > limit {
			t.Fatalf("gas used %d over the limit %d", r.GasUsed, limit)
		}
		if r.Status != StatusOK && (len(r.Writes) > 0 || len(r.Logs) > 0) {
			t.Fatalf("status %s keeps writes or logs", r.Status)
		}
		c.Commit()
		st.Commitment()
	})
}

func BenchmarkInvoke(b *testing.B) {
	st := NewState(PreState{Contracts: []Contract{{Address: addr1, Storage: []Entry{{Key: []byte("k"), Value: []byte("value")}}}}})
	mem := &fakeMem{b: make([]byte, 64)}
	copy(mem.b, "k")
	for _, bc := range []struct {
		fn   string
		args []uint64
	}{
		{"input_size", nil},
		{"storage_read", []uint64{0, 1, 16, 8}},
		{"storage_write", []uint64{0, 1, 16, 8}},
	} {
		b.Run(bc.fn, func(b *testing.B) {
			c := NewCall(st, Tx{Contract: addr1, GasLimit: 1 << 48})
			for i := 0; i < b.N; i++ {
				if bc.fn == "storage_write" && i%MaxWrites == 0 {
					c = NewCall(st, Tx{Contract: addr1, GasLimit: 1 << 48})
				}
				if _, err := c.Invoke(bc.fn, mem, bc.args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
