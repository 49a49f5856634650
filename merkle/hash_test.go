package merkle

import (
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/crypto/sha3"
)

// keccak is the test's own keccak256 over the concatenation of parts,
// independent of hasher.
func keccak(parts ...[]byte) [32]byte {
	testKeccak.Reset()
	for _, p := range parts {
		testKeccak.Write(p)
	}
	var out [32]byte
	testKeccak.Sum(out[:0])
	return out
}

// testKeccak is reused by keccak; the tests do not run in parallel.
var testKeccak = sha3.NewLegacyKeccak256()

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

func TestKeccakIsLegacy(t *testing.T) {
	// Legacy Keccak-256 of the empty string, as the EVM's KECCAK256
	// returns it (SHA3-256 would give a7ffc6f8…).
	var h hasher
	got := Root(h.raw(nil)).String()
	if want := "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"; got != want {
		t.Fatalf("keccak256(\"\") = %s, want %s", got, want)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		name       string
		d          *Domain
		leaf, node string
	}{
		{"generic", Generic, "referee/merkle-leaf/v1", "referee/merkle-node/v1"},
		{"memory", Memory, "referee/memory-leaf/v1", "referee/memory-node/v1"},
		{"code", NewDomain("code"), "referee/code-leaf/v1", "referee/code-node/v1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.d.LeafLabel() != tc.leaf || tc.d.NodeLabel() != tc.node {
				t.Fatalf("labels %q %q, want %q %q", tc.d.LeafLabel(), tc.d.NodeLabel(), tc.leaf, tc.node)
			}
			var a, b [32]byte
			a[0], b[31] = 1, 2
			if got, want := tc.d.LeafHash(a), keccak([]byte(tc.leaf), a[:]); got != want {
				t.Errorf("LeafHash = %x, want %x", got, want)
			}
			if got, want := tc.d.NodeHash(a, b), keccak([]byte(tc.node), a[:], b[:]); got != want {
				t.Errorf("NodeHash = %x, want %x", got, want)
			}
		})
	}
}

// TestHashVectors pins hashes so that a change of label or encoding is
// seen. Each value was cross-checked against an independent
// implementation of Keccak-256 (a pure Python sponge written from the
// Keccak reference, not this package), and they are the worked examples
// in docs/merkle.md.
func TestHashVectors(t *testing.T) {
	var one Root
	one[31] = 1
	tests := []struct {
		name string
		got  [32]byte
		want string
	}{
		{"generic zero leaf", Generic.Zero(0), "0x629c6da8d684058b0faeb594785aea7bdb7cd441cf85464e3bab0a22e47d30d6"},
		{"memory zero leaf", Memory.Zero(0), "0x89fd3ac18e3a09f255a10fa74c8046418365cebc23a342d7670d01f58da8ea5f"},
		{"memory zero page", Memory.Zero(PageDepth), "0xdc94182ebfab806e45c559fa2c7b12ec3ba39def1f8a0e72888281311f924eaf"},
		{"memory zero 4 GiB", Memory.Zero(MemoryDepth), "0xe52a008be68fa272bb12ca9d00d988883b6a781bce92e9ce562701de2216c21e"},
		{"MemoryRoot(1, 65536, 0x00…01)", MemoryRoot(1, 65536, one), "0xed0833ac16c68b4e082f608b5add1f63c79e7212e6aafab039bc37bb0100c2fe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if Root(tc.got).String() != tc.want {
				t.Fatalf("got %s, want %s", Root(tc.got), tc.want)
			}
		})
	}
}

func TestDomainsDiffer(t *testing.T) {
	var a [32]byte
	if Generic.LeafHash(a) == Memory.LeafHash(a) || Generic.NodeHash(a, a) == Memory.NodeHash(a, a) {
		t.Fatal("generic and memory domains share a hash")
	}
	if Generic.LeafHash(a) == Generic.NodeHash(a, a) {
		t.Fatal("leaf and node hashes collide")
	}
}

func TestNewDomainBadKind(t *testing.T) {
	for _, kind := range []string{"", "Memory", "a/b", "x y", strings.Repeat("a", 33)} {
		t.Run(kind, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "BUG:") {
					t.Fatalf("recovered %v, want a BUG: panic", r)
				}
			}()
			NewDomain(kind)
		})
	}
}

func TestRootString(t *testing.T) {
	var r Root
	r[0], r[31] = 0xab, 0x01
	want := "0xab" + strings.Repeat("00", 30) + "01"
	if r.String() != want {
		t.Fatalf("String = %s, want %s", r, want)
	}
	if b, _ := r.MarshalText(); string(b) != want {
		t.Fatalf("MarshalText = %s, want %s", b, want)
	}
}
