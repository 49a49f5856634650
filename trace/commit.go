package trace

import (
	"encoding/binary"

	"github.com/refereevm/referee/merkle"
	"golang.org/x/crypto/sha3"
)

// State commitment, version 3 (docs/state-commitment.md). The state root
// is keccak256 of StateEncodingSize bytes, big-endian:
//
//	offset width field
//	0      16    label "referee/state/v3"
//	16     1     status (0 idle, 1 running, 2 done, 3 trapped)
//	17     1     trap kind (0 unless trapped)
//	18     1     pending host call (0/1)
//	19     8     steps
//	27     4     entry function store address (running)
//	31     8     Config.MaxSteps
//	39     4     Config.MaxStackValues
//	43     4     Config.MaxCallDepth
//	47     4     trap function index (0 unless trapped)
//	51     4     trap code-section offset (0 unless trapped)
//	55     4     sp: value-stack slots in use, locals included (running, done)
//	59     4     frame depth, the running frame included (running)
//	63     76    running frame record: func addr, pc, fp, locals root, base hash
//	139    32    value-stack chain hash (operands of every frame; results when done)
//	171    32    frame chain hash (the callers, outermost first)
//	203    4+32  function count, functions root
//	239    4+32  global count, globals root
//	275    4+32  memory count, memories root
//	311    32    aux hash: H(aux encoding), below
//	343          end
//
// The aux encoding gathers what few steps read (tables, segments, the host
// tape), so that other steps' proofs leave it behind one hash:
//
//	0      14    label "referee/aux/v2"
//	14     4+32  table count, tables root
//	50     4+32  segment count, segments root
//	86     1     host mode: 1 if host calls replay the tape, else 0
//	87     4+32  host tape: entry count, root of the tape tree (commit_tape.go)
//	123    4     host cursor: tape entries taken
//	127          end
//
// Fields that do not apply to the status are zero: a trapped machine
// commits neither stack nor frames (the call is over; how far the trapping
// op got in popping is not state), an idle one neither.
const (
	stOffStatus   = 16
	stOffTrap     = 17
	stOffPending  = 18
	stOffSteps    = 19
	stOffEntry    = 27
	stOffMaxSteps = 31
	stOffMaxStack = 39
	stOffMaxDepth = 43
	stOffTrapFunc = 47
	stOffTrapOff  = 51
	stOffSP       = 55
	stOffDepth    = 59
	stOffFrame    = 63
	stOffStack    = stOffFrame + FrameRecordSize
	stOffFrames   = stOffStack + 32
	stOffFuncs    = stOffFrames + 32
	stOffGlobals  = stOffFuncs + 36
	stOffMems     = stOffGlobals + 36
	stOffAux      = stOffMems + 36
	// StateEncodingSize is the size of the state root's hash input.
	StateEncodingSize = stOffAux + 32

	auxOffTables   = len(auxLabel)
	auxOffSegments = auxOffTables + 36
	auxOffHostMode = auxOffSegments + 36
	auxOffTape     = auxOffHostMode + 1
	auxOffCursor   = auxOffTape + 36
	// AuxEncodingSize is the size of the aux hash's input.
	AuxEncodingSize = auxOffCursor + 4
)

// FrameRecordSize is the size of a frame record: func addr u32, pc u32,
// fp u32, locals root 32, base hash 32 (the value-stack chain hash below
// the frame's operands).
const FrameRecordSize = 12 + 32 + 32

// Labels of the hashes that are not Merkle trees.
const (
	stateLabel   = "referee/state/v3"
	auxLabel     = "referee/aux/v2"
	stackLabel   = "referee/stack/v1"
	framesLabel  = "referee/frames/v1"
	funcLabel    = "referee/func/v1"
	tableLabel   = "referee/table/v1"
	segmentLabel = "referee/segment/v1"
)

// Tree domains of the state commitment.
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

// depthFor is the depth of a tree with n leaves: the least d with 2^d >= n.
func depthFor(n uint64) int {
	d := 0
	for uint64(1)<<d < n {
		d++
	}
	return d
}

// valueLeaf is the leaf of a local or table element: bits in the last 8 bytes.
func valueLeaf(bits uint64) [32]byte {
	var l [32]byte
	binary.BigEndian.PutUint64(l[24:], bits)
	return l
}

// chainPush is one link of the value-stack chain.
func chainPush(below [32]byte, bits uint64) [32]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], bits)
	return keccak([]byte(stackLabel), below[:], b[:])
}

// frameRecord encodes a frame record.
func frameRecord(addr, pc, fp uint32, locals, base [32]byte) []byte {
	r := make([]byte, FrameRecordSize)
	binary.BigEndian.PutUint32(r[0:], addr)
	binary.BigEndian.PutUint32(r[4:], pc)
	binary.BigEndian.PutUint32(r[8:], fp)
	copy(r[12:], locals[:])
	copy(r[44:], base[:])
	return r
}

// Root returns the state root of the machine, computed from scratch (it
// builds every tree; a Committer keeps them between roots). It does not
// clear the memories' dirty bits.
func (m *Machine) Root() [32]byte {
	c := newCommitter(m, false)
	return c.Root()
}

// Committer keeps the trees of one machine's state commitment between
// roots, so that a root after a few steps re-hashes only what changed:
// the memory pages marked dirty, the changed table elements and globals,
// and the value-stack and frame chains above the lowest change. A
// Committer owns the machine's memory dirty bits: it clears them at each
// Root, so at most one Committer per machine may be used.
type Committer struct {
	m          *Machine
	clearDirty bool

	funcs    funcsCache
	globals  globalsCache
	tables   []tableCache
	tablesT  *merkle.Tree
	mems     []memCache
	memsT    *merkle.Tree
	segs     segCache
	tape     tapeCache
	stack    stackCache
	frames   []frameCache
	enc      [StateEncodingSize]byte
	aux      [AuxEncodingSize]byte // the aux hash's input at the last root
	auxHash  [32]byte
	auxSet   bool
	operands []uint64
}

// NewCommitter returns a Committer for m. Its first Root builds every tree.
func NewCommitter(m *Machine) *Committer { return newCommitter(m, true) }

func newCommitter(m *Machine, clearDirty bool) *Committer {
	return &Committer{m: m, clearDirty: clearDirty}
}

// Machine returns the committed machine.
func (c *Committer) Machine() *Machine { return c.m }

// Root returns the state root of the machine as it is now.
func (c *Committer) Root() [32]byte {
	c.encode()
	return keccak(c.enc[:])
}

// Encoding returns the state root's hash input (StateEncodingSize bytes).
func (c *Committer) Encoding() []byte {
	c.encode()
	return append([]byte(nil), c.enc[:]...)
}

// encode fills c.enc from the machine.
func (c *Committer) encode() {
	m := c.m
	e := c.enc[:]
	clear(e)
	copy(e, stateLabel)
	e[stOffStatus] = byte(m.status)
	if m.status == StatusTrapped {
		e[stOffTrap] = byte(m.trap.Kind)
		binary.BigEndian.PutUint32(e[stOffTrapFunc:], m.trap.Func)
		binary.BigEndian.PutUint32(e[stOffTrapOff:], m.trap.Offset)
	}
	if m.pendingHost {
		e[stOffPending] = 1
	}
	binary.BigEndian.PutUint64(e[stOffSteps:], m.steps)
	binary.BigEndian.PutUint64(e[stOffMaxSteps:], m.cfg.MaxSteps)
	binary.BigEndian.PutUint32(e[stOffMaxStack:], uint32(m.cfg.MaxStackValues))
	binary.BigEndian.PutUint32(e[stOffMaxDepth:], uint32(m.cfg.MaxCallDepth))
	switch m.status {
	case StatusRunning:
		binary.BigEndian.PutUint32(e[stOffEntry:], m.entry)
		binary.BigEndian.PutUint32(e[stOffSP:], uint32(m.sp))
		binary.BigEndian.PutUint32(e[stOffDepth:], uint32(len(m.frames)))
		c.encodeRunning(e)
	case StatusDone:
		c.operands = c.operands[:0]
		for _, r := range m.results {
			c.operands = appendSlots(c.operands, r)
		}
		binary.BigEndian.PutUint32(e[stOffSP:], uint32(len(c.operands)))
		h := c.stack.update(c.operands)
		copy(e[stOffStack:], h[:])
	}
	n, r := c.funcs.root(m)
	putCount(e[stOffFuncs:], n, r)
	n, r = c.globals.root(m)
	putCount(e[stOffGlobals:], n, r)
	n, r = c.memsRoot()
	putCount(e[stOffMems:], n, r)
	var a [AuxEncodingSize]byte
	copy(a[:], auxLabel)
	n, r = c.tablesRoot()
	putCount(a[auxOffTables:], n, r)
	n, r = c.segs.root(m)
	putCount(a[auxOffSegments:], n, r)
	c.encodeTape(a[:])
	if !c.auxSet || a != c.aux {
		c.aux, c.auxHash, c.auxSet = a, keccak(a[:]), true
	}
	copy(e[stOffAux:], c.auxHash[:])
}

func putCount(b []byte, n int, r [32]byte) {
	binary.BigEndian.PutUint32(b, uint32(n))
	copy(b[4:], r[:])
}
