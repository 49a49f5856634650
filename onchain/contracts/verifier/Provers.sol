// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VM, Machine, Rejected, NotProvable} from "./Machine.sol";
import {Control} from "./Control.sol";
import {IntOps} from "./IntOps.sol";
import {MemoryOps} from "./MemoryOps.sol";
import {TableOps} from "./TableOps.sol";
import {HostOps} from "./HostOps.sol";
import {FloatOps} from "./FloatOps.sol";
import {SimdOps} from "./SimdOps.sol";
import {SimdFloat} from "./SimdFloat.sol";

/// @notice One part of the one-step verifier. Every prover checks the whole
/// proof (state, instruction, window, fuel, aux) with the same code and
/// executes only its class of ops, so a proof routed to the wrong prover is
/// rejected, never accepted: OneStepVerifier's routing needs no trust.
interface IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32 post);
}

/// @notice Control, calls of Wasm functions, returns, variables, constants,
/// parametric and integer ops.
contract ProverCore is IProver {
    using Machine for VM;

    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the core prover", 1, "");
        if (!v.trapped && !Control.exec(v)) IntOps.exec(v);
        return Machine.finish(v);
    }
}

/// @notice Loads, stores, memory.size/grow/fill/copy/init, data.drop.
contract ProverMemory is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the memory prover", 1, "");
        if (!v.trapped) {
            if (!MemoryOps.isMemoryOp(v.kind)) revert Rejected("not a memory op", 0, "");
            MemoryOps.exec(v);
        }
        return Machine.finish(v);
    }
}

/// @notice table.get/set/size/grow/fill/copy/init, elem.drop.
contract ProverTable is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the table prover", 1, "");
        if (!v.trapped) {
            if (!TableOps.isTableOp(v.kind)) revert Rejected("not a table op", 0, "");
            TableOps.exec(v);
        }
        return Machine.finish(v);
    }
}

/// @notice Host calls from the committed tape (call of a host function, the
/// pending entry host function) and call_indirect.
contract ProverHost is IProver {
    using Machine for VM;

    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) {
            HostOps.entry(v);
        } else if (!v.trapped) {
            if (v.kind == 0x10 && v.calleeHost()) HostOps.call(v, v.a, v.b, v.calleeResults());
            else if (v.kind == 0x11) HostOps.callIndirect(v);
            else revert Rejected("not a host call or call_indirect", 0, "");
        }
        return Machine.finish(v);
    }
}

/// @notice Float ops on f32 operands (SoftFloat).
contract ProverF32 is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the f32 prover", 1, "");
        if (!v.trapped) FloatOps.exec32(v);
        return Machine.finish(v);
    }
}

/// @notice Float ops on f64 operands (SoftFloat).
contract ProverF64 is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the f64 prover", 1, "");
        if (!v.trapped) FloatOps.exec64(v);
        return Machine.finish(v);
    }
}

/// @notice The vector instructions on integer lanes, bitwise ops, lanes,
/// shuffles, splats, constants, and drop/select/local/global of a v128.
contract ProverSIMD is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the SIMD prover", 1, "");
        if (!v.trapped) {
            if (!SimdOps.isSimd(v.kind) || SimdOps.isMemory(v.kind) || SimdOps.isF32(v.kind) || SimdOps.isF64(v.kind)) {
                revert Rejected("not a vector instruction of the SIMD prover", 0, "");
            }
            SimdOps.exec(v);
        }
        return Machine.finish(v);
    }
}

/// @notice The vector loads and stores.
contract ProverSIMDMemory is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the SIMD memory prover", 1, "");
        if (!v.trapped) SimdOps.execMemory(v);
        return Machine.finish(v);
    }
}

/// @notice The vector instructions on f32 lanes (SoftFloat).
contract ProverSIMDF32 is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the f32x4 prover", 1, "");
        if (!v.trapped) SimdFloat.exec32(v);
        return Machine.finish(v);
    }
}

/// @notice The vector instructions on f64 lanes (SoftFloat).
contract ProverSIMDF64 is IProver {
    function verify(bytes32 pre, bytes calldata proof) external pure returns (bytes32) {
        VM memory v = Machine.begin(pre, proof);
        if (v.pending) revert Rejected("an entry host call sent to the f64x2 prover", 1, "");
        if (!v.trapped) SimdFloat.exec64(v);
        return Machine.finish(v);
    }
}
