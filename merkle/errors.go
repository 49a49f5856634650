package merkle

import "errors"

// ErrProof is wrapped by every error about a malformed proof: wrong
// length, a depth or index out of range. A well-formed proof that does not
// match the root is not an error: Verify returns false.
var ErrProof = errors.New("malformed proof")
