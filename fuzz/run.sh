#!/usr/bin/env bash
# Fuzzes the io parsers with libFuzzer: builds each target in fuzz/ with clang 14
# (-fsanitize=fuzzer,address,undefined), generates a small seed corpus of valid files, runs
# each target for a bounded number of executions and prints executions and crashes. Not part
# of the CMake build; scripts/test.sh runs it (its fuzz configuration, 20000 executions each).
#
#   fuzz/run.sh                      every target, 200000 executions each
#   RUNS=1000000 fuzz/run.sh idx     one target, more executions
#
# Environment: RUNS (default 200000), CXX (default clang++-14), FUZZ_BUILD (default
# build-fuzz/). Crash inputs are kept in $FUZZ_BUILD/artifacts/<target>/; the corpus grows in
# $FUZZ_BUILD/corpus/<target>/ from run to run. Exits 1 if any target crashed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
runs=${RUNS:-200000}
cxx=${CXX:-clang++-14}
targets=("$@")
((${#targets[@]})) || targets=(checkpoint idx csv)

common=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Wpedantic -Werror -I"$root/include")
sanitize=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

mkdir -p "$build"
echo "building seed generator and targets with $cxx ..."
"$cxx" "${common[@]}" "$root/fuzz/make_seeds.cpp" -o "$build/make_seeds"
rm -rf "$build/seeds"
"$build/make_seeds" "$build/seeds"

failed=0
summary=()
for target in "${targets[@]}"; do
  "$cxx" "${common[@]}" "${sanitize[@]}" "$root/fuzz/$target.cpp" -o "$build/fuzz_$target" -lz
  corpus=$build/corpus/$target
  artifacts=$build/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  log=$build/$target.log
  status=0
  "$build/fuzz_$target" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "$build/seeds/$target" >"$log" 2>&1 || status=$?
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "$artifacts" -type f -newer "$build/fuzz_$target" | wc -l)
  if ((status != 0 || crashes != 0)); then
    failed=1
    echo "---- $target: libFuzzer exited with $status; end of $log:"
    tail -n 30 "$log"
  fi
  summary+=("$(printf '  %-11s %10s executions  %3d crashes  corpus %4d files  exit %d' \
    "$target" "$executions" "$crashes" "$(find "$corpus" -type f | wc -l)" "$status")")
done

echo
echo "=================== tapeless fuzz: $runs runs per target ==================="
printf '%s\n' "${summary[@]}"
exit "$failed"
