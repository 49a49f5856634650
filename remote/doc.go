// Package remote runs Wasm engines outside the referee binary, as child
// processes speaking the engine protocol (docs/engine-protocol.md): JSON
// messages, one a line, on the child's stdin and stdout.
//
// It is a package of its own because it is a concept of its own: an engine
// referee was not built with (any command, exec:CMD; any wazero release
// from v1.0.0 on, wazero-interp@VERSION and wazero-compiler@VERSION, built
// on first use from the Go module proxy into a cache directory; V8's two
// tiers through the machine's node, v8-liftoff and v8-turbofan), reached
// through a versioned protocol rather than a Go API, with process
// management, a pool of children and builds that diff itself must not
// know about. It registers its engines with diff (diff.RegisterProvider)
// when imported, so every subcommand that takes --engines accepts them.
//
// An Engine is both a diff.Engine (a block transaction or a workload call:
// the host ABI referee-v1 stays in this process and the child calls back
// for each host function, so there is one implementation of the ABI for
// every engine) and a diff.ModuleEngine (referee diff and gate: a child per
// store). The children are wazerochild (Go, built against the chosen
// wazero release) and v8/engine.js (node).
//
// It must never decide a result: a child that dies, answers out of turn or
// passes its deadline is killed, and its run is engine-crash or
// engine-timeout, never a value. It imports diff, block, meter and wasm;
// nothing in diff imports it.
package remote
