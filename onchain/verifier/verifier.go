// Package verifier deploys referee's on-chain one-step verifier
// (contracts/OneStepVerifier.sol and its provers) into an in-process EVM
// and calls it: the Solidity twin of dispute.Verify, checked against it by
// this package's differential tests.
//
// It decides nothing itself: a verdict is the contract's. It must never
// fall back to the Go verifier.
package verifier

import (
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/refereevm/referee/onchain/evm"
)

// Provers lists the prover contracts in the order OneStepVerifier's
// constructor takes them.
var Provers = []string{"ProverCore", "ProverMemory", "ProverTable", "ProverHost", "ProverF32", "ProverF64",
	"ProverSIMD", "ProverSIMDMemory", "ProverSIMDF32", "ProverSIMDF64"}

// Verifier is a deployed OneStepVerifier.
type Verifier struct {
	EVM      *evm.EVM
	Contract *evm.Contract
	Provers  map[string]common.Address
}

// Deploy deploys the provers and the entry contract into e.
func Deploy(e *evm.EVM) (*Verifier, error) {
	v := &Verifier{EVM: e, Provers: map[string]common.Address{}}
	args := make([]any, len(Provers))
	for i, name := range Provers {
		c, err := e.Deploy(name)
		if err != nil {
			return nil, err
		}
		v.Provers[name] = c.Address
		args[i] = c.Address
	}
	c, err := e.Deploy("OneStepVerifier", args...)
	if err != nil {
		return nil, err
	}
	v.Contract = c
	return v, nil
}

// New deploys a verifier into a fresh EVM.
func New() (*Verifier, error) { return Deploy(evm.New()) }

// Errors classifying a rejection, wrapped by the error Verify returns.
var (
	// ErrRejected: the contract reverted with Rejected(field, at, why),
	// a malformed or dishonest proof (dispute.ErrBadProof's twin, same text).
	ErrRejected = errors.New("proof rejected")
	// ErrNotProvable: NotProvable(what), a valid proof of a step the
	// verifier does not cover (dispute.ErrNotProvable).
	ErrNotProvable = errors.New("not provable yet")
	// ErrFloatPending: SoftFloat.Unimplemented(), a float op whose
	// soft-float routine is not written yet.
	ErrFloatPending = errors.New("soft-float routine not implemented yet")
)

// Outcome is one verification's result and cost.
type Outcome struct {
	Post     [32]byte
	ExecGas  uint64 // gas used by execution
	TxGas    uint64 // execution plus a transaction's intrinsic and calldata gas
	Calldata int    // bytes of calldata
	Wall     time.Duration
}

// Verify runs OneStepVerifier.verify(pre, proof). A revert returns an error
// wrapping ErrRejected, ErrNotProvable or ErrFloatPending with the reason.
func (v *Verifier) Verify(pre [32]byte, proof []byte) (Outcome, error) {
	t0 := time.Now()
	out, res, err := v.Contract.Call("verify", pre, proof)
	o := Outcome{ExecGas: res.ExecGas, TxGas: res.TxGas, Calldata: len(res.Input), Wall: time.Since(t0)}
	if err != nil {
		var rev *evm.RevertError
		if errors.As(err, &rev) {
			return o, classify(rev)
		}
		return o, err
	}
	o.Post = out[0].([32]byte)
	return o, nil
}

// Selectors of the errors the provers revert with.
var (
	selRejected      = evm.Selector("Rejected(string,uint256,string)")
	selNotProvable   = evm.Selector("NotProvable(string)")
	selUnimplemented = evm.Selector("Unimplemented()")
)

func classify(rev *evm.RevertError) error {
	d := rev.Data
	if len(d) < 4 {
		return fmt.Errorf("%w: %s", ErrRejected, rev.Reason)
	}
	switch [4]byte(d[:4]) {
	case selRejected:
		field, at, why, err := evm.DecodeRejected(d[4:])
		if err == nil && why != "" {
			return fmt.Errorf("%w: %s at byte %d: %s", ErrRejected, field, at, why)
		}
		if err == nil {
			return fmt.Errorf("%w: %s at byte %d", ErrRejected, field, at)
		}
	case selNotProvable:
		what, err := evm.DecodeString(d[4:])
		if err == nil {
			return fmt.Errorf("%w: %s", ErrNotProvable, what)
		}
	case selUnimplemented:
		return ErrFloatPending
	}
	return fmt.Errorf("%w: %s", ErrRejected, rev.Reason)
}
