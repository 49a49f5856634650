// Package game plays referee's dispute game (docs/dispute.md) on a
// simulated Ethereum chain: contracts/DisputeGame.sol deployed on
// go-ethereum's simulated backend (real blocks, transactions, receipts and
// gas), with each side played by a dispute.Party — the same honest and
// dishonest strategies `referee dispute play` uses — turned into
// transactions.
//
// The contracts decide every outcome; this package only drives parties and
// reads the chain. It must never settle a game off chain.
package game

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/refereevm/referee/onchain"
	"github.com/refereevm/referee/onchain/evm"
)

// Chain is a simulated chain with funded accounts.
type Chain struct {
	Sim    *simulated.Backend
	Client simulated.Client
	ID     *big.Int
	keys   []*ecdsa.PrivateKey
	ctx    context.Context
}

// Funds is each account's starting balance: 10^6 ether.
var Funds = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1e18))

// NewChain starts a simulated chain with n funded accounts. The keys are
// derived from fixed seeds, so runs are reproducible.
func NewChain(n int) (*Chain, error) {
	c := &Chain{ctx: context.Background()}
	alloc := types.GenesisAlloc{}
	for i := 0; i < n; i++ {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("referee/onchain/account/%d", i))))
		if err != nil {
			return nil, err
		}
		c.keys = append(c.keys, k)
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: Funds}
	}
	osaka := func(_ *node.Config, ec *ethconfig.Config) { ec.Genesis.Config = evm.ChainConfig() }
	c.Sim = simulated.NewBackend(alloc, simulated.WithBlockGasLimit(60_000_000), osaka)
	c.Client = c.Sim.Client()
	id, err := c.Client.ChainID(c.ctx)
	if err != nil {
		return nil, err
	}
	c.ID = id
	return c, nil
}

// Close stops the chain.
func (c *Chain) Close() error { return c.Sim.Close() }

// Address returns account i's address.
func (c *Chain) Address(i int) common.Address { return crypto.PubkeyToAddress(c.keys[i].PublicKey) }

// Block returns the current block number.
func (c *Chain) Block() uint64 {
	n, _ := c.Client.BlockNumber(c.ctx)
	return n
}

// Mine mines n empty blocks.
func (c *Chain) Mine(n int) {
	for i := 0; i < n; i++ {
		c.Sim.Commit()
	}
}

// Balance returns an account's balance.
func (c *Chain) Balance(a common.Address) *big.Int {
	b, _ := c.Client.BalanceAt(c.ctx, a, nil)
	return b
}

// Tx is a mined transaction's outcome.
type Tx struct {
	Gas      uint64 // gas used, as the receipt says
	Calldata int
	Fee      *big.Int // gas used × effective gas price
	Receipt  *types.Receipt
	Reverted error // the revert reason when the transaction failed
}

// ErrReverted wraps a transaction that was mined but failed.
var ErrReverted = errors.New("transaction reverted")

// send signs and sends a transaction from account from and mines it in a
// block of its own. A transaction that would revert is still sent (with a
// fixed gas limit) and mined, as a real party's would be: it costs gas
// and changes nothing; its reason is in Tx.Reverted.
func (c *Chain) send(from int, to *common.Address, data []byte, value *big.Int, parsed *abi.ABI) (Tx, error) {
	addr := c.Address(from)
	if value == nil {
		value = new(big.Int)
	}
	msg := ethereum.CallMsg{From: addr, To: to, Data: data, Value: value}
	// The limit only bounds the gas: what is used is what is charged.
	gas, estErr := c.Client.EstimateGas(c.ctx, msg)
	if estErr != nil {
		gas = 1_000_000
	} else {
		gas = min(2*gas+100_000, evm.MaxTxGas)
	}
	nonce, err := c.Client.PendingNonceAt(c.ctx, addr)
	if err != nil {
		return Tx{}, err
	}
	head, err := c.Client.HeaderByNumber(c.ctx, nil)
	if err != nil {
		return Tx{}, err
	}
	tip := big.NewInt(1e9)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: c.ID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: to, Value: value, Data: data})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(c.ID), c.keys[from])
	if err != nil {
		return Tx{}, err
	}
	if err := c.Client.SendTransaction(c.ctx, signed); err != nil {
		return Tx{}, fmt.Errorf("send: %w", err)
	}
	c.Sim.Commit()
	rc, err := c.Client.TransactionReceipt(c.ctx, signed.Hash())
	if err != nil {
		return Tx{}, fmt.Errorf("receipt: %w", err)
	}
	out := Tx{Gas: rc.GasUsed, Calldata: len(data), Receipt: rc, Fee: new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)}
	if rc.Status != types.ReceiptStatusSuccessful {
		out.Reverted = fmt.Errorf("%w: %s", ErrReverted, revertReason(estErr, parsed))
	}
	return out, nil
}

// revertReason decodes the revert data an estimate returned.
func revertReason(err error, parsed *abi.ABI) string {
	if err == nil {
		return "out of gas or reverted on inclusion"
	}
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok {
			data := common.FromHex(s)
			if r, uerr := abi.UnpackRevert(data); uerr == nil {
				return r
			}
			if parsed != nil && len(data) >= 4 {
				for name, e := range parsed.Errors {
					if string(e.ID[:4]) == string(data[:4]) {
						vals, uerr := e.Inputs.Unpack(data[4:])
						if uerr == nil {
							return fmt.Sprintf("%s%v", name, vals)
						}
						return name
					}
				}
			}
		}
	}
	return err.Error()
}

// Contract is a contract deployed on the chain.
type Contract struct {
	Chain   *Chain
	Name    string
	Address common.Address
	ABI     abi.ABI
}

// Deploy deploys the named contract of build/ from account from.
func (c *Chain) Deploy(from int, name string, args ...any) (*Contract, Tx, error) {
	a, err := onchain.LoadArtifact(name)
	if err != nil {
		return nil, Tx{}, err
	}
	parsed, err := abi.JSON(strings.NewReader(string(a.ABI)))
	if err != nil {
		return nil, Tx{}, err
	}
	code, err := a.CreationCode()
	if err != nil {
		return nil, Tx{}, err
	}
	ctor, err := parsed.Pack("", args...)
	if err != nil {
		return nil, Tx{}, fmt.Errorf("contract %s: constructor: %w", name, err)
	}
	tx, err := c.send(from, nil, append(code, ctor...), nil, &parsed)
	if err != nil {
		return nil, tx, err
	}
	if tx.Reverted != nil {
		return nil, tx, fmt.Errorf("contract %s: deploy: %w", name, tx.Reverted)
	}
	return &Contract{Chain: c, Name: name, Address: tx.Receipt.ContractAddress, ABI: parsed}, tx, nil
}

// Send calls method from account from as a transaction.
func (k *Contract) Send(from int, value *big.Int, method string, args ...any) (Tx, error) {
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		return Tx{}, fmt.Errorf("%s.%s: %w", k.Name, method, err)
	}
	return k.Chain.send(from, &k.Address, data, value, &k.ABI)
}

// View calls a method without a transaction and unpacks its results.
func (k *Contract) View(method string, args ...any) ([]any, error) {
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	out, err := k.Chain.Client.CallContract(k.Chain.ctx, ethereum.CallMsg{To: &k.Address, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %s", k.Name, method, revertReason(err, &k.ABI))
	}
	return k.ABI.Unpack(method, out)
}

// Try reports whether method would succeed if sent from account from now.
func (k *Contract) Try(from int, method string, args ...any) bool {
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		return false
	}
	_, err = k.Chain.Client.CallContract(k.Chain.ctx, ethereum.CallMsg{From: k.Chain.Address(from), To: &k.Address, Data: data}, nil)
	return err == nil
}
