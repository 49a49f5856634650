// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The arbiter's base case (dispute.StepChecker): whether `proof`
/// takes the state committed to by `pre` to the one committed to by `post`
/// in one step, step number step+1. A malformed proof is false, not a revert.
interface IStepChecker {
    function checkStep(uint64 step, bytes32 pre, bytes32 post, bytes calldata proof) external view returns (bool);
}
