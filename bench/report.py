#!/usr/bin/env python3
"""Turns the raw samples of bench/run into the Markdown results table.

usage: report.py SAMPLES.tsv META.json
  SAMPLES.tsv  lines "<target> <metric key> <value> <round>" (tab-separated), one per measurement; the
               value "fail" marks a measurement that could not be taken; round 0 is outside the rounds
  META.json    what the header says: date, command, machine, versions, sizes
Prints the Markdown document.
"""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = [  # (key, column title); "{b}" is the second WAR's label
    ("tomcat", "binaryrepo Tomcat"),
    ("jetty", "binaryrepo Jetty"),
    ("tomcat-b", "binaryrepo {b} Tomcat"),
    ("jetty-b", "binaryrepo {b} Jetty"),
    ("tomcat-nginx", "binaryrepo Tomcat + nginx offload"),
    ("tomcat-apache", "binaryrepo Tomcat + Apache offload"),
    ("tomcat-s3", "binaryrepo Tomcat on S3 (S3Proxy), stream"),
    ("tomcat-s3-redirect", "binaryrepo Tomcat on S3 (S3Proxy), redirect"),
    ("registry", "registry proxy"),
    ("nginx-cache", "nginx proxy_cache"),
    ("nginx-static", "nginx static (ceiling)"),
]
PEERS = ["registry", "nginx-cache"]   # the established proxies binaryrepo is compared with
OURS = ["tomcat", "jetty", "tomcat-b", "jetty-b", "tomcat-nginx", "tomcat-apache", "tomcat-s3", "tomcat-s3-redirect"]
SIDE_BY_SIDE = [("tomcat-b", "tomcat"), ("jetty-b", "jetty")]   # (second WAR, current WAR)
NOT_PEERS = ["nginx-static"]   # checked for stability too: it has no upstream but serves the same bytes
STABILITY_LIMIT = 1.25   # a peer's per-round medians further apart than this (max ÷ min) flag the run

# (key, label, unit, better, aggregation); aggregation: median | max | sum | last | per_gb
METRICS = [
    ("m1_single", "(1) warm blob, 1 client", "MB/s", "higher", "median"),
    ("m1_conc", "(1) warm blob, {conc} clients, aggregate", "MB/s", "higher", "median"),
    ("m1_upstream", "(1) upstream bytes during (1) (0 = served from cache)", "MB", "lower", "sum"),
    ("m2_rps", "(2) manifest by tag, {wrk_conns} conns", "req/s", "higher", "median"),
    ("m2_p99", "(2) manifest by tag, p99 latency", "ms", "lower", "median"),
    ("m2_errors", "(2) non-2xx answers + socket errors", "count", "lower", "sum"),
    ("m2_upstream", "(2) upstream requests during one wrk run", "count", "lower", "median"),
    ("m2r_achieved", "(2r) manifest by tag, {rate} req/s offered ({wrk_conns} conns, open loop): achieved", "req/s", "higher", "median"),
    ("m2r_p50", "(2r) manifest by tag at {rate} req/s offered: median latency", "ms", "lower", "median"),
    ("m2r_p99", "(2r) manifest by tag at {rate} req/s offered: p99 latency", "ms", "lower", "median"),
    ("m2r_errors", "(2r) non-2xx answers + socket errors at {rate} req/s", "count", "lower", "sum"),
    ("m2r_unsent", "(2r) requests due but never sent (the target fell behind; counted in the latencies)", "count", "lower", "sum"),
    ("m3_bytes", "(3) cold blob, {cold_clients} clients: upstream bytes / blob size", "ratio", "lower", "median"),
    ("m3_reqs", "(3) cold blob: upstream GETs of the blob", "count", "lower", "median"),
    ("m3_wall", "(3) cold blob: wall time until all finish", "s", "lower", "median"),
    ("m3_ttfb", "(3) cold blob: time to first byte, last client", "s", "lower", "median"),
    ("m3_vs_alone", "(3) cold blob: wall time ÷ one download alone (same blob, one client, no cache)", "ratio", "lower", "median"),
    ("m3_failed", "(3) cold blob: clients without a complete 200", "count", "lower", "sum"),
    ("m4_cold", "(4) podman pull, cold", "s", "lower", "median"),
    ("m4_warm", "(4) podman pull, warm", "s", "lower", "median"),
    ("m4_vs_origin", "(4) podman pull, warm ÷ pull straight from the origin registry", "ratio", "lower", "median"),
    ("m5_cpu", "(5) CPU per GB served during (1)", "CPU-s/GB", "lower", "per_gb"),
    ("m5_cpu_single", "(5) CPU per GB, 1 client", "CPU-s/GB", "lower", "median"),
    ("m5_cpu_conc", "(5) CPU per GB, {conc} clients", "CPU-s/GB", "lower", "median"),
    ("m5_jit_single", "(5) of which JIT compiler threads, 1 client", "CPU-s/GB", "lower", "median"),
    ("m5_jit_conc", "(5) of which JIT compiler threads, {conc} clients", "CPU-s/GB", "lower", "median"),
    ("m5_serve_single", "(5) CPU per GB without JIT and GC threads, 1 client", "CPU-s/GB", "lower", "median"),
    ("m5_serve_conc", "(5) CPU per GB without JIT and GC threads, {conc} clients", "CPU-s/GB", "lower", "median"),
    ("m5_clcpu_single", "(5) the client's CPU per GB, 1 client (curl)", "CPU-s/GB", "lower", "median"),
    ("m5_clcpu_conc", "(5) the clients' CPU per GB, {conc} clients (curl)", "CPU-s/GB", "lower", "median"),
    ("m5_allcpu_single", "(5) server + client CPU per GB, 1 client", "CPU-s/GB", "lower", "median"),
    ("m5_allcpu_conc", "(5) server + clients CPU per GB, {conc} clients", "CPU-s/GB", "lower", "median"),
    ("m5_rss1", "(5) resident memory, peak during (1)", "MiB", "lower", "max"),
    ("m5_rss3", "(5) resident memory, peak during (3)", "MiB", "lower", "max"),
    ("m5_hwm", "(5) resident memory, VmHWM (peak since start) after (3)", "MiB", "lower", "last"),
    ("m5_heap1", "(5) JVM heap used, peak during (1)", "MiB", "lower", "max"),
    ("m5_heap3", "(5) JVM heap used, peak during (3)", "MiB", "lower", "max"),
    ("m5_live", "(5) JVM heap used after a full GC at the end", "MiB", "lower", "last"),
]


class Spread(float):
    """A median that remembers the samples it came from, printed as "median (min–max)"."""

    def __new__(cls, nums):
        obj = super().__new__(cls, statistics.median(nums))
        obj.lo, obj.hi, obj.n = min(nums), max(nums), len(nums)
        return obj


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, Spread) and v.n > 1 and v.lo != v.hi:
        return f"{fmt(float(v), unit)} ({fmt(v.lo, unit)}–{fmt(v.hi, unit)})"
    if isinstance(v, Spread):
        v = float(v)
    if unit == "count" and v == int(v):
        return f"{int(v):,}"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1 or a == 0:
        return f"{v:.2f}"
    return f"{v:.3f}"


def aggregate(values, how, samples, target):
    if any(v == "fail" for v in values):
        return "fail"
    nums = [float(v) for v in values]
    if how == "median":
        return Spread(nums)
    if how == "max":
        return max(nums)
    if how == "sum":
        return sum(nums)
    if how == "last":
        return nums[-1]
    raise ValueError(how)


def main():
    samples_file, meta_file = sys.argv[1], sys.argv[2]
    meta = json.load(open(meta_file))
    samples = defaultdict(list)
    by_round = defaultdict(lambda: defaultdict(list))   # (target, key) -> round -> values
    for line in open(samples_file):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 3:
            samples[(parts[0], parts[1])].append(parts[2])
            if len(parts) == 4 and parts[3] != "0" and parts[2] != "fail":
                by_round[(parts[0], parts[1])][int(parts[3])].append(float(parts[2]))
    label_b = meta.get("label_b") or "B"
    variants = meta.get("variants", {})   # --tomcat-variant targets: binaryrepo too
    OURS.extend(variants)
    present = [(k, title.format(b=label_b)) for k, title in TARGETS + list(variants.items()) if k in meta["targets"]]
    titles = dict(present)
    flags = stability_flags(by_round, meta, titles)

    out = []
    p = out.append
    p(f"# binaryrepo benchmark, {meta['date']}{' (quick mode)' if meta['quick'] else ''}")
    p("")
    p(f"- Command: `{meta['command']}`")
    p(f"- Machine: {meta['nproc']} CPUs ({meta['cpu']}), {meta['mem']} memory, {meta['os']}, "
      f"kernel {meta['kernel']}; load average at start {meta['load_start']}, at end {meta['load_end']}")
    p(f"- binaryrepo: {meta['war']} (commit {meta['commit']}); JVMs: {meta['java']}, -Xmx256m")
    p(f"- Servers: {meta['versions']}")
    p(f"- App-server settings: {meta['settings']}")
    p(f"- Upstream: CNCF registry behind an nginx WAN emulator (limit_rate 25m per connection). "
      f"Blobs: warm {meta['big_size']} bytes, cold {meta['mid_size']} bytes; podman image layer "
      f"{meta['mid_size']} bytes")
    p(f"- Repetitions: {meta['reps']}; run time {meta['duration']}")
    p("")
    pairs = [(b, a) for b, a in SIDE_BY_SIDE + [(v, "tomcat") for v in variants] if b in titles and a in titles]
    head = ["metric", "unit", "better"] + [t for _, t in present] + ["best peer"] + \
        [f"{t} ÷ best peer" for k, t in present if k in OURS] + [f"{titles[b]} ÷ {titles[a]}" for b, a in pairs]
    p("| " + " | ".join(head) + " |")
    p("|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 3)) + "|")
    for key, label, unit, better, how in METRICS:
        label = label.format(**meta)
        values = {}
        for k, _ in present:
            if how == "per_gb":
                cpu, gb = samples.get((k, "m5_cpu_s")), samples.get((k, "m5_gb"))
                if not cpu or not gb:
                    values[k] = None
                elif "fail" in cpu + gb or sum(map(float, gb)) == 0:
                    values[k] = "fail"
                else:
                    values[k] = sum(map(float, cpu)) / sum(map(float, gb))
            else:
                vals = samples.get((k, key))
                values[k] = aggregate(vals, how, samples, k) if vals else None
        peers = [(values[k], k) for k in PEERS if isinstance(values.get(k), float)]
        best = None
        if peers:
            best = (max if better == "higher" else min)(peers)
        row = [label, unit, better] + [fmt(values[k], unit) for k, _ in present]
        row.append(f"{dict(TARGETS)[best[1]]}: {fmt(best[0], unit)}" if best else "n/a")
        for k, _ in present:
            if k not in OURS:
                continue
            v = values.get(k)
            if best is None or not isinstance(v, float):
                row.append("n/a")
            elif best[0] == 0:
                row.append("=" if v == 0 else "∞")
            else:
                row.append(f"{v / best[0]:.2f}×")
        for b, a in pairs:
            vb, va = values.get(b), values.get(a)
            if not isinstance(vb, float) or not isinstance(va, float):
                row.append("n/a")
            elif va == 0:
                row.append("=" if vb == 0 else "∞")
            else:
                row.append(f"{vb / va:.2f}×")
        p("| " + " | ".join(row) + " |")
    p("")
    p("n/a: not applicable to that target (the static ceiling has no upstream; a heap only on a JVM) or "
      "no peer measured it. fail: the measurement could not be taken (see the run's log). Ratios are the "
      "target's value divided by the best peer's (the better of registry proxy and nginx proxy_cache), "
      "so for a 'higher' metric above 1 is better and for a 'lower' metric below 1 is better. "
      "MB = 10^6 bytes; MiB = 2^20 bytes.")
    p("")
    p("Cells show the median over all rounds and, when the samples differ, their range (min–max).")
    p("")
    p(f"### Stability: the peers between rounds ({meta.get('rounds', 1)} interleaved rounds)")
    p("")
    if flags:
        p(f"**UNSTABLE RUN**: a peer's per-round median moved by more than {STABILITY_LIMIT - 1:.0%} between "
          "rounds (max ÷ min below); the machine's load changed during the run. Compare only ratios within a "
          "round, or rerun on a quieter machine.")
        p("")
        for f in flags:
            p(f"- {f}")
    else:
        p(f"Stable: no peer's per-round median of a throughput or latency metric moved by more than "
          f"{STABILITY_LIMIT - 1:.0%} between rounds.")
    if meta.get("load"):
        p("")
        p("### The machine's load per round")
        p("")
        p(f"{meta['nproc']} CPUs. *Others* is the CPU used by every process outside the benchmark (its clients "
          "and servers) during the round, in cores, with the five busiest (from /proc).")
        p("")
        p("| round | seconds | loadavg before | loadavg after | others (cores) | busiest other processes |")
        p("|---|---:|---|---|---:|---|")
        rounds = defaultdict(dict)
        for r, k, v in meta["load"]:
            rounds[r][k] = v
        for r in sorted(rounds, key=int):
            d = rounds[r]
            cores, _, top = d.get("others", "- -").partition(" ")
            p(f"| {r} | {d.get('seconds', '')} | {d.get('loadavg_before', '')} | {d.get('loadavg_after', '')} "
              f"| {cores} | {top.replace(',', ', ')} |")
    if meta.get("syscalls"):
        p("")
        p("### System calls of the servers (--strace)")
        p("")
        p("strace -f on every thread of the server while one client reads the warm blob (or its first half with "
          "Range, or 10 HEADs). Bytes are the sum of the calls' return values. Timings under strace mean "
          "nothing; the counts and sizes do.")
        p("")
        p("| server, request | syscall | calls | calls per MB | bytes returned | mean bytes | largest | threads |")
        p("|---|---|---:|---:|---:|---:|---:|---:|")
        for line in meta["syscalls"]:
            p(line)
    if meta.get("strace-c"):
        p("")
        for line in meta["strace-c"]:
            p(line)
    if meta.get("perfstat"):
        p("")
        p("perf stat (software counters) on the server's threads during a warm download, per GB served. "
          "task-clock is the CPU time the server's threads used (user + kernel).")
        p("")
        p("| server | request | CPU-s per GB | page faults per GB | context switches per GB | migrations per GB |")
        p("|---|---|---:|---:|---:|---:|")
        for line in meta["perfstat"]:
            p(line)
    if meta.get("perfrecord"):
        p("")
        for line in meta["perfrecord"]:
            p(line)
    if meta.get("notes"):
        p("")
        p("Notes from the run:")
        p("")
        for n in meta["notes"]:
            p(f"- {n}")
    p("")
    p("<details><summary>Raw samples (every repetition, in run order)</summary>")
    p("")
    p("| target | metric | values | median (min–max) |")
    p("|---|---|---|---|")
    if flags:
        print("\n".join(f"bench: UNSTABLE: {f}" for f in flags), file=sys.stderr)
    medians = {m[0] for m in METRICS if m[4] == "median"}
    for (k, key), vals in sorted(samples.items()):
        nums = sorted(float(v) for v in vals if v != "fail")
        spread = ""
        if key in medians and len(nums) > 1:
            spread = f"{fmt(statistics.median(nums))} ({fmt(nums[0])}–{fmt(nums[-1])})"
        p(f"| {k} | {key} | {' '.join(vals)} | {spread} |")
    p("")
    p("</details>")
    print("\n".join(out))


def stability_flags(by_round, meta, titles):
    """Peer metrics whose per-round medians moved by more than STABILITY_LIMIT (max ÷ min)."""
    out = []
    watched = {"m1_single", "m1_conc", "m2_rps", "m2_p99", "m2r_p99", "m3_wall", "m5_cpu_single", "m5_cpu_conc"}
    for (target, key), rounds in sorted(by_round.items()):
        if target not in PEERS + NOT_PEERS or key not in watched or len(rounds) < 2:
            continue
        med = {r: statistics.median(v) for r, v in rounds.items()}
        lo, hi = min(med.values()), max(med.values())
        if lo > 0 and hi / lo > STABILITY_LIMIT:
            label = next((m[1] for m in METRICS if m[0] == key), key).format(**meta)
            per = ", ".join(f"round {r}: {fmt(v)}" for r, v in sorted(med.items()))
            out.append(f"{titles.get(target, target)}, {label}: {per} (max ÷ min {hi / lo:.2f})")
    return out


if __name__ == "__main__":
    main()
