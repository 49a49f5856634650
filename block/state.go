package block

import (
	"bytes"
	"encoding/binary"
	"sort"

	"golang.org/x/crypto/sha3"
)

// StateLabel starts the canonical state encoding; it names the structure and
// its version so that no other referee hash input can collide with it.
const StateLabel = "referee/state/v1"

// Offsets of the canonical state encoding (docs/block-format.md,
// "Post-state commitment"). The header is fixed; each contract record and
// each storage entry follows at the offsets below, relative to its start.
const (
	encLabelOff     = 0
	encCountOff     = encLabelOff + len(StateLabel) // u32 BE number of contracts
	encHeaderSize   = encCountOff + 4               // 20
	recAddrOff      = 0
	recCodeHashOff  = recAddrOff + AddressSize // keccak256 of the code
	recEntryCntOff  = recCodeHashOff + 32      // u32 BE number of storage entries
	recHeaderSize   = recEntryCntOff + 4       // 56, then the entries
	entryKeyLenOff  = 0                        // u32 BE key length, then the key
	entryKeyOff     = entryKeyLenOff + 4       // key bytes, then u32 BE value length, then the value
	entryFixedBytes = 8                        // the two length fields of one entry
)

// State is the storage state of every contract: its code (fixed by the
// pre-state; blocks do not deploy) and its storage, key to non-empty value.
//
// Many Calls may read one State at the same time (engines run concurrently);
// Apply must not run concurrently with anything else on the same State.
type State struct {
	contracts []*contractState // sorted by address
}

type contractState struct {
	addr     string
	raw      [AddressSize]byte
	code     []byte
	codeHash [32]byte
	storage  map[string][]byte // lookups only: never ranged over into an output
}

// Write is one storage write in the order a transaction made it. An empty
// Value deletes the key.
type Write struct {
	Key   []byte
	Value []byte
}

// NewState builds the state from a pre-state (which Parse has checked: sorted
// unique addresses, non-empty values). It copies nothing the State could
// later change in pre.
func NewState(pre PreState) *State {
	s := &State{}
	for _, c := range pre.Contracts {
		raw, err := ParseHex(c.Address)
		if err != nil || len(raw) != AddressSize {
			panic("BUG: block: NewState given an unchecked address " + c.Address)
		}
		cs := &contractState{addr: c.Address, code: c.Code, codeHash: Keccak256(c.Code), storage: map[string][]byte{}}
		copy(cs.raw[:], raw)
		for _, e := range c.Storage {
			if len(e.Value) > 0 {
				cs.storage[string(e.Key)] = bytes.Clone(e.Value)
			}
		}
		s.contracts = append(s.contracts, cs)
	}
	sort.SliceStable(s.contracts, func(i, j int) bool { return s.contracts[i].addr < s.contracts[j].addr })
	return s
}

func (s *State) contract(addr string) *contractState {
	i := sort.Search(len(s.contracts), func(i int) bool { return s.contracts[i].addr >= addr })
	if i < len(s.contracts) && s.contracts[i].addr == addr {
		return s.contracts[i]
	}
	return nil
}

// Get returns the value stored under key by the contract at addr; ok is
// false if the key is absent or there is no such contract. The returned
// slice must not be modified.
func (s *State) Get(addr string, key []byte) (value []byte, ok bool) {
	c := s.contract(addr)
	if c == nil {
		return nil, false
	}
	v, ok := c.storage[string(key)]
	return v, ok
}

// Storage returns a sorted copy of the storage of the contract at addr.
func (s *State) Storage(addr string) []Entry {
	c := s.contract(addr)
	if c == nil {
		return nil
	}
	return c.entries()
}

// entries returns the storage sorted by key; the map is only used to
// collect the keys, whose order sort fixes.
func (c *contractState) entries() []Entry {
	keys := make([]string, 0, len(c.storage))
	for k := range c.storage {
		keys = append(keys, k)
	}
	sort.Strings(keys) // byte-wise order, the same as bytes.Compare
	out := make([]Entry, len(keys))
	for i, k := range keys {
		out[i] = Entry{Key: []byte(k), Value: bytes.Clone(c.storage[k])}
	}
	return out
}

// Apply performs writes, in order, on the storage of the contract at addr.
// It reports false (and changes nothing) if there is no such contract.
func (s *State) Apply(addr string, writes []Write) bool {
	c := s.contract(addr)
	if c == nil {
		return false
	}
	for _, w := range writes {
		if len(w.Value) == 0 {
			delete(c.storage, string(w.Key))
		} else {
			c.storage[string(w.Key)] = bytes.Clone(w.Value)
		}
	}
	return true
}

// Pre returns the state as a pre-state (contracts by address, storage
// sorted by key, values copied): the post-state of a block is the
// pre-state of the next, and NewState(s.Pre()) has s's commitment.
// Comments are not part of a state, so the contracts carry none.
func (s *State) Pre() PreState {
	var p PreState
	for _, c := range s.contracts {
		p.Contracts = append(p.Contracts, Contract{Address: c.addr, Code: c.code, Storage: c.entries()})
	}
	return p
}

// Clone returns an independent copy of s (the code is shared: it never
// changes).
func (s *State) Clone() *State {
	out := &State{contracts: make([]*contractState, len(s.contracts))}
	for i, c := range s.contracts {
		cc := *c
		cc.storage = make(map[string][]byte, len(c.storage))
		for k, v := range c.storage { // copying a map into a map: order cannot matter
			cc.storage[k] = v
		}
		out.contracts[i] = &cc
	}
	return out
}

// Encode returns the canonical encoding of the state, the preimage of
// Commitment. All integers are big-endian:
//
//	offset  width  field
//	0       16     "referee/state/v1" (ASCII, no length prefix)
//	16      4      u32 number of contracts, then that many contract records
//
//	contract record (contracts in ascending address order):
//	+0      20     address
//	+20     32     keccak256 of the contract's Wasm code
//	+52     4      u32 number of storage entries, then that many entries
//
//	storage entry (ascending byte-wise key order; absent keys are omitted,
//	values are never empty):
//	+0      4      u32 key length k
//	+4      k      key
//	+4+k    4      u32 value length v
//	+8+k    v      value
func (s *State) Encode() []byte {
	var buf bytes.Buffer
	s.encodeTo(&buf)
	return buf.Bytes()
}

// Commitment returns keccak256 (the legacy Keccak used by Ethereum, not
// SHA3-256) of Encode().
func (s *State) Commitment() [32]byte {
	h := sha3.NewLegacyKeccak256()
	s.encodeTo(h)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

type writer interface{ Write([]byte) (int, error) }

func (s *State) encodeTo(w writer) {
	var u [4]byte
	put := func(n int) {
		binary.BigEndian.PutUint32(u[:], uint32(n))
		w.Write(u[:])
	}
	w.Write([]byte(StateLabel))
	put(len(s.contracts))
	for _, c := range s.contracts {
		w.Write(c.raw[:])
		w.Write(c.codeHash[:])
		es := c.entries()
		put(len(es))
		for _, e := range es {
			put(len(e.Key))
			w.Write(e.Key)
			put(len(e.Value))
			w.Write(e.Value)
		}
	}
}

// Keccak256 returns the legacy Keccak-256 hash of b.
func Keccak256(b ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range b {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}
