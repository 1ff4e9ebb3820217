#!/usr/bin/env python3
"""Turns a Google Benchmark JSON of tapeless_training_step into results.md and results.png.

    report.py RESULTS_DIR

RESULTS_DIR holds benchmark.json (--benchmark_format=json --benchmark_repetitions=N
--benchmark_report_aggregates_only=true, of one process or merged from several by
merge_processes.py) and meta.json written by run.sh (machine, load average, compile time of
each translation unit, code size). Medians of the repetitions are used; times are CPU time of the timed loop (the machine is shared, and wall time would count
the time other jobs held the core). The chart is drawn with gnuplot (pngcairo).
"""
import json
import math
import os
import subprocess
import sys

IMPLS = ["tapeless", "tapeless_unfused", "tapeless_plain", "loops", "eigen", "openblas", "libtorch", "adolc"]
LABELS = {
    "tapeless": "tapeless (fused step)",
    "tapeless_unfused": "tapeless (value_and_grad + sgd_step)",
    "tapeless_plain": "tapeless (plain kernels)",
    "loops": "loops (hand-written)",
    "eigen": "Eigen (hand-written)",
    "openblas": "OpenBLAS (hand-written)",
    "libtorch": "libtorch",
    "adolc": "ADOL-C (tape reused)",
}
HAND_WRITTEN = ["loops", "eigen", "openblas"]
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fmt_time(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def process_range(b):
    """The range of the processes' medians of a merged entry, or "-"."""
    times = b.get("process_cpu_times")
    if not times or len(times) < 2:
        return "-"
    scale = TO_NS[b["time_unit"]]
    return f"{fmt_time(min(times) * scale)} - {fmt_time(max(times) * scale)}"


def fmt_rate(x):
    if x is None:
        return "-"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def fmt_ratio(x):
    if x is None:
        return "-"
    return f"{x:.3g}x"


def load(results_dir):
    with open(os.path.join(results_dir, "benchmark.json")) as f:
        bench = json.load(f)
    meta_path = os.path.join(results_dir, "meta.json")
    meta = {}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    return bench, meta


def medians(bench):
    """{(impl, config): entry} of the median aggregates, and the errors of skipped runs."""
    rows, errors = {}, {}
    for b in bench["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        impl, _, config = name.partition("/")
        rows[(impl, config)] = b
    return rows, errors


def floor_section(out, configs, time_ns, pretty):
    """The hand-scheduled 2-8-1 step (benchmarks/floor.cpp), against the peers and tapeless."""
    for c in configs:
        t_floor = time_ns("floor", c)
        if t_floor is None:
            continue
        out.append(f"## Latency floor: {pretty(c)}\n")
        out.append("One SGD step hand-scheduled for AVX2 + FMA (`benchmarks/floor.cpp`): not a peer, "
                   "a bound on how short this step's chain of dependent operations can be here. "
                   "Ratio = time of the floor / time of the implementation.\n")
        out.append("| implementation | time/step | floor / this |")
        out.append("|---|---|---|")
        out.append(f"| floor | {fmt_time(t_floor)} | 1.00 |")
        for i in ["tapeless"] + HAND_WRITTEN:
            t = time_ns(i, c)
            if t is not None:
                out.append(f"| {LABELS[i]} | {fmt_time(t)} | {t_floor / t:.2f} |")
        out.append("")


def products_section(out, results_dir, suite_peak):
    """tapeless's dense products against the same products by OpenBLAS's sgemm
    (products.json of benchmarks/products.cpp, when run.sh ran it). The peak is the higher
    of the two binaries' probes of the run: a probe only ever reads low (a busy neighbour, a
    slow clock)."""
    path = os.path.join(results_dir, "products.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows, _ = medians(json.load(f))
    own = max((b["GFLOP/s"] for (name, _), b in rows.items() if name == "fma_peak"), default=None)
    peak = max((p for p in (own, suite_peak) if p), default=None)
    if not peak:
        return
    out.append("## The products alone, against OpenBLAS\n")
    out.append("The dense products of the steps above, each alone on data in cache where it fits "
               "(`benchmarks/products.cpp`), in useful GFLOP/s and % of the FMA peak measured in the "
               "same run; OpenBLAS: `cblas_sgemm` on the same layouts, one thread. Forward Y = X W^T, "
               "weight gradient dW = dY^T X, input gradient dX = dY W; W is rows x columns, "
               "b the batch. 1024 x 1024 at batch 1024 is a large square product for scale.\n")
    probes = f" (this binary's probe: {own:.1f}; the suite's: {suite_peak:.1f})" if own and suite_peak else ""
    out.append(f"FMA peak: {peak:.1f} GFLOP/s{probes}.\n")
    out.append("| product | W, batch | tapeless GFLOP/s | % of peak | tapeless time, processes (min - max) | "
               "OpenBLAS GFLOP/s | % of peak | tapeless / OpenBLAS time |")
    out.append("|---|---|---|---|---|---|---|---|")
    for (product, shape), b in rows.items():
        if product == "fma_peak" or shape.endswith(("/openblas", "/plain")):
            continue
        blas = rows.get((product, shape + "/openblas"))
        if blas is None:
            continue
        ours, theirs = b["GFLOP/s"], blas["GFLOP/s"]
        out.append(f"| {product.replace('_', ' ')} | {shape.replace('/b', ', ')} | {ours:.1f} | "
                   f"{100 * ours / peak:.0f} % | {process_range(b)} | {theirs:.1f} | {100 * theirs / peak:.0f} % | "
                   f"{theirs / ours:.2f}x |")
    out.append("")


def main():
    results_dir = sys.argv[1]
    bench, meta = load(results_dir)
    rows, errors = medians(bench)

    peak = max((b["GFLOP/s"] for (impl, _), b in rows.items() if impl == "fma_peak"), default=None)
    configs = []
    for (impl, config) in rows:
        if impl != "fma_peak" and config not in configs:
            configs.append(config)
    order = ["2-8-1", "8-32-32-4", "784-128-10_", "784-256"]
    configs.sort(key=lambda c: (next(i for i, p in enumerate(order) if c.startswith(p)),
                                int(c.rsplit("/b", 1)[1])))
    impls = [i for i in IMPLS if any((i, c) in rows for c in configs)]

    def time_ns(impl, config):
        b = rows.get((impl, config))
        return None if b is None else b["cpu_time"] * TO_NS[b["time_unit"]]

    def pretty(config):
        return config.replace("_", " ").replace("/b", ", batch ")

    ctx = bench.get("context", {})
    out = []
    out.append("# tapeless training-step benchmark\n")
    procs = meta.get("processes", 1)
    out.append("One SGD training step (forward, loss, all gradients, update), float32 (ADOL-C: double, "
               "it has no float tape), one thread, Google Benchmark; CPU time of the timed loop, "
               + (f"median over {procs} processes of each process's median of " if procs > 1 else "median of ")
               + f"{meta.get('repetitions', '?')} repetitions. "
               "Produced by `benchmarks/run.sh`; raw data in `benchmark.json`"
               + (" (merged from `benchmark-<process>.json`)" if procs > 1 else "") + ".\n")
    out.append("## Machine\n")
    out.append(f"- CPU: {meta.get('cpu', '?')}, {ctx.get('num_cpus', '?')} cores, "
               f"xsimd architecture `{ctx.get('xsimd_arch', '?')}`")
    out.append(f"- Load average (1, 5, 15 min) at the start of the run: {meta.get('loadavg_start', '?')}; "
               f"at the end: {meta.get('loadavg_end', '?')}. The machine is shared with other jobs "
               "(builds); with a load above the core count, times are noisy and wall time is longer "
               "than CPU time.")
    out.append(f"- Compiler: {meta.get('compiler', '?')}, flags `{meta.get('flags', '?')}`")
    out.append(f"- Peers: {meta.get('peers', '?')}")
    if meta.get("tapeless_commit"):
        dirty = " (`-dirty`: uncommitted changes in the tree)" if meta["tapeless_commit"].endswith("-dirty") else ""
        out.append(f"- tapeless: `{meta['tapeless_commit']}`{dirty}")
    out.append(f"- Date: {meta.get('date', ctx.get('date', '?'))}; benchmark options: "
               f"`{meta.get('benchmark_args', '?')}`")
    if peak:
        out.append(f"- Measured single-core fp32 peak (FMA probe, `fma_peak`): **{peak:.1f} GFLOP/s**")
    out.append("")

    out.append("## Summary: median time per step\n")
    out.append("| network, batch | " + " | ".join(LABELS[i] for i in impls) + " |")
    out.append("|---|" + "---|" * len(impls))
    for c in configs:
        out.append(f"| {pretty(c)} | " + " | ".join(fmt_time(time_ns(i, c)) for i in impls) + " |")
    out.append("")
    out.append("Useful flops of a step: 2 per multiply-add of the matrix products: the forward "
               "product of every layer (B In Out), its weight gradient (B In Out) and its input "
               "gradient (B In Out) for every layer but the first, i.e. "
               "`flops = sum_l 2 B In_l Out_l (3 - [l = 1])`. Activations, biases, loss and "
               "update are not counted. Ratio = time of tapeless / time of the implementation "
               "(below 1: tapeless is faster).\n")

    for c in configs:
        out.append(f"### {pretty(c)}\n")
        out.append("| implementation | time/step | processes (min - max) | steps/s | GFLOP/s | % of peak | "
                   "tapeless / this |")
        out.append("|---|---|---|---|---|---|---|")
        t_ref = time_ns("tapeless", c)
        for i in impls:
            b = rows.get((i, c))
            name = f"{i}/{c}"
            if b is None:
                out.append(f"| {LABELS[i]} | {'skipped: ' + errors[name] if name in errors else '-'} | | | | | |")
                continue
            t = time_ns(i, c)
            gf = b.get("GFLOP/s")
            pct = f"{100 * gf / peak:.1f} %" if peak and gf is not None else "-"
            ratio = fmt_ratio(t_ref / t) if t_ref else "-"
            out.append(f"| {LABELS[i]} | {fmt_time(t)} | {process_range(b)} | {fmt_rate(b.get('steps/s'))} | "
                       f"{gf:.3g} | {pct} | {ratio} |")
        out.append("")

    # Goals of the issue.
    out.append("## Goals\n")
    out.append("| goal | network, batch | measured | met |")
    out.append("|---|---|---|---|")
    for c in configs:
        t = time_ns("tapeless", c)
        if t is None:
            continue
        small = not c.startswith("784")
        hand = [(time_ns(h, c), h) for h in HAND_WRITTEN if time_ns(h, c) is not None]
        fastest = min(hand) if hand else None  # (time, peer)
        if small:
            if fastest:
                r = t / fastest[0]
                out.append(f"| <= 0.8x the time of the fastest hand-written peer | {pretty(c)} | "
                           f"{r:.2f}x of {fastest[1]} | {'yes' if r <= 0.8 else 'no'} |")
            if c.startswith("2-8-1") and time_ns("libtorch", c) is not None:
                s = time_ns("libtorch", c) / t
                out.append(f"| >= 1000x faster than libtorch | {pretty(c)} | {s:.0f}x | "
                           f"{'yes' if s >= 1000 else 'no'} |")
        else:
            gf = rows[("tapeless", c)].get("GFLOP/s")
            if peak and gf is not None:
                p = gf / peak
                out.append(f"| >= 85 % of measured FMA peak (useful flops) | {pretty(c)} | "
                           f"{100 * p:.1f} % | {'yes' if p >= 0.85 else 'no'} |")
            if time_ns("libtorch", c) is not None:
                s = time_ns("libtorch", c) / t
                out.append(f"| >= 1.3x faster than libtorch | {pretty(c)} | {s:.2f}x | "
                           f"{'yes' if s >= 1.3 else 'no'} |")
            if fastest:
                r = t / fastest[0]
                out.append(f"| no slower than the fastest hand-written peer (the issue's opening) | {pretty(c)} | "
                           f"{r:.2f}x of {fastest[1]} | {'yes' if r <= 1.0 else 'no'} |")
    out.append("")
    if os.path.exists(os.path.join(results_dir, "profile.md")):
        out.append("Where the time of the 784-wide steps goes, and so why they fall short of the peak: "
                   "[profile.md](profile.md) (perf, `benchmarks/profile.py`). Why the 2-8-1 step does: "
                   "the latency floor below.\n")

    floor_section(out, configs, time_ns, pretty)
    products_section(out, results_dir, peak)

    if meta.get("compile_seconds"):
        out.append("## Build\n")
        out.append("Compile time of each translation unit (g++, one job at a time, wall time on the "
                   "loaded machine), and its code (text) size:\n")
        out.append("| translation unit | what | compile time | text size |")
        out.append("|---|---|---|---|")
        what = meta.get("unit_descriptions", {})
        for unit, sec in meta["compile_seconds"].items():
            text = meta.get("object_text_bytes", {}).get(unit)
            out.append(f"| `{unit}` | {what.get(unit, '')} | {sec:.1f} s | "
                       f"{'-' if text is None else f'{text / 1024:.0f} KiB'} |")
        out.append("")
    if meta.get("size"):
        out.append("Size of the benchmark binary (`size`):\n")
        out.append("```\n" + meta["size"].rstrip() + "\n```\n")
    if meta.get("notes"):
        out.append("## Notes\n")
        out.extend(f"- {n}" for n in meta["notes"])
        out.append("")

    with open(os.path.join(results_dir, "results.md"), "w") as f:
        f.write("\n".join(out))

    # Chart: log-scale time per step, one cluster per configuration, one bar per implementation.
    data = os.path.join(results_dir, "results.dat")
    with open(data, "w") as f:
        f.write("config " + " ".join(f'"{LABELS[i]}"' for i in impls) + "\n")
        for c in configs:
            vals = []
            for i in impls:
                t = time_ns(i, c)
                vals.append("NaN" if t is None else f"{t / 1e3:.6g}")
            f.write(f'"{c.replace("_", " ").replace("/b", " b")}" ' + " ".join(vals) + "\n")
    script = f"""
set terminal pngcairo noenhanced size 1400,700 font 'sans,10'
set output '{os.path.join(results_dir, "results.png")}'
set title 'tapeless: one SGD training step, float32, one thread (median CPU time, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.01:*]
set format y '%g'
set ylabel 'time per step (microseconds, log scale)'
set grid ytics mytics
set key top left
set xtics rotate by -20
plot for [i=2:{len(impls) + 1}] '{data}' using i:xtic(1) title columnheader(i)
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.remove(data)
    print(os.path.join(results_dir, "results.md"))


if __name__ == "__main__":
    main()
