#!/usr/bin/env python3
"""Writes the seed corpus for raft_codec_fuzz (run from the repo root)."""
import struct, os

def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff

def mask(c):
    return ((((c >> 15) | (c << 17)) & 0xffffffff) + 0xa282ead8) & 0xffffffff

def message(mtype, frm, to, term, log_term=0, index=0, commit=0, reject=0, hint=0, ctx=0, entries=()):
    out = struct.pack('<B6QB2QI', mtype, frm, to, term, log_term, index, commit, reject, hint, ctx, len(entries))
    for (t, i, et, data) in entries:
        out += struct.pack('<QQBI', t, i, et, len(data)) + data
    return out

def frame(ftype, payload):
    return struct.pack('<IBBI', len(payload), 1, ftype, mask(crc32c(payload))) + payload

d = 'fuzz/net/corpus'
os.makedirs(d, exist_ok=True)
append = message(4, 1, 2, 3, 2, 10, 9, entries=[(3, 11, 0, b'set k v'), (3, 12, 1, b'')])
vote = message(2, 2, 1, 4, 3, 12)
files = {
    'append': frame(2, append),
    'vote_and_hello': frame(1, struct.pack('<Q', 2)) + frame(2, vote),
    'truncated': frame(2, append)[:-3],
    'bad_crc': frame(2, append)[:-1] + b'\x00',
    'raw_message': append,
}
for name, data in files.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
