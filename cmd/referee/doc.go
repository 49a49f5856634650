// Command referee is the command-line front end of the referee reference
// machine. It is one binary with subcommands:
//
//	referee run MODULE.wasm FUNC [ARG...]   run one exported function
//	referee spec PATH...                    run wast2json spec test files
//	referee help [COMMAND]                  print usage
//
// Exit codes are the same for every subcommand: 0 done, 1 a definite "no"
// (the guest trapped, a spec command failed), 2 bad input (usage, an
// unreadable file, a malformed module or argument), 3 nothing to do. The
// full specification, with worked examples, is docs/cli.md.
//
// Results go to stdout, diagnostics to stderr. main only wires os.Args and
// the standard streams to run, so tests drive the whole CLI in-process.
package main
