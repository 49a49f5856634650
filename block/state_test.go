package block

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testPre() PreState {
	return PreState{Contracts: []Contract{
		{Address: addr1, Code: emptyWasm, Storage: []Entry{
			{Key: []byte{}, Value: []byte{0x0b}},
			{Key: []byte{0x01}, Value: []byte{0xaa}},
		}},
		{Address: addr2, Code: []byte{}},
	}}
}

func TestKeccakIsLegacy(t *testing.T) {
	// keccak256("") as Ethereum uses it; SHA3-256("") would be a7ffc6f8....
	got := Keccak256()
	want := "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("keccak256(\"\") = %x, want %s", got, want)
	}
}

// TestStateEncodingGolden builds the encoding of testPre by hand from the
// table in docs/block-format.md and checks Encode and Commitment against it.
func TestStateEncodingGolden(t *testing.T) {
	codeHash1 := Keccak256(emptyWasm)
	want := mustHex(t, hex.EncodeToString([]byte("referee/state/v1"))+`
		00000002
		0000000000000000000000000000000000000001 `+hex.EncodeToString(codeHash1[:])+`
		00000002
			00000000              00000001 0b
			00000001 01           00000001 aa
		00000000000000000000000000000000000000a2
		c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
		00000000`)
	s := NewState(testPre())
	got := s.Encode()
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	if len(got) != encHeaderSize+2*recHeaderSize+2*entryFixedBytes+1+1+1 {
		t.Errorf("length %d does not follow the offset constants", len(got))
	}
	c := s.Commitment()
	if c != Keccak256(want) {
		t.Fatalf("commitment %x is not keccak256 of the encoding", c)
	}
	const golden = "048be869a0060caedf3025b03c4a295eb41b2df76c7af2fe557a7db04bd01ec4"
	if hex.EncodeToString(c[:]) != golden {
		t.Errorf("commitment %x, golden %s", c, golden)
	}
}

func TestStateApply(t *testing.T) {
	s := NewState(testPre())
	before := s.Commitment()
	clone := s.Clone()
	tests := []struct {
		name   string
		writes []Write
		want   []Entry
	}{
		{name: "overwrite and add", writes: []Write{{Key: []byte{0x01}, Value: []byte{1, 2}}, {Key: []byte{0x00}, Value: []byte{3}}},
			want: []Entry{{Key: []byte{}, Value: []byte{0x0b}}, {Key: []byte{0}, Value: []byte{3}}, {Key: []byte{1}, Value: []byte{1, 2}}}},
		{name: "later write wins", writes: []Write{{Key: []byte{0x00}, Value: []byte{4}}, {Key: []byte{0x00}, Value: []byte{5}}},
			want: []Entry{{Key: []byte{}, Value: []byte{0x0b}}, {Key: []byte{0}, Value: []byte{5}}, {Key: []byte{1}, Value: []byte{1, 2}}}},
		{name: "empty value deletes", writes: []Write{{Key: []byte{0x00}}, {Key: []byte{0x01}, Value: []byte{0xaa}}},
			want: []Entry{{Key: []byte{}, Value: []byte{0x0b}}, {Key: []byte{1}, Value: []byte{0xaa}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !s.Apply(addr1, tt.writes) {
				t.Fatal("Apply reported no contract")
			}
			got := s.Storage(addr1)
			if len(got) != len(tt.want) {
				t.Fatalf("storage %v, want %v", got, tt.want)
			}
			for i := range got {
				if !bytes.Equal(got[i].Key, tt.want[i].Key) || !bytes.Equal(got[i].Value, tt.want[i].Value) {
					t.Fatalf("storage %v, want %v", got, tt.want)
				}
			}
		})
	}
	if s.Commitment() != before {
		t.Errorf("back to the pre-state contents, commitment %x differs from %x", s.Commitment(), before)
	}
	s.Apply(addr1, []Write{{Key: []byte{9}, Value: []byte{9}}})
	if s.Commitment() == before {
		t.Error("a write did not change the commitment")
	}
	if clone.Commitment() != before {
		t.Error("Apply on a state changed its clone")
	}
	if s.Apply("0x00", []Write{{Key: []byte{1}, Value: []byte{1}}}) {
		t.Error("Apply on a missing contract reported true")
	}
	if _, ok := s.Get("0x00", nil); ok {
		t.Error("Get on a missing contract found a value")
	}
}

// TestStatePreRoundTrip: a state after writes, turned into a pre-state and
// its JSON, parses back to a state with the same commitment (blocks chain
// through referee check --post-state).
func TestStatePreRoundTrip(t *testing.T) {
	s := NewState(testPre())
	if !s.Apply(addr1, []Write{{Key: []byte{0x01}, Value: nil}, {Key: []byte("k"), Value: []byte("v")}}) {
		t.Fatal("apply")
	}
	pre := s.Pre()
	if got, want := NewState(pre).Commitment(), s.Commitment(); got != want {
		t.Fatalf("NewState(Pre()) commitment %x, want %x", got, want)
	}
	doc := []byte(`{"version": 1, "pre": ` + string(pre.JSON()) + `, "txs": []}`)
	b, err := ParseInline("post-state", doc)
	if err != nil {
		t.Fatalf("parse the pre-state JSON: %v\n%s", err, pre.JSON())
	}
	if got, want := NewState(b.Pre).Commitment(), s.Commitment(); got != want {
		t.Fatalf("parsed pre-state commitment %x, want %x", got, want)
	}
	if got := NewState(testPre()).Commitment(); got == s.Commitment() {
		t.Fatal("the writes did not change the commitment: the test checks nothing")
	}
}

// TestParseInlineRefusesPaths: ParseInline reads no file a block names.
func TestParseInlineRefusesPaths(t *testing.T) {
	doc := `{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001", "code": "/etc/passwd"}]}, "txs": []}`
	_, err := ParseInline("request body", []byte(doc))
	want := "request body: pre.contracts[0].code: a file path is not accepted here; give the code inline as codeBase64"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	doc = `{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001", "code": "x.wasm"}]}, "txs": []}`
	if _, err := ParseInline("request body", []byte(doc)); err == nil {
		t.Fatal("a relative path was accepted")
	}
}
