package merkle

// fillZero computes the zero-subtree table: zero[0] is the hash of an
// all-zero 32-byte leaf and zero[h+1] = node(zero[h], zero[h]). A subtree
// that was never written is represented by nothing at all and stands for
// zero[height], so an untouched 4 GiB memory costs no storage and no
// hashing.
func (d *Domain) fillZero() {
	var h hasher
	var zeroLeaf [32]byte
	d.zero[0] = h.leaf(d, &zeroLeaf)
	for i := 1; i <= MaxDepth; i++ {
		d.zero[i] = h.node(d, &d.zero[i-1], &d.zero[i-1])
	}
}

// Zero returns the root of an all-zero subtree of the given height (0 is
// a single zero leaf). It panics if height is outside 0..MaxDepth, which
// only a caller's bug can cause.
func (d *Domain) Zero(height int) [32]byte {
	if height < 0 || height > MaxDepth {
		panic("BUG: merkle: zero-subtree height out of range 0..63")
	}
	return d.zero[height]
}

// ZeroHash returns Generic.Zero(height).
func ZeroHash(height int) [32]byte { return Generic.Zero(height) }
