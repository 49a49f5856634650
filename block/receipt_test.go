package block

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestReceiptStatus(t *testing.T) {
	tests := []struct {
		name       string
		calls      []hostCall // made on a 16-byte memory before the engine stops
		engineTrap string
		guestGas   uint64
		limit      uint64
		want       Receipt
	}{
		{name: "ok", calls: []hostCall{{fn: "input_size"}}, guestGas: 5, limit: 100,
			want: Receipt{Status: StatusOK, GasUsed: 15}},
		{name: "guest trap", engineTrap: "integer divide by zero", guestGas: 7, limit: 100,
			want: Receipt{Status: StatusTrap, Trap: "integer divide by zero", GasUsed: 7}},
		{name: "meter out of gas", engineTrap: TrapOutOfGas, guestGas: 100, limit: 100,
			want: Receipt{Status: StatusOutOfGas, GasUsed: 100}},
		{name: "host trap wins over the engine's trap", calls: []hostCall{{fn: "log", args: []uint64{10, 10}}},
			engineTrap: "unreachable", guestGas: 3, limit: 1000,
			want: Receipt{Status: StatusTrap, Trap: "host out-of-bounds", GasUsed: 143}},
		{name: "host limit", calls: []hostCall{{fn: "log", args: []uint64{0, MaxLogSize + 1}}},
			engineTrap: "unreachable", guestGas: 3, limit: 1000,
			want: Receipt{Status: StatusTrap, Trap: "host limit", GasUsed: 3}},
		{name: "abort keeps its return data", calls: []hostCall{{fn: "return_data", args: []uint64{0, 2}}, {fn: "abort", args: []uint64{9}}},
			engineTrap: "unreachable", guestGas: 1, limit: 1000,
			want: Receipt{Status: StatusAbort, AbortCode: 9, ReturnData: []byte{0, 0}, GasUsed: 1 + 22 + 10}},
		{name: "host out of gas", calls: []hostCall{{fn: "input_size"}, {fn: "input_size"}},
			engineTrap: "unreachable", guestGas: 2, limit: 15,
			want: Receipt{Status: StatusOutOfGas, GasUsed: 15}},
		{name: "guest plus host over the limit", calls: []hostCall{{fn: "log", args: []uint64{0, 1}}},
			guestGas: 97, limit: 200,
			want: Receipt{Status: StatusOutOfGas, GasUsed: 200}},
		{name: "guest plus host exactly the limit", calls: []hostCall{{fn: "log", args: []uint64{0, 1}}},
			guestGas: 96, limit: 200,
			want: Receipt{Status: StatusOK, GasUsed: 200, Logs: [][]byte{{0}}}},
		{name: "abort over the limit is out of gas", calls: []hostCall{{fn: "abort", args: []uint64{1}}},
			engineTrap: "unreachable", guestGas: 95, limit: 100,
			want: Receipt{Status: StatusOutOfGas, GasUsed: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCall(NewState(PreState{Contracts: []Contract{{Address: addr1}}}), Tx{Contract: addr1, GasLimit: tt.limit})
			mem := &fakeMem{b: make([]byte, 16)}
			for _, hc := range tt.calls {
				c.Invoke(hc.fn, mem, hc.args)
			}
			got := c.Receipt(tt.engineTrap, tt.guestGas)
			if !bytes.Equal(got.Encode(), tt.want.Encode()) {
				t.Fatalf("receipt\n got %s\nwant %s", got, tt.want)
			}
			if again := c.Receipt("", 0); !bytes.Equal(again.Encode(), got.Encode()) {
				t.Errorf("second Receipt call changed the result: %s", again)
			}
		})
	}
}

func TestReceiptEncodingGolden(t *testing.T) {
	r := Receipt{Status: StatusOK, ReturnData: []byte{0xab}, GasUsed: 0x0102, Logs: [][]byte{{1, 2}},
		Writes: []Write{{Key: []byte("k"), Value: nil}}}
	want := mustHex(t, hex.EncodeToString([]byte("referee/receipt/v1"))+`
		00000002 6f6b  00000000  00000000  00000001 ab  0000000000000102
		00000001 00000002 0102
		00000001 00000001 6b 00000000`)
	if got := r.Encode(); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	lenPrefix := []byte{0, 0, 0, byte(len(want))}
	if ReceiptsHash([]Receipt{r}) != Keccak256(lenPrefix, want) {
		t.Fatal("ReceiptsHash is not keccak256 of the length-prefixed encodings")
	}
}

func TestReceiptJSON(t *testing.T) {
	tests := []struct {
		name string
		r    Receipt
		want string
	}{
		{name: "ok", r: Receipt{Status: StatusOK, ReturnData: []byte{0xab}, GasUsed: 7, Logs: [][]byte{{1}}, Writes: []Write{{Key: []byte("k"), Value: nil}}},
			want: `{"status":"ok","returnData":"0xab","gasUsed":7,"logs":["0x01"],"writes":[{"key":"0x6b","value":"0x"}]}`},
		{name: "abort code 0", r: Receipt{Status: StatusAbort, GasUsed: 1},
			want: `{"status":"abort","abortCode":0,"returnData":"0x","gasUsed":1,"logs":[],"writes":[]}`},
		{name: "trap", r: Receipt{Status: StatusTrap, Trap: "host limit", GasUsed: 2},
			want: `{"status":"trap","trap":"host limit","returnData":"0x","gasUsed":2,"logs":[],"writes":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.r)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %s, %v\nwant %s", got, err, tt.want)
			}
		})
	}
}

// step is one instruction of the tiny fake engine below: burn guest gas,
// call the host, or trap.
type step struct {
	gas  uint64
	host string
	args []uint64
	trap string
}

// fakeEngine runs a program of steps the way an engine adapter would: guest
// gas is counted by the "instrumentation" (the gas field), host calls go
// through Call.Invoke, and a HostTrap becomes an engine trap "unreachable".
func fakeEngine(c *Call, mem Memory, prog []step) (engineTrap string, guestGas uint64) {
	limit := c.Tx().GasLimit
	for _, s := range prog {
		if s.gas > limit-guestGas {
			return TrapOutOfGas, limit
		}
		guestGas += s.gas
		if s.trap != "" {
			return s.trap, guestGas
		}
		if s.host != "" {
			if _, err := c.Invoke(s.host, mem, s.args); err != nil {
				var ht *HostTrap
				if !errors.As(err, &ht) {
					panic(fmt.Sprintf("adapter error: %v", err))
				}
				return "unreachable", guestGas
			}
		}
	}
	return "", guestGas
}

// TestBlockEndToEnd applies a block of transactions with the fake engine and
// checks every receipt and the post-state, built by copying the pre-state and
// changing only what the successful transactions wrote.
func TestBlockEndToEnd(t *testing.T) {
	// Memory layout of the fake contract: 0 "k", 1 "v1", 3 "v2", 5 "k2", 7 "why".
	layout := "kv1v2k2why"
	progs := map[string][]step{
		"set":           {{gas: 3, host: "storage_write", args: []uint64{0, 1, 1, 2}}},
		"set_then_trap": {{gas: 3, host: "storage_write", args: []uint64{0, 1, 3, 2}}, {gas: 1, trap: "integer divide by zero"}},
		"get":           {{gas: 2, host: "storage_read", args: []uint64{0, 1, 32, 8}}, {gas: 1, host: "return_data", args: []uint64{32, 2}}},
		"abort":         {{host: "storage_write", args: []uint64{0, 1, 3, 2}}, {host: "return_data", args: []uint64{7, 3}}, {host: "abort", args: []uint64{3}}},
		"burn":          {{host: "storage_write", args: []uint64{0, 1, 3, 2}}, {gas: 1000}},
		"host_oob":      {{host: "storage_write", args: []uint64{0, 1, 3, 2}}, {gas: 1, host: "log", args: []uint64{60, 8}}},
		"set2":          {{host: "storage_write", args: []uint64{5, 2, 3, 2}}, {host: "log", args: []uint64{5, 2}}, {host: "storage_write", args: []uint64{0, 1, 1, 0}}},
	}
	pre := PreState{Contracts: []Contract{{Address: addr1, Code: emptyWasm, Storage: []Entry{{Key: []byte("k"), Value: []byte("v0")}}}}}
	txs := []Tx{
		{Contract: addr1, Entry: "set", GasLimit: 5000},
		{Contract: addr1, Entry: "set_then_trap", GasLimit: 5000},
		{Contract: addr1, Entry: "get", GasLimit: 5000},
		{Contract: addr1, Entry: "abort", GasLimit: 5000},
		{Contract: addr1, Entry: "burn", GasLimit: 1500},
		{Contract: addr1, Entry: "host_oob", GasLimit: 5000},
		{Contract: addr1, Entry: "set2", GasLimit: 5000},
	}
	want := []string{
		"ok gas=1027 writes=1", // 3 + storage_write 1000+8×3
		"trap (integer divide by zero) gas=1028",
		"ok gas=234 return=0x7631", // 2 + storage_read 200+1+8 + 1 + return_data 20+2; reads "v1": the trapping tx's write was dropped
		"abort (code 3) gas=1057 return=0x776879",
		"out-of-gas gas=1500",
		"trap (host out-of-bounds) gas=1157",
		"ok gas=2148 logs=1 writes=2",
	}
	st := NewState(pre)
	for i, tx := range txs {
		mem := &fakeMem{b: make([]byte, 64)}
		copy(mem.b, layout)
		c := NewCall(st, tx)
		r := c.Receipt(fakeEngine(c, mem, progs[tx.Entry]))
		if r.String() != want[i] {
			t.Errorf("tx %d (%s): receipt %s, want %s", i, tx.Entry, r, want[i])
		}
		if committed := c.Commit(); committed != (r.Status == StatusOK) {
			t.Errorf("tx %d: Commit returned %v for status %s", i, committed, r.Status)
		}
	}
	// Expected post-state: the pre-state with k = v1 (tx 0), then k2 = v2
	// and k deleted (tx 6).
	post := PreState{Contracts: []Contract{{Address: addr1, Code: emptyWasm, Storage: []Entry{{Key: []byte("k2"), Value: []byte("v2")}}}}}
	if got, want := st.Commitment(), NewState(post).Commitment(); got != want {
		t.Fatalf("post-state commitment %x, want %x; storage %q", got, want, st.Storage(addr1))
	}
}

// TestConcurrentCalls runs one transaction on several "engines" at once
// against the same State, as diff/ does; under -race it checks that a Call
// only reads the State, and every engine gets the same receipt.
func TestConcurrentCalls(t *testing.T) {
	st := NewState(PreState{Contracts: []Contract{{Address: addr1, Storage: []Entry{{Key: []byte("k"), Value: []byte("v0")}}}}})
	tx := Tx{Contract: addr1, Entry: "f", GasLimit: 1e6}
	prog := []step{
		{gas: 1, host: "storage_read", args: []uint64{0, 1, 32, 8}},
		{gas: 1, host: "storage_write", args: []uint64{0, 1, 1, 2}},
		{gas: 1, host: "storage_read", args: []uint64{0, 1, 40, 8}},
		{gas: 1, host: "return_data", args: []uint64{32, 16}},
	}
	const engines = 4
	out := make([][]byte, engines)
	done := make(chan int)
	for e := 0; e < engines; e++ {
		go func(e int) {
			mem := &fakeMem{b: make([]byte, 64)}
			copy(mem.b, "kv1")
			c := NewCall(st, tx)
			out[e] = c.Receipt(fakeEngine(c, mem, prog)).Encode()
			done <- e
		}(e)
	}
	for e := 0; e < engines; e++ {
		<-done
	}
	for e := 1; e < engines; e++ {
		if !bytes.Equal(out[e], out[0]) {
			t.Fatalf("engine %d receipt %x differs from engine 0 %x", e, out[e], out[0])
		}
	}
	if v, _ := st.Get(addr1, []byte("k")); string(v) != "v0" {
		t.Fatalf("the State changed before Commit: k = %q", v)
	}
}

// TestReceiptJSONRoundTrip: UnmarshalJSON reads what MarshalJSON writes,
// for every status, and refuses what it cannot have written.
func TestReceiptJSONRoundTrip(t *testing.T) {
	for _, r := range []Receipt{
		{Status: StatusOK, ReturnData: []byte{1, 2}, GasUsed: 7, Logs: [][]byte{{9}, {}}, Writes: []Write{{Key: []byte("k"), Value: []byte("v")}, {Key: []byte{}, Value: nil}}},
		{Status: StatusAbort, AbortCode: 3, ReturnData: []byte{0}, GasUsed: 1},
		{Status: StatusAbort, AbortCode: 0, GasUsed: 1},
		{Status: StatusTrap, Trap: "unreachable", GasUsed: 100},
		{Status: StatusOutOfGas, GasUsed: 5},
	} {
		js, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Receipt
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !bytes.Equal(back.Encode(), r.Encode()) {
			t.Fatalf("%s read back as %+v, want %+v", js, back, r)
		}
	}
	for _, bad := range []string{`{"status":"maybe"}`, `{"status":"ok","returnData":"12"}`, `{"status":"ok","returnData":"0x","logs":["0xz"]}`, `[]`} {
		var r Receipt
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
