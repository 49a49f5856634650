// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IStepChecker} from "./IStepChecker.sol";

/// @title DisputeGame: referee's k-ary dispute game on chain (docs/dispute.md)
/// @notice A defender claims root D for the state after `steps` steps from an
/// agreed initial root and posts a bond; a challenger claims C != D and
/// posts the same bond. The defender splits the disputed interval [lo, hi]
/// into m = min(k, hi-lo) parts, posting its roots at the m-1 interior
/// points; the challenger picks the first part whose end root it disagrees
/// with and states its own root there; at one step the defender submits a
/// one-step proof, checked by the game's IStepChecker (OneStepVerifier for
/// reference-machine traces). The winner takes both bonds (credit, then
/// withdraw). Many games run at once in one deployment.
///
/// Time is real: each side has a chess clock in blocks (or seconds when
/// useTimestamps) of (its moves at the deepest narrowing + grace) rounds of
/// `round` units, which runs while it is on turn; it loses by timeout once the
/// clock is used up, and for stalling once `maxIdle` rounds pass on one turn
/// without its move. Anyone may claim either. An invalid move reverts and
/// changes nothing (its sender's clock keeps running), so on chain a
/// rejected move costs time, as a wasted round costs it in dispute.Game.
///
/// Equivocation loses at once: a move for a slot (seq) already filled by the
/// same side that differs from the recorded one (an identical re-send is
/// ignored), or a challenger's root at the interval's end other than the one
/// it stated there. Every accepted move's hash is kept by slot: the hash of
/// its binary encoding of docs/dispute.md (kind byte, 8-byte seq, body).
contract DisputeGame {
    enum Status {
        None,
        Open, // claimed, waiting for a challenger
        Running,
        Over
    }

    enum Reason {
        None,
        ProofValid, // the one-step proof checked: the challenger loses
        ProofInvalid, // the proof failed: the defender loses
        Timeout,
        Stalling,
        Equivocation,
        Unchallenged // no challenger came within the window: the defender keeps its bond
    }

    uint8 internal constant DEFENDER = 0;
    uint8 internal constant CHALLENGER = 1;
    uint8 internal constant KIND_SPLIT = 1;
    uint8 internal constant KIND_PICK = 2;
    uint8 internal constant KIND_PROOF = 3;
    uint256 internal constant MAX_K = 1024;
    uint256 internal constant MAX_STEPS = 1 << 48;
    /// @notice Gas a proof check must be able to use, so that a proof move
    /// sent with too little gas reverts instead of losing by out-of-gas.
    uint256 public constant MIN_CHECK_GAS = 1_000_000;

    struct Config {
        uint16 k;
        uint64 steps;
        bytes32 initial;
        IStepChecker checker;
        uint64 round; // blocks (or seconds) per round
        uint64 grace; // spare rounds per side (0: 8)
        uint64 maxIdle; // rounds on one turn before stalling (0: 3)
        uint64 window; // rounds a claim waits for a challenger
        bool useTimestamps;
    }

    struct Game {
        Config cfg;
        address[2] party;
        uint256 bond;
        Status status;
        uint8 turn;
        uint8 winner;
        Reason reason;
        uint64 lo;
        uint64 hi;
        uint64 gindex;
        uint64 seq;
        uint64 turnStart;
        uint64[2] used;
        uint64[2] budget;
        bytes32 loRoot;
        bytes32[2] hiRoot;
        mapping(uint64 => bytes32) moves; // hash of each accepted move, by seq
    }

    mapping(uint256 => Game) internal games;
    uint256 public gameCount;
    /// @notice Bonds won and not yet withdrawn.
    mapping(address => uint256) public credit;

    event Claimed(uint256 indexed id, address indexed defender, bytes32 root, uint256 bond);
    event Challenged(uint256 indexed id, address indexed challenger, bytes32 root);
    event Split(uint256 indexed id, uint64 seq, uint64 lo, uint64 hi, bytes32[] roots);
    event Picked(uint256 indexed id, uint64 seq, uint32 index, bytes32 root, uint64 lo, uint64 hi);
    event Proved(uint256 indexed id, uint64 seq, uint64 step, bool valid);
    event Ended(uint256 indexed id, uint8 winner, Reason reason);

    error BadConfig(string why);
    error BadMove(string why);
    error NotYourTurn();
    error WrongStatus(Status status);

    // ---- claims ----

    /// @notice Opens a game: the sender is the defender, claiming root after
    /// cfg.steps steps; msg.value is the bond each side posts.
    function claim(Config calldata cfg, bytes32 root) external payable returns (uint256 id) {
        if (cfg.k < 2 || cfg.k > MAX_K) revert BadConfig("k not in 2..1024");
        if (cfg.steps < 1 || cfg.steps > MAX_STEPS) revert BadConfig("steps not in 1..2^48");
        if (address(cfg.checker) == address(0)) revert BadConfig("no step checker");
        if (cfg.round == 0) revert BadConfig("round is 0");
        id = gameCount++;
        Game storage g = games[id];
        g.cfg = cfg;
        if (g.cfg.grace == 0) g.cfg.grace = 8;
        if (g.cfg.maxIdle == 0) g.cfg.maxIdle = 3;
        g.party[DEFENDER] = msg.sender;
        g.bond = msg.value;
        g.status = Status.Open;
        g.hiRoot[DEFENDER] = root;
        g.turnStart = now_(g);
        emit Claimed(id, msg.sender, root, msg.value);
    }

    /// @notice Joins game id as challenger with a different root and the same bond.
    function challenge(uint256 id, bytes32 root) external payable {
        Game storage g = games[id];
        if (g.status != Status.Open) revert WrongStatus(g.status);
        if (msg.value != g.bond) revert BadMove("bond differs from the defender's");
        if (root == g.hiRoot[DEFENDER]) revert BadMove("no dispute: the claims are equal");
        if (now_(g) - g.turnStart > g.cfg.window * g.cfg.round) revert BadMove("the challenge window is over");
        g.party[CHALLENGER] = msg.sender;
        g.hiRoot[CHALLENGER] = root;
        g.status = Status.Running;
        g.lo = 0;
        g.hi = g.cfg.steps;
        g.gindex = 1;
        g.loRoot = g.cfg.initial;
        uint64 d = depth(g.cfg.steps, g.cfg.k);
        g.budget[DEFENDER] = (d + 1 + g.cfg.grace) * g.cfg.round;
        g.budget[CHALLENGER] = (d + g.cfg.grace) * g.cfg.round;
        g.turn = DEFENDER;
        g.turnStart = now_(g);
        emit Challenged(id, msg.sender, root);
    }

    /// @notice Ends a claim nobody challenged within its window: the defender
    /// keeps its bond.
    function claimUnchallenged(uint256 id) external {
        Game storage g = games[id];
        if (g.status != Status.Open) revert WrongStatus(g.status);
        if (now_(g) - g.turnStart <= g.cfg.window * g.cfg.round) revert BadMove("the challenge window is open");
        end(id, g, DEFENDER, Reason.Unchallenged, g.bond);
    }

    // ---- moves ----

    /// @notice Defender: its roots at the interior split points of [lo, hi].
    function split(uint256 id, uint64 seq, bytes32[] calldata roots) external {
        Game storage g = games[id];
        bytes32 h = keccak256(abi.encodePacked(KIND_SPLIT, seq, roots));
        if (past(id, g, DEFENDER, seq, h) || !onTime(id, g, DEFENDER)) return;
        if (g.hi - g.lo <= 1) revert BadMove("one step left: prove it");
        uint256 m = parts(g.lo, g.hi, g.cfg.k);
        if (roots.length != m - 1) revert BadMove("wrong number of roots");
        accept(g, h);
        emit Split(id, seq, g.lo, g.hi, roots);
    }

    /// @notice Challenger: picks sub-interval index of the last split (whose
    /// roots it passes back) and states its root at the sub-interval's end.
    function pick(uint256 id, uint64 seq, uint32 index, bytes32 root, bytes32[] calldata splitRoots) external {
        Game storage g = games[id];
        bytes32 h = keccak256(abi.encodePacked(KIND_PICK, seq, index, root));
        if (past(id, g, CHALLENGER, seq, h) || !onTime(id, g, CHALLENGER)) return;
        if (keccak256(abi.encodePacked(KIND_SPLIT, seq - 1, splitRoots)) != g.moves[seq - 1]) {
            revert BadMove("split roots differ from the defender's split");
        }
        uint256 m = splitRoots.length + 1;
        if (index >= m) revert BadMove("no such sub-interval");
        bytes32 endRoot = index + 1 == m ? g.hiRoot[DEFENDER] : splitRoots[index];
        if (root == endRoot) revert BadMove("the root equals the defender's");
        if (index + 1 == m && root != g.hiRoot[CHALLENGER]) {
            // a second root for the interval's end, where it stated another
            return end(id, g, DEFENDER, Reason.Equivocation, 2 * g.bond);
        }
        uint64 n = g.hi - g.lo;
        uint64 newLo = g.lo + uint64((uint256(index) * n) / m);
        uint64 newHi = g.lo + uint64((uint256(index + 1) * n) / m);
        if (index > 0) g.loRoot = splitRoots[index - 1];
        g.hiRoot[DEFENDER] = endRoot;
        g.hiRoot[CHALLENGER] = root;
        g.lo = newLo;
        g.hi = newHi;
        g.gindex = uint64(g.cfg.k) * (g.gindex - 1) + 2 + index;
        accept(g, h);
        emit Picked(id, seq, index, root, newLo, newHi);
    }

    /// @notice Defender, at one step: the one-step proof of step lo+1 from
    /// the agreed root at lo to its root at hi.
    function prove(uint256 id, uint64 seq, bytes calldata proof) external {
        Game storage g = games[id];
        bytes32 h = keccak256(abi.encodePacked(KIND_PROOF, seq, uint32(proof.length), proof));
        if (past(id, g, DEFENDER, seq, h) || !onTime(id, g, DEFENDER)) return;
        if (g.hi - g.lo != 1) revert BadMove("more than one step left: split");
        if (gasleft() < MIN_CHECK_GAS) revert BadMove("too little gas to check the proof");
        bool valid;
        uint256 before = gasleft();
        try g.cfg.checker.checkStep(g.lo, g.loRoot, g.hiRoot[DEFENDER], proof) returns (bool ok) {
            valid = ok;
        } catch {
            // a checker that ran out of the gas it was given says nothing
            if (gasleft() <= before / 64) revert BadMove("the proof check ran out of gas");
        }
        g.moves[seq] = h;
        g.seq = seq + 1;
        emit Proved(id, seq, g.lo, valid);
        if (valid) end(id, g, DEFENDER, Reason.ProofValid, 2 * g.bond);
        else end(id, g, CHALLENGER, Reason.ProofInvalid, 2 * g.bond);
    }

    /// @notice Ends a game whose party on turn let its clock run out
    /// (timeout) or let maxIdle rounds pass on this turn (stalling).
    function claimTimeout(uint256 id) external {
        Game storage g = games[id];
        if (g.status != Status.Running) revert WrongStatus(g.status);
        if (onTime(id, g, g.turn)) revert BadMove("the clock is still running");
    }

    /// @notice Sends the sender its credit.
    function withdraw() external {
        uint256 c = credit[msg.sender];
        credit[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: c}("");
        if (!ok) revert BadMove("transfer failed");
    }

    // ---- rules ----

    /// @notice A move for an earlier slot: ignored when it is the recorded
    /// move, equivocation when it differs. Returns true if the move was one.
    function past(uint256 id, Game storage g, uint8 side, uint64 seq, bytes32 h) internal returns (bool) {
        if (g.status != Status.Running) revert WrongStatus(g.status);
        if (msg.sender != g.party[side]) revert NotYourTurn();
        if (seq > g.seq) revert BadMove("seq of a slot not open yet");
        if (seq == g.seq) {
            if (g.turn != side) revert NotYourTurn();
            return false;
        }
        // slots alternate defender, challenger, … from seq 0
        if (seq % 2 != side) revert BadMove("the slot is the other side's");
        if (g.moves[seq] != h) end(id, g, 1 - side, Reason.Equivocation, 2 * g.bond);
        return true;
    }

    /// @notice Charges the time since the turn started to side's clock and
    /// reports whether it is still within it; if not, side loses.
    function onTime(uint256 id, Game storage g, uint8 side) internal returns (bool) {
        uint64 elapsed = now_(g) - g.turnStart;
        if (g.used[side] + elapsed > g.budget[side]) {
            end(id, g, 1 - side, Reason.Timeout, 2 * g.bond);
            return false;
        }
        if (elapsed > g.cfg.maxIdle * g.cfg.round) {
            end(id, g, 1 - side, Reason.Stalling, 2 * g.bond);
            return false;
        }
        return true;
    }

    /// @notice Records an accepted move and passes the turn.
    function accept(Game storage g, bytes32 h) internal {
        uint64 t = now_(g);
        g.used[g.turn] += t - g.turnStart;
        g.turnStart = t;
        g.moves[g.seq] = h;
        g.seq++;
        g.turn = 1 - g.turn;
    }

    function end(uint256 id, Game storage g, uint8 winner, Reason r, uint256 payout) internal {
        g.status = Status.Over;
        g.winner = winner;
        g.reason = r;
        credit[g.party[winner]] += payout;
        emit Ended(id, winner, r);
    }

    function now_(Game storage g) internal view returns (uint64) {
        return g.cfg.useTimestamps ? uint64(block.timestamp) : uint64(block.number);
    }

    /// @notice min(k, hi-lo): an interval shorter than k splits into single steps.
    function parts(uint64 lo, uint64 hi, uint256 k) internal pure returns (uint256) {
        uint256 n = hi - lo;
        return n < k ? n : k;
    }

    /// @notice The most splits a game over n steps can take (dispute.Depth).
    function depth(uint64 n, uint256 k) public pure returns (uint64 d) {
        while (n > 1) {
            uint64 m = n < k ? n : uint64(k);
            n = (n + m - 1) / m;
            d++;
        }
    }

    // ---- views ----

    struct View {
        Status status;
        uint8 turn;
        uint8 winner;
        Reason reason;
        uint64 lo;
        uint64 hi;
        uint64 gindex;
        uint64 seq;
        bytes32 loRoot;
        bytes32 defenderRoot; // at hi
        bytes32 challengerRoot; // at hi
        uint64[2] clockLeft; // of each side, not counting the running turn
        uint64 turnStart;
        address defender;
        address challenger;
        uint256 bond;
    }

    function view_(uint256 id) external view returns (View memory v) {
        Game storage g = games[id];
        v.status = g.status;
        v.turn = g.turn;
        v.winner = g.winner;
        v.reason = g.reason;
        v.lo = g.lo;
        v.hi = g.hi;
        v.gindex = g.gindex;
        v.seq = g.seq;
        v.loRoot = g.loRoot;
        v.defenderRoot = g.hiRoot[DEFENDER];
        v.challengerRoot = g.hiRoot[CHALLENGER];
        v.clockLeft = [g.budget[0] - g.used[0], g.budget[1] - g.used[1]];
        v.turnStart = g.turnStart;
        v.defender = g.party[DEFENDER];
        v.challenger = g.party[CHALLENGER];
        v.bond = g.bond;
    }

    function config(uint256 id) external view returns (Config memory) {
        return games[id].cfg;
    }
}
