// Micro-benchmark of the dense products alone (lower::simd_kernels): forward, weight
// gradient and input gradient at the shapes of the training-step networks, in GFLOP/s of
// useful flops (2 per multiply-add). Compare with the `fma_peak/chains:N` probes of the same
// run (fma_peak.cpp, linked in), and,
// where CMake found OpenBLAS, with the same products by its cblas_sgemm (rows ".../openblas",
// one thread) on the wide shapes.
//
//   ninja -C build-bench tapeless_products && build-bench/benchmarks/tapeless_products, or
//   g++ -std=c++20 -O3 -march=native -DNDEBUG -I include benchmarks/products.cpp
//       benchmarks/fma_peak.cpp -lbenchmark -lpthread -o products && ./products   (one command)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn/plain_kernels.hpp>
#include <type_traits>
#include <vector>

#if TAPELESS_BENCH_OPENBLAS
#include <cblas.h>
#endif

namespace {

using simd_kernels = tapeless::lower::simd_kernels;
using plain_kernels = tapeless::nn::plain_kernels;

enum class product { forward, weight_gradient, input_gradient };

#if TAPELESS_BENCH_OPENBLAS
/// The contract of simd_kernels (W row-major Rows x Cols, batches sample-major) by sgemm;
/// one sample by sgemv and sger, as a BLAS user writes it (OpenBLAS 0.3.21 runs a one-row
/// sgemm about 10x slower).
struct openblas_kernels {
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
  static void matmul(const float* w, const float* x, float* y) {  // Y = X W^T
    if constexpr (Samples == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, int(Rows), int(Cols), 1.0f, w, int(Cols), x, 1, 0.0f, y, 1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(Samples), int(Rows), int(Cols), 1.0f, x, int(Cols),
                  w, int(Cols), 0.0f, y, int(Rows));
  }
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
  static void matmul_weight_gradient(const float* dy, const float* x, float* dw, bool accumulate) {  // dY^T X
    if constexpr (Samples == 1) {
      if (!accumulate) std::fill(dw, dw + Rows * Cols, 0.0f);
      cblas_sger(CblasRowMajor, int(Rows), int(Cols), 1.0f, dy, 1, x, 1, dw, int(Cols));
      return;
    }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(Rows), int(Cols), int(Samples), 1.0f, dy, int(Rows), x,
                int(Cols), accumulate ? 1.0f : 0.0f, dw, int(Cols));
  }
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
  static void matmul_input_gradient(const float* w, const float* dy, float* dx, bool accumulate) {  // dY W
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(Samples), int(Cols), int(Rows), 1.0f, dy, int(Rows),
                w, int(Cols), accumulate ? 1.0f : 0.0f, dx, int(Cols));
  }
};
#endif

/// The operands of one product and where it writes.
struct operands {
  std::vector<float> w, x, y, dw, dx;
};

template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
operands make_operands() {
  operands o{std::vector<float>(Rows * Cols), std::vector<float>(Samples * Cols),
             std::vector<float>(Samples * Rows), std::vector<float>(Rows * Cols),
             std::vector<float>(Samples * Cols)};
  for (std::size_t i = 0; i < o.w.size(); ++i) o.w[i] = float(i % 7) * 0.01f - 0.03f;
  for (std::size_t i = 0; i < o.x.size(); ++i) o.x[i] = float(i % 5) * 0.02f;
  for (std::size_t i = 0; i < o.y.size(); ++i) o.y[i] = float(i % 3) * 0.01f - 0.01f;
  return o;
}

/// Runs product P; returns what it wrote.
template <class Kernels, product P, std::size_t Rows, std::size_t Cols, std::size_t Samples>
const std::vector<float>& compute(operands& o) {
  if constexpr (P == product::forward) {
    Kernels::template matmul<Rows, Cols, Samples>(o.w.data(), o.x.data(), o.y.data());
    return o.y;
  } else if constexpr (P == product::weight_gradient) {
    Kernels::template matmul_weight_gradient<Rows, Cols, Samples>(o.y.data(), o.x.data(), o.dw.data(), false);
    return o.dw;
  } else {
    Kernels::template matmul_input_gradient<Rows, Cols, Samples>(o.w.data(), o.y.data(), o.dx.data(), false);
    return o.dx;
  }
}

/// Whether another implementation's product equals simd_kernels' within float rounding of
/// sums of up to a few thousand terms (a wrong index misses by O(1) of the largest value).
template <class Kernels, product P, std::size_t Rows, std::size_t Cols, std::size_t Samples>
bool matches_simd_kernels(benchmark::State& state) {
  if constexpr (std::is_same_v<Kernels, simd_kernels>) {
    return true;
  } else {
    operands mine = make_operands<Rows, Cols, Samples>(), ref = mine;
    const auto& a = compute<Kernels, P, Rows, Cols, Samples>(mine);
    const auto& b = compute<simd_kernels, P, Rows, Cols, Samples>(ref);
    float scale = 0, error = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      scale = std::max(scale, std::abs(b[i]));
      error = std::max(error, std::abs(a[i] - b[i]));
    }
    if (error <= 1e-4f * scale + 1e-6f) return true;
    state.SkipWithError("the product differs from simd_kernels'");
    return false;
  }
}

template <class Kernels, product P, std::size_t Rows, std::size_t Cols, std::size_t Samples>
void run(benchmark::State& state) {
  if (!matches_simd_kernels<Kernels, P, Rows, Cols, Samples>(state)) return;
  operands o = make_operands<Rows, Cols, Samples>();
  for (auto _ : state) {
    compute<Kernels, P, Rows, Cols, Samples>(o);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * Rows * Cols * Samples,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

template <class Kernels>
const char* suffix() {
  if constexpr (std::is_same_v<Kernels, plain_kernels>) return "/plain";
#if TAPELESS_BENCH_OPENBLAS
  if constexpr (std::is_same_v<Kernels, openblas_kernels>) return "/openblas";
#endif
  return "";
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class Kernels = simd_kernels>
void register_shape(bool input_gradient = true) {
  const std::string shape = std::to_string(Rows) + "x" + std::to_string(Cols) + "/b" +
                            std::to_string(Samples) +
                            suffix<Kernels>();
  benchmark::RegisterBenchmark(("forward/" + shape).c_str(),
                               run<Kernels, product::forward, Rows, Cols, Samples>);
  benchmark::RegisterBenchmark(("weight_gradient/" + shape).c_str(),
                               run<Kernels, product::weight_gradient, Rows, Cols, Samples>);
  if (input_gradient)
    benchmark::RegisterBenchmark(("input_gradient/" + shape).c_str(),
                                 run<Kernels, product::input_gradient, Rows, Cols, Samples>);
}

/// The shapes of the 784-wide networks, and a large square product (what share of the FMA
/// peak register tiles reach at all here): registered for tapeless and for OpenBLAS.
template <class Kernels>
void register_wide_shapes() {
  register_shape<128, 784, 1, Kernels>(false);
  register_shape<128, 784, 32, Kernels>(false);
  register_shape<128, 784, 256, Kernels>(false);
  register_shape<10, 128, 256, Kernels>();
  register_shape<256, 784, 64, Kernels>(false);
  register_shape<128, 256, 64, Kernels>();
  register_shape<10, 128, 64, Kernels>();
  register_shape<1024, 1024, 1024, Kernels>();
}

const int registered = [] {
  register_wide_shapes<simd_kernels>();
  register_shape<32, 8, 32>(false);
  register_shape<32, 32, 32>();
  register_shape<4, 32, 32>();
  register_shape<32, 32, 1>();
  register_shape<8, 2, 4>(false);
  register_shape<1, 8, 4>();
  register_shape<8, 2, 1>(false);
  register_shape<1, 8, 1>();
  // The reference loops on the tiny shapes, where the compiler unrolls them completely.
  register_shape<8, 2, 4, plain_kernels>(false);
  register_shape<1, 8, 4, plain_kernels>();
  register_shape<8, 2, 1, plain_kernels>(false);
  register_shape<1, 8, 1, plain_kernels>();
  register_shape<32, 8, 32, plain_kernels>(false);
  register_shape<4, 32, 32, plain_kernels>();
#if TAPELESS_BENCH_OPENBLAS
  openblas_set_num_threads(1);
  register_wide_shapes<openblas_kernels>();
#endif
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
