#!/usr/bin/env python3
"""Where the time of a training step goes: a sampling profile (perf, cpu-clock) of tapeless's
fused step on the networks whose goal is a share of the FMA peak, written as profile.md.

    profile.py BINARY RESULTS_DIR [--seconds S] [--filter REGEX]

BINARY is tapeless_training_step; RESULTS_DIR the run's directory (benchmark.json there, if
present, gives each step's % of peak). Each benchmark runs alone in a process of its own for
S seconds (default 6); the first 2 s (loading the peers' libraries, the gradient check before
timing) are not sampled. Symbols are grouped into the dense products, the transposes that pack
a weight matrix, the elementary functions of the C library (softmax's exp and log), the
model's own loops (bias, activation, loss, update: inlined into its sweep, as is any kernel the
compiler inlined there, such as the matrix-vector product of a batch of one) and the rest.
Needs perf (linux-perf) and perf_event_paranoid <= 2 for a process's own samples.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_FILTER = r"^tapeless/784-.*"
DELAY_MS = 2000

GROUPS = [
    ("dense products", re.compile(r"tapeless::lower::detail::(product|product_block|dot_tile|multiply_tile)\b")),
    ("transposes and packing", re.compile(r"transpose|::pack\b|packed_a<.*>::pack")),
    ("C library exp / log (softmax, loss)", re.compile(r"^__(exp|log)f|^(exp|log)f")),
    # The sweep may be inlined into the benchmark's own step function.
    ("the model's sweep (bias, activation, loss, update loops)",
     re.compile(r"^tapeless::nn::|^\(anonymous namespace\)::tapeless_(fused_)?step<")),
]
OTHER = "other"


def abbreviate(symbol):
    """A template function's name with its top-level template arguments, each cut to its
    own name: product_block<128, 784, 256, packed_a, rows_of_b, row_major_out, float>."""
    symbol = re.sub(r"\(.*$", "", symbol)  # parameter list
    symbol = symbol.replace("tapeless::lower::detail::", "").replace("tapeless::simd::detail::", "")
    symbol = re.sub(r"(\d+)ul\b", r"\1", symbol)
    out, depth = [], 0
    for ch in symbol:
        if ch == "<":
            depth += 1
            if depth == 1:
                out.append(ch)
            continue
        if ch == ">":
            depth -= 1
            if depth == 0:
                out.append(ch)
            continue
        if depth <= 1:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r"\b[a-z_]+::", "", text)
    return text if len(text) <= 110 else text[:107] + "..."


def group_of(symbol):
    for name, pattern in GROUPS:
        if pattern.search(symbol):
            return name
    return OTHER


def literal(name):
    """A regular expression (ECMAScript, as Google Benchmark's filter) matching name alone."""
    return re.sub(r"([.+*?()\[\]{}|^$\\])", r"\\\1", name)


def record(binary, name, seconds, workdir):
    data = os.path.join(workdir, "perf.data")
    subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "-D", str(DELAY_MS), "-o", data,
                    os.path.abspath(binary), f"--benchmark_filter=^{literal(name)}$", f"--benchmark_min_time={seconds}"],
                   check=True, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio",
                             "-t", "\t", "--percent-limit", "0"],
                            check=True, capture_output=True, text=True).stdout
    shares = []
    for line in report.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        percent = float(fields[0].strip().rstrip("%"))
        symbol = re.sub(r"^\[[.k]\]\s*", "", fields[1].strip())
        shares.append((percent, symbol))
    return shares


def peak_shares(results):
    """Each benchmark's share of the FMA peak (0..1), from the run's benchmark.json if it
    has one and the FMA probe ran in it."""
    path = os.path.join(results, "benchmark.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        medians = [b for b in json.load(f)["benchmarks"] if b.get("aggregate_name") == "median"]
    peak = max((b["GFLOP/s"] for b in medians if b["run_name"].startswith("fma_peak")), default=None)
    if not peak:
        return {}
    return {b["run_name"]: b["GFLOP/s"] / peak for b in medians if "GFLOP/s" in b}


def merged(shares):
    """The shares summed per abbreviated name (a kernel's clones and specializations)."""
    out = {}
    for p, s in shares:
        name = "model<...> (the sweep)" if s.startswith("tapeless::nn::model<") else abbreviate(s)
        out[name] = out.get(name, 0.0) + p
    return sorted(((p, s) for s, p in out.items()), reverse=True)


def section(name, shares, of_peak):
    total = sum(p for p, _ in shares) or 1.0
    by_group = {}
    for p, s in shares:
        by_group[group_of(s)] = by_group.get(group_of(s), 0.0) + p
    products = by_group.get(GROUPS[0][0], 0.0) / total
    lines = [f"### {name}", ""]
    if of_peak is not None and products > 0:
        lines += [f"The step ran at {100 * of_peak:.1f} % of the FMA peak in the suite's run, and its dense "
                  f"products took {100 * products:.1f} % of the samples here: inside the step they ran at "
                  f"about {100 * of_peak / products:.0f} % of the peak.", ""]
    lines += ["| part of the step | share of the samples |", "|---|---:|"]
    for group in [g for g, _ in GROUPS] + [OTHER]:
        lines.append(f"| {group} | {100 * by_group.get(group, 0.0) / total:.1f} % |")
    lines += ["", "| symbol | share |", "|---|---:|"]
    for p, s in merged(shares)[:10]:
        lines.append(f"| `{s}` | {100 * p / total:.1f} % |")
    lines.append("")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("results")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--filter", default=DEFAULT_FILTER)
    args = parser.parse_args()
    names = subprocess.run([args.binary, "--benchmark_list_tests", f"--benchmark_filter={args.filter}"],
                           check=True, capture_output=True, text=True).stdout.split()
    of_peak = peak_shares(args.results)
    lines = ["# Where a step's time goes", "",
             "A sampling profile (`perf record -e cpu-clock`) of tapeless's fused step, each network in a "
             f"process of its own for {args.seconds:g} s after a {DELAY_MS / 1000:g} s delay; written by "
             "`benchmarks/profile.py`. Only the dense products count useful flops, so the step's share of "
             "the FMA peak is at most the products' share of the samples times their own rate. A kernel "
             "the compiler inlined into the model's sweep counts as the sweep (at batch 1: the forward "
             "matrix-vector product).", ""]
    with tempfile.TemporaryDirectory() as workdir:
        for name in names:
            print(f"profile.py: {name}", file=sys.stderr)
            lines += section(name, record(args.binary, name, args.seconds, workdir), of_peak.get(name))
    with open(os.path.join(args.results, "profile.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"profile.py: wrote {os.path.join(args.results, 'profile.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
