package dispute

import (
	"encoding/binary"
	"testing"
)

// FuzzGame drives a game with moves decoded from arbitrary bytes, from
// either side, valid or not, and checks that nothing panics, that the
// game ends within its bound of rounds, and that a transcript of accepted
// moves never holds two moves for one slot.
func FuzzGame(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{0xff, 0x10, 0x20, 0x30, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 10 {
			return
		}
		k := MinK + int(data[0])%70
		steps := 1 + binary.BigEndian.Uint64(data[1:9])%100_000
		tr := &SimTrace{Seed: seed(3), N: steps}
		truth := func(s uint64) [32]byte { r, _ := tr.RootAt(s); return r }
		lie := data[9]&1 == 1 // which side tells the truth at the end
		def, chal := truth(steps), flip(truth(steps))
		if lie {
			def, chal = chal, def
		}
		g, err := NewGame(Config{K: k, Steps: steps, Initial: truth(0)}, SimChecker{}, def, chal)
		if err != nil {
			t.Fatal(err)
		}
		max := 2*Depth(steps, k) + 1 + 2*DefaultGrace
		turns := uint64(0)
		data = data[10:]
		for i := 0; !g.Over(); i++ {
			var b byte
			if i < len(data) {
				b = data[i]
			}
			side := Side(b >> 7)
			v := g.View()
			var mv *Move
			switch b & 7 {
			case 0: // nothing
			case 1, 2: // the true move
				if v.Turn == Defender && v.Hi-v.Lo == 1 {
					p, _ := tr.ProveStep(v.Lo)
					mv = &Move{Seq: v.Seq, Kind: KindProof, Proof: p}
				} else if v.Turn == Defender {
					pts := Split(v.Lo, v.Hi, v.K)
					mv = &Move{Seq: v.Seq, Kind: KindSplit}
					for _, p := range pts[1 : len(pts)-1] {
						mv.Roots = append(mv.Roots, truth(p))
					}
				} else {
					j := int(b>>3) % (len(v.Points) - 1)
					mv = &Move{Seq: v.Seq, Kind: KindPick, Index: uint32(j), Root: flip2(v.Roots[j+1])}
				}
			case 3: // a move of a random kind and shape
				mv = &Move{Seq: v.Seq - uint64(b>>6), Kind: Kind(b >> 3 & 3), Index: uint32(b >> 4), Roots: make([][32]byte, b>>4), Proof: []byte{b}}
			case 4: // an old slot again
				if v.Seq > 0 {
					mv = &Move{Seq: uint64(b>>3) % v.Seq, Kind: KindPick}
				}
			default:
				side = v.Turn
			}
			_ = g.Submit(side, mv)
			if turns = g.Stats().Rounds; turns > max {
				t.Fatalf("game not over after %d rounds on turn (bound %d)", turns, max)
			}
			if i > 10*int(max)+len(data) {
				// Out-of-turn submissions cost nothing; drive the clock.
				_ = g.Submit(g.Turn(), nil)
			}
		}
		seen := map[uint64]bool{}
		for _, p := range g.history {
			if seen[p.move.Seq] {
				t.Fatalf("two moves recorded for slot %d", p.move.Seq)
			}
			seen[p.move.Seq] = true
		}
	})
}
