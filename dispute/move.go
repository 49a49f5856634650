package dispute

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind is a move's type.
type Kind uint8

// The three moves. The defender splits until the interval is one step
// long, then proves; the challenger picks after every split.
const (
	KindSplit Kind = 1 + iota // defender: the roots at the interior split points
	KindPick                  // challenger: the sub-interval it disputes and its root at its end
	KindProof                 // defender: the one-step proof of the last remaining step
)

var kindNames = [...]string{KindSplit: "split", KindPick: "pick", KindProof: "proof"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Move is one party's move. Seq is the move's index in the game (0 for the
// defender's first move); it makes every move a slot that can be filled
// once, so sending two different moves for one Seq is equivocation.
type Move struct {
	Seq   uint64
	Kind  Kind
	Roots [][32]byte // split: the defender's roots at p_1 … p_{m−1}
	Index uint32     // pick: the disputed sub-interval [p_Index, p_Index+1]
	Root  [32]byte   // pick: the challenger's root at p_Index+1
	Proof []byte     // proof: the one-step proof from p_0 to p_1
}

// Size is the move's length in the binary encoding that bytes-posted
// figures count (docs/dispute.md): a kind byte and an 8-byte Seq, then
// split: 32 bytes per root; pick: a 4-byte index and a 32-byte root;
// proof: a 4-byte length and the proof bytes.
func (m *Move) Size() int {
	const head = 1 + 8
	switch m.Kind {
	case KindSplit:
		return head + 32*len(m.Roots)
	case KindPick:
		return head + 4 + 32
	case KindProof:
		return head + 4 + len(m.Proof)
	}
	return head
}

// Equal reports whether two moves are the same move.
func (m *Move) Equal(o *Move) bool {
	if m.Seq != o.Seq || m.Kind != o.Kind || m.Index != o.Index || m.Root != o.Root ||
		len(m.Roots) != len(o.Roots) || !bytes.Equal(m.Proof, o.Proof) {
		return false
	}
	for i := range m.Roots {
		if m.Roots[i] != o.Roots[i] {
			return false
		}
	}
	return true
}

func (m *Move) String() string {
	switch m.Kind {
	case KindSplit:
		s := make([]string, len(m.Roots))
		for i, r := range m.Roots {
			s[i] = short(r)
		}
		return fmt.Sprintf("#%d split [%s]", m.Seq, strings.Join(s, " "))
	case KindPick:
		return fmt.Sprintf("#%d pick %d (root %s)", m.Seq, m.Index, short(m.Root))
	case KindProof:
		return fmt.Sprintf("#%d proof (%d bytes)", m.Seq, len(m.Proof))
	}
	return fmt.Sprintf("#%d %v", m.Seq, m.Kind)
}

// short is a root's first four bytes in hex, for logs.
func short(r [32]byte) string { return hex.EncodeToString(r[:4]) }

// Hex returns a root as 0x-prefixed hex.
func Hex(r [32]byte) string { return "0x" + hex.EncodeToString(r[:]) }

// ParseRoot reads a root written by Hex.
func ParseRoot(s string) ([32]byte, error) {
	var r [32]byte
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return r, fmt.Errorf("root %q: want 0x followed by 64 hex digits", s)
	}
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		return r, fmt.Errorf("root %q: want 0x followed by 64 hex digits", s)
	}
	copy(r[:], b)
	return r, nil
}

// wireMove is a move's JSON form (docs/dispute.md): lowerCamel keys, roots
// and proof bytes as 0x-hex.
type wireMove struct {
	Seq   uint64   `json:"seq"`
	Kind  string   `json:"kind"`
	Roots []string `json:"roots,omitempty"`
	Index *uint32  `json:"index,omitempty"`
	Root  string   `json:"root,omitempty"`
	Proof string   `json:"proof,omitempty"`
}

// MarshalJSON encodes m in its wire form.
func (m *Move) MarshalJSON() ([]byte, error) {
	w := wireMove{Seq: m.Seq, Kind: m.Kind.String()}
	switch m.Kind {
	case KindSplit:
		w.Roots = make([]string, len(m.Roots))
		for i, r := range m.Roots {
			w.Roots[i] = Hex(r)
		}
	case KindPick:
		idx := m.Index
		w.Index = &idx
		w.Root = Hex(m.Root)
	case KindProof:
		w.Proof = "0x" + hex.EncodeToString(m.Proof)
	default:
		return nil, fmt.Errorf("move %d: unknown kind %d", m.Seq, m.Kind)
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the wire form; it checks the encoding, not the
// move's validity in a game (Game.Submit does that).
func (m *Move) UnmarshalJSON(b []byte) error {
	var w wireMove
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("move: %w", err)
	}
	*m = Move{Seq: w.Seq}
	switch w.Kind {
	case "split":
		m.Kind = KindSplit
		m.Roots = make([][32]byte, len(w.Roots))
		for i, s := range w.Roots {
			r, err := ParseRoot(s)
			if err != nil {
				return fmt.Errorf("move %d: roots[%d]: %w", w.Seq, i, err)
			}
			m.Roots[i] = r
		}
	case "pick":
		m.Kind = KindPick
		if w.Index == nil {
			return fmt.Errorf("move %d: pick without index", w.Seq)
		}
		m.Index = *w.Index
		r, err := ParseRoot(w.Root)
		if err != nil {
			return fmt.Errorf("move %d: root: %w", w.Seq, err)
		}
		m.Root = r
	case "proof":
		m.Kind = KindProof
		h, ok := strings.CutPrefix(w.Proof, "0x")
		if !ok {
			return fmt.Errorf("move %d: proof: want 0x-hex", w.Seq)
		}
		p, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("move %d: proof: %w", w.Seq, err)
		}
		m.Proof = p
	default:
		return fmt.Errorf("move %d: unknown kind %q", w.Seq, w.Kind)
	}
	return nil
}
