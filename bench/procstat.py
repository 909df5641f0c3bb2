#!/usr/bin/env python3
"""CPU time and memory of a server process and all its descendants (nginx: master + workers), from /proc.

usage:
  procstat.py cpu PID               seconds of CPU used so far (utime + stime of PID and descendants)
  procstat.py mem PID               "<VmRSS KiB> <VmHWM KiB>", each summed over PID and descendants
  procstat.py sample PID OUT [jvm]  until SIGTERM: sample VmRSS (summed) every 0.2 s and, with "jvm", the
                                    used heap (what jstat -gc shows as S0U+S1U+EU+OU, read from the JVM's
                                    hsperfdata file, so no tool JVM is started); then write
                                    "<peak RSS KiB> <peak heap KiB or ->" to OUT; OUT.ready is created
                                    once the first sample is taken
  procstat.py heapnow PID           "<used heap KiB>" now (hsperfdata)
  procstat.py heap PID              "<used heap KiB>" after a full GC (jcmd GC.run, then GC.heap_info)
"""
import os
import pwd
import re
import signal
import struct
import subprocess
import sys
import threading

TICK = os.sysconf("SC_CLK_TCK")


def tree(pid):
    """pid and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15 of stat)
    return total / TICK


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mem(pid):
    procs = tree(pid)
    return sum(status_kib(p, "VmRSS") for p in procs), sum(status_kib(p, "VmHWM") for p in procs)


def perf_counters(pid, prefix):
    """The long counters of a JVM's hsperfdata file (what jstat reads) whose names start with prefix."""
    with open(f"/tmp/hsperfdata_{pwd.getpwuid(os.stat(f'/proc/{pid}').st_uid).pw_name}/{pid}", "rb") as f:
        data = f.read()
    if data[:4] != b"\xca\xfe\xc0\xc0":
        raise ValueError("not a hsperfdata file")
    e = "<" if data[4] == 1 else ">"
    entry_offset, entries = struct.unpack_from(e + "ii", data, 24)
    out, pos = {}, entry_offset
    for _ in range(entries):
        length, name_off, vector_len, dtype, _f, _u, _v, data_off = struct.unpack_from(e + "iiibbbbi", data, pos)
        name = data[pos + name_off:data.index(b"\0", pos + name_off)].decode()
        if vector_len == 0 and dtype == ord("J") and name.startswith(prefix):
            out[name] = struct.unpack_from(e + "q", data, pos + data_off)[0]
        pos += length
    return out


def heap_used_kib(pid):
    """Used heap (all generations and spaces), as jstat -gc's S0U+S1U+EU+OU."""
    c = perf_counters(pid, "sun.gc.generation.")
    return sum(v for k, v in c.items() if re.fullmatch(r"sun\.gc\.generation\.\d+\.space\.\d+\.used", k)) // 1024


def sample(pid, out, jvm):
    """Samples until SIGTERM, then writes the peaks; reading /proc and hsperfdata costs next to no CPU."""
    peak_rss, peak_heap = 0, (0 if jvm else None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    first = True
    while not stop.is_set():
        peak_rss = max(peak_rss, mem(pid)[0])
        if jvm:
            try:
                peak_heap = max(peak_heap, heap_used_kib(pid))
            except (OSError, ValueError, struct.error):
                pass
        if first:   # the caller waits for this before it starts the measured work
            open(out + ".ready", "w").close()
            first = False
        stop.wait(0.2)
    with open(out, "w") as f:
        f.write(f"{peak_rss} {'-' if peak_heap is None else peak_heap}\n")


def heap_after_gc(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, stdout=subprocess.DEVNULL)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, stdout=subprocess.PIPE,
                          text=True).stdout
    m = re.search(r"total \d+K, used (\d+)K", info)
    return int(m.group(1)) if m else -1


def main():
    cmd, pid = sys.argv[1], int(sys.argv[2])
    if cmd == "cpu":
        print(f"{cpu_seconds(pid):.2f}")
    elif cmd == "mem":
        print(*mem(pid))
    elif cmd == "sample":
        sample(pid, sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "jvm")
    elif cmd == "heapnow":
        print(heap_used_kib(pid))
    elif cmd == "heap":
        print(heap_after_gc(pid))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
