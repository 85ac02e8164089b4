#!/usr/bin/env python3
"""Prints the firmware's memory map from `arm-none-eabi-size -A`: flash used
(code, read-only data, .data's initial values) and RAM by section (.data,
.bss, heap arena, stack) against the board's SRAM.

  memory_map.py [--size arm-none-eabi-size] FIRMWARE.elf
"""
import argparse
import subprocess
import sys


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="arm-none-eabi-size")
    parser.add_argument("elf")
    args = parser.parse_args(argv)
    out = subprocess.run([args.size, "-A", args.elf], check=True, capture_output=True, text=True).stdout
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = (int(parts[1]), int(parts[2]))
    size = lambda name: sections.get(name, (0, 0))[0]
    flash = size(".text") + size(".ARM.exidx") + size(".data")
    ram = {name: size(name) for name in (".data", ".bss", ".heap", ".stack")}
    ram_start = sections.get(".data", (0, 0))[1]
    print(f"memory map of {args.elf}:")
    print(f"  flash: {flash:8d} bytes ({flash / 1024:.1f} KB: .text+.rodata {size('.text')}, "
          f".ARM.exidx {size('.ARM.exidx')}, .data image {size('.data')})")
    labels = {".data": ".data", ".bss": ".bss", ".heap": "heap arena", ".stack": "stack"}
    for name, label in labels.items():
        print(f"  ram {label:>10}: {ram[name]:8d} bytes ({ram[name] / 1024:.1f} KB)")
    total = sum(ram.values())
    print(f"  ram      total: {total:8d} bytes ({total / 1024:.1f} KB) from 0x{ram_start:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
