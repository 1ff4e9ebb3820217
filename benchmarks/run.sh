#!/usr/bin/env bash
# Training-step benchmark of tapeless against hand-written loops, Eigen, OpenBLAS, libtorch and
# ADOL-C, and the wide dense products alone against OpenBLAS's sgemm: installs the peers,
# builds the benchmarks in their own tree (build-bench/), runs them and writes
# benchmarks/results/<date>-<cpu>/ (results.md, results.png, benchmark.json, products.json,
# meta.json, and profile.md: where the 784-wide steps' time goes, if perf can sample here).
#
#   benchmarks/run.sh                 full run (3 processes of 3 repetitions; about 10 minutes
#                                     on 2 cores)
#   benchmarks/run.sh --quick         1 process, 1 repetition, short minimum time (a smoke test)
#   benchmarks/run.sh --no-install    skip scripts/install-deps.sh --bench
#
# Environment: BENCH_FILTER (a --benchmark_filter regex), BENCH_MIN_TIME (seconds, default
# 0.2), BENCH_REPETITIONS (per process, default 3), BENCH_PROCESSES (default 3),
# RESULTS_DIR (default benchmarks/results/<date>-<cpu>).
# The suite runs in several processes because a step of a wide network takes up to 25 %
# longer in one process than in another on the same machine (where its storage lands in
# the caches differs): each benchmark's time is the median over the processes of each
# process's median, and the report gives the range of the processes' medians.
# A run never overwrites an earlier run's default directory: when <date>-<cpu> exists (a run
# earlier the same day), the results go to <date>-<cpu>-2, then -3, and so on. A RESULTS_DIR
# that is set is used as it is, even when it holds an earlier run.
# The translation units are compiled one at a time from scratch so that their compile times
# can be reported.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$root/build-bench"

install=1
repetitions=${BENCH_REPETITIONS:-3}
processes=${BENCH_PROCESSES:-3}
min_time=${BENCH_MIN_TIME:-0.2}
for arg in "$@"; do
  case "$arg" in
    --quick) repetitions=1; processes=1; min_time=0.02 ;;
    --no-install) install=0 ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

((install)) && bash "$root/scripts/install-deps.sh" --bench

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
  -DTAPELESS_BUILD_TESTS=OFF -DTAPELESS_BUILD_EXAMPLES=OFF -DTAPELESS_BUILD_BENCHMARKS=ON
ninja -C "$build" -t clean tapeless_training_step >/dev/null
ninja -C "$build" -j1 tapeless_training_step tapeless_products
binary="$build/benchmarks/tapeless_training_step"

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cpu_family=$(awk -F': ' '/^cpu family/ { print $2; exit }' /proc/cpuinfo)
cpu_model_number=$(awk -F': ' '/^model\t/ { print $2; exit }' /proc/cpuinfo)
cpu_slug=$(echo "$cpu_model-f${cpu_family}m${cpu_model_number}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/-$//')
date=$(date +%Y-%m-%d)
if [[ -n "${RESULTS_DIR:-}" ]]; then
  results="$RESULTS_DIR"
  mkdir -p "$results"
else
  # mkdir without -p fails when the directory exists: the first free name is claimed at once.
  mkdir -p "$here/results"
  results="$here/results/$date-$cpu_slug"
  n=1
  until mkdir "$results" 2>/dev/null; do
    if [[ ! -e "$results" ]]; then
      echo "run.sh: cannot create the results directory $results" >&2
      exit 1
    fi
    n=$((n + 1))
    results="$here/results/$date-$cpu_slug-$n"
  done
  if ((n > 1)); then
    echo "run.sh: $here/results/$date-$cpu_slug exists (an earlier run); writing to $results"
  fi
fi

benchmark_args=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
                --benchmark_min_time="$min_time")
[[ -n "${BENCH_FILTER:-}" ]] && benchmark_args+=(--benchmark_filter="$BENCH_FILTER")

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/tapeless-bench.XXXXXX")  # ADOL-C may write tape files
trap 'rm -rf "$workdir"' EXIT
for ((p = 1; p <= processes; ++p)); do
  echo "run.sh: process $p of $processes"
  (cd "$workdir" && "$binary" "${benchmark_args[@]}" --benchmark_out="$results/benchmark-$p.json" \
     --benchmark_out_format=json)
done
python3 "$here/merge_processes.py" "$results"/benchmark-*.json > "$results/benchmark.json"
# The wide products alone, tapeless's and OpenBLAS's (where found), for the report's last
# table, in as many processes as the suite.
for ((p = 1; p <= processes; ++p)); do
  (cd "$workdir" && "$build/benchmarks/tapeless_products" \
     --benchmark_filter='^fma_peak/|/(128x784|256x784|128x256|10x128|1024x1024)/' \
     --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
     --benchmark_min_time="$min_time" --benchmark_out="$workdir/products-$p.json" \
     --benchmark_out_format=json >/dev/null)
done
python3 "$here/merge_processes.py" "$workdir"/products-*.json > "$results/products.json"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
# Where the wide steps' time goes (profile.md), where perf may sample this process.
if perf record -q -e cpu-clock -o "$workdir/probe.data" true >/dev/null 2>&1; then
  python3 "$here/profile.py" "$binary" "$results"
else
  echo "run.sh: perf cannot sample here (linux-perf, perf_event_paranoid); no profile.md" >&2
fi

# Compile time of each object (.ninja_log: start and end in ms; the last entry of each
# output wins), its text size, and the size of the binary.
BUILD="$build" RESULTS="$results" CPU="$cpu_model (family $cpu_family, model $cpu_model_number)" \
LOAD_START="$load_start" LOAD_END="$load_end" DATE="$date" REPS="$repetitions" PROCS="$processes" \
ARGS="${benchmark_args[*]}" BINARY="$binary" ROOT="$root" python3 - <<'PY'
import json, os, re, subprocess
build, results = os.environ["BUILD"], os.environ["RESULTS"]
compile_seconds = {}
with open(os.path.join(build, ".ninja_log")) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 4 and parts[3].endswith(".cpp.o") and "benchmarks/" in parts[3]:
            unit = "benchmarks/" + os.path.basename(parts[3])[: -len(".o")]
            compile_seconds[unit] = (int(parts[1]) - int(parts[0])) / 1000
text = {}
for unit in compile_seconds:
    objs = subprocess.run(["find", build, "-name", os.path.basename(unit) + ".o"],
                          capture_output=True, text=True).stdout.split()
    if objs:
        out = subprocess.run(["size", objs[0]], capture_output=True, text=True).stdout.splitlines()
        text[unit] = int(out[1].split()[0])
order = ["training_step", "fma_peak", "floor", "loops", "eigen", "openblas", "torch", "adolc"]
compile_seconds = dict(sorted(compile_seconds.items(),
                              key=lambda kv: next((i for i, o in enumerate(order) if o in kv[0]), 99)))
cache = open(os.path.join(build, "CMakeCache.txt")).read()
peers = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\\n", "libbenchmark-dev",
                        "libeigen3-dev", "libtorch-dev", "libadolc-dev", "libxsimd-dev",
                        "libopenblas0-serial", "libopenblas-serial-dev"], capture_output=True, text=True).stdout
meta = {
    "date": os.environ["DATE"],
    "cpu": os.environ["CPU"],
    "loadavg_start": os.environ["LOAD_START"],
    "loadavg_end": os.environ["LOAD_END"],
    "repetitions": int(os.environ["REPS"]),
    "processes": int(os.environ["PROCS"]),
    "benchmark_args": os.environ["ARGS"],
    "compiler": subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
    "flags": "-std=c++20 -O3 -march=native -DNDEBUG -ffp-contract=fast",
    "peers": ", ".join(l for l in peers.splitlines() if l.strip()),
    "compile_seconds": compile_seconds,
    "object_text_bytes": text,
    "unit_descriptions": {
        "benchmarks/training_step.cpp": "tapeless: fused step, value_and_grad + sgd_step, plain kernels; 8 networks each",
        "benchmarks/fma_peak.cpp": "FMA peak probe",
        "benchmarks/floor.cpp": "latency floor of the 2-8-1 step, batch 1 (hand-scheduled AVX2; not a peer)",
        "benchmarks/loops.cpp": "hand-written loops, 8 networks",
        "benchmarks/eigen.cpp": "hand-written Eigen, 8 networks",
        "benchmarks/openblas.cpp": "hand-written around OpenBLAS's sgemm, the 4 784-wide networks",
        "benchmarks/products.cpp": "the dense products alone, tapeless's and OpenBLAS's (separate binary)",
        "benchmarks/torch.cpp": "libtorch, 8 networks",
        "benchmarks/adolc.cpp": "ADOL-C, 8 networks",
    },
    "size": subprocess.run(["size", os.path.basename(os.environ["BINARY"])], capture_output=True, text=True,
                           cwd=os.path.dirname(os.environ["BINARY"])).stdout,
    # describe --dirty trusts the index's file times; a refresh first, so that a file
    # rewritten with the same content does not count as a change.
    "tapeless_commit": subprocess.run(["sh", "-c", 'git -C "$0" update-index -q --refresh; '
                                       'git -C "$0" describe --always --dirty', os.environ["ROOT"]],
                                      capture_output=True, text=True).stdout.strip(),
    "notes": [
        "The learning rate alternates in sign from step to step (+-0.01), so that the parameters "
        "stay near their starting point however many steps run; every step is still complete.",
        "Before timing, every implementation's loss and gradient at the starting point are checked "
        "against tapeless (SIMD): per tensor max |g - ref| <= 1e-3 max |ref| + 1e-6 "
        "(`grad_rel_err` in the JSON); a mismatch skips that benchmark with an error.",
        "loops: plain C++ written for this benchmark (register tiles as small arrays, "
        "-ffp-contract=fast, tanh by Eigen's rational approximation). Eigen: fixed-size matrices "
        "for the 2-8-1 and 8-32-32-4 networks, dynamic for the 784-wide ones.",
        "OpenBLAS: Debian's serial OpenBLAS, one thread; the products by cblas_sgemm (at batch 1 "
        "sgemv and sger), bias, activation, loss and update as plain loops; 784-wide networks only.",
        "libtorch: Debian's 1.13 (CPU), raw tensors with requires_grad, backward(), manual SGD under "
        "NoGradGuard, set_num_threads(1), sgemm from the serial OpenBLAS.",
        "ADOL-C: the tape of the loss over all parameters is recorded once per network (inputs and "
        "targets are constants on it) and replayed by gradient() every step; double precision.",
    ],
}
with open(os.path.join(results, "meta.json"), "w") as f:
    json.dump(meta, f, indent=1)
PY

python3 "$here/report.py" "$results"
echo "run.sh: results in $results"
