package softfloat

import (
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"testing"
)

// The number of random operand records per op. The default keeps the whole
// package near a minute on two shared cores; the full differential run of
// issue 11 (10^6 per op) is opt-in:
//
//	REFEREE_SOFTFLOAT_PAIRS=1000000 go test ./softfloat -run TestSoftFloatRandom -timeout 2h
//
// REFEREE_SOFTFLOAT_SEED changes the seed (default 1); a failure prints the
// seed, the op and the record index, which reproduce it.
const (
	defaultPairs = 20_000
	shortPairs   = 2_000
)

func randomPairs(t *testing.T) int {
	if s := os.Getenv("REFEREE_SOFTFLOAT_PAIRS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("REFEREE_SOFTFLOAT_PAIRS=%q: not a count", s)
		}
		return n
	}
	if testing.Short() {
		return shortPairs
	}
	return defaultPairs
}

func randomSeed(t *testing.T) uint64 {
	if s := os.Getenv("REFEREE_SOFTFLOAT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("REFEREE_SOFTFLOAT_SEED=%q: not a number", s)
		}
		return n
	}
	return 1
}

// opSeed gives each op its own stream, so one op's failure reproduces alone.
func opSeed(seed uint64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return seed ^ h.Sum64()
}

func (o op) describe(a, b uint64) string {
	if o.binary() {
		return fmt.Sprintf("%s(%#x, %#x)", o.name, a, b)
	}
	return fmt.Sprintf("%s(%#x)", o.name, a)
}

func (r result) String() string {
	if r.trap != 0 {
		return fmt.Sprintf("trap %d", r.trap)
	}
	return fmt.Sprintf("%#x", r.v)
}

// edgeRecords crosses the edge classes of o's operand domains (every pair
// for a binary op) and returns the records and their names.
func edgeRecords(o op) ([]record, []string) {
	var recs []record
	var names []string
	ea := edgesOf(o.in[0])
	if !o.binary() {
		for _, x := range ea {
			recs = append(recs, makeRecord(x.v, 0, o.ref(x.v, 0)))
			names = append(names, x.name)
		}
		return recs, names
	}
	eb := edgesOf(o.in[1])
	for _, x := range ea {
		for _, y := range eb {
			recs = append(recs, makeRecord(x.v, y.v, o.ref(x.v, y.v)))
			names = append(names, x.name+", "+y.name)
		}
	}
	return recs, names
}

// TestSoftFloatEdges: every op on every edge class of its operands (every
// pair of classes for binary ops), bit for bit equal to numeric.
func TestSoftFloatEdges(t *testing.T) {
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			recs, names := edgeRecords(o)
			bad, got, err := newHarness(t).check(o, recs)
			if err != nil {
				t.Fatal(err)
			}
			if bad >= 0 {
				r := recs[bad]
				t.Fatalf("%s [%s]: got %v, want %v (numeric)", o.describe(r.a(), r.b()), names[bad], got, r.want())
			}
			t.Logf("%d edge records", len(recs))
		})
	}
}

// TestSoftFloatRandom: every op on biased random operands (gen_test.go),
// bit for bit equal to numeric.
func TestSoftFloatRandom(t *testing.T) {
	n, seed := randomPairs(t), randomSeed(t)
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			r := newRNG(opSeed(seed, o.name))
			const chunk = 64 * batch
			for done := 0; done < n; done += chunk {
				recs := make([]record, min(chunk, n-done))
				for i := range recs {
					a, b := r.operands(o)
					recs[i] = makeRecord(a, b, o.ref(a, b))
				}
				bad, got, err := h.check(o, recs)
				if err != nil {
					t.Fatal(err)
				}
				if bad >= 0 {
					rc := recs[bad]
					t.Fatalf("%s: got %v, want %v (numeric; seed %d, record %d)",
						o.describe(rc.a(), rc.b()), got, rc.want(), seed, done+bad)
				}
			}
			t.Logf("%d random records, seed %d", n, seed)
		})
	}
}

// TestHarnessReportsMismatch: the harness finds a wrong expectation, so the
// differential tests above can fail.
func TestHarnessReportsMismatch(t *testing.T) {
	h := newHarness(t)
	o := ops[0]
	recs := make([]record, 10)
	r := newRNG(7)
	for i := range recs {
		a, b := r.operands(o)
		recs[i] = makeRecord(a, b, o.ref(a, b))
	}
	if bad, _, err := h.check(o, recs); err != nil || bad != -1 {
		t.Fatalf("honest records: bad %d, err %v", bad, err)
	}
	want := recs[6].want()
	recs[6] = makeRecord(recs[6].a(), recs[6].b(), result{v: want.v ^ 1})
	bad, got, err := h.check(o, recs)
	if err != nil || bad != 6 || got != want {
		t.Fatalf("one wrong record: bad %d got %v err %v, want bad 6 got %v", bad, got, err, want)
	}
	// And across a batch boundary.
	long := make([]record, batch+5)
	for i := range long {
		a, b := r.operands(o)
		long[i] = makeRecord(a, b, o.ref(a, b))
	}
	long[batch+2] = makeRecord(long[batch+2].a(), long[batch+2].b(), result{v: long[batch+2].want().v ^ 1<<31})
	if bad, _, err := h.check(o, long); err != nil || bad != batch+2 {
		t.Fatalf("a wrong record in the second batch: bad %d err %v, want %d", bad, err, batch+2)
	}
}

// TestSoftFloatSqrt32Exhaustive (opt-in: REFEREE_SOFTFLOAT_EXHAUSTIVE=1):
// f32Sqrt on every significand with both exponent parities ([1, 4), the
// normal path depends on nothing else but a linear exponent) and on every
// subnormal: 2^24 + 2^23 - 1 inputs, every case of the three-step Newton
// iteration that binary32 relies on.
func TestSoftFloatSqrt32Exhaustive(t *testing.T) {
	if os.Getenv("REFEREE_SOFTFLOAT_EXHAUSTIVE") == "" {
		t.Skip("opt-in: REFEREE_SOFTFLOAT_EXHAUSTIVE=1 (about 2.5 minutes on two cores)")
	}
	var o op
	for _, x := range ops {
		if x.name == "f32Sqrt" {
			o = x
		}
	}
	ranges := [][2]uint64{{0x3f800000, 0x40800000}, {1, 0x00800000}}
	for _, rg := range ranges {
		t.Run(fmt.Sprintf("%#x-%#x", rg[0], rg[1]-1), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			const chunk = 64 * batch
			for lo := rg[0]; lo < rg[1]; lo += chunk {
				recs := make([]record, min(chunk, rg[1]-lo))
				for i := range recs {
					a := lo + uint64(i)
					recs[i] = makeRecord(a, 0, o.ref(a, 0))
				}
				bad, got, err := h.check(o, recs)
				if err != nil {
					t.Fatal(err)
				}
				if bad >= 0 {
					t.Fatalf("%s: got %v, want %v (numeric)", o.describe(recs[bad].a(), 0), got, recs[bad].want())
				}
			}
		})
	}
}
