// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Exercises the in-process EVM harness (onchain/evm): returns the
/// keccak256 of its input, and reverts with a reason on empty input.
contract EVMProbe {
    error EmptyInput(uint256 code);

    function hash(bytes calldata data) external pure returns (bytes32) {
        if (data.length == 0) revert EmptyInput(7);
        return keccak256(data);
    }

    function fail(string calldata why) external pure {
        revert(why);
    }
}
