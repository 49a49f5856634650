// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";
import {Fn, VM, Machine, Rejected, NotProvable} from "./Machine.sol";

/// @title Control: branches, calls of Wasm functions, returns, variables and
/// constants (dispute/verify_exec.go)
library Control {
    using Machine for VM;

    uint256 internal constant RET_TARGET = 0xffffffff;

    /// @notice Executes a control, variable, constant or parametric op;
    /// returns false if k is none of them.
    function exec(VM memory v) internal pure returns (bool) {
        uint256 k = v.kind;
        if (k == 0x00) {
            // unreachable: traps
            v.trap(Machine.TRAP_UNREACHABLE);
        } else if (k == 0x01 || k == 0x02 || k == 0x03 || k == 0x0b) {
            // nop, block, loop, end: no effect
            v.next();
        } else if (k == 0x04) {
            // if: pops i32 cond; false jumps to a
            if (uint32(v.pop()) == 0) Machine.set(v.st, Machine.F_PC, 4, v.a);
            else v.next();
        } else if (k == 0x05) {
            // else: jumps past end
            Machine.set(v.st, Machine.F_PC, 4, v.a);
        } else if (k == 0x0c) {
            // br: keeps b values, drops c below them, jumps to a
            branch(v, v.b, v.c);
            Machine.set(v.st, Machine.F_PC, 4, v.a);
        } else if (k == 0x0d) {
            // br_if: pops i32 cond; if non-zero, as br
            if (uint32(v.pop()) == 0) {
                v.next();
            } else {
                branch(v, v.b, v.c);
                Machine.set(v.st, Machine.F_PC, 4, v.a);
            }
        } else if (k == 0x0e) {
            brTable(v);
        } else if (k == 0x08) {
            // br_if to the function's label: pops i32 cond; if non-zero, returns
            if (uint32(v.pop()) == 0) v.next();
            else ret(v);
        } else if (k == 0x0f || k == 0x06 || k == 0x07) {
            // return, the final end, br to the function's label
            ret(v);
        } else if (k == 0x10) {
            // call: pops params, pushes the callee's frame (shape in the op leaf)
            if (v.calleeHost()) revert Rejected("call of a host function sent to the Wasm prover", v.off, "");
            Fn memory f;
            f.params = v.b;
            f.locals = v.c >> 32;
            f.frameSize = v.c & 0xffffffff;
            f.results = v.calleeResults();
            enter(v, v.a, f);
        } else if (k == 0x1a) {
            // drop: pops one value
            v.pop();
            v.next();
        } else if (k == 0x1b || k == 0x1c) {
            // select: pops c, v2, v1; pushes c ? v1 : v2
            uint256 c = v.pop();
            uint256 b = v.pop();
            uint256 a = v.pop();
            v.push(uint32(c) == 0 ? b : a);
            v.next();
        } else if (k == 0x20 || k == 0x21 || k == 0x22) {
            local(v);
        } else if (k == 0x23 || k == 0x24) {
            global(v);
        } else if (k == 0x41 || k == 0x42 || k == 0x43 || k == 0x44 || k == 0xd0 || k == 0xd2) {
            // constants, ref.null, ref.func: pushes c
            v.push(v.c);
            v.next();
        } else if (k == 0xd1) {
            // ref.is_null: pops a reference, pushes i32
            v.push(v.pop() == 0 ? 1 : 0);
            v.next();
        } else {
            return false;
        }
        return true;
    }

    /// @notice Keeps the top n values and drops `drop` values below them.
    function branch(VM memory v, uint256 n, uint256 drop) internal pure {
        if (n > v.wlen || drop > v.wlen || n + drop > v.wlen) revert Rejected("stack window too short for a branch", v.off, "");
        uint256[] memory w = v.win;
        uint256 from = v.wlen - n;
        uint256 to = from - drop;
        for (uint256 i = 0; i < n; i++) w[to + i] = w[from + i];
        v.wlen -= drop;
        unchecked {
            Machine.set(v.st, Machine.ST_SP, 4, uint32(Machine.get(v.st, Machine.ST_SP, 4) - drop));
        }
    }

    /// @notice br_table: pops i32 index; reads the chosen target, a code leaf
    /// after the ops.
    function brTable(VM memory v) internal pure {
        uint256 i = uint32(v.pop());
        if (v.b == 0) revert Rejected("br_table with no targets", v.off, "");
        if (i >= v.b - 1) i = v.b - 1;
        uint256 leafIdx = v.fn.numOps + v.a + i;
        if (leafIdx >= v.fn.codeLeaves) revert Rejected("br_table target outside the code", v.off, "");
        (bytes32 t,) =
            v.leafProof(Hashing.codeDom(), Hashing.depthFor(v.fn.codeLeaves), leafIdx, v.fn.codeRoot, "br_table target");
        uint256 w = uint256(t);
        uint256 pc = w >> 224;
        if (pc == RET_TARGET) return ret(v);
        branch(v, (w >> 192) & 0xffffffff, (w >> 160) & 0xffffffff);
        Machine.set(v.st, Machine.F_PC, 4, pc);
    }

    /// @notice Moves the results to the frame's base and pops the frame; the
    /// caller's record comes from the frame chain.
    function ret(VM memory v) internal pure {
        bytes memory st = v.st;
        uint256 n = v.fn.results;
        if (n > v.wlen) revert Rejected("stack window too short for the results", v.off, "");
        bytes32 h = Machine.getW(st, Machine.F_BASE);
        for (uint256 i = v.wlen - n; i < v.wlen; i++) h = Machine.chainPush(h, v.win[i]);
        v.stackSet = true;
        if (Machine.get(st, Machine.ST_DEPTH, 4) <= 1) {
            Machine.set(st, Machine.ST_STATUS, 1, Machine.DONE);
            Machine.set(st, Machine.ST_ENTRY, 4, 0);
            Machine.set(st, Machine.ST_DEPTH, 4, 0);
            Machine.set(st, Machine.ST_SP, 4, n);
            Machine.clearFrames(st);
            Machine.setW(st, Machine.ST_STACK, h);
            return;
        }
        // ---- caller frame: its record and the frame chain below it ----
        uint256 start = v.off;
        uint256 rec = v.take(Machine.FRAME_REC, "caller frame record");
        bytes32 below = v.readWord("frame chain hash below the caller");
        if (frameLink(below, rec) != Machine.getW(st, Machine.ST_FRAMES)) {
            revert Rejected("caller frame record", start, "does not hash to the frame chain");
        }
        unchecked {
            Machine.set(st, Machine.ST_SP, 4, uint32(Machine.get(st, Machine.F_FP, 4) + n));
            Machine.set(st, Machine.ST_DEPTH, 4, uint32(Machine.get(st, Machine.ST_DEPTH, 4) - 1));
        }
        assembly ("memory-safe") {
            calldatacopy(add(add(st, 32), 63), rec, 76)
        }
        Machine.setW(st, Machine.ST_FRAMES, below);
        Machine.setW(st, Machine.ST_STACK, h);
    }

    /// @notice H("referee/frames/v1" || below || record at calldata rec).
    function frameLink(bytes32 below, uint256 rec) internal pure returns (bytes32 h) {
        bytes32 label = "referee/frames/v1";
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, 17), below)
            calldatacopy(add(p, 49), rec, 76)
            h := keccak256(p, 125)
        }
    }

    /// @notice Checks the limits and pushes Wasm callee f's frame (f.host is
    /// handled by the host prover).
    function enter(VM memory v, uint256 addr, Fn memory f) internal pure {
        bytes memory st = v.st;
        if (Machine.get(st, Machine.ST_DEPTH, 4) >= Machine.get(st, Machine.ST_MAXDEPTH, 4)) {
            return v.trap(Machine.TRAP_CALL_STACK);
        }
        uint256 sp = Machine.get(st, Machine.ST_SP, 4);
        if (sp < f.params || sp - f.params + f.frameSize > Machine.get(st, Machine.ST_MAXSTACK, 4)) {
            return v.trap(Machine.TRAP_VALUE_STACK);
        }
        if (f.params > v.wlen || f.locals < f.params) revert Rejected("stack window too short for the parameters", v.off, "");
        uint256 first = v.wlen - f.params;
        bytes32 root = localsRoot(v.win, first, f.params, localsDepth(f.locals));
        v.wlen = first;
        sp -= f.params;
        bytes32 base = v.chain();
        unchecked {
            // the caller's record, pc advanced past the call, joins the frame chain
            Machine.set(st, Machine.F_PC, 4, uint32(Machine.get(st, Machine.F_PC, 4) + 1));
            Machine.set(st, Machine.ST_DEPTH, 4, uint32(Machine.get(st, Machine.ST_DEPTH, 4) + 1));
        }
        bytes32 frames = Machine.getW(st, Machine.ST_FRAMES);
        bytes32 label = "referee/frames/v1";
        bytes32 link;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, 17), frames)
            mcopy(add(p, 49), add(add(st, 32), 63), 76)
            link := keccak256(p, 125)
        }
        Machine.setW(st, Machine.ST_FRAMES, link);
        Machine.set(st, Machine.F_ADDR, 4, addr);
        Machine.set(st, Machine.F_PC, 4, 0);
        Machine.set(st, Machine.F_FP, 4, sp);
        Machine.setW(st, Machine.F_LOCALS, root);
        Machine.setW(st, Machine.F_BASE, base);
        unchecked {
            Machine.set(st, Machine.ST_SP, 4, uint32(sp + f.locals));
        }
        Machine.setW(st, Machine.ST_STACK, base);
        v.stackSet = true;
    }

    function localsDepth(uint256 n) internal pure returns (uint256) {
        return Hashing.depthFor((n + 3) / 4);
    }

    /// @notice The root of a new frame's locals tree (depth `depth`) holding
    /// the n parameters w[first:first+n], four to a leaf, the rest zero.
    function localsRoot(uint256[] memory w, uint256 first, uint256 n, uint256 depth) internal pure returns (bytes32) {
        Dom memory d = Hashing.localsDom();
        uint256 cnt = (n + 3) / 4;
        bytes32[] memory lv = new bytes32[](cnt);
        for (uint256 j = 0; j < cnt; j++) {
            uint256 leaf;
            for (uint256 q = 0; q < 4 && 4 * j + q < n; q++) {
                leaf |= w[first + 4 * j + q] << (192 - 64 * q);
            }
            lv[j] = Hashing.leafHash(d, bytes32(leaf));
        }
        bytes32 z = Hashing.leafHash(d, 0);
        for (uint256 h = 0; h < depth; h++) {
            uint256 up = (cnt + 1) / 2;
            for (uint256 i = 0; i < up; i++) {
                lv[i] = Hashing.nodeHash(d, lv[2 * i], 2 * i + 1 < cnt ? lv[2 * i + 1] : z);
            }
            cnt = up;
            z = Hashing.nodeHash(d, z, z);
        }
        return cnt == 0 ? z : lv[0];
    }

    /// @notice local.get, local.set and local.tee.
    function local(VM memory v) internal pure {
        if (v.a >= v.fn.locals) revert Rejected("local index out of range", v.off, "");
        uint256 x;
        if (v.kind != 0x20) x = v.pop();
        uint256 j = v.a / 4;
        uint256 shift = 192 - 64 * (v.a % 4);
        uint256 depth = localsDepth(v.fn.locals);
        Dom memory d = Hashing.localsDom();
        (bytes32 leaf, uint256 sib) = v.leafProof(d, depth, j, Machine.getW(v.st, Machine.F_LOCALS), "locals");
        if (v.kind == 0x20) {
            // local.get: pushes local a
            v.push((uint256(leaf) >> shift) & 0xffffffffffffffff);
        } else {
            // local.set pops into local a; local.tee copies the top into it
            if (v.kind == 0x22) v.push(x);
            leaf = bytes32((uint256(leaf) & ~(uint256(0xffffffffffffffff) << shift)) | (x << shift));
            Machine.setW(v.st, Machine.F_LOCALS, Machine.refold(d, j, leaf, sib, depth));
        }
        v.next();
    }

    /// @notice global.get and global.set.
    function global(VM memory v) internal pure {
        bool isSet = v.kind == 0x24;
        uint256 x;
        if (isSet) x = v.pop();
        uint256 n = Machine.get(v.st, Machine.ST_NGLOBALS, 4);
        if (v.a >= n) revert Rejected("global index out of range", v.off, "");
        uint256 depth = Hashing.depthFor(n);
        Dom memory d = Hashing.globalsDom();
        (bytes32 leaf, uint256 sib) = v.leafProof(d, depth, v.a, Machine.getW(v.st, Machine.ST_GLOBALS), "global");
        if (isSet) {
            leaf = bytes32((uint256(leaf) & ~uint256(0xffffffffffffffff)) | x);
            Machine.setW(v.st, Machine.ST_GLOBALS, Machine.refold(d, v.a, leaf, sib, depth));
        } else {
            v.push(uint256(leaf) & 0xffffffffffffffff);
        }
        v.next();
    }
}
