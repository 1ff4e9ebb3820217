#!/usr/bin/env bash
# Compile-time benchmark of tapeless: wall time and peak compiler memory (max RSS) of
# differentiating expressions of growing size, with g++ and clang++ at -O2 -std=c++20, -c.
#
#   benchmarks/compile_time/run.sh [--quick]
#
# Cases (each generated translation unit evaluates its derivative at a run-time value and
# returns it, so that nothing is discarded):
#   chain  depth n: u_0 = x, u_k = op_k(u_{k-1}) cycling through
#          tanh(u * u + x), sin(u), sigmoid(u * x), exp(-u); timed for d(u_n, x) and, at
#          smaller depths, d(d(u_n, x), x).
#   sum    n terms: sum_{i=1..n} (x + i) * tanh(i * x) with exact constants i; d(f, x).
# A size probe (PROBE_CXX, default clang++, at -O0; linked and run) reports the expression sizes per chain depth: tree
# nodes (the printed size), distinct node types (the DAG the compiler works on), the length
# of the mangled type name and of to_string.
#
# Environment: CXX_LIST (default "g++ clang++"), CXXFLAGS_EXTRA, PROBE_CXX. Writes results.md next to
# this script and prints the same Markdown to stdout. Needs GNU time (/usr/bin/time).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
include="$root/include"
results="$here/results.md"
work="$(mktemp -d "${TMPDIR:-/tmp}/tapeless-compile-time.XXXXXX")"
trap 'rm -rf "$work"' EXIT

read -r -a compilers <<< "${CXX_LIST:-g++ clang++}"
chain_depths=(5 10 20 30 40)
chain2_depths=(5 10 15 20)
sum_sizes=(10 25 50 100)
if [[ "${1:-}" == "--quick" ]]; then
  chain_depths=(5 10); chain2_depths=(5); sum_sizes=(10 25)
fi

if [[ ! -x /usr/bin/time ]]; then
  echo "run.sh: needs GNU time at /usr/bin/time (apt-get install -y time)" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------------------
# Generators: write the expression definitions of a case to stdout.

chain_body() {  # depth
  local n=$1 k
  echo "  const auto u0 = x;"
  for ((k = 1; k <= n; ++k)); do
    local p="u$((k - 1))"
    case $((k % 4)) in
      1) echo "  const auto u$k = tanh($p * $p + x);" ;;
      2) echo "  const auto u$k = sin($p);" ;;
      3) echo "  const auto u$k = sigmoid($p * x);" ;;
      0) echo "  const auto u$k = exp(-$p);" ;;
    esac
  done
  echo "  const auto f = u$n;"
}

sum_body() {  # terms
  local n=$1 i
  printf '  const auto f = (x + 1_c) * tanh(1_c * x)'
  for ((i = 2; i <= n; ++i)); do printf ' +\n      (x + %d_c) * tanh(%d_c * x)' "$i" "$i"; done
  printf ';\n'
}

# A TU that differentiates `order` times and returns the value at a run-time point.
write_tu() {  # file body-function size order
  local file=$1 gen=$2 size=$3 order=$4 result="d(f, x)"
  [[ $order == 2 ]] && result="d(d(f, x), x)"
  {
    echo '#include <tapeless/tapeless.hpp>'
    echo 'using namespace tapeless;'
    echo 'using namespace tapeless::literals;'
    echo 'double run(double at) {'
    echo '  constexpr auto x = var<"x">;'
    "$gen" "$size"
    echo "  const auto df = $result;"
    echo '  return evaluate(df, x = at);'
    echo '}'
  } > "$file"
}

# Seconds and MB of one compilation: "<s> <MB>", or "fail" (the error goes to stderr).
measure() {  # compiler file
  local cxx=$1 file=$2 out
  out="$work/time.txt"
  if /usr/bin/time -f '%e %M' -o "$out" "$cxx" -std=c++20 -O2 ${CXXFLAGS_EXTRA:-} \
       -I"$include" -c "$file" -o "$work/out.o" 2> "$work/err.txt"; then
    awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }' "$out"
  else
    echo "run.sh: $cxx failed on $file:" >&2
    head -20 "$work/err.txt" >&2
    echo "fail"
  fi
}

# One Markdown row per size: | size | s | MB | s | MB | ...
time_rows() {  # gen order sizes...
  local gen=$1 order=$2; shift 2
  local n cxx m
  for n in "$@"; do
    write_tu "$work/tu.cpp" "$gen" "$n" "$order"
    local row="| $n |"
    for cxx in "${compilers[@]}"; do
      m=$(measure "$cxx" "$work/tu.cpp")
      if [[ $m == fail ]]; then row+=" fail | fail |"; else row+=" ${m% *} | ${m#* } |"; fi
    done
    echo "$row"
  done
}

time_table() {  # title size-label gen order sizes...
  local title=$1 label=$2; shift 2
  echo
  echo "### $title"
  echo
  local head="| $label |" rule="|---:|" cxx
  for cxx in "${compilers[@]}"; do head+=" $cxx s | $cxx MB |"; rule+="---:|---:|"; done
  echo "$head"
  echo "$rule"
  time_rows "$@"
}

# ---------------------------------------------------------------------------------------------
# Size probe: one program for all chain depths, compiled once at -O0 and run.

size_table() {
  local probe="$work/sizes.cpp" n
  {
    cat <<'CPP'
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <tapeless/tapeless.hpp>
using namespace tapeless;
using namespace tapeless::literals;

// Nodes of the expression as a tree: the size of its printed form.
template <class E> struct tree { static constexpr double value = 1; };
template <class Op, class A> struct tree<unary<Op, A>> {
  static constexpr double value = 1 + tree<A>::value;
};
template <class Op, class L, class R> struct tree<binary<Op, L, R>> {
  static constexpr double value = 1 + tree<L>::value + tree<R>::value;
};

// Distinct node types: the size of the DAG the compiler instantiates.
template <class E> struct dag_of { static void run(std::set<std::type_index>& s) { s.insert(typeid(E)); } };
template <class Op, class A> struct dag_of<unary<Op, A>> {
  static void run(std::set<std::type_index>& s) {
    if (s.insert(typeid(unary<Op, A>)).second) dag_of<A>::run(s);
  }
};
template <class Op, class L, class R> struct dag_of<binary<Op, L, R>> {
  static void run(std::set<std::type_index>& s) {
    if (s.insert(typeid(binary<Op, L, R>)).second) { dag_of<L>::run(s); dag_of<R>::run(s); }
  }
};

template <class E> void report(const E& e, bool print) {
  std::set<std::type_index> seen;
  dag_of<E>::run(seen);
  const double nodes = tree<E>::value;
  std::printf(" %.0f | %zu | %zu |", nodes, seen.size(), std::strlen(typeid(E).name()));
  if (print) std::printf(" %zu |", to_string(e).size());
  else std::printf(" - |");
}
CPP
    for n in "${chain_depths[@]}"; do
      echo "void depth_$n() {"
      echo '  constexpr auto x = var<"x">;'
      chain_body "$n"
      local second=false d
      for d in "${chain2_depths[@]}"; do [[ $d == "$n" ]] && second=true; done
      echo "  std::printf(\"| $n |\");"
      echo '  report(f, tree<std::remove_cvref_t<decltype(f)>>::value < 2e6);'
      echo '  const auto df = d(f, x);'
      echo '  report(df, tree<std::remove_cvref_t<decltype(df)>>::value < 2e6);'
      if $second; then
        echo '  const auto d2f = d(df, x);'
        echo '  report(d2f, tree<std::remove_cvref_t<decltype(d2f)>>::value < 2e6);'
      else
        echo '  std::printf(" - | - | - | - |");'
      fi
      echo '  std::printf("\n");'
      echo "}"
    done
    echo "int main() {"
    for n in "${chain_depths[@]}"; do echo "  depth_$n();"; done
    echo "}"
  } > "$probe"
  echo
  echo "### Expression sizes of the chain (f, f' = d(f, x), f'' = d(f', x))"
  echo
  echo "Tree nodes: the size of the printed expression. Types: distinct node types (the DAG"
  echo "the compiler instantiates). Mangled: length of the mangled type name. to_string:"
  echo "characters printed (- when the tree has more than 2e6 nodes or was not computed)."
  echo
  echo "| depth | f nodes | f types | f mangled | f to_string | f' nodes | f' types | f' mangled | f' to_string | f'' nodes | f'' types | f'' mangled | f'' to_string |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  local cxx="${PROBE_CXX:-clang++}"
  if "$cxx" -std=c++20 -O0 -I"$include" "$probe" -o "$work/sizes" 2> "$work/err.txt"; then
    "$work/sizes"
  else
    echo "run.sh: the size probe did not compile:" >&2
    head -20 "$work/err.txt" >&2
  fi
}

# ---------------------------------------------------------------------------------------------

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
versions=""
for cxx in "${compilers[@]}"; do versions+="$("$cxx" --version | head -1); "; done

{
  echo "## tapeless compile-time benchmark"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- CPU: $cpu ($(nproc) cores)"
  echo "- Compilers: ${versions%; }"
  echo "- Flags: -std=c++20 -O2 ${CXXFLAGS_EXTRA:-}-c (one translation unit per row, wall seconds"
  echo "  and peak resident memory of the compiler from GNU time)"
  echo "- Chain: u_k = tanh(u*u + x), sin(u), sigmoid(u*x), exp(-u) cycling; u_0 = x"
  time_table "Chain, first derivative d(f, x)" depth chain_body 1 "${chain_depths[@]}"
  time_table "Chain, second derivative d(d(f, x), x)" depth chain_body 2 "${chain2_depths[@]}"
  time_table "Wide sum of n products (x + i) * tanh(i * x), d(f, x)" n sum_body 1 "${sum_sizes[@]}"
  size_table
} | tee "$results"
