#!/usr/bin/env python3
"""Drives the UART firmware under QEMU like a user at a terminal and checks
what comes back: the banner and "> " prompts, commands, errors (bad commands,
an over-long line) after which the device must still answer, and, for fixed
prompts with greedy sampling, exactly the text the host `pipit` prints for
the same model (PIPIT_KERNELS=scalar; the M33 kernels are bit-identical).

  uart_driver.py --qemu-elf pipit-qemu.elf --model-image pico.img --model-addr 0x10080000
                 --gguf pico.gguf --pipit build/release/engine/pipit [--no-model-check]

QEMU runs with -icount shift=0: virtual time advances 1 ns per guest
instruction, so the firmware's own timings ("#end ... ms_per_token=") are
instruction counts; the speed estimate at the end is derived from them.
Prints "N passed, M failed" and exits non-zero on any failure.
"""
import argparse
import os
import queue
import re
import subprocess
import sys
import threading
import time

PROMPTS = ["Once upon a time", "The quick brown fox", "Hello, my name is"]
N_PREDICT = 24


class Device:
    """QEMU with the firmware; stdin/stdout are the UART."""

    def __init__(self, elf, image=None, addr=None):
        cmd = ["qemu-system-arm", "-M", "musca-b1", "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-semihosting-config", "enable=on,target=native", "-icount", "shift=0", "-kernel", elf]
        if image:
            cmd += ["-device", f"loader,file={image},addr={addr}"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=0)
        self.chunks = queue.Queue()
        self.buffer = b""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        while True:
            data = self.proc.stdout.read1(4096) if hasattr(self.proc.stdout, "read1") else self.proc.stdout.read(1)
            if not data:
                self.chunks.put(None)
                return
            self.chunks.put(data)

    def read_until(self, marker, timeout=120.0):
        """Bytes up to and including `marker` (bytes); raises on timeout/exit."""
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} within {timeout}s; got {self.buffer[-300:]!r}")
            try:
                chunk = self.chunks.get(timeout=left)
            except queue.Empty:
                continue
            if chunk is None:
                raise EOFError(f"QEMU exited; got {self.buffer[-300:]!r}")
            self.buffer += chunk
        end = self.buffer.index(marker) + len(marker)
        out, self.buffer = self.buffer[:end], self.buffer[end:]
        return out

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def command(self, line, timeout=120.0):
        """Sends a line, returns everything before the next prompt "> "."""
        self.send(line.encode() + b"\n")
        return self.read_until(b"> ", timeout)[:-2]

    def close(self):
        self.proc.kill()
        self.proc.wait()


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}{': ' + detail if detail else ''}")
        return ok


def host_text(pipit, gguf, prompt):
    env = dict(os.environ, PIPIT_KERNELS="scalar")
    cmd = [pipit, gguf, "-p", prompt, "-n", str(N_PREDICT), "-c", "256", "-b", "4", "-j", "1", "-t", "0", "-q"]
    return subprocess.run(cmd, env=env, check=True, capture_output=True).stdout


def parse_end(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def run_with_model(args, checks):
    dev = Device(args.qemu_elf, args.model_image, args.model_addr)
    try:
        banner = dev.read_until(b"> ", timeout=300)
        checks.check(banner.startswith(b"#pipit ") and b"arch=llama" in banner, "banner then prompt",
                     repr(banner[:200]))
        info = dev.command("/info").decode("utf-8", "replace")
        checks.check(info.count("#info ") == 3 and "weight_bytes_per_token=" in info, "/info", info)
        m = re.search(r"weight_bytes_per_token=(\d+)", info)
        weight_bytes = int(m.group(1)) if m else 0
        for line in ("/temp 0", f"/n {N_PREDICT}"):
            reply = dev.command(line)
            checks.check(reply.startswith(b"#ok "), line, repr(reply))

        per_token = []
        answers = {}
        for prompt in PROMPTS:
            reply = dev.command(prompt, timeout=600)
            text, _, end = reply.rpartition(b"#end ")
            checks.check(end.startswith(b"tokens=") and text.endswith(b"\n"), f"answer to {prompt!r} ends with #end",
                         repr(reply[-200:]))
            answers[prompt] = text
            expected = host_text(args.pipit, args.gguf, prompt)
            # Both end the answer with one "\n".
            checks.check(text == expected, f"greedy text for {prompt!r} equals host pipit (scalar)",
                         f"device {text!r} host {expected!r}")
            stats = parse_end(end.decode())
            if float(stats.get("ms_per_token", 0)) > 0:
                per_token.append(float(stats["ms_per_token"]))

        for bad, what in (("/bogus", "unknown command"), ("/temp abc", "bad value"), ("/n", "missing value")):
            reply = dev.command(bad)
            checks.check(reply.startswith(b"#error "), f"{what} -> #error", repr(reply))
        long_line = "a" * 2000
        reply = dev.command(long_line)
        checks.check(reply.startswith(b"#error ") and b"too long" in reply, "over-long line -> #error", repr(reply[:200]))
        again = dev.command(PROMPTS[0], timeout=600)
        checks.check(again.rpartition(b"#end ")[0] == answers[PROMPTS[0]],
                     "device still answers, same text, after the errors", repr(again[-200:]))
        # Input typed while the device is generating must not be lost: send a
        # prompt and a command back to back, then read both answers.
        dev.send(PROMPTS[1].encode() + b"\n/info\n")
        first = dev.read_until(b"> ", 600)[:-2]
        second = dev.read_until(b"> ", 120)[:-2]
        checks.check(first.rpartition(b"#end ")[0] == answers[PROMPTS[1]] and second.count(b"#info ") == 3,
                     "input sent during generation is buffered and answered", repr(second[:200]))
        return per_token, weight_bytes
    finally:
        dev.close()


def run_without_model(args, checks):
    dev = Device(args.qemu_elf)
    try:
        banner = dev.read_until(b"> ", timeout=120)
        checks.check(banner.startswith(b"#error no model"), "no model: #error banner then prompt", repr(banner))
        reply = dev.command("Once upon a time")
        checks.check(reply.startswith(b"#error no model loaded"), "no model: a line gets #error", repr(reply))
        reply = dev.command("/info")
        checks.check(reply.startswith(b"#error"), "no model: still answering", repr(reply))
    finally:
        dev.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qemu-elf", required=True)
    parser.add_argument("--model-image", required=True)
    parser.add_argument("--model-addr", required=True)
    parser.add_argument("--gguf", required=True)
    parser.add_argument("--pipit", required=True)
    parser.add_argument("--cpu-mhz", type=float, default=150.0)
    parser.add_argument("--xip-mb-s", type=float, default=25.0)
    args = parser.parse_args()
    checks = Checks()
    per_token, weight_bytes = run_with_model(args, checks)
    run_without_model(args, checks)

    if per_token:
        # -icount shift=0: 1 virtual ns per instruction, so ms_per_token * 1e6
        # is instructions per generated token.
        insns = sum(per_token) / len(per_token) * 1e6
        print(f"speed: {insns / 1e6:.2f} M instructions per generated token (QEMU -icount, mean of "
              f"{len(per_token)} prompts)")
        for cpi in (1.0, 1.5):
            print(f"speed: at {args.cpu_mhz:.0f} MHz and {cpi} cycles/instruction: "
                  f"{args.cpu_mhz * 1e6 / (insns * cpi):.1f} tok/s (compute bound)")
        if weight_bytes:
            print(f"speed: {weight_bytes} weight bytes read from flash per token; at {args.xip_mb_s:.0f} MB/s XIP "
                  f"that alone caps it at {args.xip_mb_s * 1e6 / weight_bytes:.1f} tok/s")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
