package merkle

import (
	"encoding/hex"
	"hash"

	"golang.org/x/crypto/sha3"
)

// Root is a 32-byte commitment: the root of a tree, or a hash that binds
// one (MemoryRoot). It prints as 0x-prefixed lower-case hex.
type Root [32]byte

// String returns r as "0x" followed by 64 lower-case hex digits.
func (r Root) String() string { return "0x" + hex.EncodeToString(r[:]) }

// MarshalText encodes r as String does, for JSON output.
func (r Root) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// MaxDepth is the largest tree depth: leaf gindices 2^d + k must fit in a
// uint64.
const MaxDepth = 63

// Domain is one tree kind: the pair of labels that prefix its leaf and
// node hashes, and its table of zero-subtree hashes. Trees of different
// kinds never share a node hash.
type Domain struct {
	kind      string
	leafLabel []byte
	nodeLabel []byte
	// zero[h] is the root of an all-zero subtree of height h: zero[0] is
	// the hash of a zero leaf, zero[h+1] = node(zero[h], zero[h]).
	zero [MaxDepth + 1][32]byte
}

// The domains referee uses. Further kinds (e.g. the code tree) are made
// with NewDomain.
var (
	// Generic is the default domain of Tree and of ZeroHash, labels
	// "referee/merkle-leaf/v1" and "referee/merkle-node/v1".
	Generic = NewDomain("merkle")
	// Memory is the domain of MemoryTree, labels "referee/memory-leaf/v1"
	// and "referee/memory-node/v1".
	Memory = NewDomain("memory")
)

// NewDomain returns the domain with labels "referee/<kind>-leaf/v1" and
// "referee/<kind>-node/v1" and computes its zero-subtree table (64
// hashes). kind must be 1 to 32 characters from a-z, 0-9 and '-'; it is
// a constant of the calling code, so a bad kind panics.
func NewDomain(kind string) *Domain {
	if len(kind) == 0 || len(kind) > 32 {
		panic("BUG: merkle: domain kind " + kind + " is empty or longer than 32 bytes")
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			panic("BUG: merkle: domain kind " + kind + " has a byte outside a-z, 0-9, '-'")
		}
	}
	d := &Domain{
		kind:      kind,
		leafLabel: []byte("referee/" + kind + "-leaf/v1"),
		nodeLabel: []byte("referee/" + kind + "-node/v1"),
	}
	d.fillZero()
	return d
}

// Kind returns the kind the domain was made with.
func (d *Domain) Kind() string { return d.kind }

// LeafLabel returns the label that prefixes leaf hashes (a copy).
func (d *Domain) LeafLabel() string { return string(d.leafLabel) }

// NodeLabel returns the label that prefixes node hashes (a copy).
func (d *Domain) NodeLabel() string { return string(d.nodeLabel) }

// LeafHash returns keccak256(leafLabel || data).
func (d *Domain) LeafHash(data [32]byte) [32]byte {
	var h hasher
	return h.leaf(d, &data)
}

// NodeHash returns keccak256(nodeLabel || left || right).
func (d *Domain) NodeHash(left, right [32]byte) [32]byte {
	var h hasher
	return h.node(d, &left, &right)
}

// keccakState is the legacy Keccak-256 sponge; Read squeezes without the
// copy that Sum makes.
type keccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

// hasher reuses one sponge for many hashes. The zero value is ready.
type hasher struct {
	st  keccakState
	buf [48 + 64]byte // longest label (8+32+8 bytes) and two children; one Keccak block (136)
	out [32]byte
}

// raw returns keccak256(b).
func (h *hasher) raw(b []byte) [32]byte {
	if h.st == nil {
		h.st = sha3.NewLegacyKeccak256().(keccakState)
	} else {
		h.st.Reset()
	}
	h.st.Write(b)
	h.st.Read(h.out[:]) // through a field: a local would escape to the heap
	return h.out
}

func (h *hasher) leaf(d *Domain, data *[32]byte) [32]byte {
	n := copy(h.buf[:], d.leafLabel)
	n += copy(h.buf[n:], data[:])
	return h.raw(h.buf[:n])
}

func (h *hasher) node(d *Domain, l, r *[32]byte) [32]byte {
	n := copy(h.buf[:], d.nodeLabel)
	n += copy(h.buf[n:], l[:])
	n += copy(h.buf[n:], r[:])
	return h.raw(h.buf[:n])
}
