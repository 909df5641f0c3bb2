#!/usr/bin/env python3
"""Turns the raw samples of bench/run into the Markdown results table.

usage: report.py SAMPLES.tsv META.json
  SAMPLES.tsv  lines "<target> <metric key> <value>" (tab-separated), one per measurement; the value
               "fail" marks a measurement that could not be taken
  META.json    what the header says: date, command, machine, versions, sizes
Prints the Markdown document.
"""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = [  # (key, column title)
    ("tomcat", "binaryrepo Tomcat"),
    ("jetty", "binaryrepo Jetty"),
    ("registry", "registry proxy"),
    ("nginx-cache", "nginx proxy_cache"),
    ("nginx-static", "nginx static (ceiling)"),
]
PEERS = ["registry", "nginx-cache"]   # the established proxies binaryrepo is compared with
OURS = ["tomcat", "jetty"]

# (key, label, unit, better, aggregation); aggregation: median | max | sum | last | per_gb
METRICS = [
    ("m1_single", "(1) warm blob, 1 client", "MB/s", "higher", "median"),
    ("m1_conc", "(1) warm blob, {conc} clients, aggregate", "MB/s", "higher", "median"),
    ("m1_upstream", "(1) upstream bytes during (1) (0 = served from cache)", "MB", "lower", "sum"),
    ("m2_rps", "(2) manifest by tag, {wrk_conns} conns", "req/s", "higher", "median"),
    ("m2_p99", "(2) manifest by tag, p99 latency", "ms", "lower", "median"),
    ("m2_errors", "(2) non-2xx answers + socket errors", "count", "lower", "sum"),
    ("m2_upstream", "(2) upstream requests during one wrk run", "count", "lower", "median"),
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
    ("m5_rss1", "(5) resident memory, peak during (1)", "MiB", "lower", "max"),
    ("m5_rss3", "(5) resident memory, peak during (3)", "MiB", "lower", "max"),
    ("m5_hwm", "(5) resident memory, VmHWM (peak since start) after (3)", "MiB", "lower", "last"),
    ("m5_heap1", "(5) JVM heap used, peak during (1)", "MiB", "lower", "max"),
    ("m5_heap3", "(5) JVM heap used, peak during (3)", "MiB", "lower", "max"),
    ("m5_live", "(5) JVM heap used after a full GC at the end", "MiB", "lower", "last"),
]


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
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
        return statistics.median(nums)
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
    for line in open(samples_file):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3:
            samples[(parts[0], parts[1])].append(parts[2])
    present = [(k, title) for k, title in TARGETS if k in meta["targets"]]

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
    head = ["metric", "unit", "better"] + [t for _, t in present] + ["best peer"] + \
        [f"{t} ÷ best peer" for k, t in present if k in OURS]
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
        p("| " + " | ".join(row) + " |")
    p("")
    p("n/a: not applicable to that target (the static ceiling has no upstream; a heap only on a JVM) or "
      "no peer measured it. fail: the measurement could not be taken (see the run's log). Ratios are the "
      "target's value divided by the best peer's (the better of registry proxy and nginx proxy_cache), "
      "so for a 'higher' metric above 1 is better and for a 'lower' metric below 1 is better. "
      "MB = 10^6 bytes; MiB = 2^20 bytes.")
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


if __name__ == "__main__":
    main()
