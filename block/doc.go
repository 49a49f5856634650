// Package block is what a validator agrees on: the block format (a
// pre-state of contracts and their storage, and an ordered list of
// transactions), the storage state and its keccak256 commitment, the
// deterministic host ABI "referee-v1" that contracts import from module
// "referee", and the receipt each transaction produces. docs/block-format.md
// specifies all of it byte by byte.
//
// It is its own package because every engine must see exactly the same host:
// the ABI is implemented once here, against the small Memory interface, and
// each engine adapter in diff/ only forwards calls to Call.Invoke. Every
// decision that could make engines disagree (bounds checks, gas prices, size
// limits, the order of checks that picks a trap kind, what a failing
// transaction keeps) is taken in this package, so no engine-specific
// behaviour can leak into a receipt or the post-state commitment.
//
// It imports only the wasm package from referee (to check a contract's
// imports and entry points) and golang.org/x/crypto/sha3 for Keccak-256. It
// must not import trace, diff or any engine: packages import downward, and
// engines are wired to the ABI in diff/. Nothing here iterates a map into an
// output or a hash; storage is always walked in sorted key order.
package block
