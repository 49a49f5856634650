// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IStepChecker} from "./IStepChecker.sol";

/// @notice The checker of simulated traces (dispute.SimChecker): root(s) =
/// sha256("referee/sim-root/v1" || seed || s as 8 big-endian bytes); the
/// proof of step s is seed || s (40 bytes). A stand-in whose soundness rests
/// on sha256 alone, for games over traces of up to 2^48 steps.
contract SimStepChecker is IStepChecker {
    function checkStep(uint64 step, bytes32 pre, bytes32 post, bytes calldata proof) external pure returns (bool) {
        if (proof.length != 40) return false;
        bytes32 seed = bytes32(proof[0:32]);
        if (uint64(bytes8(proof[32:40])) != step) return false;
        return root(seed, step) == pre && root(seed, step + 1) == post;
    }

    function root(bytes32 seed, uint64 step) public pure returns (bytes32) {
        return sha256(abi.encodePacked("referee/sim-root/v1", seed, step));
    }
}
