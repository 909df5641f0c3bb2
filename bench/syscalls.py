#!/usr/bin/env python3
"""Summarises an strace log (strace -f -o FILE, no -c) of a server during one download.

usage: syscalls.py LABEL FILE BYTES
  LABEL  what was traced (printed in the table)
  FILE   strace -f output (one line per call, "<unfinished ...>"/"<... resumed>" pairs allowed)
  BYTES  body bytes the client received (to show syscalls per MB)
Prints Markdown table rows "| LABEL | syscall | calls | calls per MB | bytes returned | mean bytes | largest | threads |":
for every syscall seen; bytes are the sum of non-negative return values (meaningful for
read/write/sendfile-like calls only; "-" for the others).
"""
import re
import sys
from collections import defaultdict

BYTE_CALLS = {"read", "write", "writev", "readv", "pread64", "pwrite64", "sendfile", "sendfile64",
              "sendto", "recvfrom", "sendmsg", "recvmsg", "splice", "copy_file_range"}
# "123 sendfile(12, 34, [0] => [65536], 1048576) = 65536" or "123 <... sendfile resumed>..., 1048576) = 65536"
DONE = re.compile(r"^(?:\[pid\s+)?(\d*)\]?\s*(?:<\.\.\. (\w+) resumed>|(\w+)\().*\)\s+=\s+(-?\d+|\?)")


def main():
    label, path, body = sys.argv[1], sys.argv[2], int(sys.argv[3])
    calls = defaultdict(int)
    total = defaultdict(int)
    largest = defaultdict(int)
    threads = defaultdict(set)
    for line in open(path, errors="replace"):
        m = DONE.match(line)
        if not m:
            continue
        name = m.group(2) or m.group(3)
        calls[name] += 1
        threads[name].add(m.group(1))
        if m.group(4) != "?" and int(m.group(4)) > 0:
            v = int(m.group(4))
            total[name] += v
            largest[name] = max(largest[name], v)
    mb = body / 1e6 if body > 0 else 1
    for name in sorted(calls, key=lambda n: -calls[n]):
        if name in BYTE_CALLS:
            b, mean, big = f"{total[name]:,}", f"{total[name] // calls[name]:,}", f"{largest[name]:,}"
        else:
            b = mean = big = "-"
        print(f"| {label} | {name} | {calls[name]:,} | {calls[name] / mb:.1f} | {b} | {mean} | {big} | {len(threads[name])} |")


if __name__ == "__main__":
    main()
