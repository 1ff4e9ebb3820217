#!/usr/bin/env bash
# Installs what tapeless needs on Debian 12, as root (or through sudo).
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the benchmark peers (Eigen, OpenBLAS, libtorch, ADOL-C)
#   scripts/install-deps.sh --data   also what the examples use: Fashion-MNIST
#                                    (/usr/share/datasets/fashion-mnist) and gnuplot for
#                                    their plots; scripts/test.sh asks for it, so that the
#                                    example.fashion_mnist test runs rather than skips
#   scripts/install-deps.sh --embedded  also the cross toolchains and emulators of
#                                    scripts/embedded.sh (Cortex-M4F, AArch64)
# The flags combine: scripts/install-deps.sh --bench --data
set -euo pipefail

packages=(
  cmake make ninja-build g++ clang     # toolchains: g++ 12, clang 14
  libboost1.81-dev libboost-test1.81-dev  # Hana 1.8 and Boost.Test (shared library)
  libxsimd-dev                         # SIMD layer
  libclang-rt-14-dev                   # ASan/UBSan runtime (and libFuzzer) for clang
  zlib1g-dev                           # io/idx.hpp reads .gz files (link -lz)
)
for arg in "$@"; do
  case "$arg" in
    # gnuplot-nox: plain "gnuplot" would pick gnuplot-qt and pull in Qt. libopenblas0-serial:
    # libtorch-dev links the BLAS alternative, otherwise the netlib reference BLAS (its sgemm
    # is about 20x slower); the serial OpenBLAS keeps libtorch on one thread. Its -dev package
    # gives the OpenBLAS peer cblas.h and openblas.pc. linux-perf: benchmarks/profile.py.
    --bench) packages+=(libbenchmark-dev libeigen3-dev libtorch-dev libadolc-dev gnuplot-nox
                        libopenblas0-serial libopenblas-serial-dev linux-perf) ;;
    # Cortex-M: g++ with newlib (and newlib's libstdc++); AArch64: g++ and glibc; the
    # emulators: qemu-system-arm (MPS2 boards) and qemu-user (qemu-aarch64).
    --embedded) packages+=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
                           g++-aarch64-linux-gnu qemu-system-arm qemu-user) ;;
    --data) packages+=(dataset-fashion-mnist gnuplot-nox) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
