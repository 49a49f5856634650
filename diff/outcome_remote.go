package diff

import "github.com/refereevm/referee/block"

// RunView is what an engine outside this process (package remote) reports
// after a run, for FinishRun: the exported globals' bits and the exported
// memory "memory" as the engine digested it (memoryHash, and the 4 KiB pages
// that differ from right after instantiation).
type RunView struct {
	Globals     map[string]uint64 // lookups only
	MemoryPages uint32
	MemoryHash  [32]byte
	DirtyPages  uint32
}

// digestedView is an instanceView whose memory the engine digested itself.
type digestedView interface {
	instanceView
	digest() (pages uint32, hash [32]byte, dirty uint32)
}

func (v *RunView) global(name string) (uint64, bool) {
	b, ok := v.Globals[name]
	return b, ok
}

func (v *RunView) memory() pagedMemory { return sliceMem(nil) }

func (v *RunView) digest() (uint32, [32]byte, uint32) {
	return v.MemoryPages, v.MemoryHash, v.DirtyPages
}

// FinishRun computes a transaction's outcome from what an engine outside
// the process observed, exactly as the engines of this binary do (finish):
// engineTrap is "" if the entry returned, else the guest trap's normalised
// kind.
func FinishRun(req *Request, call *block.Call, trapped bool, engineTrap string, results []uint64, v *RunView) Outcome {
	return finish(req, call, trapped, engineTrap, results, v, memSnapshot{})
}
