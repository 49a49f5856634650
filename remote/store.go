package remote

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/refereevm/referee/diff"
)

// NewStore returns a store on a child of its own for the store's lifetime
// (the child's instances and registered names are the store's); Close
// resets the child and returns it to the idle ones.
func (e *Engine) NewStore(ctx context.Context) (diff.Store, error) {
	c, err := e.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	return &store{e: e, c: c}, nil
}

type store struct {
	e *Engine
	c *child
}

type instance struct {
	s     *store
	id    int
	types exportTypes
}

func (s *store) Close() error {
	if s.c.dead == nil {
		if _, err := s.c.call(context.Background(), &message{Op: "reset"}, nil); err != nil {
			s.c.kill()
		}
	}
	s.e.release(s.c)
	return nil
}

func (s *store) Instantiate(ctx context.Context, bin []byte, as string) (diff.Instance, diff.Status) {
	h, st, err := s.c.compile(ctx, bin, sha256.Sum256(bin))
	if err != nil {
		return nil, errStatus(ctx, err)
	}
	if st.Kind != diff.StatusOK {
		return nil, st
	}
	rep, err := s.c.call(ctx, &message{Op: "instantiate", Hash: h, As: as}, nil)
	if err != nil {
		return nil, errStatus(ctx, err)
	}
	if st := status(rep.Status); st.Kind != diff.StatusOK {
		return nil, st
	}
	return &instance{s: s, id: rep.Instance, types: decodeTypes(bin)}, diff.OK
}

func (i *instance) Invoke(ctx context.Context, export string, args []uint64) ([]uint64, diff.Status) {
	pt, rt := i.types.funcType(export)
	rep, err := i.s.c.call(ctx, &message{Op: "invoke", Instance: i.id, Export: strp(export), Args: bitsList(args), ParamTypes: pt, ResultTypes: rt}, nil)
	if err != nil {
		return nil, errStatus(ctx, err)
	}
	st := status(rep.Status)
	if st.Kind != diff.StatusOK {
		return nil, st
	}
	res, err := parseBitsList(rep.Results)
	if err != nil {
		return nil, diff.Status{Kind: diff.StatusCrash, Detail: err.Error()}
	}
	return res, diff.OK
}

func (i *instance) Observe(ctx context.Context, q *diff.ObserveQuery) (*diff.ObserveReply, error) {
	rep, err := i.s.c.call(ctx, &message{Op: "observe", Instance: i.id, Globals: q.Globals, GlobalTypes: i.types.globalTypes(q.Globals), Memory: q.Memory, Tables: q.Tables}, nil)
	if err != nil {
		return nil, err
	}
	out := &diff.ObserveReply{}
	if out.Globals, err = parseBitsList(rep.Globals); err != nil {
		return nil, err
	}
	if len(out.Globals) != len(q.Globals) {
		return nil, fmt.Errorf("observe: %d globals for %d names", len(out.Globals), len(q.Globals))
	}
	if q.Memory != "" {
		if rep.Mem == nil {
			return nil, fmt.Errorf("observe: no digest of memory %q", q.Memory)
		}
		out.Memory.Pages = rep.Mem.Pages
		if out.Memory.Hash, err = parseHash(rep.Mem.Hash); err != nil {
			return nil, err
		}
	}
	if len(rep.Summary) != len(q.Tables) {
		return nil, fmt.Errorf("observe: %d table summaries for %d tables", len(rep.Summary), len(q.Tables))
	}
	for _, t := range rep.Summary {
		a, err := parseBits(t[0])
		if err != nil {
			return nil, err
		}
		b, err := parseBits(t[1])
		if err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, [2]uint64{a, b})
	}
	return out, nil
}

// readChunk bounds one memory.read.
const readChunk = 1 << 20

func (i *instance) ReadMemory(ctx context.Context, name string, off, n uint32) ([]byte, error) {
	var out []byte
	for n > 0 {
		k := min(n, readChunk)
		rep, err := i.s.c.call(ctx, &message{Op: "memory.read", Instance: i.id, Memory: name, Offset: off, Length: k}, nil)
		if err != nil {
			return nil, err
		}
		if uint32(len(rep.Data)) != k {
			return nil, fmt.Errorf("memory.read: %d bytes for %d", len(rep.Data), k)
		}
		out = append(out, rep.Data...)
		off, n = off+k, n-k
	}
	return out, nil
}
