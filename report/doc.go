// Package report renders what referee did as self-contained HTML pages for
// people: a fuzzing campaign (execs/s and opcode coverage over time, the
// findings by signature, the time each engine took), a dispute game (the
// disputed interval narrowing round by round, each party's roots) and a
// narrowing search (its rounds). Every chart is inline SVG and the page
// has no script, style sheet, font or image from elsewhere, so a report
// can be mailed, attached to an issue or opened offline.
//
// The package draws; it does not collect. Its inputs are plain data types
// (FuzzData, GameData, NarrowData) that cmd/referee fills from fuzz,
// dispute and dispute/narrow, so report imports nothing from referee and
// nothing outside the standard library but what it draws with
// (html/template). It must never feed a report's content back into an
// outcome, a hash or a proof: reports carry wall-clock figures.
package report
