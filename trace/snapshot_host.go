package trace

import (
	"encoding/binary"
	"fmt"
)

// The host section of a snapshot (version 2), after the call state:
//
//	width  field
//	1      host mode: 0 live, 1 recording, 2 replaying
//	8      cursor: entries taken (replaying) or recorded (recording); 0 live
//	4      entry count (0 live)
//	       per entry: its committed encoding (HostEntryEncoding), then
//	       u32 length and the bytes of its error text (HostEffect.Err)
//
// Restore checks a replayed tape as ReplayHost does, the cursor against
// the count (at most the count replaying, equal to it recording), and
// that a live machine has neither.

// appendHostSnapshot appends the host section.
func (m *Machine) appendHostSnapshot(b []byte) []byte {
	b = append(b, byte(m.host))
	b = binary.BigEndian.AppendUint64(b, m.hostCursor)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.tape)))
	for i := range m.tape {
		e := &m.tape[i]
		b = append(b, HostEntryEncoding(e)...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e.Err)))
		b = append(b, e.Err...)
	}
	return b
}

// decodeHostSnapshot reads the host section into st.
func (m *Machine) decodeHostSnapshot(r *snapReader, st *snapState) {
	at := r.pos
	mode := hostMode(r.u8("host mode"))
	if r.err == nil && mode > hostReplay {
		r.pos = at
		r.fail("host mode", "unknown host mode %d", mode)
	}
	cursorAt := r.pos
	cursor := r.u64("host cursor")
	n := r.count("host tape entry count", 17)
	tape := make(HostTape, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		what := fmt.Sprintf("host tape entry %d", i)
		e := HostEffect{Func: r.u32(what + " function")}
		e.Trap = TrapKind(r.u8(what + " trap kind"))
		nr := r.count(what+" result count", 8)
		for j := 0; j < nr && r.err == nil; j++ {
			e.Results = append(e.Results, r.u64(what+" result"))
		}
		nw := r.count(what+" write count", 12)
		for j := 0; j < nw && r.err == nil; j++ {
			w := HostWrite{Mem: r.u32(what + " write memory"), Addr: r.u32(what + " write address")}
			ln := r.count(what+" write length", 1)
			w.Data = append([]byte(nil), r.take(ln, what+" write bytes")...)
			e.Writes = append(e.Writes, w)
		}
		ln := r.count(what+" error length", 1)
		e.Err = string(r.take(ln, what+" error"))
		tape = append(tape, e)
	}
	if r.err != nil {
		return
	}
	switch {
	case mode == hostLive && (n != 0 || cursor != 0):
		r.pos = cursorAt
		r.fail("host cursor", "a live machine has no tape (%d entries, cursor %d)", n, cursor)
	case mode == hostRecord && cursor != uint64(n):
		r.pos = cursorAt
		r.fail("host cursor", "recording: cursor %d, %d entries recorded", cursor, n)
	case mode == hostReplay && cursor > uint64(n):
		r.pos = cursorAt
		r.fail("host cursor", "replaying: cursor %d past the %d entries", cursor, n)
	}
	if r.err == nil && mode != hostLive {
		if err := m.checkTape(tape); err != nil {
			r.fail("host tape", "%v", err)
		}
	}
	if mode == hostLive {
		tape = nil
	}
	st.host, st.tape, st.hostCursor = mode, tape, cursor
}
