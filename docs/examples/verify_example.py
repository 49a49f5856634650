#!/usr/bin/env python3
"""An independent check of the worked example of docs/proof-format.md §7.

Written from docs/merkle.md, docs/state-commitment.md and docs/proof-format.md
alone, in another language than the Go verifier, to show the documents are
enough to write one: it re-computes the pre-state root from the proof's state
part, checks the function record, the op and the local against the committed
roots, executes the one step the example proves (local.get 0) and prints the
post-state root, as `referee verify` does:

    python3 docs/examples/verify_example.py dispute/testdata/fac-rec-step1.proof
    ok 0x<pre> -> 0x<post>

It covers only what the example needs (no other op). Keccak-256 is written
here from the Keccak reference (original padding, not FIPS-202 SHA3-256).
TestExampleVerifierPython runs it when python3 is installed.
"""
import sys

MASK = (1 << 64) - 1


def _rc_bit(t):
    # the Keccak round-constant LFSR, x^8 + x^6 + x^5 + x^4 + 1
    if t % 255 == 0:
        return 1
    r = [1, 0, 0, 0, 0, 0, 0, 0]
    for _ in range(t % 255):
        r = [0] + r
        for i in (0, 4, 5, 6):
            r[i] ^= r[8]
        r = r[:8]
    return r[0]


ROUND_CONSTANTS = [
    sum(_rc_bit(j + 7 * ir) << ((1 << j) - 1) for j in range(7)) for ir in range(24)
]
ROTATIONS = [[0] * 5 for _ in range(5)]
_x, _y = 1, 0
for _t in range(24):
    ROTATIONS[_x][_y] = ((_t + 1) * (_t + 2) // 2) % 64
    _x, _y = _y, (2 * _x + 3 * _y) % 5


def _rot(v, n):
    n %= 64
    return ((v << n) | (v >> (64 - n))) & MASK if n else v


def keccak_f(a):
    for rc in ROUND_CONSTANTS:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rot(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rot(a[x][y], ROTATIONS[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(*parts):
    data = bytearray(b"".join(parts))
    rate = 136
    data.append(0x01)  # original Keccak padding
    while len(data) % rate:
        data.append(0)
    data[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(data), rate):
        block = data[off:off + rate]
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = keccak_f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def leaf(kind, data):
    return keccak256(b"referee/%s-leaf/v1" % kind, data)


def node(kind, left, right):
    return keccak256(b"referee/%s-node/v1" % kind, left, right)


def fold(kind, index, leaf_data, siblings):
    """merkle.md §6: the root above a leaf's data, siblings bottom up."""
    h = leaf(kind, leaf_data)
    for s in siblings:
        h = node(kind, s, h) if index & 1 else node(kind, h, s)
        index >>= 1
    return h


def depth_for(n):
    d = 0
    while (1 << d) < n:
        d += 1
    return d


def be32(b, o):
    return int.from_bytes(b[o:o + 4], "big")


class Reader:
    def __init__(self, b):
        self.b, self.off = b, 0

    def take(self, n, what):
        if self.off + n > len(self.b):
            raise ValueError("%s at byte %d: want %d bytes" % (what, self.off, n))
        out = self.b[self.off:self.off + n]
        self.off += n
        return out

    def siblings(self, d, what):
        return [self.take(32, what) for _ in range(d)]


def verify(proof):
    r = Reader(proof)
    if r.take(1, "version") != b"\x03":
        raise ValueError("version")
    state = bytearray(r.take(327, "state"))  # state-commitment.md §1 without its label
    pre = keccak256(b"referee/state/v3", state)
    st = lambda off: off - 16  # offsets of §1 within the state part
    if state[st(16)] != 1 or state[st(18)] != 0:
        raise ValueError("not a running state")
    frame = st(63)
    func_addr, pc = be32(state, frame), be32(state, frame + 4)
    locals_root = state[frame + 12:frame + 44]
    n_funcs, funcs_root = be32(state, st(203)), state[st(207):st(239)]
    # the running function's record and its path in the functions tree (§4)
    rec = r.take(77, "function record")
    if fold(b"funcs", func_addr, keccak256(b"referee/func/v1", rec), r.siblings(depth_for(n_funcs), "func siblings")) != funcs_root:
        raise ValueError("function record does not fold to the functions root")
    n_locals, code_leaves, code_root = be32(rec, 13), be32(rec, 33), rec[37:69]
    op = r.take(32, "op leaf")
    if fold(b"code", pc, op, r.siblings(depth_for(code_leaves), "code siblings")) != code_root:
        raise ValueError("op does not fold to the code root")
    kind, a = int.from_bytes(op[0:2], "big"), be32(op, 6)
    if kind != 0x20:
        raise ValueError("this example checker knows only local.get, not op 0x%04x" % kind)
    # the stack window (§1): k operands on the chain hash below
    k = int.from_bytes(r.take(2, "window count"), "big")
    chain = r.take(32, "chain below")
    for _ in range(k):
        chain = keccak256(b"referee/stack/v1", chain, r.take(8, "operand"))
    if chain != state[st(139):st(171)]:
        raise ValueError("window does not fold to the value-stack hash")
    # local.get a: the locals leaf holding local a (four per leaf, §3)
    ldata = r.take(32, "locals leaf")
    depth = depth_for((n_locals + 3) // 4)
    if fold(b"locals", a // 4, ldata, r.siblings(depth, "locals siblings")) != locals_root:
        raise ValueError("locals leaf does not fold to the locals root")
    if r.off != len(proof):
        raise ValueError("%d trailing bytes" % (len(proof) - r.off))
    value = ldata[8 * (a % 4):8 * (a % 4) + 8]
    # the post-state: steps + 1, pc + 1, sp + 1, the local pushed on the stack
    state[st(19):st(27)] = (int.from_bytes(state[st(19):st(27)], "big") + 1).to_bytes(8, "big")
    state[frame + 4:frame + 8] = (pc + 1).to_bytes(4, "big")
    state[st(55):st(59)] = (be32(state, st(55)) + 1).to_bytes(4, "big")
    state[st(139):st(171)] = keccak256(b"referee/stack/v1", chain, value)
    return pre, keccak256(b"referee/state/v3", state)


def main():
    if keccak256(b"").hex() != "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470":
        sys.exit("keccak256 self-check failed")
    with open(sys.argv[1], "rb") as f:
        proof = f.read()
    try:
        pre, post = verify(proof)
    except ValueError as e:
        print("rejected:", e)
        sys.exit(1)
    print("ok 0x%s -> 0x%s" % (pre.hex(), post.hex()))


if __name__ == "__main__":
    main()
