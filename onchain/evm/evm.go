// Package evm runs referee's contracts in an in-process EVM
// (go-ethereum's core/vm/runtime): deploy, call, and the gas a call costs
// as a transaction (execution plus the intrinsic and calldata cost), so
// that tests and benchmarks measure what a chain would charge.
//
// It is a test and measurement harness: it never decides anything itself,
// and it holds one chain state that is not safe for concurrent use.
package evm

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/refereevm/referee/onchain"
)

// DefaultGasLimit is the gas a call may use: one 30 M-gas block.
const DefaultGasLimit = 30_000_000

// EVM is one chain state with deployed contracts.
type EVM struct {
	cfg runtime.Config
}

// ChainConfig is the fork the contracts are measured under, in process and
// on the simulated chain: Osaka (Ethereum mainnet since December 2025), so
// that calldata is priced with Prague's floor (EIP-7623) and a transaction
// may use at most 2^24 gas (EIP-7825). go-ethereum's dev config also
// enables a later fork with state-gas repricing (EIP-8037/8038), which is
// turned off here: its figures would be those of no live chain.
func ChainConfig() *params.ChainConfig {
	c := *params.AllDevChainProtocolChanges
	c.BogotaTime = nil
	return &c
}

// MaxTxGas is EIP-7825's cap on one transaction's gas.
const MaxTxGas = 1 << 24

// New returns an empty chain state (Osaka rules, ChainConfig).
func New() *EVM {
	st, _ := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	return &EVM{cfg: runtime.Config{
		ChainConfig: ChainConfig(),
		State:       st,
		GasLimit:    DefaultGasLimit,
		Origin:      common.HexToAddress("0x00000000000000000000000000000000000fee"),
		Random:      &common.Hash{},
	}}
}

// Contract is a deployed contract and its ABI.
type Contract struct {
	Name    string
	Address common.Address
	ABI     abi.ABI
	// DeployGas is the gas its creation used (constructor and code deposit,
	// without the transaction's intrinsic and calldata gas).
	DeployGas uint64
	evm       *EVM
}

// Deploy deploys the named contract of build/ with constructor arguments.
func (e *EVM) Deploy(name string, args ...any) (*Contract, error) {
	a, err := onchain.LoadArtifact(name)
	if err != nil {
		return nil, err
	}
	parsed, err := abi.JSON(strings.NewReader(string(a.ABI)))
	if err != nil {
		return nil, fmt.Errorf("contract %s: abi: %w", name, err)
	}
	code, err := a.CreationCode()
	if err != nil {
		return nil, err
	}
	ctor, err := parsed.Pack("", args...)
	if err != nil {
		return nil, fmt.Errorf("contract %s: constructor arguments: %w", name, err)
	}
	_, addr, left, err := runtime.Create(append(code, ctor...), &e.cfg)
	if err != nil {
		return nil, fmt.Errorf("contract %s: deploy: %w", name, err)
	}
	return &Contract{Name: name, Address: addr, ABI: parsed, DeployGas: e.cfg.GasLimit - left, evm: e}, nil
}

// Result is one call's outcome.
type Result struct {
	Return  []byte // the returned bytes (or the revert data)
	ExecGas uint64 // gas used by execution
	TxGas   uint64 // ExecGas plus the intrinsic gas of a transaction with this calldata (at least the EIP-7623 floor)
	Input   []byte // the calldata
}

// RevertError is a call that reverted; Reason is the decoded reason where
// the revert data is Error(string) or a custom error of the ABI.
type RevertError struct {
	Reason string
	Data   []byte
}

func (r *RevertError) Error() string { return "revert: " + r.Reason }

// CallRaw calls the contract with raw calldata.
func (c *Contract) CallRaw(input []byte) (Result, error) {
	ret, left, err := runtime.Call(c.Address, input, &c.evm.cfg)
	res := Result{Return: ret, ExecGas: c.evm.cfg.GasLimit - left, Input: input}
	rules := c.evm.cfg.ChainConfig.Rules(c.evm.cfg.BlockNumber, true, c.evm.cfg.Time)
	ig, ierr := core.IntrinsicGas(input, nil, nil, c.evm.cfg.Origin, &c.Address, new(uint256.Int), rules)
	if ierr == nil {
		res.TxGas = res.ExecGas + ig
	}
	if rules.IsPrague { // EIP-7623: calldata-heavy transactions pay at least the floor
		if floor, ferr := core.FloorDataGas(rules, c.evm.cfg.Origin, &c.Address, new(uint256.Int), input, nil); ferr == nil && floor > res.TxGas {
			res.TxGas = floor
		}
	}
	if err != nil {
		if errors.Is(err, vm.ErrExecutionReverted) {
			return res, &RevertError{Reason: c.revertReason(ret), Data: ret}
		}
		return res, fmt.Errorf("contract %s: %w", c.Name, err)
	}
	return res, nil
}

// Call packs method(args...), calls it and unpacks the results.
func (c *Contract) Call(method string, args ...any) ([]any, Result, error) {
	input, err := c.ABI.Pack(method, args...)
	if err != nil {
		return nil, Result{}, fmt.Errorf("contract %s: %s: %w", c.Name, method, err)
	}
	res, err := c.CallRaw(input)
	if err != nil {
		return nil, res, err
	}
	out, err := c.ABI.Unpack(method, res.Return)
	if err != nil {
		return nil, res, fmt.Errorf("contract %s: %s: results: %w", c.Name, method, err)
	}
	return out, res, nil
}

// revertReason decodes revert data: Error(string), a custom error of the
// contract's ABI, or the raw bytes in hex.
func (c *Contract) revertReason(data []byte) string {
	if s, err := abi.UnpackRevert(data); err == nil {
		return s
	}
	if len(data) >= 4 {
		for name, e := range c.ABI.Errors {
			if string(e.ID[:4]) == string(data[:4]) {
				vals, err := e.Inputs.Unpack(data[4:])
				if err == nil {
					return fmt.Sprintf("%s%v", name, vals)
				}
			}
		}
	}
	return fmt.Sprintf("0x%x", data)
}

// Selector returns the 4-byte selector of a function or error signature.
func Selector(sig string) [4]byte {
	var s [4]byte
	copy(s[:], crypto.Keccak256([]byte(sig))[:4])
	return s
}

// DecodeString decodes ABI-encoded (string).
func DecodeString(b []byte) (string, error) {
	t, _ := abi.NewType("string", "", nil)
	vals, err := abi.Arguments{{Type: t}}.Unpack(b)
	if err != nil {
		return "", err
	}
	return vals[0].(string), nil
}

// DecodeRejected decodes ABI-encoded (string, uint256, string).
func DecodeRejected(b []byte) (string, uint64, string, error) {
	ts, _ := abi.NewType("string", "", nil)
	tu, _ := abi.NewType("uint256", "", nil)
	vals, err := abi.Arguments{{Type: ts}, {Type: tu}, {Type: ts}}.Unpack(b)
	if err != nil {
		return "", 0, "", err
	}
	return vals[0].(string), vals[1].(*big.Int).Uint64(), vals[2].(string), nil
}

// SetGasLimit sets the gas later calls may use.
func (e *EVM) SetGasLimit(g uint64) { e.cfg.GasLimit = g }
