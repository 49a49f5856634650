// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProver} from "./verifier/Provers.sol";
import {IStepChecker} from "./IStepChecker.sol";
import {Hashing} from "./verifier/Hashing.sol";
import {MemoryOps} from "./verifier/MemoryOps.sol";
import {TableOps} from "./verifier/TableOps.sol";
import {FloatOps} from "./verifier/FloatOps.sol";
import {SimdOps} from "./verifier/SimdOps.sol";

/// @title OneStepVerifier: referee's one-step proofs checked on chain
/// @notice verify(pre, proof) returns the state root after the one step the
/// proof opens (docs/proof-format.md, version 3), or reverts with
/// Rejected(field, at, why) / NotProvable(what) exactly where dispute.Verify
/// rejects. The verifier is split, as Nitro's OneStepProver*, into provers
/// under the 24,576-byte code limit (EIP-170); this entry contract only
/// routes by the op kind it peeks at, and every prover re-checks the whole
/// proof, so the routing is not trusted.
contract OneStepVerifier is IStepChecker {
    IProver public immutable core;
    IProver public immutable memoryProver;
    IProver public immutable tableProver;
    IProver public immutable hostProver;
    IProver public immutable f32Prover;
    IProver public immutable f64Prover;
    IProver public immutable simdProver;
    IProver public immutable simdMemoryProver;
    IProver public immutable simdF32Prover;
    IProver public immutable simdF64Prover;

    constructor(
        IProver core_,
        IProver memory_,
        IProver table_,
        IProver host_,
        IProver f32_,
        IProver f64_,
        IProver simd_,
        IProver simdMemory_,
        IProver simdF32_,
        IProver simdF64_
    ) {
        core = core_;
        memoryProver = memory_;
        tableProver = table_;
        hostProver = host_;
        f32Prover = f32_;
        f64Prover = f64_;
        simdProver = simd_;
        simdMemoryProver = simdMemory_;
        simdF32Prover = simdF32_;
        simdF64Prover = simdF64_;
    }

    /// @notice The prover for a proof: by the op kind in its op leaf (whose
    /// place follows from the function count in the state), by the pending
    /// flag, and for a call by its callee's kind.
    function route(bytes calldata proof) public view returns (IProver) {
        uint256 n = proof.length;
        if (n < 328) return core;
        if (uint8(proof[3]) != 0) return hostProver; // pending entry host function
        uint256 nFuncs = uint32(bytes4(proof[188:192]));
        uint256 opPos = 1 + 327 + 77 + 32 * Hashing.depthFor(nFuncs);
        if (opPos + 32 > n) return core;
        uint256 k = uint16(bytes2(proof[opPos:opPos + 2]));
        if (k == 0x10) return uint8(proof[opPos + 22]) != 0 ? hostProver : core;
        if (k == 0x11) return hostProver;
        if (MemoryOps.isMemoryOp(k)) return memoryProver;
        if (TableOps.isTableOp(k)) return tableProver;
        if (FloatOps.isF32(k)) return f32Prover;
        if (FloatOps.isF64(k)) return f64Prover;
        if (SimdOps.isMemory(k)) return simdMemoryProver;
        if (SimdOps.isF32(k)) return simdF32Prover;
        if (SimdOps.isF64(k)) return simdF64Prover;
        if (SimdOps.isSimd(k)) return simdProver;
        return core;
    }

    /// @notice The post-state root of the step the proof opens from pre, or a
    /// revert with the prover's reason.
    function verify(bytes32 pre, bytes calldata proof) external view returns (bytes32) {
        address p = address(route(proof));
        // the provers' verify has this function's selector and arguments:
        // forward the calldata as it is
        assembly {
            let m := mload(0x40)
            calldatacopy(m, 0, calldatasize())
            let ok := staticcall(gas(), p, m, calldatasize(), 0, 0)
            returndatacopy(m, 0, returndatasize())
            if iszero(ok) { revert(m, returndatasize()) }
            return(m, returndatasize())
        }
    }

    /// @notice IStepChecker: the proof is valid when it verifies from pre to
    /// exactly post; a rejected proof is false.
    function checkStep(uint64, bytes32 pre, bytes32 post, bytes calldata proof) external view returns (bool) {
        // straight to the prover: through this.verify the proof would be
        // encoded into memory twice and cross one more call
        try route(proof).verify(pre, proof) returns (bytes32 got) {
            return got == post;
        } catch {
            return false;
        }
    }
}
