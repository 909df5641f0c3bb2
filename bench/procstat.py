#!/usr/bin/env python3
"""CPU time and memory of a server process and all its descendants (nginx: master + workers), from /proc.

PID may be a comma-separated list (a frontend and its app server): the figures are summed over all trees.

usage:
  procstat.py cpu PID               seconds of CPU used so far (utime + stime of PID and descendants)
  procstat.py mem PID               "<VmRSS KiB> <VmHWM KiB>", each summed over PID and descendants
  procstat.py sample PID OUT [jvm]  until SIGTERM: sample VmRSS (summed) every 0.2 s and, with "jvm", the
                                    used heap (what jstat -gc shows as S0U+S1U+EU+OU, read from the JVM's
                                    hsperfdata file, so no tool JVM is started); then write
                                    "<peak RSS KiB> <peak heap KiB or -> <own CPU s>" to OUT; OUT.ready is created
                                    once the first sample is taken
  procstat.py heapnow PID           "<used heap KiB>" now (hsperfdata)
  procstat.py heap PID              "<used heap KiB>" after a full GC (jcmd GC.run, then GC.heap_info)
  procstat.py children PID          CPU seconds of PID's waited-for children so far (cutime + cstime)
  procstat.py split PID             "<total> <JIT> <GC>" CPU seconds so far: all threads, the JIT compiler
                                    threads ("C1/C2 CompilerThre"), the garbage collector's threads
  procstat.py tree PID              the pids of the trees, comma-separated (for perf -p)
  procstat.py tids PID              every thread id of the trees, space-separated (for strace -p)
  procstat.py snap FILE             write every process's CPU ticks now to FILE (JSON)
  procstat.py others FILE PID       CPU used since snap FILE by processes outside the trees of PID (the
                                    benchmark itself and its servers): "<cores> <top 5 as comm:seconds,...>"
"""
import json
import time
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
    """pid (an int, or a comma-separated string of pids) and all their descendants."""
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
    out, todo = [], [int(p) for p in str(pid).split(",")]
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


JIT_THREAD = re.compile(r"C\d CompilerThre")
GC_THREAD = re.compile(r"GC Thread|G1 |VM Thread|GC ")


def cpu_split(pid):
    """(total, JIT, GC) CPU seconds of the trees; JIT and GC from every thread's /proc/P/task/T/stat (a
    compiler thread that exits takes its ticks with it: JDK 17 starts and stops them as needed)."""
    total = jit = gc = 0
    for p in tree(pid):
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/stat") as f:
                    raw = f.read()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])
            total += ticks
            if JIT_THREAD.match(comm):
                jit += ticks
            elif GC_THREAD.match(comm):
                gc += ticks
    # the total from the processes' own counters: they keep what exited threads used
    return cpu_seconds(pid), jit / TICK, gc / TICK


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
                peak_heap = max(peak_heap, heap_used_kib(int(str(pid).split(",")[0])))
            except (OSError, ValueError, struct.error):
                pass
        if first:   # the caller waits for this before it starts the measured work
            open(out + ".ready", "w").close()
            first = False
        stop.wait(0.2)
    t = os.times()
    with open(out, "w") as f:   # the sampler's own CPU too: the caller subtracts it from its children's
        f.write(f"{peak_rss} {'-' if peak_heap is None else peak_heap} {t.user + t.system:.3f}\n")


def heap_after_gc(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, stdout=subprocess.DEVNULL)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, stdout=subprocess.PIPE,
                          text=True).stdout
    m = re.search(r"total \d+K, used (\d+)K", info)
    return int(m.group(1)) if m else -1


def all_ticks():
    """{pid: [comm, utime+stime ticks]} of every process now."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[entry] = [comm, int(fields[11]) + int(fields[12])]
    return out


def snap(path):
    with open(path, "w") as f:
        json.dump({"t": time.time(), "ticks": all_ticks()}, f)


def others(path, pids):
    """CPU of everything else on the machine since snap(path), in cores, and the five busiest."""
    with open(path) as f:
        before = json.load(f)
    mine = {str(p) for p in tree(pids)}
    now = all_ticks()
    used = {}
    for p, (comm, ticks) in now.items():
        if p in mine:
            continue
        old = before["ticks"].get(p)
        d = ticks - (old[1] if old and old[0] == comm else 0)   # a new process: all it used
        if d > 0:
            used[f"{comm}[{p}]"] = d / TICK
    wall = max(time.time() - before["t"], 1e-3)
    top = sorted(used.items(), key=lambda kv: -kv[1])[:5]
    return f"{sum(used.values()) / wall:.2f} " + (",".join(f"{k}:{v:.1f}s" for k, v in top) or "-")


def main():
    cmd = sys.argv[1]
    if cmd == "snap":
        snap(sys.argv[2])
        return
    if cmd == "others":
        print(others(sys.argv[2], sys.argv[3]))
        return
    pid = sys.argv[2] if "," in sys.argv[2] else int(sys.argv[2])
    if cmd == "children":
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        print(f"{(int(fields[13]) + int(fields[14])) / TICK:.2f}")   # cutime, cstime (fields 16 and 17)
        return
    if cmd == "split":
        print("%.2f %.2f %.2f" % cpu_split(pid))
        return
    if cmd == "tree":
        print(",".join(map(str, tree(pid))))
        return
    if cmd == "tids":
        tids = []
        for p in tree(pid):
            try:
                tids.extend(os.listdir(f"/proc/{p}/task"))
            except OSError:
                pass
        print(" ".join(tids))
        return
    if cmd == "cpu":
        print(f"{cpu_seconds(pid):.2f}")
    elif cmd == "mem":
        print(*mem(pid))
    elif cmd == "sample":
        sample(pid, sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "jvm")
    elif cmd == "heapnow":
        print(heap_used_kib(int(str(pid).split(",")[0])))
    elif cmd == "heap":
        print(heap_after_gc(int(str(pid).split(",")[0])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
