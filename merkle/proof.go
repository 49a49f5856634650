package merkle

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Proof is an inclusion proof of one leaf in a tree of depth
// len(Siblings).
type Proof struct {
	// Domain is the tree kind the proof is for; nil means Generic. It is
	// not encoded: the verifier knows which tree it checks.
	Domain *Domain
	// Index is the leaf index (gindex 2^depth + Index).
	Index uint64
	// Leaf is the leaf data, not its hash.
	Leaf [32]byte
	// Siblings are the sibling hashes from the bottom up: Siblings[h] is
	// the root of the sibling subtree of height h.
	Siblings [][32]byte
}

// Encoded proof layout (big-endian), mirrored in docs/merkle.md:
//
//	offset  width     field     encoding
//	0       1         depth     u8, 0..63
//	1       8         index     u64 big-endian, < 2^depth
//	9       32        leaf      raw leaf data
//	41      32×depth  siblings  bottom-up, 32 bytes each
const (
	proofDepthOff    = 0
	proofIndexOff    = proofDepthOff + 1
	proofLeafOff     = proofIndexOff + 8
	proofSiblingsOff = proofLeafOff + 32
	// ProofHeaderSize is the size of a proof with no siblings; a proof of
	// depth d is ProofHeaderSize + 32d bytes (905 for d = 27).
	ProofHeaderSize = proofSiblingsOff
)

// Fold re-computes the root of a tree in domain d (nil means Generic) from
// leaf index, the leaf data and its siblings bottom-up. It fails if there
// are more than MaxDepth siblings or index does not fit in len(siblings)
// bits.
func Fold(d *Domain, index uint64, leaf [32]byte, siblings [][32]byte) (Root, error) {
	if d == nil {
		d = Generic
	}
	depth := len(siblings)
	if depth > MaxDepth {
		return Root{}, fmt.Errorf("%w: %d siblings, more than depth %d", ErrProof, depth, MaxDepth)
	}
	if index>>uint(depth) != 0 {
		return Root{}, fmt.Errorf("%w: index %d does not fit in depth %d", ErrProof, index, depth)
	}
	var h hasher
	cur := h.leaf(d, &leaf)
	for level := 0; level < depth; level++ {
		if (index>>uint(level))&1 == 0 {
			cur = h.node(d, &cur, &siblings[level])
		} else {
			cur = h.node(d, &siblings[level], &cur)
		}
	}
	return Root(cur), nil
}

// VerifyProof reports whether leaf, at leaf index in a Generic tree whose
// depth is len(siblings), folds with siblings to root. A malformed proof
// is false.
func VerifyProof(root Root, index uint64, leaf [32]byte, siblings [][32]byte) bool {
	got, err := Fold(Generic, index, leaf, siblings)
	return err == nil && got == root
}

// Root folds the proof into the root it proves.
func (p *Proof) Root() (Root, error) { return Fold(p.Domain, p.Index, p.Leaf, p.Siblings) }

// Verify reports whether the proof is well formed and folds to root.
func (p *Proof) Verify(root Root) bool {
	got, err := p.Root()
	return err == nil && got == root
}

// MarshalBinary encodes the proof as in the layout above. It fails only if
// the proof is malformed (depth or index out of range).
func (p *Proof) MarshalBinary() ([]byte, error) {
	depth := len(p.Siblings)
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: %d siblings, more than depth %d", ErrProof, depth, MaxDepth)
	}
	if p.Index>>uint(depth) != 0 {
		return nil, fmt.Errorf("%w: index %d does not fit in depth %d", ErrProof, p.Index, depth)
	}
	b := make([]byte, ProofHeaderSize+32*depth)
	b[proofDepthOff] = byte(depth)
	binary.BigEndian.PutUint64(b[proofIndexOff:], p.Index)
	copy(b[proofLeafOff:], p.Leaf[:])
	for i := range p.Siblings {
		copy(b[proofSiblingsOff+32*i:], p.Siblings[i][:])
	}
	return b, nil
}

// UnmarshalBinary decodes a proof in the layout above. It keeps p.Domain.
// Errors name the field and its byte offset.
func (p *Proof) UnmarshalBinary(b []byte) error {
	if len(b) < ProofHeaderSize {
		return fmt.Errorf("%w: proof: %d bytes, shorter than the %d-byte header", ErrProof, len(b), ProofHeaderSize)
	}
	depth := int(b[proofDepthOff])
	if depth > MaxDepth {
		return fmt.Errorf("%w: proof: depth at byte %d: %d exceeds %d", ErrProof, proofDepthOff, depth, MaxDepth)
	}
	if want := ProofHeaderSize + 32*depth; len(b) != want {
		return fmt.Errorf("%w: proof: %d bytes, depth %d needs %d", ErrProof, len(b), depth, want)
	}
	index := binary.BigEndian.Uint64(b[proofIndexOff:])
	if index>>uint(depth) != 0 {
		return fmt.Errorf("%w: proof: index at byte %d: %d does not fit in depth %d", ErrProof, proofIndexOff, index, depth)
	}
	p.Index = index
	copy(p.Leaf[:], b[proofLeafOff:])
	p.Siblings = make([][32]byte, depth)
	for i := range p.Siblings {
		copy(p.Siblings[i][:], b[proofSiblingsOff+32*i:])
	}
	return nil
}

// SiblingsAfterWrite returns the siblings of leaf b in the tree where leaf
// a has been replaced by newA, from the siblings sibA and sibB of both
// leaves in the tree before the write (the same tree: the caller must have
// verified both proofs against one root). Only one sibling of b changes:
// the one at the height where the two paths meet, which is the root of
// the subtree holding a. This is how a verifier handles one step that
// writes two leaves, e.g. a store straddling two memory chunks: fold a's
// new leaf, then fold b's new leaf with the returned siblings. a and b
// must differ and fit in the depth.
func SiblingsAfterWrite(d *Domain, a uint64, newA [32]byte, sibA [][32]byte, b uint64, sibB [][32]byte) ([][32]byte, error) {
	if d == nil {
		d = Generic
	}
	depth := len(sibA)
	switch {
	case len(sibB) != depth:
		return nil, fmt.Errorf("%w: %d and %d siblings", ErrProof, depth, len(sibB))
	case depth > MaxDepth:
		return nil, fmt.Errorf("%w: %d siblings, more than depth %d", ErrProof, depth, MaxDepth)
	case a>>uint(depth) != 0 || b>>uint(depth) != 0:
		return nil, fmt.Errorf("%w: index %d or %d does not fit in depth %d", ErrProof, a, b, depth)
	case a == b:
		return nil, fmt.Errorf("%w: both proofs are of leaf %d", ErrProof, a)
	}
	// The paths meet at height meet+1: below it, a's subtree of height meet
	// is b's sibling.
	meet := bits.Len64(a^b) - 1
	var h hasher
	cur := h.leaf(d, &newA)
	for level := 0; level < meet; level++ {
		if (a>>uint(level))&1 == 0 {
			cur = h.node(d, &cur, &sibA[level])
		} else {
			cur = h.node(d, &sibA[level], &cur)
		}
	}
	out := append([][32]byte(nil), sibB...)
	out[meet] = cur
	return out, nil
}
