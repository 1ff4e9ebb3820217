// Single-core fp32 peak probe: Chains independent chains of xsimd fused multiply-adds on
// the widest batch the build targets (AVX2 here: 8 floats; AVX-512: 16), enough of them to
// cover the FMA latency times the number of FMA pipes. acc = acc * a + b converges to
// b / (1 - a), so no value overflows or goes subnormal. Counted as 2 flops per lane.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <utility>

#include <xsimd/xsimd.hpp>

namespace {

template <std::size_t Chains>
void fma_peak(benchmark::State& state) {
  using V = xsimd::batch<float>;
  constexpr std::size_t inner = 1024;
  V acc[Chains];
  for (std::size_t c = 0; c < Chains; ++c) acc[c] = V(0.5f + 0.01f * float(c));
  V a(0.999f), b(0.001f);
  benchmark::DoNotOptimize(a);
  benchmark::DoNotOptimize(b);
  for (auto _ : state) {
    for (std::size_t r = 0; r < inner; ++r)
      [&]<std::size_t... C>(std::index_sequence<C...>) {
        ((acc[C] = xsimd::fma(acc[C], a, b)), ...);
      }(std::make_index_sequence<Chains>{});
    for (std::size_t c = 0; c < Chains; ++c) benchmark::DoNotOptimize(acc[c]);
  }
  const double flops = 2.0 * V::size * Chains * inner;
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::to_string(V::size) + " floats per batch (" + xsimd::default_arch::name() + ")");
}

BENCHMARK(fma_peak<8>)->Name("fma_peak/chains:8");
BENCHMARK(fma_peak<10>)->Name("fma_peak/chains:10");
BENCHMARK(fma_peak<12>)->Name("fma_peak/chains:12");

}  // namespace
