package merkle

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestProofEncoding(t *testing.T) {
	var leaf, s0, s1 [32]byte
	leaf[0], s0[0], s1[31] = 0xaa, 0x01, 0x02
	tests := []struct {
		name string
		p    Proof
		hex  string
	}{
		{"depth 0", Proof{Leaf: leaf},
			"00" + "0000000000000000" + "aa" + strings.Repeat("00", 31)},
		{"depth 2 index 3", Proof{Index: 3, Leaf: leaf, Siblings: [][32]byte{s0, s1}},
			"02" + "0000000000000003" + "aa" + strings.Repeat("00", 31) +
				"01" + strings.Repeat("00", 31) + strings.Repeat("00", 31) + "02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(b); got != tc.hex {
				t.Fatalf("encoding\n got %s\nwant %s", got, tc.hex)
			}
			if len(b) != ProofHeaderSize+32*len(tc.p.Siblings) {
				t.Fatalf("length %d", len(b))
			}
			var q Proof
			if err := q.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if q.Index != tc.p.Index || q.Leaf != tc.p.Leaf || len(q.Siblings) != len(tc.p.Siblings) {
				t.Fatalf("decoded %+v, want %+v", q, tc.p)
			}
			for i := range q.Siblings {
				if q.Siblings[i] != tc.p.Siblings[i] {
					t.Fatalf("sibling %d differs", i)
				}
			}
		})
	}
}

func TestProofDecodeErrors(t *testing.T) {
	valid := func(depth int) []byte {
		b := make([]byte, ProofHeaderSize+32*depth)
		b[0] = byte(depth)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than the 41-byte header"},
		{"depth 64", append([]byte{64}, make([]byte, 40)...), "depth at byte 0: 64 exceeds 63"},
		{"short siblings", valid(3)[:ProofHeaderSize+64], "depth 3 needs 137"},
		{"trailing byte", append(valid(1), 0), "depth 1 needs 73"},
		{"index too big", func() []byte { b := valid(2); b[8] = 4; return b }(), "index at byte 1: 4 does not fit in depth 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Proof
			err := p.UnmarshalBinary(tc.b)
			if !errors.Is(err, ErrProof) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrProof containing %q", err, tc.want)
			}
		})
	}
}

func TestFoldErrors(t *testing.T) {
	if _, err := Fold(nil, 4, [32]byte{}, make([][32]byte, 2)); !errors.Is(err, ErrProof) {
		t.Errorf("index past depth: %v", err)
	}
	if _, err := Fold(nil, 0, [32]byte{}, make([][32]byte, 64)); !errors.Is(err, ErrProof) {
		t.Errorf("64 siblings: %v", err)
	}
	if VerifyProof(Root(ZeroHash(2)), 4, [32]byte{}, [][32]byte{ZeroHash(0), ZeroHash(1)}) {
		t.Error("VerifyProof accepted an index past the depth")
	}
	if _, err := (&Proof{Index: 2, Siblings: make([][32]byte, 1)}).MarshalBinary(); !errors.Is(err, ErrProof) {
		t.Errorf("MarshalBinary of a bad index: %v", err)
	}
}

// TestProofBitFlip flips every bit of an encoded proof of a non-trivial
// tree: the result must not verify (or must not decode).
func TestProofBitFlip(t *testing.T) {
	tr := NewTree(nil, 8)
	for i := uint64(0); i < 256; i += 7 {
		tr.Set(i, [32]byte{byte(i), 1})
	}
	root := tr.Root()
	p := tr.Prove(77)
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyProof(root, p.Index, p.Leaf, p.Siblings) {
		t.Fatal("honest proof rejected")
	}
	for bit := 0; bit < 8*len(b); bit++ {
		c := bytes.Clone(b)
		c[bit/8] ^= 1 << (bit % 8)
		var q Proof
		if q.UnmarshalBinary(c) == nil && q.Verify(root) {
			t.Fatalf("proof with bit %d flipped still verifies", bit)
		}
	}
	for bit := 0; bit < 256; bit++ {
		r := root
		r[bit/8] ^= 1 << (bit % 8)
		if p.Verify(r) {
			t.Fatalf("proof verifies against root with bit %d flipped", bit)
		}
	}
}

// FuzzProof decodes arbitrary bytes as a proof and verifies it; it must
// never panic, and a decoded proof must re-encode to the same bytes.
func FuzzProof(f *testing.F) {
	tr := NewTree(nil, 5)
	tr.Set(9, [32]byte{9})
	p := tr.Prove(9)
	b, _ := p.MarshalBinary()
	f.Add(b, []byte(nil))
	f.Add([]byte{63}, []byte{1})
	f.Fuzz(func(t *testing.T, data, root []byte) {
		var q Proof
		if err := q.UnmarshalBinary(data); err != nil {
			return
		}
		var r Root
		copy(r[:], root)
		q.Verify(r)
		again, err := q.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-encoding: %v, %x != %x", err, again, data)
		}
	})
}
