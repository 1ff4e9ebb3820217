// Micro-benchmark of the dense products alone (lower::simd_kernels): forward, weight
// gradient and input gradient at the shapes of the training-step networks, in GFLOP/s of
// useful flops (2 per multiply-add). Compare with the `fma_peak` probe of the same run.
//
//   ninja -C build-bench tapeless_products && build-bench/benchmarks/tapeless_products, or
//   g++ -std=c++20 -O3 -march=native -DNDEBUG -I include benchmarks/products.cpp
//       -lbenchmark -lpthread -o products && ./products   (one command)

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn/plain_kernels.hpp>
#include <type_traits>
#include <vector>

namespace {

using simd_kernels = tapeless::lower::simd_kernels;
using plain_kernels = tapeless::nn::plain_kernels;

enum class product { forward, weight_gradient, input_gradient };

template <class Kernels, product P, std::size_t Rows, std::size_t Cols, std::size_t Samples>
void run(benchmark::State& state) {
  std::vector<float> w(Rows * Cols), x(Samples * Cols), y(Samples * Rows), dw(Rows * Cols),
      dx(Samples * Cols);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = float(i % 7) * 0.01f - 0.03f;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) * 0.02f;
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = float(i % 3) * 0.01f - 0.01f;
  for (auto _ : state) {
    if constexpr (P == product::forward)
      Kernels::template matmul<Rows, Cols, Samples>(w.data(), x.data(), y.data());
    else if constexpr (P == product::weight_gradient)
      Kernels::template matmul_weight_gradient<Rows, Cols, Samples>(y.data(), x.data(), dw.data(),
                                                                    false);
    else
      Kernels::template matmul_input_gradient<Rows, Cols, Samples>(w.data(), y.data(), dx.data(),
                                                                   false);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * Rows * Cols * Samples,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class Kernels = simd_kernels>
void register_shape(bool input_gradient = true) {
  const std::string shape = std::to_string(Rows) + "x" + std::to_string(Cols) + "/b" +
                            std::to_string(Samples) +
                            (std::is_same_v<Kernels, plain_kernels> ? "/plain" : "");
  benchmark::RegisterBenchmark(("forward/" + shape).c_str(),
                               run<Kernels, product::forward, Rows, Cols, Samples>);
  benchmark::RegisterBenchmark(("weight_gradient/" + shape).c_str(),
                               run<Kernels, product::weight_gradient, Rows, Cols, Samples>);
  if (input_gradient)
    benchmark::RegisterBenchmark(("input_gradient/" + shape).c_str(),
                                 run<Kernels, product::input_gradient, Rows, Cols, Samples>);
}

void fma_peak(benchmark::State& state) {
  using V = xsimd::batch<float>;
  V acc[10];
  for (int c = 0; c < 10; ++c) acc[c] = V(0.5f + 0.01f * float(c));
  V a(0.999f), b(0.001f);
  benchmark::DoNotOptimize(a);
  benchmark::DoNotOptimize(b);
  for (auto _ : state) {
    for (int r = 0; r < 1024; ++r)
      for (int c = 0; c < 10; ++c) acc[c] = xsimd::fma(acc[c], a, b);
    for (int c = 0; c < 10; ++c) benchmark::DoNotOptimize(acc[c]);
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * V::size * 10 * 1024, benchmark::Counter::kIsIterationInvariantRate);
}

const int registered = [] {
  benchmark::RegisterBenchmark("fma_peak", fma_peak);
  register_shape<128, 784, 1>(false);
  register_shape<128, 784, 32>(false);
  register_shape<128, 784, 256>(false);
  register_shape<10, 128, 256>();
  register_shape<256, 784, 64>(false);
  register_shape<128, 256, 64>();
  register_shape<10, 128, 64>();
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
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
