#!/usr/bin/env python3
"""UF2 files for the RP2350 bootloader (drag-and-drop flashing).

  uf2.py elf FIRMWARE.elf -o OUT.uf2           loadable segments of an ELF
  uf2.py bin DATA.bin --addr 0x10100000 -o OUT.uf2   a raw image at a flash address

UF2 (https://github.com/microsoft/uf2): 512-byte blocks, each carrying 256
payload bytes for a 256-aligned target address:

  0  u32 magic0 0x0A324655      16 u32 payload size (256)
  4  u32 magic1 0x9E5D5157      20 u32 block number (0..n-1)
  8  u32 flags (0x2000: family id present)   24 u32 total blocks (n)
 12  u32 target address         28 u32 family id (RP2350-ARM-S 0xe48bff59)
 32  476 bytes payload area (256 used, rest zero)
508  u32 magic end 0x0AB16F30

Pages the image does not fill completely are padded with zeros; pages it
does not touch are not emitted.
"""
import argparse
import struct
import sys

MAGIC0, MAGIC1, MAGIC_END = 0x0A324655, 0x9E5D5157, 0x0AB16F30
FLAG_FAMILY_ID = 0x00002000
FAMILY_RP2350_ARM_S = 0xE48BFF59
PAGE = 256


def pages_from_chunks(chunks):
    """chunks: [(address, bytes)] -> {page address: bytearray(256)}."""
    pages = {}
    for address, data in chunks:
        for i, byte in enumerate(data):
            a = address + i
            page = pages.setdefault(a - a % PAGE, bytearray(PAGE))
            page[a % PAGE] = byte
    return pages


def uf2_from_chunks(chunks, family=FAMILY_RP2350_ARM_S):
    pages = pages_from_chunks(chunks)
    total = len(pages)
    out = bytearray()
    for number, address in enumerate(sorted(pages)):
        header = struct.pack("<8I", MAGIC0, MAGIC1, FLAG_FAMILY_ID, address, PAGE, number, total, family)
        payload = bytes(pages[address]) + bytes(476 - PAGE)
        out += header + payload + struct.pack("<I", MAGIC_END)
    return bytes(out)


def elf_load_chunks(elf):
    """Loadable (PT_LOAD, non-empty file part) segments of a 32-bit little-endian
    ELF, at their physical (load) addresses: .data is stored in flash, not at
    its RAM address."""
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        raise ValueError("not a 32-bit little-endian ELF file")
    e_phoff, = struct.unpack_from("<I", elf, 28)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 42)
    chunks = []
    for i in range(e_phnum):
        p_type, p_offset, _vaddr, p_paddr, p_filesz = struct.unpack_from("<5I", elf, e_phoff + i * e_phentsize)
        if p_type == 1 and p_filesz > 0:
            chunks.append((p_paddr, elf[p_offset:p_offset + p_filesz]))
    if not chunks:
        raise ValueError("the ELF file has no loadable segments")
    return chunks


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    p_elf = sub.add_parser("elf", help="convert an ELF's loadable segments")
    p_elf.add_argument("input")
    p_elf.add_argument("-o", "--output", required=True)
    p_bin = sub.add_parser("bin", help="convert a raw binary placed at --addr")
    p_bin.add_argument("input")
    p_bin.add_argument("--addr", required=True, type=lambda s: int(s, 0))
    p_bin.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    with open(args.input, "rb") as f:
        data = f.read()
    try:
        chunks = elf_load_chunks(data) if args.mode == "elf" else [(args.addr, data)]
    except ValueError as e:
        print(f"uf2.py: {args.input}: {e}", file=sys.stderr)
        return 1
    uf2 = uf2_from_chunks(chunks)
    with open(args.output, "wb") as f:
        f.write(uf2)
    lo = min(a for a, _ in chunks)
    hi = max(a + len(d) for a, d in chunks)
    print(f"{args.output}: {len(uf2) // 512} blocks for 0x{lo:08x}-0x{hi:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
