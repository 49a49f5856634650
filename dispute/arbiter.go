package dispute

// StepChecker is the arbiter's base case: it checks a one-step proof that
// executing step number step+1 from the state committed to by pre yields
// the state committed to by post. It sees roots and proof bytes only,
// never a live machine. ok is false, or err non-nil (a malformed proof),
// when the proof does not establish pre → post; either way the party that
// offered the proof loses.
//
// The game does not know the proof format: the one-step proofs of
// docs/state-commitment.md plug in here once they exist, and SimChecker
// plugs in for simulated traces.
type StepChecker interface {
	CheckStep(step uint64, pre, post [32]byte, proof []byte) (ok bool, err error)
}

// StepCheckerFunc adapts a function to StepChecker.
type StepCheckerFunc func(step uint64, pre, post [32]byte, proof []byte) (bool, error)

// CheckStep calls f.
func (f StepCheckerFunc) CheckStep(step uint64, pre, post [32]byte, proof []byte) (bool, error) {
	return f(step, pre, post, proof)
}
