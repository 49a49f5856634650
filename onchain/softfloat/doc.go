// Package softfloat holds the differential tests of contracts/SoftFloat.sol,
// the soft-float library of the on-chain verifier, against Go package numeric
// (the reference machine's float semantics), run in the in-process EVM
// through the harness contract contracts/test/SoftFloatHarness.sol: every
// edge class of every operand type (crossed with each other for binary ops),
// and biased random operands, compared bit for bit; and the gas of each op.
//
// It has no non-test code and nothing imports it.
package softfloat
