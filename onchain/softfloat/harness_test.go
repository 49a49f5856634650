package softfloat

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/refereevm/referee/onchain/evm"
)

// batch is the number of records per harness call: about 3,000 gas each
// at most (the loop included) keeps a call well inside the 30 M gas limit.
const batch = 4096

// record is one harness record (see SoftFloatHarness.sol): a in bits
// 255..192, b in 191..128, the expected result in 127..0.
type record [32]byte

func makeRecord(a, b uint64, want result) record {
	var r record
	binary.BigEndian.PutUint64(r[0:], a)
	binary.BigEndian.PutUint64(r[8:], b)
	binary.BigEndian.PutUint64(r[16:], uint64(want.trap))
	binary.BigEndian.PutUint64(r[24:], want.v)
	return r
}

func (r record) a() uint64 { return binary.BigEndian.Uint64(r[0:]) }
func (r record) b() uint64 { return binary.BigEndian.Uint64(r[8:]) }
func (r record) want() result {
	return result{uint8(binary.BigEndian.Uint64(r[16:])), binary.BigEndian.Uint64(r[24:])}
}

// harness is a deployed SoftFloatHarness, and the gas contracts once
// used, in its own EVM: one per goroutine.
type harness struct {
	e   *evm.EVM
	c   *evm.Contract
	gas map[string]*evm.Contract
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	e := evm.New()
	c, err := e.Deploy("SoftFloatHarness")
	if err != nil {
		t.Fatal(err)
	}
	return &harness{e, c, map[string]*evm.Contract{}}
}

func opID(name string) [32]byte { return crypto.Keccak256Hash([]byte(name)) }

// check evaluates o on every record and returns the first record whose
// result differs from its expected one (-1 if none) and that result.
func (h *harness) check(o op, recs []record) (int, result, error) {
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		// check(bytes32 op, bytes32[] recs), ABI-encoded by hand: a record
		// is already a word, and big.Int packing of millions is slow.
		id := opID(o.name)
		in := make([]byte, 0, 4+32*3+32*len(part))
		in = append(in, h.c.ABI.Methods["check"].ID...)
		in = append(in, id[:]...)
		in = append(in, word(0x40)...)
		in = append(in, word(uint64(len(part)))...)
		for _, r := range part {
			in = append(in, r[:]...)
		}
		res, err := h.c.CallRaw(in)
		if err != nil {
			return 0, result{}, fmt.Errorf("%s: records %d..%d: %w", o.name, start, start+len(part)-1, err)
		}
		if len(res.Return) != 64 {
			return 0, result{}, fmt.Errorf("%s: check returned %d bytes, want 64", o.name, len(res.Return))
		}
		if bad := binary.BigEndian.Uint64(res.Return[24:32]); bad != 0 {
			got := result{uint8(binary.BigEndian.Uint64(res.Return[48:56])), binary.BigEndian.Uint64(res.Return[56:64])}
			return start + int(bad) - 1, got, nil
		}
	}
	return -1, result{}, nil
}

func word(v uint64) []byte {
	var w [32]byte
	binary.BigEndian.PutUint64(w[24:], v)
	return w[:]
}

// gasOf returns the gas of each evaluation of o on recs (whose expected
// results must be right), measured by o's gas contract, less nothing: the
// caller subtracts the window's cost, nopGas.
func (h *harness) gasOf(o op, recs []record) ([]uint64, error) {
	return h.gasCall(gasContractOf(o), "gas_"+o.name, recs)
}

// nopGas returns the gas that a measuring window costs by itself in the
// gas contract of o: the median of gas_nop.
func (h *harness) nopGas(o op) (uint64, error) {
	recs := make([]record, 64)
	for i := range recs {
		recs[i] = makeRecord(uint64(i)*0x9e3779b97f4a7c15, 0, val(uint64(i)*0x9e3779b97f4a7c15))
	}
	gs, err := h.gasCall(gasContractOf(o), "gas_nop", recs)
	if err != nil {
		return 0, err
	}
	slices.Sort(gs)
	return gs[len(gs)/2], nil
}

func (h *harness) gasCall(contract, method string, recs []record) ([]uint64, error) {
	c := h.gas[contract]
	if c == nil {
		var err error
		if c, err = h.e.Deploy(contract); err != nil {
			return nil, err
		}
		h.gas[contract] = c
	}
	words := make([][32]byte, len(recs))
	for i, r := range recs {
		words[i] = r
	}
	out, _, err := c.Call(method, words)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", contract, method, err)
	}
	gs := out[0].([]*big.Int)
	res := make([]uint64, len(gs))
	for i, g := range gs {
		res[i] = g.Uint64()
	}
	return res, nil
}
