// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";

/// @notice A proof was malformed or dishonest: `field` names the part of the
/// proof, `at` its byte offset, `why` what is wrong (dispute.ErrBadProof).
error Rejected(string field, uint256 at, string why);
/// @notice A valid proof of a step this verifier does not cover
/// (dispute.ErrNotProvable).
error NotProvable(string what);

/// @notice A function record (docs/state-commitment.md §4).
struct Fn {
    bool host;
    uint256 index;
    uint256 typeId;
    uint256 params;
    uint256 locals;
    uint256 results;
    uint256 frameSize;
    uint256 mem;
    uint256 numOps;
    uint256 codeLeaves;
    bytes32 codeRoot;
    uint256 segBase;
    uint256 nElems;
}

/// @notice The verifier's view of one step, as dispute/verify.go's vm: the
/// proof cursor, the state encoding being turned from pre into post (edited
/// in place, label included, so post = keccak256(st)), the running function
/// and op, and the opened top of the value stack.
struct VM {
    bytes st; // the 343-byte state encoding, label included
    bytes aux; // the 127-byte aux encoding, label included, once opened (else empty)
    uint256 base; // calldata position of the proof's byte 0
    uint256 len; // proof length
    uint256 off; // cursor: bytes of the proof read so far
    Fn fn;
    uint256 kind;
    uint256 opOffset;
    uint256 a;
    uint256 b;
    uint256 c;
    bytes32 opLeaf;
    uint256[] win; // opened operands, bottom first; capacity win.length, in use wlen
    uint256 wlen;
    bytes32 below; // chain hash under the window
    bool trapped;
    bool stackSet; // a call or return computed the value-stack hash itself
    bool pending; // the state's pending flag: the step of an entry host function
}

/// @title Machine: the state commitment and the proof reader shared by all provers
/// @notice Mirrors dispute/verify.go, verify_reader.go and verify_state.go.
/// Offsets are those of docs/state-commitment.md §1 (state, with its label)
/// and of the aux encoding.
library Machine {
    // ---- the state encoding (343 bytes, label included) ----
    uint256 internal constant ST_STATUS = 16;
    uint256 internal constant ST_TRAP = 17;
    uint256 internal constant ST_PENDING = 18;
    uint256 internal constant ST_STEPS = 19;
    uint256 internal constant ST_ENTRY = 27;
    uint256 internal constant ST_MAXSTEPS = 31;
    uint256 internal constant ST_MAXSTACK = 39;
    uint256 internal constant ST_MAXDEPTH = 43;
    uint256 internal constant ST_TRAPFUNC = 47;
    uint256 internal constant ST_TRAPOFF = 51;
    uint256 internal constant ST_SP = 55;
    uint256 internal constant ST_DEPTH = 59;
    uint256 internal constant ST_FRAME = 63; // the running frame record, 76 bytes
    uint256 internal constant F_ADDR = 63;
    uint256 internal constant F_PC = 67;
    uint256 internal constant F_FP = 71;
    uint256 internal constant F_LOCALS = 75;
    uint256 internal constant F_BASE = 107;
    uint256 internal constant ST_STACK = 139;
    uint256 internal constant ST_FRAMES = 171;
    uint256 internal constant ST_NFUNCS = 203;
    uint256 internal constant ST_FUNCS = 207;
    uint256 internal constant ST_NGLOBALS = 239;
    uint256 internal constant ST_GLOBALS = 243;
    uint256 internal constant ST_NMEMS = 275;
    uint256 internal constant ST_MEMS = 279;
    uint256 internal constant ST_AUX = 311;
    uint256 internal constant ST_SIZE = 343;
    uint256 internal constant STATE_BODY = 327; // without the 16-byte label
    uint256 internal constant FRAME_REC = 76;
    uint256 internal constant FUNC_REC = 77;

    // ---- the aux encoding (127 bytes, label included) ----
    uint256 internal constant AX_NTABLES = 14;
    uint256 internal constant AX_TABLES = 18;
    uint256 internal constant AX_NSEGS = 50;
    uint256 internal constant AX_SEGS = 54;
    uint256 internal constant AX_HOSTMODE = 86;
    uint256 internal constant AX_NTAPE = 87;
    uint256 internal constant AX_TAPE = 91;
    uint256 internal constant AX_CURSOR = 123;
    uint256 internal constant AX_SIZE = 127;
    uint256 internal constant AUX_BODY = 113;

    uint256 internal constant RUNNING = 1;
    uint256 internal constant DONE = 2;
    uint256 internal constant TRAPPED = 3;

    uint256 internal constant TRAP_UNREACHABLE = 1;
    uint256 internal constant TRAP_OOB_MEMORY = 5;
    uint256 internal constant TRAP_OOB_TABLE = 6;
    uint256 internal constant TRAP_INDIRECT_MISMATCH = 7;
    uint256 internal constant TRAP_UNINITIALIZED = 8;
    uint256 internal constant TRAP_UNDEFINED = 9;
    uint256 internal constant TRAP_CALL_STACK = 10;
    uint256 internal constant TRAP_VALUE_STACK = 11;
    uint256 internal constant TRAP_STEP_LIMIT = 12;

    uint8 internal constant PROOF_VERSION = 3;

    // ---- big-endian fields of a memory byte string ----

    function get(bytes memory b, uint256 off, uint256 width) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, mul(8, width)), mload(add(add(b, 32), off)))
        }
    }

    function set(bytes memory b, uint256 off, uint256 width, uint256 v) internal pure {
        assembly ("memory-safe") {
            let p := add(add(b, 32), off)
            let sh := sub(256, mul(8, width))
            let mask := shl(sh, sub(shl(mul(8, width), 1), 1))
            mstore(p, or(and(mload(p), not(mask)), and(shl(sh, v), mask)))
        }
    }

    function getW(bytes memory b, uint256 off) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(add(b, 32), off))
        }
    }

    function setW(bytes memory b, uint256 off, bytes32 v) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(b, 32), off), v)
        }
    }

    // ---- the proof reader ----

    /// @notice Consumes n bytes and returns their calldata position.
    function take(VM memory v, uint256 n, string memory what) internal pure returns (uint256 pos) {
        if (n > v.len - v.off) revert Rejected(what, v.off, "the proof ends first");
        pos = v.base + v.off;
        v.off += n;
    }

    function cdUint(uint256 pos, uint256 width) internal pure returns (uint256 x) {
        assembly ("memory-safe") {
            x := shr(sub(256, mul(8, width)), calldataload(pos))
        }
    }

    function cdWord(uint256 pos) internal pure returns (bytes32 x) {
        assembly ("memory-safe") {
            x := calldataload(pos)
        }
    }

    function readUint(VM memory v, uint256 width, string memory what) internal pure returns (uint256) {
        return cdUint(take(v, width, what), width);
    }

    function readWord(VM memory v, string memory what) internal pure returns (bytes32) {
        return cdWord(take(v, 32, what));
    }

    /// @notice Reads `depth` siblings and returns their calldata position.
    function siblings(VM memory v, uint256 depth, string memory what) internal pure returns (uint256) {
        return take(v, 32 * depth, what);
    }

    /// @notice keccak256(label[:llen] || calldata[pos:pos+n]).
    function hashCd(bytes32 label, uint256 llen, uint256 pos, uint256 n) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            calldatacopy(add(p, llen), pos, n)
            h := keccak256(p, add(llen, n))
        }
    }

    /// @notice Reads a 32-byte leaf and its siblings and checks they fold to
    /// root at index; returns the leaf and the siblings' position.
    function leafProof(VM memory v, Dom memory d, uint256 depth, uint256 index, bytes32 root, string memory what)
        internal
        pure
        returns (bytes32 leaf, uint256 sib)
    {
        uint256 start = v.off;
        leaf = readWord(v, what);
        sib = siblings(v, depth, what);
        (bytes32 got, bool ok) = Hashing.foldCd(d, index, leaf, sib, depth);
        if (!ok || got != root) revert Rejected(what, start, "does not fold to the committed root");
    }

    /// @notice leafProof for a value leaf (8 bytes encoded).
    function valueProof(VM memory v, Dom memory d, uint256 depth, uint256 index, bytes32 root, string memory what)
        internal
        pure
        returns (uint256 x, uint256 sib)
    {
        uint256 start = v.off;
        x = readUint(v, 8, what);
        sib = siblings(v, depth, what);
        (bytes32 got, bool ok) = Hashing.foldCd(d, index, bytes32(x), sib, depth);
        if (!ok || got != root) revert Rejected(what, start, "does not fold to the committed root");
    }

    /// @notice The root after replacing a verified leaf (its siblings at sib).
    function refold(Dom memory d, uint256 index, bytes32 leaf, uint256 sib, uint256 depth)
        internal
        pure
        returns (bytes32 r)
    {
        (r,) = Hashing.foldCd(d, index, leaf, sib, depth);
    }

    // ---- the step's prefix: header, state, instruction, window, fuel, aux ----

    /// @notice Opens the proof up to the op-specific extras. On return either
    /// the step already trapped on fuel (v.trapped), or v.pending is set (the
    /// caller runs the entry host function), or the op is to be executed.
    function begin(bytes32 pre, bytes calldata proof) internal pure returns (VM memory v) {
        uint256 pos;
        assembly ("memory-safe") {
            pos := proof.offset
        }
        v.base = pos;
        v.len = proof.length;
        // ---- header ----
        if (readUint(v, 1, "version") != PROOF_VERSION) revert Rejected("version", 0, "want 0x03");
        // ---- state ----
        pos = take(v, STATE_BODY, "state");
        v.st = new bytes(ST_SIZE);
        bytes memory st = v.st;
        bytes32 label = "referee/state/v3";
        assembly ("memory-safe") {
            mstore(add(st, 32), label)
            calldatacopy(add(st, 48), pos, 327)
        }
        if (keccak256(st) != pre) revert Rejected("state", 1, "does not hash to the pre-state root");
        if (get(st, ST_STATUS, 1) != RUNNING) revert Rejected("state", 1, "the machine is not running");
        if (get(st, ST_PENDING, 1) != 0) {
            v.pending = true;
            return v;
        }
        // ---- instruction: function record and op, with their proofs ----
        readInstruction(v);
        // ---- value stack window ----
        readWindow(v);
        unchecked {
            uint256 steps = uint64(get(st, ST_STEPS, 8) + 1);
            set(st, ST_STEPS, 8, steps);
            uint256 maxSteps = get(st, ST_MAXSTEPS, 8);
            if (maxSteps != 0 && uint64(steps - 1) >= maxSteps) {
                trap(v, TRAP_STEP_LIMIT);
                return v;
            }
        }
        // ---- aux: tables, segments and the host tape, if the op reads them ----
        if (needsAux(v)) openAux(v);
    }

    /// @notice Checks the proof was read to its end and returns the post root.
    function finish(VM memory v) internal pure returns (bytes32) {
        bytes memory st = v.st;
        if (!v.pending && !v.trapped && get(st, ST_STATUS, 1) == RUNNING && !v.stackSet) {
            setW(st, ST_STACK, chain(v));
        }
        if (v.off != v.len) revert Rejected("end", v.off, "trailing bytes");
        if (v.aux.length != 0) setW(st, ST_AUX, keccak256(v.aux));
        return keccak256(st);
    }

    function needsAux(VM memory v) internal pure returns (bool) {
        uint256 k = v.kind;
        if (
            k == 0x11 || k == 0x25 || k == 0x26 || k == 0xFC10 || k == 0xFC0F || k == 0xFC11 || k == 0xFC0E
                || k == 0xFC0C || k == 0xFC0D || k == 0xFC08 || k == 0xFC09
        ) return true;
        return k == 0x10 && calleeHost(v);
    }

    /// @notice Reads the aux encoding and checks it against the state's aux hash.
    function openAux(VM memory v) internal pure {
        uint256 start = v.off;
        uint256 pos = take(v, AUX_BODY, "aux");
        v.aux = new bytes(AX_SIZE);
        bytes memory ax = v.aux;
        bytes32 label = "referee/aux/v2";
        assembly ("memory-safe") {
            mstore(add(ax, 32), label)
            calldatacopy(add(ax, 46), pos, 113)
        }
        if (keccak256(ax) != getW(v.st, ST_AUX)) revert Rejected("aux", start, "does not hash to the state's aux hash");
    }

    /// @notice Decodes a function record at calldata position pos.
    function decodeFn(uint256 pos) internal pure returns (Fn memory f) {
        f.host = cdUint(pos, 1) != 0;
        f.index = cdUint(pos + 1, 4);
        f.typeId = cdUint(pos + 5, 4);
        f.params = cdUint(pos + 9, 4);
        f.locals = cdUint(pos + 13, 4);
        f.results = cdUint(pos + 17, 4);
        f.frameSize = cdUint(pos + 21, 4);
        f.mem = cdUint(pos + 25, 4);
        f.numOps = cdUint(pos + 29, 4);
        f.codeLeaves = cdUint(pos + 33, 4);
        f.codeRoot = cdWord(pos + 37);
        f.segBase = cdUint(pos + 69, 4);
        f.nElems = cdUint(pos + 73, 4);
    }

    /// @notice Reads the running function's record and the op at pc.
    function readInstruction(VM memory v) internal pure {
        bytes memory st = v.st;
        uint256 start = v.off;
        uint256 rec = take(v, FUNC_REC, "function record");
        uint256 depth = Hashing.depthFor(get(st, ST_NFUNCS, 4));
        uint256 sib = siblings(v, depth, "function siblings");
        bytes32 leaf = hashCd("referee/func/v1", 15, rec, FUNC_REC);
        (bytes32 got, bool ok) = Hashing.foldCd(Hashing.funcsDom(), get(st, F_ADDR, 4), leaf, sib, depth);
        if (!ok || got != getW(st, ST_FUNCS)) revert Rejected("function record", start, "does not fold to the functions root");
        v.fn = decodeFn(rec);
        uint256 pc = get(st, F_PC, 4);
        if (v.fn.host || pc >= v.fn.numOps) revert Rejected("function record", start, "no such op");
        (bytes32 op,) = leafProof(v, Hashing.codeDom(), Hashing.depthFor(v.fn.codeLeaves), pc, v.fn.codeRoot, "op");
        v.opLeaf = op;
        uint256 w = uint256(op);
        v.kind = w >> 240;
        v.opOffset = (w >> 208) & 0xffffffff;
        v.a = (w >> 176) & 0xffffffff;
        v.b = (w >> 144) & 0xffffffff;
        v.c = (w >> 80) & 0xffffffffffffffff;
    }

    /// @notice A call's callee shape from its op leaf: kind byte 22.
    function calleeHost(VM memory v) internal pure returns (bool) {
        return uint8(v.opLeaf[22]) != 0;
    }

    /// @notice The callee's result count: bytes 23..26 of a call leaf.
    function calleeResults(VM memory v) internal pure returns (uint256) {
        return (uint256(v.opLeaf) >> 40) & 0xffffffff;
    }

    /// @notice Reads the opened top of the value stack and checks it folds to
    /// the committed value-stack hash.
    function readWindow(VM memory v) internal pure {
        uint256 start = v.off;
        uint256 k = readUint(v, 2, "stack window count");
        v.below = readWord(v, "stack window hash below");
        uint256 pos = take(v, 8 * k, "stack window");
        v.win = new uint256[](k + 4);
        for (uint256 i = 0; i < k; i++) v.win[i] = cdUint(pos + 8 * i, 8);
        v.wlen = k;
        if (chain(v) != getW(v.st, ST_STACK)) revert Rejected("stack window", start, "does not fold to the value-stack hash");
    }

    function chainPush(bytes32 below, uint256 bits) internal pure returns (bytes32 h) {
        bytes32 label = "referee/stack/v1";
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, 16), below)
            mstore(add(p, 48), shl(192, bits))
            h := keccak256(p, 56)
        }
    }

    /// @notice Folds the window onto the hash below it.
    function chain(VM memory v) internal pure returns (bytes32 h) {
        h = v.below;
        uint256[] memory w = v.win;
        for (uint256 i = 0; i < v.wlen; i++) h = chainPush(h, w[i]);
    }

    function pop(VM memory v) internal pure returns (uint256 x) {
        if (v.wlen == 0) revert Rejected("stack window too short", v.off, "");
        v.wlen--;
        x = v.win[v.wlen];
        unchecked {
            set(v.st, ST_SP, 4, uint32(get(v.st, ST_SP, 4) - 1));
        }
    }

    function push(VM memory v, uint256 x) internal pure {
        if (v.wlen == v.win.length) {
            uint256[] memory w = new uint256[](2 * v.wlen + 4);
            for (uint256 i = 0; i < v.wlen; i++) w[i] = v.win[i];
            v.win = w;
        }
        v.win[v.wlen] = x;
        v.wlen++;
        unchecked {
            set(v.st, ST_SP, 4, uint32(get(v.st, ST_SP, 4) + 1));
        }
    }

    /// @notice Ends the call with trap kind k at the current op.
    function trap(VM memory v, uint256 k) internal pure {
        trapAt(v.st, k, v.fn.index, v.opOffset);
        v.trapped = true;
    }

    /// @notice The state after a trap: the stack, frames and running frame are
    /// no longer committed.
    function trapAt(bytes memory st, uint256 k, uint256 fn, uint256 off) internal pure {
        set(st, ST_STATUS, 1, TRAPPED);
        set(st, ST_TRAP, 1, k);
        set(st, ST_TRAPFUNC, 4, fn);
        set(st, ST_TRAPOFF, 4, off);
        set(st, ST_ENTRY, 4, 0);
        set(st, ST_SP, 4, 0);
        set(st, ST_DEPTH, 4, 0);
        clearFrames(st);
    }

    /// @notice Zeroes the running frame, the value stack and the frame chain
    /// (bytes 63 … 202).
    function clearFrames(bytes memory st) internal pure {
        assembly ("memory-safe") {
            let p := add(add(st, 32), 63)
            mstore(p, 0)
            mstore(add(p, 32), 0)
            mstore(add(p, 64), 0)
            mstore(add(p, 96), 0)
            // bytes 191 … 202: keep the function count (203) intact
            let q := add(p, 128)
            mstore(q, and(mload(q), 0x000000000000000000000000ffffffffffffffffffffffffffffffffffffffff))
        }
    }

    /// @notice Moves to the next op.
    function next(VM memory v) internal pure {
        unchecked {
            set(v.st, F_PC, 4, uint32(get(v.st, F_PC, 4) + 1));
        }
    }
}
