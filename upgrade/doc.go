// Package upgrade is the engine-upgrade gate: it runs a corpus (blocks,
// modules with calls files, findings directories, wast2json spec
// directories) on two engines, an old and a new one, and reports every
// behavioural difference with its class, signature and input. A validator
// runs it (referee gate) before rolling out a new engine release.
//
// It is a package of its own because it is a use of the engines, not an
// engine: it combines diff (blocks, modules), corpus (findings) and a spec
// command runner over diff's module stores, and neither diff nor corpus
// may import the other's tools. Outcomes are compared in engine order,
// one input at a time, so the report never depends on scheduling; the
// only wall-clock figure is Report.Wall.
package upgrade
