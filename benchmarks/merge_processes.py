#!/usr/bin/env python3
"""Merges the Google Benchmark JSON files of several processes of the same binary into one.

    merge_processes.py benchmark-1.json benchmark-2.json ... > benchmark.json

Each input holds the aggregates of one process (--benchmark_report_aggregates_only=true).
For every benchmark, the output keeps the median entry of the process whose median CPU time
is the median over the processes (the lower middle one for an even count), so that its time
and counters come from one measurement, and adds `process_cpu_times`: every process's median
CPU time, sorted, in the entry's time unit. A benchmark that failed in any process keeps
that process's error entry. The context is the first file's.
"""
import json
import sys


def main():
    runs = [json.load(open(path)) for path in sys.argv[1:]]
    if not runs:
        sys.exit("merge_processes.py: no input files")
    medians, errors, order = {}, {}, []
    for run in runs:
        for b in run["benchmarks"]:
            name = b.get("run_name", b["name"])
            if name not in order:
                order.append(name)
            if b.get("error_occurred"):
                errors.setdefault(name, b)
            elif b.get("run_type") != "aggregate" or b.get("aggregate_name") == "median":
                medians.setdefault(name, []).append(b)
    merged = []
    for name in order:
        if name in errors:
            merged.append(errors[name])
            continue
        entries = sorted(medians[name], key=lambda b: b["cpu_time"])
        chosen = dict(entries[(len(entries) - 1) // 2])
        chosen["process_cpu_times"] = [b["cpu_time"] for b in entries]
        merged.append(chosen)
    json.dump({"context": runs[0]["context"], "benchmarks": merged}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
