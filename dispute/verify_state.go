package dispute

import (
	"encoding/binary"

	"github.com/refereevm/referee/merkle"
	"golang.org/x/crypto/sha3"
)

// The state commitment, version 2, as docs/state-commitment.md specifies
// it. The verifier has its own implementation of it, independent of the
// machine's (trace/commit.go); the every-step test checks they agree.
const (
	stateLabel    = "referee/state/v3"
	stackLabel    = "referee/stack/v1"
	framesLabel   = "referee/frames/v1"
	funcLabel     = "referee/func/v1"
	tableLabel    = "referee/table/v1"
	segmentLabel  = "referee/segment/v1"
	stateBodySize = 327 // state encoding without its 16-byte label
	auxLabel      = "referee/aux/v2"
	auxBodySize   = 113 // aux encoding without its label
	frameRecSize  = 76
	funcRecSize   = 77
	noMemAddr     = 0xffffffff
)

// Machine statuses and trap kinds as committed.
const (
	statusIdle    = 0
	statusRunning = 1
	statusDone    = 2
	statusTrapped = 3

	trapUnreachable          = 1
	trapDivideByZero         = 2
	trapIntegerOverflow      = 3
	trapInvalidConversion    = 4
	trapOOBMemory            = 5
	trapOOBTable             = 6
	trapIndirectTypeMismatch = 7
	trapUninitializedElement = 8
	trapUndefinedElement     = 9
	trapCallStackExhausted   = 10
	trapValueStackExhausted  = 11
	trapStepLimit            = 12
)

var (
	codeDomain    = merkle.NewDomain("code")
	funcsDomain   = merkle.NewDomain("funcs")
	localsDomain  = merkle.NewDomain("locals")
	globalsDomain = merkle.NewDomain("globals")
	tablesDomain  = merkle.NewDomain("tables")
	elemsDomain   = merkle.NewDomain("elems")
	memsDomain    = merkle.NewDomain("mems")
	segsDomain    = merkle.NewDomain("segments")
)

func keccak(parts ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func depthFor(n uint64) int {
	d := 0
	for uint64(1)<<d < n {
		d++
	}
	return d
}

// localsPerLeaf locals share one leaf of a frame's locals tree, u64 each,
// big-endian (docs/state-commitment.md §3).
const localsPerLeaf = 4

func localsDepth(n uint32) int {
	return depthFor((uint64(n) + localsPerLeaf - 1) / localsPerLeaf)
}

func valueLeaf(bits uint64) [32]byte {
	var l [32]byte
	binary.BigEndian.PutUint64(l[24:], bits)
	return l
}

func chainPush(below [32]byte, bits uint64) [32]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], bits)
	return keccak([]byte(stackLabel), below[:], b[:])
}

// frameRec is a frame record.
type frameRec struct {
	addr, pc, fp uint32
	locals, base [32]byte
}

func (f *frameRec) encode() []byte {
	r := make([]byte, frameRecSize)
	binary.BigEndian.PutUint32(r[0:], f.addr)
	binary.BigEndian.PutUint32(r[4:], f.pc)
	binary.BigEndian.PutUint32(r[8:], f.fp)
	copy(r[12:], f.locals[:])
	copy(r[44:], f.base[:])
	return r
}

func decodeFrameRec(b []byte) frameRec {
	var f frameRec
	f.addr = binary.BigEndian.Uint32(b[0:])
	f.pc = binary.BigEndian.Uint32(b[4:])
	f.fp = binary.BigEndian.Uint32(b[8:])
	copy(f.locals[:], b[12:44])
	copy(f.base[:], b[44:76])
	return f
}

// state is the decoded state encoding.
type state struct {
	status, trap, pending byte
	steps                 uint64
	entry                 uint32
	maxSteps              uint64
	maxStack, maxDepth    uint32
	trapFunc, trapOffset  uint32
	sp, depth             uint32
	frame                 frameRec
	stack, frames         [32]byte
	nFuncs                uint32
	funcs                 [32]byte
	nGlobals              uint32
	globals               [32]byte
	nMems                 uint32
	mems                  [32]byte
	aux                   [32]byte
	// the aux encoding's fields, valid once auxOpen (openAux)
	auxOpen  bool
	nTables  uint32
	tables   [32]byte
	nSegs    uint32
	segments [32]byte
	// the host tape (verify_host.go): mode 1 = host calls replay it
	hostMode byte
	nTape    uint32
	tape     [32]byte
	cursor   uint32
}

func decodeState(b []byte) state {
	var s state
	s.status, s.trap, s.pending = b[0], b[1], b[2]
	s.steps = binary.BigEndian.Uint64(b[3:])
	s.entry = binary.BigEndian.Uint32(b[11:])
	s.maxSteps = binary.BigEndian.Uint64(b[15:])
	s.maxStack = binary.BigEndian.Uint32(b[23:])
	s.maxDepth = binary.BigEndian.Uint32(b[27:])
	s.trapFunc = binary.BigEndian.Uint32(b[31:])
	s.trapOffset = binary.BigEndian.Uint32(b[35:])
	s.sp = binary.BigEndian.Uint32(b[39:])
	s.depth = binary.BigEndian.Uint32(b[43:])
	s.frame = decodeFrameRec(b[47:123])
	copy(s.stack[:], b[123:155])
	copy(s.frames[:], b[155:187])
	s.nFuncs = binary.BigEndian.Uint32(b[187:])
	copy(s.funcs[:], b[191:223])
	s.nGlobals = binary.BigEndian.Uint32(b[223:])
	copy(s.globals[:], b[227:259])
	s.nMems = binary.BigEndian.Uint32(b[259:])
	copy(s.mems[:], b[263:295])
	copy(s.aux[:], b[295:327])
	return s
}

// decodeAux fills the aux fields from the aux encoding without its label.
func (s *state) decodeAux(b []byte) {
	s.nTables = binary.BigEndian.Uint32(b[0:])
	copy(s.tables[:], b[4:36])
	s.nSegs = binary.BigEndian.Uint32(b[36:])
	copy(s.segments[:], b[40:72])
	s.hostMode = b[72]
	s.nTape = binary.BigEndian.Uint32(b[73:])
	copy(s.tape[:], b[77:109])
	s.cursor = binary.BigEndian.Uint32(b[109:])
	s.auxOpen = true
}

// encodeAux returns the aux encoding, label included.
func (s *state) encodeAux() []byte {
	b := make([]byte, 0, len(auxLabel)+auxBodySize)
	b = append(b, auxLabel...)
	b = binary.BigEndian.AppendUint32(b, s.nTables)
	b = append(b, s.tables[:]...)
	b = binary.BigEndian.AppendUint32(b, s.nSegs)
	b = append(b, s.segments[:]...)
	b = append(b, s.hostMode)
	b = binary.BigEndian.AppendUint32(b, s.nTape)
	b = append(b, s.tape[:]...)
	b = binary.BigEndian.AppendUint32(b, s.cursor)
	return b
}

// encode returns the state's hash input, label included.
func (s *state) encode() []byte {
	b := make([]byte, 0, 16+stateBodySize)
	b = append(b, stateLabel...)
	b = append(b, s.status, s.trap, s.pending)
	b = binary.BigEndian.AppendUint64(b, s.steps)
	b = binary.BigEndian.AppendUint32(b, s.entry)
	b = binary.BigEndian.AppendUint64(b, s.maxSteps)
	b = binary.BigEndian.AppendUint32(b, s.maxStack)
	b = binary.BigEndian.AppendUint32(b, s.maxDepth)
	b = binary.BigEndian.AppendUint32(b, s.trapFunc)
	b = binary.BigEndian.AppendUint32(b, s.trapOffset)
	b = binary.BigEndian.AppendUint32(b, s.sp)
	b = binary.BigEndian.AppendUint32(b, s.depth)
	b = append(b, s.frame.encode()...)
	b = append(b, s.stack[:]...)
	b = append(b, s.frames[:]...)
	b = binary.BigEndian.AppendUint32(b, s.nFuncs)
	b = append(b, s.funcs[:]...)
	b = binary.BigEndian.AppendUint32(b, s.nGlobals)
	b = append(b, s.globals[:]...)
	b = binary.BigEndian.AppendUint32(b, s.nMems)
	b = append(b, s.mems[:]...)
	aux := s.aux
	if s.auxOpen { // the step may have changed a field
		aux = keccak(s.encodeAux())
	}
	return append(b, aux[:]...)
}

func (s *state) root() [32]byte { return keccak(s.encode()) }

// trapAt ends the call with trap kind k at the instruction of function
// index fn, code offset off: the stack, frames and running frame are no
// longer committed.
func (s *state) trapAt(k byte, fn, off uint32) {
	s.status = statusTrapped
	s.trap = k
	s.trapFunc, s.trapOffset = fn, off
	s.entry, s.sp, s.depth = 0, 0, 0
	s.frame = frameRec{}
	s.stack, s.frames = [32]byte{}, [32]byte{}
}

// funcRec is a function record.
type funcRec struct {
	host                                    bool
	index, typeID                           uint32
	params, locals, results, frameSize, mem uint32
	numOps, codeLeaves                      uint32
	codeRoot                                [32]byte
	segBase, nElems                         uint32
}

func decodeFuncRec(b []byte) funcRec {
	var f funcRec
	f.host = b[0] != 0
	f.index = binary.BigEndian.Uint32(b[1:])
	f.typeID = binary.BigEndian.Uint32(b[5:])
	f.params = binary.BigEndian.Uint32(b[9:])
	f.locals = binary.BigEndian.Uint32(b[13:])
	f.results = binary.BigEndian.Uint32(b[17:])
	f.frameSize = binary.BigEndian.Uint32(b[21:])
	f.mem = binary.BigEndian.Uint32(b[25:])
	f.numOps = binary.BigEndian.Uint32(b[29:])
	f.codeLeaves = binary.BigEndian.Uint32(b[33:])
	copy(f.codeRoot[:], b[37:69])
	f.segBase = binary.BigEndian.Uint32(b[69:])
	f.nElems = binary.BigEndian.Uint32(b[73:])
	return f
}

// opRec is a decoded code-tree leaf of an op.
type opRec struct {
	kind   uint16
	offset uint32
	a, b   uint32
	c      uint64
	shape  [5]byte // bytes 22..26: a call's callee kind and results
}

func decodeOp(l [32]byte) opRec {
	o := opRec{
		kind:   binary.BigEndian.Uint16(l[0:]),
		offset: binary.BigEndian.Uint32(l[2:]),
		a:      binary.BigEndian.Uint32(l[6:]),
		b:      binary.BigEndian.Uint32(l[10:]),
		c:      binary.BigEndian.Uint64(l[14:]),
	}
	copy(o.shape[:], l[22:27])
	return o
}

// callee is the shape of a call's callee that its op leaf carries
// (docs/state-commitment.md §4): params in b, locals and frame size in c,
// kind and results in bytes 22..26. Only the fields enter reads are set.
func (o opRec) callee() funcRec {
	return funcRec{
		host:      o.shape[0] != 0,
		params:    o.b,
		locals:    uint32(o.c >> 32),
		frameSize: uint32(o.c),
		results:   binary.BigEndian.Uint32(o.shape[1:]),
	}
}
