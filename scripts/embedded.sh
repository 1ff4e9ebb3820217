#!/usr/bin/env bash
# Cross builds of tapeless, run by `scripts/test.sh embedded` (part of the default run):
#   cortex-m4  arm-none-eabi-g++ for a Cortex-M4F (hard float, gnu++20, -Os, -fno-exceptions,
#              -fno-rtti, warnings as errors):
#              - the headers safe for embedded use (all but those listed in $not_embedded)
#                compile, and include none of <string>, <vector>, <cstdio>, iostreams...;
#              - embedded/cortex_m4 built four ways (training step / inference alone, with the
#                default kernels / nn::plain_kernels), sizes checked against their limits;
#              - the four run in qemu-system-arm (MPS2 AN386 board, semihosting): training
#                must halve the loss, inference must give finite outputs.
#   aarch64    aarch64-linux-gnu-g++ -O2 (xsimd's NEON batches): embedded/aarch64/check.cpp,
#              the SIMD-vs-plain kernel agreement and gradient checks, run under qemu-aarch64.
# Builds into build-test/embedded/. Fails on any build error, size over its limit or failed
# run; a run whose emulator is missing is skipped with a message.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/build-test/embedded"
mkdir -p "$out"

# Headers that are not for embedded use: files, std::string, std::vector, <cstdio>.
not_embedded='^tapeless/(io/|print/|nn/(describe|dot|explain)\.hpp|nn\.hpp|tapeless\.hpp|train\.hpp|train/summary\.hpp)'
# Headers that mean heap allocation, exceptions, RTTI or iostreams.
forbidden='/(string|vector|deque|list|map|unordered_map|memory|functional|iostream|istream|ostream|sstream|fstream|cstdio|stdio\.h|stdexcept|typeinfo)$'

# Code size limits in bytes (text of the whole image: code, constants, vector table): the
# goals, 16 KB for a training step and 4 KB for inference. Inference with the default
# kernels misses the goal (README, "Embedded builds"); its limit only catches regressions.
declare -A text_limit=([train]=16384 [train-plain]=16384 [infer]=8192 [infer-plain]=4096)

failed=0
fail() {
  echo "embedded: FAILED: $*" >&2
  failed=1
}

# The cross compilers search their own sysroots, not /usr/include (whose glibc headers are
# the host's): Boost and xsimd, header-only, come in through a folder of links.
include="$out/include"
mkdir -p "$include"
ln -sfn /usr/include/boost "$include/boost"
ln -sfn /usr/include/xsimd "$include/xsimd"

warnings=(-Wall -Wextra -Wpedantic -Werror)

# --------------------------------------------------------------------------------------------
cortex_m4() {
  local m4=(-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -mthumb -std=gnu++20 -Os
            -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections
            -isystem "$include" -I "$root/include" "${warnings[@]}")
  local dir="$root/embedded/cortex_m4"
  local link=(-nostartfiles --specs=nano.specs -Wl,--gc-sections -T "$dir/mps2_an386.ld")

  echo "--- cortex-m4: headers for embedded use"
  local tu="$out/embedded_headers.cpp"
  (cd "$root/include" && find tapeless -name '*.hpp' | sort | grep -Ev "$not_embedded" |
     sed 's/.*/#include <&>/') >"$tu"
  if arm-none-eabi-g++ "${m4[@]}" -H -fsyntax-only "$tu" 2>"$out/embedded_headers.log"; then
    local bad
    bad=$(grep -E '^\.+ ' "$out/embedded_headers.log" | grep -E "$forbidden" | sort -u || true)
    if [[ -n "$bad" ]]; then
      fail "headers for embedded use include: $(echo "$bad" | sed 's/^\.* //' | tr '\n' ' ')"
    else
      echo "$(wc -l <"$tu") headers compile, none includes a forbidden header"
    fi
  else
    grep -v '^\.' "$out/embedded_headers.log" >&2
    fail "headers for embedded use do not compile for the Cortex-M4"
  fi

  echo "--- cortex-m4: builds"
  local table="$out/sizes.md"
  printf '| build | text | data | bss | limit (text) |\n|---|---|---|---|---|\n' >"$table"
  local program variant name defines
  for program in train infer; do
    for variant in "" -plain; do
      name=$program$variant
      defines=()
      [[ -n "$variant" ]] && defines=(-DTINY_MLP_PLAIN_KERNELS)
      if ! arm-none-eabi-g++ "${m4[@]}" "${defines[@]}" "$dir/$program.cpp" "$dir/startup.cpp" \
             "${link[@]}" -Wl,-Map="$out/$name.map" -o "$out/$name.elf"; then
        fail "$name.elf does not build"
        continue
      fi
      local text data bss limit=${text_limit[$name]}
      read -r text data bss _ < <(arm-none-eabi-size "$out/$name.elf" | tail -1)
      printf '| %s | %s | %s | %s | %s |\n' "$name" "$text" "$data" "$bss" "$limit" >>"$table"
      ((text <= limit)) || fail "$name.elf: $text bytes of text, over its limit of $limit"
    done
  done
  cat "$table"

  echo "--- cortex-m4: runs in qemu-system-arm (mps2-an386)"
  if ! command -v qemu-system-arm >/dev/null; then
    echo "qemu-system-arm not installed: runs skipped (scripts/install-deps.sh --embedded)"
    return
  fi
  for name in train train-plain infer infer-plain; do
    [[ -f "$out/$name.elf" ]] || continue
    echo "$name:"
    if ! timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
           -semihosting-config enable=on,target=native -kernel "$out/$name.elf" 2>&1 | sed 's/^/  /'; then
      fail "$name.elf failed in qemu"
    fi
  done
}

# --------------------------------------------------------------------------------------------
aarch64() {
  echo "--- aarch64: kernel agreement and gradient checks on NEON"
  if ! aarch64-linux-gnu-g++ -std=c++20 -O2 -static -isystem "$include" -I "$root/include" "${warnings[@]}" \
         "$root/embedded/aarch64/check.cpp" -o "$out/check-aarch64"; then
    fail "embedded/aarch64/check.cpp does not build"
    return
  fi
  if ! command -v qemu-aarch64 >/dev/null; then
    echo "qemu-aarch64 not installed: run skipped (scripts/install-deps.sh --embedded)"
    return
  fi
  qemu-aarch64 "$out/check-aarch64" || fail "the AArch64 checks failed"
}

start=$SECONDS
cortex_m4
echo "cortex-m4: $((SECONDS - start)) s"
start=$SECONDS
aarch64
echo "aarch64: $((SECONDS - start)) s"
exit "$failed"
