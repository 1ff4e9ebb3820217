#!/usr/bin/env bash
# Builds and runs the whole tapeless test suite in five configurations:
#   gcc    g++ 12, Release, -march=native (the SIMD layer on this machine's widest ISA)
#   clang  clang++ 14, Release
#   asan   g++ 12, Debug (-O0: ~20x faster to compile than -O2 here), ASan + UBSan; any
#          sanitizer report fails the run
#   embedded  scripts/embedded.sh: Cortex-M4F builds (sizes checked, run in
#          qemu-system-arm) and the AArch64 NEON checks (run in qemu-aarch64), into
#          build-test/embedded/
#   fuzz   fuzz/run.sh: the checkpoint, IDX and CSV readers under libFuzzer (clang 14, ASan +
#          UBSan), FUZZ_RUNS executions each (default 20000), into build-test/fuzz/
# gcc, clang and asan each build into build-test/<config>/ (incremental; --clean starts afresh)
# with -j2 and run `ctest --output-on-failure -j2`: unit tests, examples, header
# self-containment, compile_fail and package tests.
#
#   scripts/test.sh                  all five
#   scripts/test.sh clang asan       only those
#   scripts/test.sh --clean gcc      remove build-test/gcc first
#
# Environment: JOBS (default 2), CMAKE_GENERATOR (default Ninja if installed, else Makefiles),
# CTEST_ARGS (extra ctest arguments, e.g. "-R expr\.").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

jobs=${JOBS:-2}
clean=0
configs=()
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    gcc | clang | asan | embedded | fuzz) configs+=("$arg") ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (expected gcc, clang, asan, embedded, fuzz or --clean)" >&2; exit 2 ;;
  esac
done
((${#configs[@]})) || configs=(gcc clang asan embedded fuzz)

bash "$root/scripts/install-deps.sh" --data  # the Fashion-MNIST example runs as a test too

[[ " ${configs[*]} " == *" embedded "* ]] && bash "$root/scripts/install-deps.sh" --embedded

if [[ -z "${CMAKE_GENERATOR:-}" ]]; then
  if command -v ninja >/dev/null; then export CMAKE_GENERATOR=Ninja; else export CMAKE_GENERATOR="Unix Makefiles"; fi
fi

# Sanitizers: stop at the first report and fail the test (UBSan is also built with
# -fno-sanitize-recover=all).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1:detect_odr_violation=2"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

config_args() {
  case "$1" in
    gcc) echo "-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DTAPELESS_NATIVE=ON" ;;
    clang) echo "-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Release" ;;
    embedded) echo "scripts/embedded.sh" ;;
    fuzz) echo "fuzz/run.sh, ${FUZZ_RUNS:-20000} executions per target" ;;
    asan) echo "-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug -DTAPELESS_SANITIZE=ON -DTAPELESS_TEST_HEADERS=OFF -DTAPELESS_TEST_COMPILE_FAIL=OFF -DTAPELESS_TEST_PACKAGE=OFF" ;;
  esac
}

declare -A status seconds
failed=0
for config in "${configs[@]}"; do
  build="$root/build-test/$config"
  echo
  echo "=================== tapeless: $config ($build) ==================="
  start=$SECONDS
  ((clean)) && rm -rf "$build"
  if [[ $config == embedded ]]; then
    if bash "$root/scripts/embedded.sh"; then status[$config]=passed; else status[$config]=FAILED; failed=1; fi
  elif [[ $config == fuzz ]]; then
    if FUZZ_BUILD="$build" RUNS="${FUZZ_RUNS:-20000}" bash "$root/fuzz/run.sh"; then status[$config]=passed
    else status[$config]=FAILED; failed=1; fi
  # shellcheck disable=SC2046  # config_args is a list of words on purpose
  elif cmake -S "$root" -B "$build" $(config_args "$config") -DTAPELESS_BUILD_TESTS=ON \
       -DTAPELESS_BUILD_EXAMPLES=ON -DTAPELESS_BUILD_BENCHMARKS=OFF &&
     cmake --build "$build" -j "$jobs" &&
     (cd "$build" && ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-}); then
    status[$config]=passed
  else
    status[$config]=FAILED
    failed=1
  fi
  seconds[$config]=$((SECONDS - start))
done

echo
echo "=================== tapeless: summary ==================="
for config in "${configs[@]}"; do
  printf '  %-6s %-7s %4ds   %s\n' "$config" "${status[$config]}" "${seconds[$config]}" \
    "$(config_args "$config")"
done
printf '  total %ds\n' "$SECONDS"
exit "$failed"
