#!/usr/bin/env python3
"""Compares two GGUF files tensor by tensor: same names, shapes, types and
bytes (tensor order and metadata order may differ). Exit status 1 on any
difference. Used to check pipit-quantize against llama.cpp's quantizer.

usage: compare_gguf_tensors.py A.gguf B.gguf
"""
import mmap
import struct
import sys

# ggml type id -> (block elements, block bytes)
BLOCKS = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
          8: (32, 34), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210)}
SCALARS = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}


class Gguf:
    def __init__(self, path):
        f = open(path, 'rb')
        self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.pos = 0
        if self.data[:4] != b'GGUF':
            raise SystemExit(f'{path}: not a GGUF file')
        self.pos = 4
        self.u('I')
        n_tensors, n_kv = self.u('Q'), self.u('Q')
        self.kv = {}
        for _ in range(n_kv):
            key = self.s()
            self.kv[key] = self.value(self.u('I'))
        self.tensors = {}
        for _ in range(n_tensors):
            name = self.s()
            ne = [self.u('Q') for _ in range(self.u('I'))]
            ttype, offset = self.u('I'), self.u('Q')
            self.tensors[name] = (ne, ttype, offset)
        align = self.kv.get('general.alignment', 32)
        self.start = (self.pos + align - 1) // align * align

    def u(self, fmt):
        v = struct.unpack_from('<' + fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def s(self):
        n = self.u('Q')
        v = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return v.decode('utf-8', 'replace')

    def value(self, t):
        if t == 8:
            return self.s()
        if t == 9:
            et, n = self.u('I'), self.u('Q')
            return [self.value(et) for _ in range(n)] if et in (8, 9) else self.skip(et, n)
        return self.u(SCALARS[t])

    def skip(self, et, n):
        self.pos += struct.calcsize(SCALARS[et]) * n
        return None

    def tensor_bytes(self, name):
        ne, ttype, offset = self.tensors[name]
        count = 1
        for x in ne:
            count *= x
        block, size = BLOCKS[ttype]
        begin = self.start + offset
        return self.data[begin:begin + count // block * size]


def main():
    a, b = Gguf(sys.argv[1]), Gguf(sys.argv[2])
    problems = []
    if a.kv.get('general.file_type') != b.kv.get('general.file_type'):
        problems.append(f"general.file_type {a.kv.get('general.file_type')} != {b.kv.get('general.file_type')}")
    for name in sorted(set(a.tensors) | set(b.tensors)):
        if name not in a.tensors or name not in b.tensors:
            problems.append(f'{name}: only in one file')
            continue
        (ne_a, t_a, _), (ne_b, t_b, _) = a.tensors[name], b.tensors[name]
        if ne_a != ne_b or t_a != t_b:
            problems.append(f'{name}: shape/type {ne_a}/{t_a} != {ne_b}/{t_b}')
        elif a.tensor_bytes(name) != b.tensor_bytes(name):
            problems.append(f'{name}: bytes differ (type {t_a})')
    for p in problems[:20]:
        print(p)
    print(f'{len(a.tensors)} tensors, {len(problems)} differences')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
