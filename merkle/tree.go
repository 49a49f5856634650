package merkle

import "fmt"

// Gindex returns the generalized index of leaf index in a tree of the
// given depth: 2^depth + index. The root is 1; the children of g are 2g
// and 2g+1.
func Gindex(depth int, index uint64) uint64 { return 1<<uint(depth) | index }

// Tree is a sparse binary Merkle tree of fixed depth over 32-byte leaves.
// Only written paths are stored; every other subtree is a zero subtree.
// Set marks the path to the leaf stale and Root re-hashes only stale
// nodes, so k writes between two roots cost at most k×depth node hashes.
// A Tree is not safe for concurrent use.
type Tree struct {
	d     *Domain
	depth int
	root  *node // nil: the all-zero tree
	h     hasher
}

// node is a stored node of a Tree. A nil child is an all-zero subtree.
type node struct {
	hash  [32]byte  // valid when !stale
	kids  [2]*node  // inner nodes only
	leaf  *[32]byte // bottom level only: the leaf data
	stale bool
}

// NewTree returns an all-zero tree of the given depth (0..MaxDepth: 2^depth
// leaves) in domain d (nil means Generic). The depth is a constant of the
// calling code, so an out-of-range depth panics.
func NewTree(d *Domain, depth int) *Tree {
	if depth < 0 || depth > MaxDepth {
		panic(fmt.Sprintf("BUG: merkle: tree depth %d out of range 0..%d", depth, MaxDepth))
	}
	if d == nil {
		d = Generic
	}
	return &Tree{d: d, depth: depth}
}

// Depth returns the number of levels between the root and the leaves.
func (t *Tree) Depth() int { return t.depth }

// Domain returns the tree's domain.
func (t *Tree) Domain() *Domain { return t.d }

// checkIndex panics if i is not a leaf index: callers compute indices
// from their own state, so a bad one is a bug, not bad input.
func (t *Tree) checkIndex(i uint64) {
	if t.depth < 64 && i>>uint(t.depth) != 0 {
		panic(fmt.Sprintf("BUG: merkle: leaf index %d out of range for depth %d", i, t.depth))
	}
}

// Set writes leaf i and marks its path stale.
func (t *Tree) Set(i uint64, leaf [32]byte) {
	t.checkIndex(i)
	p := &t.root
	for level := t.depth - 1; level >= 0; level-- {
		if *p == nil {
			*p = &node{}
		}
		(*p).stale = true
		p = &(*p).kids[(i>>uint(level))&1]
	}
	if *p == nil {
		*p = &node{leaf: new([32]byte)}
	}
	*(*p).leaf = leaf
	(*p).stale = true
}

// Leaf returns leaf i (zero if never written).
func (t *Tree) Leaf(i uint64) [32]byte {
	t.checkIndex(i)
	n := t.root
	for level := t.depth - 1; level >= 0 && n != nil; level-- {
		n = n.kids[(i>>uint(level))&1]
	}
	if n == nil {
		return [32]byte{}
	}
	return *n.leaf
}

// Root re-hashes the stale nodes and returns the root.
func (t *Tree) Root() Root { return Root(t.rehash(t.root, t.depth)) }

func (t *Tree) rehash(n *node, height int) [32]byte {
	if n == nil {
		return t.d.zero[height]
	}
	if !n.stale {
		return n.hash
	}
	if height == 0 {
		n.hash = t.h.leaf(t.d, n.leaf)
	} else {
		l := t.rehash(n.kids[0], height-1)
		r := t.rehash(n.kids[1], height-1)
		n.hash = t.h.node(t.d, &l, &r)
	}
	n.stale = false
	return n.hash
}

// Prove returns the inclusion proof of leaf i against Root(): the leaf
// and its depth siblings, bottom-up.
func (t *Tree) Prove(i uint64) Proof {
	t.checkIndex(i)
	t.Root()
	p := Proof{Domain: t.d, Index: i, Siblings: make([][32]byte, t.depth)}
	n := t.root
	for level := t.depth - 1; level >= 0; level-- {
		// The sibling at this level has height level and sits bottom-up at
		// position level of the list.
		if n == nil {
			p.Siblings[level] = t.d.zero[level]
			continue
		}
		bit := (i >> uint(level)) & 1
		if s := n.kids[bit^1]; s != nil {
			p.Siblings[level] = s.hash
		} else {
			p.Siblings[level] = t.d.zero[level]
		}
		n = n.kids[bit]
	}
	if n != nil {
		p.Leaf = *n.leaf
	}
	return p
}
