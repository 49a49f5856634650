// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Hashing} from "./Hashing.sol";
import {VM, Machine, Rejected, NotProvable} from "./Machine.sol";

/// @title Segments: element and data segments (dispute/verify_segments.go)
library Segments {
    using Machine for VM;

    uint256 internal constant MAX_SEGMENT_BYTES = 65536;

    /// @notice A segments-tree leaf: H("referee/segment/v1" || kind || len || H(content)).
    function leaf(uint256 kind, uint256 n, bytes32 contentHash) internal pure returns (bytes32 h) {
        bytes32 label = "referee/segment/v1";
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore8(add(p, 18), kind)
            mstore(add(p, 19), shl(224, n))
            mstore(add(p, 23), contentHash)
            h := keccak256(p, 55)
        }
    }

    /// @notice The segments-tree leaf of segment i of the running function's
    /// module (kind 0 element, 1 data).
    function index(VM memory v, uint256 kind, uint256 i) internal pure returns (uint256 idx) {
        idx = v.fn.segBase + i;
        if (kind == 1) idx += v.fn.nElems;
        if (idx >= Machine.get(v.aux, Machine.AX_NSEGS, 4)) revert Rejected("segment outside the segments tree", v.off, "");
    }

    /// @notice elem.drop and data.drop: the segment's leaf becomes that of an
    /// empty segment.
    function drop(VM memory v, uint256 kind) internal pure {
        uint256 idx = index(v, kind, v.b);
        uint256 depth = Hashing.depthFor(Machine.get(v.aux, Machine.AX_NSEGS, 4));
        (, uint256 sib) = v.leafProof(Hashing.segsDom(), depth, idx, Machine.getW(v.aux, Machine.AX_SEGS), "segment");
        bytes32 empty = leaf(kind, 0, keccak256(""));
        Machine.setW(v.aux, Machine.AX_SEGS, Machine.refold(Hashing.segsDom(), idx, empty, sib, depth));
        v.next();
    }

    /// @notice Reads segment i's length, content (its calldata position) and
    /// siblings, and checks them against the segments root.
    function read(VM memory v, uint256 kind, uint256 i) internal pure returns (uint256 content, uint256 n) {
        uint256 idx = index(v, kind, i);
        uint256 start = v.off;
        n = v.readUint(4, "segment length");
        uint256 size = kind == 0 ? 8 * n : n;
        if (size > MAX_SEGMENT_BYTES) revert NotProvable("init from a segment over 65536 bytes");
        content = v.take(size, "segment content");
        uint256 depth = Hashing.depthFor(Machine.get(v.aux, Machine.AX_NSEGS, 4));
        uint256 sib = v.siblings(depth, "segment siblings");
        bytes32 ch;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, content, size)
            ch := keccak256(p, size)
        }
        (bytes32 got, bool ok) = Hashing.foldCd(Hashing.segsDom(), idx, leaf(kind, n, ch), sib, depth);
        if (!ok || got != Machine.getW(v.aux, Machine.AX_SEGS)) {
            revert Rejected("segment", start, "does not fold to the segments root");
        }
    }
}
