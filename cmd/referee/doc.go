// Command referee is the command-line front end of the referee reference
// machine. It is one binary with subcommands:
//
//	referee run MODULE.wasm FUNC [ARG...]       run one exported function on the reference machine
//	referee spec PATH...                        run wast2json spec test files
//	referee check BLOCK.json                    run a block on several engines; refuse it on divergence
//	referee prove|root MODULE.wasm FUNC [ARG...] --step N
//	referee prove|root BLOCK.json --tx I --step N
//	                                            one-step proof / state root at step N
//	referee verify PROOF                        check a one-step proof
//	referee narrow BLOCK.json --tx I            narrow an engine divergence to one instruction
//	referee dispute serve|play                  the two-party verification game
//	referee fuzz                                a differential fuzzing campaign
//	referee corpus list|show|replay|minimize    the findings of campaigns
//	referee serve                               the block check as an HTTP service (docs/api.md)
//	referee version                             version, Go, engines built in, cgo
//	referee help [COMMAND]                      print usage
//
// Exit codes are the same for every subcommand: 0 done, 1 a definite "no"
// (the guest trapped, a spec command failed), 2 bad input (usage, an
// unreadable file, a malformed module or argument), 3 nothing to do. The
// full specification, with worked examples, is docs/cli.md.
//
// Results go to stdout, diagnostics to stderr. main only wires os.Args and
// the standard streams to run, so tests drive the whole CLI in-process.
// Nothing imports this package, and no subcommand may print a log line on
// stdout: stdout carries results only, so it can be piped.
package main
