#!/usr/bin/env bash
# Compile-time benchmark of a tapeless network: wall time, CPU time and peak compiler memory
# (max RSS, GNU time) of one training step of a width-16 tanh MLP with L hidden layers,
#
#   h_k = tanh(dense<16, "l<k>">(h_{k-1})),  loss = mse(dense<16, "out">(h_L), target)
#   one m.value_and_grad(p, in, tg, g) and one nn::sgd_step(p, g, 0.01f) in main,
#
# on data computed from argc (nothing is folded away), -O2 -std=c++20 -c, with g++ and
# clang++, for L = 2, 8, 32, 64, 128; once the 128-layer case compiled and linked; and the
# bare header (L = 0: only the #include) as the floor every row pays.
#
#   benchmarks/compile_time/network.sh [--quick]      (--quick: L = 2, 8, 32, no link row)
#
# Environment: CXX_LIST (default "g++ clang++"), LAYERS (override the list), REPEAT (runs
# per cell, default 3; the one of least CPU time is reported: the machine is shared and a
# busy neighbour only ever adds time), TIMEOUT (seconds per compilation, default 600; a row
# that takes longer reads "> TIMEOUT"),
# HEADER (default tapeless/nn.hpp), TAPELESS_INCLUDE (default <repo>/include; point it at
# a patched copy to compare), CXXFLAGS_EXTRA, PCH=1 (every translation unit uses a
# precompiled HEADER, built once per compiler with the same flags, as
# target_precompile_headers would; its build time is reported apart; results go to
# network_results_pch.md). Writes network_results.md next to this script (keeping the
# sections below its table, from the first "### " heading, which are written by hand)
# and prints the same Markdown to stdout. Needs GNU time at /usr/bin/time. The machine may be
# shared: the load average is printed before and after; CPU seconds (user + sys) vary less
# with the load than wall seconds do.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
include="${TAPELESS_INCLUDE:-$root/include}"
header="${HEADER:-tapeless/nn.hpp}"
results="$here/network_results.md"
[[ ${PCH:-0} == 1 ]] && results="$here/network_results_pch.md"
timeout_s="${TIMEOUT:-600}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tapeless-network-compile-time.XXXXXX")"
trap 'rm -rf "$work"' EXIT

read -r -a compilers <<< "${CXX_LIST:-g++ clang++}"
read -r -a layer_counts <<< "${LAYERS:-2 8 32 64 128}"
link_layers=128
if [[ "${1:-}" == "--quick" ]]; then layer_counts=(2 8 32); link_layers=""; fi

if [[ ! -x /usr/bin/time ]]; then
  echo "network.sh: needs GNU time at /usr/bin/time (apt-get install -y time)" >&2
  exit 1
fi

# The translation unit of an L-layer network (L = 0: the header alone).
write_tu() {  # file layers
  local file=$1 n=$2 k
  {
    echo "#include <$header>"
    if ((n == 0)); then echo 'int main() { return 0; }'; return; fi
    echo 'namespace nn = tapeless::nn;'
    echo 'int main(int argc, char**) {'
    echo '  constexpr auto x = nn::input<"x", 16>;'
    echo '  constexpr auto t = nn::target<"t", 16>;'
    echo '  constexpr auto h0 = x;'
    for ((k = 1; k <= n; ++k)); do
      echo "  constexpr auto h$k = nn::tanh(nn::dense<16, \"l$k\">(h$((k - 1))));"
    done
    cat <<CPP
  constexpr auto loss = nn::mse(nn::dense<16, "out">(h$n), t);
  static auto m = nn::compile<1>(loss);
  using M = decltype(m);
  static M::parameters p;
  static M::gradients g;
  static M::inputs in;
  static M::targets tg;
  const float s = 0.01f * static_cast<float>(argc);  // run-time data
  std::size_t i = 0;
  for (auto& v : p.values()) v = s * static_cast<float>(i++ % 13) - 0.05f;
  for (auto& v : in.values()) v = s * static_cast<float>(i++ % 7);
  for (auto& v : tg.values()) v = s * static_cast<float>(i++ % 5);
  const float l = m.value_and_grad(p, in, tg, g);
  nn::sgd_step(p, g, 0.01f);
  return static_cast<int>(1000.0f * l + p.values()[0]) & 0xff;
}
CPP
  } > "$file"
}

# "| wall s | CPU s | MB |" of one compilation (mode: -c, or link), the run of least CPU
# time out of REPEAT, or why it has none.
measure() {  # compiler file mode
  local cxx=$1 file=$2 mode=$3 out="$work/time.txt" best="$work/best.txt" rc=0 k
  local -a what=(-c "$file" -o "$work/out.o")
  [[ $mode == link ]] && what=("$file" -o "$work/a.out")
  rm -f "$best"
  for ((k = 0; k < ${REPEAT:-3}; ++k)); do
    timeout "$timeout_s" /usr/bin/time -f '%e %U %S %M' -o "$out" "$cxx" -std=c++20 -O2 \
      ${CXXFLAGS_EXTRA:-} -I"$include" $(pch_flags "$cxx") "${what[@]}" 2> "$work/err.txt" || rc=$?
    ((rc == 0)) || break
    if [[ ! -f $best ]] || awk -v b="$(awk '{ print $2 + $3 }' "$best")" '{ exit !($2 + $3 < b) }' "$out"; then
      cp "$out" "$best"
    fi
  done
  if ((rc == 0)); then
    awk '{ printf " %.2f | %.2f | %.0f |", $1, $2 + $3, $4 / 1024 }' "$best"
  elif ((rc == 124)); then
    printf ' > %s | - | - |' "$timeout_s"
  else
    echo "network.sh: $cxx failed on $(basename "$file") (exit $rc):" >&2
    head -c 2000 "$work/err.txt" | head -8 >&2
    local why
    why=$(grep -m1 -oE 'error: .{0,70}' "$work/err.txt" | tr '|' '/' || true)
    printf ' fail | - | %s |' "${why:-exit $rc}"
  fi
}

# With PCH=1: the flags that make a compilation use the precompiled header of $cxx.
pch_flags() {  # compiler
  [[ ${PCH:-0} == 1 ]] || return 0
  local dir="$work/pch-$1"
  if [[ $1 == clang* ]]; then echo "-include-pch $dir/pch.hpp.pch"; else echo "-include $dir/pch.hpp"; fi
}

# Builds the precompiled header of $cxx; prints "wall s / CPU s / MB" of its build.
build_pch() {  # compiler
  local cxx=$1 dir="$work/pch-$1" out
  mkdir -p "$dir"
  echo "#include <$header>" > "$dir/pch.hpp"
  out="$dir/pch.hpp.gch"
  [[ $cxx == clang* ]] && out="$dir/pch.hpp.pch"
  /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" "$cxx" -std=c++20 -O2 ${CXXFLAGS_EXTRA:-} \
    -I"$include" -x c++-header "$dir/pch.hpp" -o "$out"
  awk '{ printf "%.2f s wall, %.2f s CPU, %.0f MB", $1, $2 + $3, $4 / 1024 }' "$dir/time.txt"
}

# A 32-layer network with one shape error, and how long the compiler's report of it is.
write_error_tu() {  # file kind
  local file=$1 kind=$2 k
  {
    echo "#include <$header>"
    echo 'namespace nn = tapeless::nn;'
    echo 'int main() {'
    echo '  constexpr auto h0 = nn::input<"x", 16>;'
    for ((k = 1; k <= 32; ++k)); do
      echo "  constexpr auto h$k = nn::tanh(nn::dense<16, \"l$k\">(h$((k - 1))));"
    done
    if [[ $kind == product ]]; then
      echo '  constexpr auto y = nn::matmul(nn::param<"bad", 16, 8>, h32);  // 8 columns, 16 values'
    else
      echo '  constexpr auto y = nn::dense<8, "out">(h32);  // 8 values against a target of 16'
    fi
    echo '  auto m = nn::compile<1>(nn::mse(y, nn::target<"t", 16>));'
    echo '  return static_cast<int>(sizeof(m));'
    echo '}'
  } > "$file"
}

diagnostic_rows() {
  echo "Diagnostic of one shape error in a 32-layer network (lines / bytes of the compiler's report):"
  echo
  local head="| error |" rule="|---|" kind cxx
  for cxx in "${compilers[@]}"; do head+=" $cxx |"; rule+="---:|"; done
  echo "$head"
  echo "$rule"
  for kind in product loss; do
    write_error_tu "$work/error_$kind.cpp" "$kind"
    local row="| $kind |"
    [[ $kind == product ]] && row="| matmul: 16 x 8 weight on 16 values |"
    [[ $kind == loss ]] && row="| mse: 8 predictions, 16 targets |"
    for cxx in "${compilers[@]}"; do
      "$cxx" -std=c++20 -fsyntax-only -I"$include" "$work/error_$kind.cpp" 2> "$work/diag.txt" && true
      row+=" $(wc -l < "$work/diag.txt") / $(wc -c < "$work/diag.txt") |"
    done
    echo "$row"
  done
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
versions=""
for cxx in "${compilers[@]}"; do versions+="$("$cxx" --version | head -1); "; done

{
  echo "## tapeless network compile-time benchmark"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- CPU: $cpu ($(nproc) cores); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Compilers: ${versions%; }"
  echo "- Include: $include ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')), header <$header>"
  echo "- Case: width-16 tanh MLP, mse loss, batch 1, one value_and_grad + sgd_step on run-time data"
  echo "- Flags: -std=c++20 -O2 ${CXXFLAGS_EXTRA:-}-c; wall and CPU (user + sys) seconds, peak RSS in MB,"
  echo "  of the run of least CPU time out of ${REPEAT:-3};"
  echo "  goals: 64 layers <= 3 s, 128 layers <= 10 s, below 1 GB"
  if [[ ${PCH:-0} == 1 ]]; then
    echo "- Precompiled header: <$header>, built once per compiler with the same flags and used by"
    echo "  every compilation below (-include / -include-pch); its build, not counted below:"
    for cxx in "${compilers[@]}"; do echo "  $cxx $(build_pch "$cxx")"; done
  fi
  echo
  head="| hidden layers |" rule="|---:|"
  for cxx in "${compilers[@]}"; do head+=" $cxx wall s | $cxx CPU s | $cxx MB |"; rule+="---:|---:|---:|"; done
  echo "$head"
  echo "$rule"
  for n in 0 "${layer_counts[@]}"; do
    write_tu "$work/net$n.cpp" "$n"
    row="| $n |"
    ((n == 0)) && row="| 0 (header only) |"
    for cxx in "${compilers[@]}"; do row+=$(measure "$cxx" "$work/net$n.cpp" c); done
    echo "$row"
  done
  if [[ -n $link_layers ]]; then
    write_tu "$work/net$link_layers.cpp" "$link_layers"
    row="| $link_layers, compile + link |"
    for cxx in "${compilers[@]}"; do row+=$(measure "$cxx" "$work/net$link_layers.cpp" link); done
    echo "$row"
  fi
  echo
  diagnostic_rows
  echo
  echo "- Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$work/table.md"
# The sections written by hand below the table (from its first "### " heading) are kept.
{
  cat "$work/table.md"
  if [[ -f $results ]] && grep -q '^### ' "$results"; then
    echo
    sed -n '/^### /,$p' "$results"
  fi
} > "$work/results.md"
mv "$work/results.md" "$results"
