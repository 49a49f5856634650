package fuzz

// Source supplies the generator's choices. It reads bytes from a byte
// string and returns zeros once they run out, or, when made by
// NewSeedSource, draws them from a splitmix64 generator without end.
type Source struct {
	data   []byte
	pos    int
	seeded bool
	state  uint64 // splitmix64 state when seeded
	buf    uint64 // buffered random bits when seeded
	nbuf   int
}

// NewSource returns a Source reading b. It does not modify b.
func NewSource(b []byte) *Source { return &Source{data: b} }

// NewSeedSource returns a Source expanding seed with splitmix64.
func NewSeedSource(seed uint64) *Source { return &Source{seeded: true, state: seed} }

// Exhausted reports whether a byte-string Source has run out of bytes.
func (s *Source) Exhausted() bool { return !s.seeded && s.pos >= len(s.data) }

// splitmix64 is Steele, Lea and Flood's generator (the seeding generator of
// xoshiro): a Weyl sequence passed through a mixing function.
func (s *Source) splitmix64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Byte returns the next byte, or 0 when a byte-string Source is exhausted.
func (s *Source) Byte() byte {
	if s.seeded {
		if s.nbuf == 0 {
			s.buf, s.nbuf = s.splitmix64(), 8
		}
		b := byte(s.buf)
		s.buf >>= 8
		s.nbuf--
		return b
	}
	if s.pos >= len(s.data) {
		return 0
	}
	b := s.data[s.pos]
	s.pos++
	return b
}

// Uint32 returns four bytes as a little-endian integer.
func (s *Source) Uint32() uint32 {
	var v uint32
	for i := 0; i < 4; i++ {
		v |= uint32(s.Byte()) << (8 * i)
	}
	return v
}

// Uint64 returns eight bytes as a little-endian integer.
func (s *Source) Uint64() uint64 { return uint64(s.Uint32()) | uint64(s.Uint32())<<32 }

// Intn returns a number in [0, n), 0 if n <= 1. It reads one byte for n <= 256
// and four bytes otherwise; the small modulo bias does not matter here.
func (s *Source) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	if n <= 256 {
		return int(s.Byte()) % n
	}
	return int(s.Uint32() % uint32(n))
}

// Bool returns true with probability 1/2 (false when exhausted).
func (s *Source) Bool() bool { return s.Byte()&1 == 1 }

// Chance returns true with probability about num/den (false when exhausted).
// It takes the high end of the range so that a zero byte means false.
func (s *Source) Chance(num, den int) bool { return s.Intn(den) >= den-num }
