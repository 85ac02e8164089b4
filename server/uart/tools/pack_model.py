#!/usr/bin/env python3
"""Packs a GGUF model into the firmware's model image (server/uart/model_image.h):
a 32-byte header (magic "PIPITMDL", version 1, header size 32, GGUF size,
FNV-1a 32 of the GGUF) followed by the GGUF bytes.

  pack_model.py MODEL.gguf -o MODEL.img [--uf2 MODEL.uf2 --addr 0x10080000]
               [--max-size BYTES]

The image goes to the board's fixed model address: on the Pico 2 as a UF2
(copy it after the firmware UF2), under QEMU with
-device loader,file=MODEL.img,addr=<model address>.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uf2  # noqa: E402


def fnv1a32(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def model_image(gguf):
    header = b"PIPITMDL" + struct.pack("<4I", 1, 32, len(gguf), fnv1a32(gguf)) + bytes(8)
    return header + gguf


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gguf")
    parser.add_argument("-o", "--output", required=True, help="raw model image")
    parser.add_argument("--uf2", help="also write a UF2 of the image at --addr")
    parser.add_argument("--addr", type=lambda s: int(s, 0), default=0x10080000)
    parser.add_argument("--max-size", type=int, default=0, help="fail if the image is larger (flash left)")
    args = parser.parse_args(argv)
    with open(args.gguf, "rb") as f:
        gguf = f.read()
    if gguf[:4] != b"GGUF":
        print(f"pack_model.py: {args.gguf} is not a GGUF file", file=sys.stderr)
        return 1
    image = model_image(gguf)
    if args.max_size and len(image) > args.max_size:
        print(f"pack_model.py: the image is {len(image)} bytes but only {args.max_size} fit in flash",
              file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(image)
    print(f"{args.output}: {len(image)} bytes")
    if args.uf2:
        with open(args.uf2, "wb") as f:
            f.write(uf2.uf2_from_chunks([(args.addr, image)]))
        print(f"{args.uf2}: UF2 at 0x{args.addr:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
