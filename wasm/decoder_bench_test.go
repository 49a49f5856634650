package wasm

import "testing"

// BenchmarkDecode decodes every binary module of the spec suite once per
// iteration and reports the throughput over their total size.
func BenchmarkDecode(b *testing.B) {
	var mods [][]byte
	total := 0
	for _, sb := range loadSpecBinaries(b) {
		if sb.kind == "module" {
			mods = append(mods, sb.wasm)
			total += len(sb.wasm)
		}
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, w := range mods {
			if _, err := Decode(w); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEncode re-encodes the same modules.
func BenchmarkEncode(b *testing.B) {
	var mods []*Module
	total := 0
	for _, sb := range loadSpecBinaries(b) {
		if sb.kind != "module" {
			continue
		}
		m, err := Decode(sb.wasm)
		if err != nil {
			b.Fatal(err)
		}
		mods = append(mods, m)
		total += len(sb.wasm)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range mods {
			Encode(m)
		}
	}
}
