package dispute

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/refereevm/referee/merkle"
)

// ErrBadProof is wrapped by every rejection of a one-step proof: a
// malformed encoding, a witness that does not match the pre-state root, or
// a step the pre-state cannot take.
var ErrBadProof = errors.New("proof rejected")

// ErrNotProvable is wrapped when the proof is well formed but its step is
// of a kind the verifier cannot check yet.
var ErrNotProvable = errors.New("not provable yet")

// reader decodes a proof, naming each field and its byte offset in errors.
type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(what string, format string, a ...any) error {
	return fmt.Errorf("%w: %s at byte %d: %s", ErrBadProof, what, r.off, fmt.Sprintf(format, a...))
}

func (r *reader) take(n int, what string) ([]byte, error) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, r.fail(what, "want %d bytes, %d left", n, len(r.b)-r.off)
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

func (r *reader) u16(what string) (uint16, error) {
	p, err := r.take(2, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(p), nil
}

func (r *reader) u64(what string) (uint64, error) {
	p, err := r.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(p), nil
}

func (r *reader) word(what string) ([32]byte, error) {
	var w [32]byte
	p, err := r.take(32, what)
	if err == nil {
		copy(w[:], p)
	}
	return w, err
}

func (r *reader) siblings(depth int, what string) ([][32]byte, error) {
	p, err := r.take(32*depth, what)
	if err != nil {
		return nil, err
	}
	s := make([][32]byte, depth)
	for i := range s {
		copy(s[i][:], p[32*i:])
	}
	return s, nil
}

// leafProof reads a leaf (raw 32 bytes) and its siblings, and checks that
// they fold to root at index in domain d. It returns the siblings for a
// later write.
func (r *reader) leafProof(d *merkle.Domain, depth int, index uint64, root [32]byte, what string) ([32]byte, [][32]byte, error) {
	start := r.off
	leaf, err := r.word(what + " leaf")
	if err != nil {
		return leaf, nil, err
	}
	sib, err := r.siblings(depth, what+" siblings")
	if err != nil {
		return leaf, nil, err
	}
	if !foldsTo(d, index, leaf, sib, root) {
		return leaf, nil, fmt.Errorf("%w: %s at byte %d: does not fold to the committed root", ErrBadProof, what, start)
	}
	return leaf, sib, nil
}

// valueProof is leafProof for a leaf holding only a value (8 bytes are
// encoded, the leaf is valueLeaf(bits)).
func (r *reader) valueProof(d *merkle.Domain, depth int, index uint64, root [32]byte, what string) (uint64, [][32]byte, error) {
	start := r.off
	v, err := r.u64(what + " value")
	if err != nil {
		return 0, nil, err
	}
	sib, err := r.siblings(depth, what+" siblings")
	if err != nil {
		return 0, nil, err
	}
	if !foldsTo(d, index, valueLeaf(v), sib, root) {
		return 0, nil, fmt.Errorf("%w: %s at byte %d: does not fold to the committed root", ErrBadProof, what, start)
	}
	return v, sib, nil
}

func foldsTo(d *merkle.Domain, index uint64, leaf [32]byte, sib [][32]byte, root [32]byte) bool {
	got, err := merkle.Fold(d, index, leaf, sib)
	return err == nil && [32]byte(got) == root
}

func fold(d *merkle.Domain, index uint64, leaf [32]byte, sib [][32]byte) [32]byte {
	got, err := merkle.Fold(d, index, leaf, sib)
	if err != nil {
		panic("BUG: fold of a verified proof failed: " + err.Error())
	}
	return got
}
