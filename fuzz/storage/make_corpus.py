#!/usr/bin/env python3
"""Writes the seed corpus for wal_segment_fuzz (layout: docs/formats/wal.md)."""
import os
import struct

POLY = 0x82F63B78
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def mask(c):
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(rtype, payload):
    body = struct.pack("<IB", len(payload), rtype) + payload
    return struct.pack("<I", mask(crc32c(body))) + body


def header(seq, base):
    return record(1, b"CAIRNWAL" + struct.pack("<IQQ", 1, seq, base))


def entry(term, index, etype, data):
    return record(2, struct.pack("<QQB", term, index, etype) + data)


def hard_state(term, vote, commit):
    return record(3, struct.pack("<QQQ", term, vote, commit))


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(out, exist_ok=True)
good = header(1, 0) + hard_state(1, 1, 0) + b"".join(
    entry(1, i, i % 3, b"value-%d" % i) for i in range(1, 9))
seeds = {
    "good": good,
    "good_zero_tail": good + b"\0" * 256,
    "torn_tail": good[:-7] + b"\0" * 64,
    "corrupt_middle": good[:60] + bytes([good[60] ^ 1]) + good[61:],
    "header_only": header(5, 100),
    "truncation": header(1, 0) + b"".join(entry(1, i, 0, b"a") for i in range(1, 5))
    + entry(2, 2, 0, b"b"),
    "bad_magic": record(1, b"CAIRNWAX" + struct.pack("<IQQ", 1, 1, 0)),
    "empty": b"",
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
