package game

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/onchain/verifier"
)

// Accounts of a Deployment's chain.
const (
	Deployer = iota
	DefenderAccount
	ChallengerAccount
	accounts
)

// Deployment is a chain with DisputeGame, OneStepVerifier (with its
// provers) and SimStepChecker deployed.
type Deployment struct {
	Chain    *Chain
	Game     *Contract
	Verifier *Contract
	Sim      *Contract
	Gas      map[string]uint64 // deployment gas by contract
}

// Deploy starts a chain and deploys the contracts.
func Deploy() (*Deployment, error) {
	c, err := NewChain(accounts)
	if err != nil {
		return nil, err
	}
	d := &Deployment{Chain: c, Gas: map[string]uint64{}}
	var provers []any
	for _, name := range verifier.Provers {
		k, tx, err := c.Deploy(Deployer, name)
		if err != nil {
			return nil, err
		}
		d.Gas[name] = tx.Gas
		provers = append(provers, k.Address)
	}
	var tx Tx
	if d.Verifier, tx, err = c.Deploy(Deployer, "OneStepVerifier", provers...); err != nil {
		return nil, err
	}
	d.Gas["OneStepVerifier"] = tx.Gas
	if d.Sim, tx, err = c.Deploy(Deployer, "SimStepChecker"); err != nil {
		return nil, err
	}
	d.Gas["SimStepChecker"] = tx.Gas
	if d.Game, tx, err = c.Deploy(Deployer, "DisputeGame"); err != nil {
		return nil, err
	}
	d.Gas["DisputeGame"] = tx.Gas
	return d, nil
}

// Close stops the chain.
func (d *Deployment) Close() error { return d.Chain.Close() }

// Config is DisputeGame.Config.
type Config struct {
	K             uint16
	Steps         uint64
	Initial       [32]byte
	Checker       common.Address
	Round         uint64
	Grace         uint64
	MaxIdle       uint64
	Window        uint64
	UseTimestamps bool
}

// View is DisputeGame.View.
type View struct {
	Status         uint8
	Turn           uint8
	Winner         uint8
	Reason         uint8
	Lo             uint64
	Hi             uint64
	Gindex         uint64
	Seq            uint64
	LoRoot         [32]byte
	DefenderRoot   [32]byte
	ChallengerRoot [32]byte
	ClockLeft      [2]uint64
	TurnStart      uint64
	Defender       common.Address
	Challenger     common.Address
	Bond           *big.Int
}

// Statuses and reasons of DisputeGame.
const (
	StatusOpen    = 1
	StatusRunning = 2
	StatusOver    = 3
)

// ReasonNames are DisputeGame.Reason's values, named as dispute.Reason's.
var ReasonNames = []string{"none", "proof valid", "proof invalid", "timeout", "stalling", "equivocation", "unchallenged"}

// ReadView reads game id's public state.
func (d *Deployment) ReadView(id *big.Int) (View, error) {
	out, err := d.Game.View("view_", id)
	if err != nil {
		return View{}, err
	}
	return *abi.ConvertType(out[0], new(View)).(*View), nil
}

// splitRoots returns the roots of game id's split in slot seq, from its
// Split event.
func (d *Deployment) splitRoots(id *big.Int, seq uint64, block uint64) ([][32]byte, error) {
	ev := d.Game.ABI.Events["Split"]
	logs, err := d.Chain.Client.FilterLogs(d.Chain.ctx, filterQuery(d.Game.Address, ev.ID, id, block))
	if err != nil {
		return nil, err
	}
	for i := len(logs) - 1; i >= 0; i-- {
		vals, err := ev.Inputs.NonIndexed().Unpack(logs[i].Data)
		if err != nil {
			return nil, err
		}
		if vals[0].(uint64) == seq {
			return vals[3].([][32]byte), nil
		}
	}
	return nil, fmt.Errorf("game %v: no split in slot %d", id, seq)
}

// MoveRecord is one round of an on-chain game.
type MoveRecord struct {
	Round    uint64
	Side     dispute.Side
	Move     *dispute.Move // nil: no move this round
	Method   string        // split, pick, prove, claimTimeout
	Gas      uint64
	Calldata int
	Err      string // the revert reason of a rejected move
	Block    uint64
}

// Result is a finished on-chain game.
type Result struct {
	ID        *big.Int
	Config    Config
	Rounds    []MoveRecord
	Winner    dispute.Side
	Reason    string
	Lo        uint64 // the narrowed step
	GasBySide [2]uint64
	ClaimGas  [2]uint64
	Credit    [2]*big.Int // credit after the game: the bonds
	Bond      *big.Int
}

// Options tune Play.
type Options struct {
	Checker   common.Address // default: the verifier for reference traces, SimStepChecker for SimTrace
	Round     uint64         // blocks per round (default 4)
	Grace     uint64
	MaxIdle   uint64
	Bond      *big.Int // default 1 ether
	MaxRounds int      // safety bound on the driver loop (default 4·depth + 64)
	// UseTimestamps counts the clocks in seconds instead of blocks.
	UseTimestamps bool
	// OnRound, if set, is called after every round.
	OnRound func(MoveRecord)
}

// Match is one game being played on a deployment: its parties, options
// and transcript so far. Several matches may be played on one deployment at
// once, their rounds interleaved.
type Match struct {
	d          *Deployment
	k          int
	steps      uint64
	parties    [2]dispute.Party
	opt        Options
	res        *Result
	before     [2]*big.Int
	startBlock uint64
	round      int
	over       bool
}

var acct = [2]int{DefenderAccount, ChallengerAccount}

// Play plays one game between parties on the deployment: each side's
// claim and bond, then one round per move; a round the party on turn lets
// pass (no move, or a rejected one) lasts Round blocks (seconds with
// UseTimestamps), after which the other side claims a timeout whenever the
// contract allows it.
func (d *Deployment) Play(k int, steps uint64, initial [32]byte, parties [2]dispute.Party, opt Options) (*Result, error) {
	m, err := d.Start(k, steps, initial, parties, opt)
	if err != nil {
		return nil, err
	}
	for !m.over {
		if err := m.Round(); err != nil {
			return m.res, err
		}
	}
	return m.res, nil
}

// Start posts both claims and bonds and returns the match, ready for its
// first round.
func (d *Deployment) Start(k int, steps uint64, initial [32]byte, parties [2]dispute.Party, opt Options) (*Match, error) {
	if opt.Round == 0 {
		opt.Round = 4
	}
	if opt.Bond == nil {
		opt.Bond = big.NewInt(1e18)
	}
	if opt.MaxRounds == 0 {
		opt.MaxRounds = 4*int(dispute.Depth(steps, k)) + 64
	}
	cfg := Config{K: uint16(k), Steps: steps, Initial: initial, Checker: opt.Checker, Round: opt.Round,
		Grace: opt.Grace, MaxIdle: opt.MaxIdle, Window: 10, UseTimestamps: opt.UseTimestamps}
	var claims [2][32]byte
	for s := range parties {
		c, err := parties[s].Claim(steps)
		if err != nil {
			return nil, fmt.Errorf("%v claim: %w", dispute.Side(s), err)
		}
		claims[s] = c
	}
	if claims[0] == claims[1] {
		return nil, dispute.ErrNoDispute
	}
	id, err := d.Game.View("gameCount")
	if err != nil {
		return nil, err
	}
	m := &Match{d: d, k: k, steps: steps, parties: parties, opt: opt,
		res: &Result{ID: id[0].(*big.Int), Config: cfg, Bond: opt.Bond}}
	for s, a := range acct {
		if m.before[s], err = d.credit(a); err != nil {
			return nil, err
		}
	}
	tx, err := d.Game.Send(DefenderAccount, opt.Bond, "claim", cfg, claims[0])
	if err == nil && tx.Reverted != nil {
		err = tx.Reverted
	}
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	m.res.ClaimGas[0] = tx.Gas
	if tx, err = d.Game.Send(ChallengerAccount, opt.Bond, "challenge", m.res.ID, claims[1]); err == nil && tx.Reverted != nil {
		err = tx.Reverted
	}
	if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	m.res.ClaimGas[1] = tx.Gas
	m.startBlock = d.Chain.Block()
	return m, nil
}

// Over reports whether the match has ended.
func (m *Match) Over() bool { return m.over }

// Result returns the transcript and, once over, the outcome.
func (m *Match) Result() *Result { return m.res }

// pass lets n rounds' worth of time go by: blocks, or seconds.
func (m *Match) pass(units uint64) {
	if units == 0 {
		return
	}
	if m.opt.UseTimestamps {
		_ = m.d.Chain.Sim.AdjustTime(time.Duration(units) * time.Second)
		return
	}
	m.d.Chain.Mine(int(units))
}

// Round plays one round: the party on turn moves (or not), then the other
// side claims a timeout if the rules allow it.
func (m *Match) Round() error {
	d, res, k, opt := m.d, m.res, m.k, m.opt
	m.round++
	gv, err := d.ReadView(res.ID)
	if err != nil {
		return err
	}
	if gv.Status == StatusOver {
		return m.finish()
	}
	if m.round > opt.MaxRounds {
		return errors.New("game not over after the driver's round bound")
	}
	side := dispute.Side(gv.Turn)
	v := dispute.View{Seq: gv.Seq, Round: uint64(m.round - 1), Turn: side, K: k, Steps: m.steps, Lo: gv.Lo, Hi: gv.Hi,
		Gindex: gv.Gindex, LoRoot: gv.LoRoot, HiRoot: [2][32]byte{gv.DefenderRoot, gv.ChallengerRoot},
		Clock: [2]uint64{gv.ClockLeft[0] / opt.Round, gv.ClockLeft[1] / opt.Round}}
	var split [][32]byte
	if side == dispute.Challenger {
		if split, err = d.splitRoots(res.ID, gv.Seq-1, m.startBlock); err != nil {
			return err
		}
		v.Points = dispute.Split(gv.Lo, gv.Hi, k)
		v.Roots = append(append([][32]byte{gv.LoRoot}, split...), gv.DefenderRoot)
	}
	mv, merr := m.parties[side].Move(v)
	rec := MoveRecord{Round: uint64(m.round), Side: side, Move: mv}
	if merr != nil {
		rec.Err = merr.Error()
		mv = nil
	}
	if mv != nil {
		var tx Tx
		switch mv.Kind {
		case dispute.KindSplit:
			rec.Method = "split"
			tx, err = d.Game.Send(acct[side], nil, "split", res.ID, mv.Seq, mv.Roots)
		case dispute.KindPick:
			rec.Method = "pick"
			tx, err = d.Game.Send(acct[side], nil, "pick", res.ID, mv.Seq, mv.Index, mv.Root, split)
		case dispute.KindProof:
			rec.Method = "prove"
			tx, err = d.Game.Send(acct[side], nil, "prove", res.ID, mv.Seq, mv.Proof)
		default:
			err = fmt.Errorf("move of unknown kind %v", mv.Kind)
		}
		if err != nil {
			return fmt.Errorf("round %d: %w", m.round, err)
		}
		rec.Gas, rec.Calldata, rec.Block = tx.Gas, tx.Calldata, tx.Receipt.BlockNumber.Uint64()
		res.GasBySide[side] += tx.Gas
		if tx.Reverted != nil {
			rec.Err = tx.Reverted.Error()
			m.pass(opt.Round - 1) // the rest of the wasted round
		}
	} else {
		m.pass(opt.Round) // the round passes without a move
	}
	if opt.OnRound != nil {
		opt.OnRound(rec)
	}
	res.Rounds = append(res.Rounds, rec)
	// the side waiting claims the timeout as soon as the rules allow it
	if (mv == nil || rec.Err != "") && d.Game.Try(acct[side.Other()], "claimTimeout", res.ID) {
		tx, err := d.Game.Send(acct[side.Other()], nil, "claimTimeout", res.ID)
		if err != nil {
			return err
		}
		tr := MoveRecord{Round: uint64(m.round), Side: side.Other(), Method: "claimTimeout", Gas: tx.Gas, Calldata: tx.Calldata, Block: tx.Receipt.BlockNumber.Uint64()}
		if tx.Reverted != nil {
			tr.Err = tx.Reverted.Error()
		}
		res.GasBySide[side.Other()] += tx.Gas
		if opt.OnRound != nil {
			opt.OnRound(tr)
		}
		res.Rounds = append(res.Rounds, tr)
	}
	if gv, err = d.ReadView(res.ID); err != nil {
		return err
	}
	if gv.Status == StatusOver {
		return m.finish()
	}
	return nil
}

// finish reads the outcome and where the bonds went.
func (m *Match) finish() error {
	d, res := m.d, m.res
	gv, err := d.ReadView(res.ID)
	if err != nil {
		return err
	}
	res.Winner = dispute.Side(gv.Winner)
	res.Reason = ReasonNames[gv.Reason]
	res.Lo = gv.Lo
	for s, a := range acct {
		c, err := d.credit(a)
		if err != nil {
			return err
		}
		res.Credit[s] = new(big.Int).Sub(c, m.before[s])
	}
	m.over = true
	return nil
}

// credit reads account a's credit in the game contract.
func (d *Deployment) credit(a int) (*big.Int, error) {
	out, err := d.Game.View("credit", d.Chain.Address(a))
	if err != nil {
		return nil, err
	}
	return out[0].(*big.Int), nil
}
