#!/usr/bin/env bash
# Compile time of the candidate flat network representation (flat_builders.hpp): a width-16
# tanh chain of L layers built by value and handed to a class template, for L = 64, 128, 256,
# with g++ and clang++ at -O2 -c; CPU seconds (user + sys) and peak MB. Headers: <array> and
# fixed_string only, so compare with network.sh's rows minus its header-only row.
#
#   benchmarks/compile_time/flat_builders/flat_builders.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
include="$(cd "$here/../../../include" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tapeless-flat-builders.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "| layers | g++ CPU s | g++ MB | clang++ CPU s | clang++ MB |"
echo "|---:|---:|---:|---:|---:|"
for n in ${LAYERS:-64 128 256}; do
  {
    echo '#include "flat_builders.hpp"'
    echo 'int main(int argc, char**) {'
    echo '  constexpr auto h0 = flat::input<16>;'
    for ((k = 1; k <= n; ++k)); do echo "  constexpr auto h$k = flat::tanh(flat::dense<16, \"l$k\">(h$((k - 1))));"; done
    echo "  using m = flat::model<h$n>;"
    echo "  static_assert(m::nodes == $((5 * n + 1)));"
    echo '  return static_cast<int>(m::sizes[static_cast<unsigned>(argc)]);'
    echo '}'
  } > "$work/net.cpp"
  row="| $n |"
  for cxx in g++ clang++; do
    /usr/bin/time -f '%U %S %M' -o "$work/t.txt" "$cxx" -std=c++20 -O2 -I"$here" -I"$include" -c "$work/net.cpp" \
      -o "$work/net.o"
    row+=$(awk '{ printf " %.2f | %.0f |", $1 + $2, $3 / 1024 }' "$work/t.txt")
  done
  echo "$row"
done
