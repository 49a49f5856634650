// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Hashing} from "./Hashing.sol";
import {Fn, VM, Machine, Rejected, NotProvable} from "./Machine.sol";
import {Mem, Range, Ranges} from "./Ranges.sol";
import {Control} from "./Control.sol";
import {Table, TableOps} from "./TableOps.sol";

/// @notice A decoded host-tape entry (docs/state-commitment.md §11); write
/// i is memory wMem[i], address wAddr[i], wLen[i] bytes at calldata wData[i].
struct HostEntry {
    uint256 fn;
    uint256 trap;
    uint256[] results;
    uint256[] wMem;
    uint256[] wAddr;
    uint256[] wLen;
    uint256[] wData;
}

/// @title HostOps: host calls replayed from the committed host tape, and
/// call_indirect (dispute/verify_host.go, verify_table.go)
library HostOps {
    using Machine for VM;

    uint256 internal constant HOST_FUNC_INDEX = 0xffffffff;
    uint256 internal constant MAX_COPY_BYTES = 65536;

    /// @notice Reads the record of the function at store address addr.
    function readFunc(VM memory v, uint256 addr, string memory what) internal pure returns (Fn memory) {
        uint256 start = v.off;
        uint256 rec = v.take(Machine.FUNC_REC, what);
        uint256 n = Machine.get(v.st, Machine.ST_NFUNCS, 4);
        uint256 depth = Hashing.depthFor(n);
        uint256 sib = v.siblings(depth, what);
        bytes32 leaf = Machine.hashCd("referee/func/v1", 15, rec, Machine.FUNC_REC);
        (bytes32 got, bool ok) = Hashing.foldCd(Hashing.funcsDom(), addr, leaf, sib, depth);
        if (addr >= n || !ok || got != Machine.getW(v.st, Machine.ST_FUNCS)) {
            revert Rejected("function record", start, "does not fold to the functions root");
        }
        return Machine.decodeFn(rec);
    }

    /// @notice Reads the tape entry at the cursor and checks it against the tape root.
    function readEntry(VM memory v) internal pure returns (HostEntry memory e) {
        uint256 start = v.off;
        e.fn = v.readUint(4, "host entry function");
        e.trap = v.readUint(1, "host entry trap kind");
        if (e.trap > Machine.TRAP_STEP_LIMIT) revert Rejected("host entry trap kind", v.off - 1, "unknown");
        uint256 nr = v.readUint(4, "host entry result count");
        if (nr >= 1 << 28) revert Rejected("host entry results", v.off, "too many");
        uint256 pos = v.take(8 * nr, "host entry results");
        e.results = new uint256[](nr);
        for (uint256 i = 0; i < nr; i++) e.results[i] = Machine.cdUint(pos + 8 * i, 8);
        uint256 nw = v.readUint(4, "host entry write count");
        if (12 * nw > v.len - v.off) revert Rejected("host entry writes", v.off, "too many");
        e.wMem = new uint256[](nw);
        e.wAddr = new uint256[](nw);
        e.wLen = new uint256[](nw);
        e.wData = new uint256[](nw);
        for (uint256 i = 0; i < nw; i++) {
            e.wMem[i] = v.readUint(4, "host entry write memory");
            e.wAddr[i] = v.readUint(4, "host entry write address");
            e.wLen[i] = v.readUint(4, "host entry write length");
            e.wData[i] = v.take(e.wLen[i], "host entry write bytes");
        }
        bytes32 leaf = Machine.hashCd("referee/hostcall/v2", 19, v.base + start, v.off - start);
        uint256 depth = Hashing.depthFor(Machine.get(v.aux, Machine.AX_NTAPE, 4));
        uint256 sib = v.siblings(depth, "host entry siblings");
        (bytes32 got, bool ok) = Hashing.foldCd(Hashing.tapeDom(), Machine.get(v.aux, Machine.AX_CURSOR, 4), leaf, sib, depth);
        if (!ok || got != Machine.getW(v.aux, Machine.AX_TAPE)) {
            revert Rejected("host tape entry", start, "does not fold to the tape root");
        }
    }

    /// @notice Applies the entry at the cursor to a call of host function
    /// addr returning `results` values: the results to push, or a trap kind.
    function effect(VM memory v, uint256 addr, uint256 results) internal pure returns (uint256[] memory, uint256) {
        bytes memory ax = v.aux;
        uint256 cursor = Machine.get(ax, Machine.AX_CURSOR, 4);
        if (cursor >= Machine.get(ax, Machine.AX_NTAPE, 4)) return (new uint256[](0), Machine.TRAP_UNREACHABLE);
        HostEntry memory e = readEntry(v);
        unchecked {
            Machine.set(ax, Machine.AX_CURSOR, 4, uint32(cursor + 1));
        }
        if (e.fn != addr || (e.trap != 0 && e.results.length != 0) || (e.trap == 0 && e.results.length != results)) {
            return (new uint256[](0), Machine.TRAP_UNREACHABLE);
        }
        bytes32 pre = Machine.getW(v.st, Machine.ST_MEMS);
        uint256 nMems = Machine.get(v.st, Machine.ST_NMEMS, 4);
        for (uint256 i = 0; i < e.wMem.length; i++) {
            if (e.wMem[i] >= nMems) {
                Machine.setW(v.st, Machine.ST_MEMS, pre);
                return (new uint256[](0), Machine.TRAP_UNREACHABLE);
            }
            Mem memory mi = Ranges.readMemAt(v, e.wMem[i]);
            uint256 n = e.wLen[i];
            if (e.wAddr[i] + n > mi.size * 65536) {
                Machine.setW(v.st, Machine.ST_MEMS, pre);
                return (new uint256[](0), Machine.TRAP_UNREACHABLE);
            }
            if (n > MAX_COPY_BYTES) revert NotProvable("host write over 65536 bytes");
            if (n == 0) continue;
            Range memory tr = Ranges.readMem(v, mi, e.wAddr[i], n);
            uint256 to = Ranges.at(tr, e.wAddr[i]);
            uint256 from = e.wData[i];
            assembly ("memory-safe") {
                calldatacopy(to, from, n)
            }
            Ranges.writeMem(v, mi, mi.size, Ranges.rootOf(tr));
        }
        return (e.results, e.trap);
    }

    function checkHostMode(VM memory v) internal pure {
        uint256 mode = Machine.get(v.aux, Machine.AX_HOSTMODE, 1);
        if (mode == 0) {
            revert NotProvable(
                "call to a host function of a machine that runs host functions live: record a host tape and replay it"
            );
        }
        if (mode != 1) revert Rejected("state", 1, "host mode");
    }

    /// @notice A call or call_indirect of host function addr: pops the params,
    /// applies the tape entry, pushes the results or traps at the call.
    function call(VM memory v, uint256 addr, uint256 params, uint256 results) internal pure {
        checkHostMode(v);
        if (params > v.wlen) revert Rejected("stack window too short for the parameters", v.off, "");
        for (uint256 i = 0; i < params; i++) v.pop();
        (uint256[] memory res, uint256 t) = effect(v, addr, results);
        if (t != 0) return v.trap(t);
        for (uint256 i = 0; i < res.length; i++) v.push(res[i]);
        v.next();
    }

    /// @notice call_indirect: pops the table index and calls the function it names.
    function callIndirect(VM memory v) internal pure {
        uint256 x = v.pop();
        Table memory t = TableOps.readTable(v, v.a);
        uint256 i = uint32(x);
        if (i >= t.size) return v.trap(Machine.TRAP_UNDEFINED);
        (uint256 ref,) = TableOps.readElem(v, t, i);
        if (ref == 0) return v.trap(Machine.TRAP_UNINITIALIZED);
        Fn memory f = readFunc(v, ref - 1, "callee record");
        if (f.typeId != uint32(v.c)) return v.trap(Machine.TRAP_INDIRECT_MISMATCH);
        if (f.host) return call(v, uint32(ref - 1), f.params, f.results);
        Control.enter(v, uint32(ref - 1), f);
    }

    /// @notice The step of a call whose entry is a host function: after the
    /// state, the entry function's record and siblings, the stack window (its
    /// arguments), then the aux part and the host call's extras.
    function entry(VM memory v) internal pure {
        bytes memory st = v.st;
        uint256 start = v.off;
        uint256 addr = Machine.get(st, Machine.ST_ENTRY, 4);
        Fn memory f = readFunc(v, addr, "entry function record");
        if (!f.host) revert Rejected("entry function record", start, "a pending host call of a Wasm function");
        v.readWindow();
        unchecked {
            uint256 steps = uint64(Machine.get(st, Machine.ST_STEPS, 8) + 1);
            Machine.set(st, Machine.ST_STEPS, 8, steps);
            uint256 maxSteps = Machine.get(st, Machine.ST_MAXSTEPS, 8);
            if (maxSteps != 0 && uint64(steps - 1) >= maxSteps) {
                // the machine's fuel trap: the pending flag stays
                return Machine.trapAt(st, Machine.TRAP_STEP_LIMIT, HOST_FUNC_INDEX, 0);
            }
        }
        v.openAux();
        checkHostMode(v);
        if (f.params > v.wlen) revert Rejected("stack window too short for the arguments", v.off, "");
        (uint256[] memory res, uint256 t) = effect(v, addr, f.results);
        Machine.set(st, Machine.ST_PENDING, 1, 0);
        if (t != 0) return Machine.trapAt(st, t, HOST_FUNC_INDEX, 0);
        bytes32 h;
        for (uint256 i = 0; i < res.length; i++) h = Machine.chainPush(h, res[i]);
        Machine.set(st, Machine.ST_STATUS, 1, Machine.DONE);
        Machine.set(st, Machine.ST_ENTRY, 4, 0);
        Machine.set(st, Machine.ST_DEPTH, 4, 0);
        Machine.set(st, Machine.ST_SP, 4, res.length);
        Machine.clearFrames(st);
        Machine.setW(st, Machine.ST_STACK, h);
    }
}
