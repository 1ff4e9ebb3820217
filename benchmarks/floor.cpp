// Latency floor of the 2-8-1 tanh MSE step at batch 1: one SGD step hand-scheduled for
// AVX2 + FMA, the parameters in memory in tapeless's layout (W1 8 x 2 row-major, b1, W2
// 1 x 8, b2), as the suite's steps keep them. Not a peer: no library would be written this
// way. It measures how short the chain of dependent operations from one step's update to the
// next step's product can be on this machine, the bound any lowering (tapeless's or a
// hand-written peer's) meets. Registered as "floor/2-8-1_tanh_MSE/b1" where AVX2 and FMA are
// enabled (-march=native on such a machine); its update is checked against tapeless's
// gradient before timing, like every peer's.
//
// What shortens the chain, against a straightforward step:
// - W1 x is formed without gathering the columns of the row-major W1: the products W1 .* [x0
//   x1 x0 x1 ...] are summed in pairs (hadd), which leaves z in the lane order 0 1 4 5 2 3 6
//   7; b1 and W2 are loaded in that order, off the chain, and the delta comes out in it, the
//   order in which unpacklo / unpackhi spread it over the rows of W1 for its update.
// - The output's dot product ends with the sum in every lane (no broadcast of the scalar);
//   b2 - t and the factor -2 * rate are folded into one FMA.
// - tanh is xsimd's, as in tapeless's kernels: its polynomial branch for |z| < 0.625 (all
//   of this problem's z).

#include <benchmark/benchmark.h>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <vector>

#include "common.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace {

using V = xsimd::batch<float, xsimd::avx2>;

struct tiny_parameters {
  alignas(32) float w1[16];
  alignas(32) float b1[8];
  alignas(32) float w2[8];
  float b2;
};

/// The lanes in the order 0 1 4 5 2 3 6 7 (the order hadd leaves W1 x in), an involution.
__m256 swap_middle_pairs(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

/// The sum of the lanes, in every lane.
__m256 sum_in_every_lane(__m256 v) {
  v = _mm256_add_ps(v, _mm256_permute2f128_ps(v, v, 1));
  v = _mm256_add_ps(v, _mm256_permute_ps(v, 0x4E));
  return _mm256_add_ps(v, _mm256_permute_ps(v, 0xB1));
}

/// One SGD step on one sample; returns the loss before the update.
inline float floor_step(tiny_parameters& p, const float* x, float t, float rate) {
  const __m256 xx = _mm256_castpd_ps(_mm256_broadcast_sd(reinterpret_cast<const double*>(x)));
  const __m256 wa = _mm256_load_ps(p.w1), wb = _mm256_load_ps(p.w1 + 8);
  const __m256 b1 = _mm256_load_ps(p.b1), w2 = _mm256_load_ps(p.w2);
  const __m256 w2p = swap_middle_pairs(w2);
  const __m256 z = _mm256_add_ps(_mm256_hadd_ps(_mm256_mul_ps(wa, xx), _mm256_mul_ps(wb, xx)),
                                 swap_middle_pairs(b1));
  const __m256 a = xsimd::tanh(V(z));
  const float k = -2.0f * rate;  // -rate * dL/dz2 = k * (z2 - t)
  const __m256 g = _mm256_fmadd_ps(sum_in_every_lane(_mm256_mul_ps(w2p, a)), _mm256_set1_ps(k),
                                   _mm256_set1_ps((p.b2 - t) * k));
  const __m256 slope = _mm256_fnmadd_ps(a, a, _mm256_set1_ps(1.0f));  // tanh' = 1 - a^2
  const __m256 d = _mm256_mul_ps(_mm256_mul_ps(w2p, slope), g);      // -rate * delta1
  _mm256_store_ps(p.w1, _mm256_fmadd_ps(_mm256_unpacklo_ps(d, d), xx, wa));
  _mm256_store_ps(p.w1 + 8, _mm256_fmadd_ps(_mm256_unpackhi_ps(d, d), xx, wb));
  _mm256_store_ps(p.b1, _mm256_add_ps(b1, swap_middle_pairs(d)));
  _mm256_store_ps(p.w2, _mm256_fmadd_ps(g, swap_middle_pairs(a), w2));
  const float step = _mm256_cvtss_f32(g);
  p.b2 += step;
  const float error = step / k;
  return error * error;
}

using tiny = bench::tiny_b1;
static_assert(tiny::parameter_count == 16 + 8 + 8 + 1);

tiny_parameters load(const bench::problem<tiny>& prob) {
  tiny_parameters p{};
  const float* src = prob.params.data();
  std::copy_n(src + tiny::weight_offset(0), 16, p.w1);
  std::copy_n(src + tiny::bias_offset(0), 8, p.b1);
  std::copy_n(src + tiny::weight_offset(1), 8, p.w2);
  p.b2 = src[tiny::bias_offset(1)];
  return p;
}

std::vector<float> flat(const tiny_parameters& p) {
  std::vector<float> v(tiny::parameter_count);
  std::copy_n(p.w1, 16, v.begin() + tiny::weight_offset(0));
  std::copy_n(p.b1, 8, v.begin() + tiny::bias_offset(0));
  std::copy_n(p.w2, 8, v.begin() + tiny::weight_offset(1));
  v[tiny::bias_offset(1)] = p.b2;
  return v;
}

void floor_tiny(benchmark::State& state) {
  const auto prob = bench::make_problem<tiny>();
  // In static storage, as every step of the suite keeps its parameters: the next step reads
  // them back from memory, not from registers the compiler could carry across iterations.
  static tiny_parameters p;
  p = load(prob);
  // With rate 1 the update moves the parameters by the gradient itself.
  const float loss = floor_step(p, prob.x.data(), prob.t[0], 1.0f);
  std::vector<float> moved = flat(p);
  for (std::size_t i = 0; i < moved.size(); ++i) moved[i] = prob.params[i] - moved[i];
  if (!bench::matches_reference<tiny>(state, loss, moved)) return;
  p = load(prob);
  float rate = bench::learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(floor_step(p, prob.x.data(), prob.t[0], rate));
    rate = -rate;
    benchmark::ClobberMemory();
  }
  bench::set_counters<tiny>(state);
}

const int registered = [] {
  benchmark::RegisterBenchmark(("floor/" + tiny::name()).c_str(), floor_tiny);
  return 0;
}();

}  // namespace
#endif
