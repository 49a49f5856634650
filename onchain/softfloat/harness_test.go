package softfloat

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/refereevm/referee/onchain/evm"
)

// batch is the number of records per harness call: at most about 2,000
// gas each (the loop included) keeps a call well inside the 30 M gas limit.
const batch = 4096

// record is one harness record (see harnessSource): a in bits 255..192,
// b in 191..128, the expected result in 127..0.
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

// harness holds the harness contracts, deployed on first use, in one EVM:
// one per goroutine.
type harness struct {
	e *evm.EVM
	c map[string]*evm.Contract
}

func newHarness(testing.TB) *harness { return &harness{evm.New(), map[string]*evm.Contract{}} }

func (h *harness) contract(name string) (*evm.Contract, error) {
	if c := h.c[name]; c != nil {
		return c, nil
	}
	c, err := h.e.Deploy(name)
	if err != nil {
		return nil, err
	}
	h.c[name] = c
	return c, nil
}

// check evaluates o on every record and returns the first record whose
// result differs from its expected one (-1 if none) and that result.
func (h *harness) check(o op, recs []record) (int, result, error) {
	c, err := h.contract(harnessOf(o))
	if err != nil {
		return 0, result{}, err
	}
	method := "run_" + o.name
	m, ok := c.ABI.Methods[method]
	if !ok {
		return 0, result{}, fmt.Errorf("%s: no method %s", c.Name, method)
	}
	for start := 0; start < len(recs); start += batch {
		part := recs[start:min(start+batch, len(recs))]
		// run_<op>(bytes32[] recs, bool measure) with measure false,
		// ABI-encoded by hand: a record is already a word, and packing
		// millions of them through reflection is slow.
		in := make([]byte, 0, 4+32*3+32*len(part))
		in = append(in, m.ID...)
		in = append(in, word(0x40)...)
		in = append(in, word(0)...)
		in = append(in, word(uint64(len(part)))...)
		for _, r := range part {
			in = append(in, r[:]...)
		}
		res, err := c.CallRaw(in)
		if err != nil {
			return 0, result{}, fmt.Errorf("%s: records %d..%d: %w", method, start, start+len(part)-1, err)
		}
		// (bad, got, offset of gas, len(gas) = 0)
		if len(res.Return) != 4*32 {
			return 0, result{}, fmt.Errorf("%s: returned %d bytes, want 128", method, len(res.Return))
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

// gasOf returns the gas of each evaluation of o on recs, whose expected
// results must be right; the caller subtracts the window's cost, nopGas.
func (h *harness) gasOf(o op, recs []record) ([]uint64, error) {
	return h.measure(harnessOf(o), "run_"+o.name, recs)
}

// nopGas returns what a measuring window costs by itself in o's harness
// contract: the median of run_nop, whose "op" returns its operand.
func (h *harness) nopGas(o op) (uint64, error) {
	recs := make([]record, 64)
	for i := range recs {
		x := uint64(i) * 0x9e3779b97f4a7c15
		recs[i] = makeRecord(x, 0, val(x))
	}
	gs, err := h.measure(harnessOf(o), "run_nop", recs)
	if err != nil {
		return 0, err
	}
	slices.Sort(gs)
	return gs[len(gs)/2], nil
}

func (h *harness) measure(contract, method string, recs []record) ([]uint64, error) {
	c, err := h.contract(contract)
	if err != nil {
		return nil, err
	}
	words := make([][32]byte, len(recs))
	for i, r := range recs {
		words[i] = r
	}
	out, _, err := c.Call(method, words, true)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", contract, method, err)
	}
	if bad := out[0].(*big.Int); bad.Sign() != 0 {
		return nil, fmt.Errorf("%s.%s: record %d: got %#x, want %v", contract, method, bad.Int64()-1, out[1], recs[bad.Int64()-1].want())
	}
	gs := out[2].([]*big.Int)
	res := make([]uint64, len(gs))
	for i, g := range gs {
		res[i] = g.Uint64()
	}
	return res, nil
}
