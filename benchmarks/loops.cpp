// Peer "loops": backpropagation written by hand in plain C++ (no intrinsics, no library),
// every size a template parameter, written independently of tapeless. Register tiles are
// small local arrays whose inner dimension is one SIMD vector of lanes, which the compiler
// turns into vector registers (-O3, -ffp-contract=fast for the fused multiply-add). Bias
// and activation are fused into the forward store, the activation derivative into the
// input-gradient store, the SGD update into the weight-gradient store. Activations:
// max(0, z), and tanh by a clamped rational approximation (the one Eigen uses for float,
// a few ulp; glibc's scalar tanhf costs ~30 ns a call here and would dominate the small
// networks).

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "common.hpp"

namespace {

#if defined(__AVX512F__)
constexpr std::size_t lanes = 16;
#elif defined(__AVX__)
constexpr std::size_t lanes = 8;
#else
constexpr std::size_t lanes = 4;
#endif

/// f(start, integral_constant<width>) over [0, N) in tiles of T and one remainder tile.
template <std::size_t N, std::size_t T, class F>
inline void tiles(F&& f) {
  std::size_t i = 0;
  for (; i + T <= N; i += T) f(i, std::integral_constant<std::size_t, T>{});
  if constexpr (N % T != 0) f(i, std::integral_constant<std::size_t, N % T>{});
}

/// y[s][o] = epilogue(o, sum_i W[o][i] x[s][i]): dot products, 2 samples x 3 rows at a
/// time, each one split over `lanes` independent partial sums (vectorizable without
/// reassociation).
template <std::size_t Out, std::size_t In, std::size_t B, class Epilogue>
inline void dot_product(const float* w, const float* x, float* y, Epilogue epilogue) {
  constexpr std::size_t full = In / lanes * lanes;
  tiles<B, 2>([&](std::size_t s0, auto sn) {
    tiles<Out, 3>([&](std::size_t o0, auto on) {
      constexpr std::size_t SN = decltype(sn)::value, ON = decltype(on)::value;
      float acc[SN][ON][lanes] = {};
      for (std::size_t i = 0; i < full; i += lanes)
        for (std::size_t s = 0; s < SN; ++s)
          for (std::size_t r = 0; r < ON; ++r)
            for (std::size_t l = 0; l < lanes; ++l)
              acc[s][r][l] += w[(o0 + r) * In + i + l] * x[(s0 + s) * In + i + l];
      for (std::size_t s = 0; s < SN; ++s)
        for (std::size_t r = 0; r < ON; ++r) {
          float sum = 0;
          for (std::size_t l = 0; l < lanes; ++l) sum += acc[s][r][l];
          for (std::size_t i = full; i < In; ++i) sum += w[(o0 + r) * In + i] * x[(s0 + s) * In + i];
          y[(s0 + s) * Out + o0 + r] = epilogue(o0 + r, sum);
        }
    });
  });
}

/// store(m, n, sum_k a[m SAM + k SAK] b[k LDB + n]) for m < M, n < N: 4 rows x 2 vectors of
/// columns at a time, accumulated along k in registers.
template <std::size_t M, std::size_t N, std::size_t K, std::size_t SAM, std::size_t SAK,
          std::size_t LDB, class Store>
inline void axpy_product(const float* a, const float* b, Store store) {
  tiles<M, 4>([&](std::size_t m0, auto mt) {
    tiles<N, 2 * lanes>([&](std::size_t n0, auto nt) {
      constexpr std::size_t MT = decltype(mt)::value, NT = decltype(nt)::value;
      float acc[MT][NT] = {};
      for (std::size_t k = 0; k < K; ++k) {
        float row[NT];  // one row of b, loaded once for the MT rows
        for (std::size_t n = 0; n < NT; ++n) row[n] = b[k * LDB + n0 + n];
        for (std::size_t m = 0; m < MT; ++m) {
          const float s = a[(m0 + m) * SAM + k * SAK];
          for (std::size_t n = 0; n < NT; ++n) acc[m][n] += s * row[n];
        }
      }
      for (std::size_t m = 0; m < MT; ++m)
        for (std::size_t n = 0; n < NT; ++n) store(m0 + m, n0 + n, acc[m][n]);
    });
  });
}

/// tanh(x) ~ x p(x^2) / q(x^2) on [-7.9, 7.9], clamped outside (Eigen's float coefficients).
inline float fast_tanh(float a) {
  const float x = std::clamp(a, -7.90531110763549805f, 7.90531110763549805f);
  const float x2 = x * x;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  return std::abs(a) < 0.0004f ? a : x * p / q;
}

template <class C>
struct loops_net {
  static constexpr std::size_t B = C::batch, layers = C::layers;
  static constexpr auto widths = C::widths;

  /// Offset of layer l's activations (l = 0: the input, l = layers: the logits).
  static constexpr std::size_t act_offset(std::size_t l) {
    std::size_t o = 0;
    for (std::size_t k = 0; k < l; ++k) o += B * widths[k];
    return o;
  }

  alignas(64) float w[C::parameter_count];  ///< flat layout of common.hpp
  alignas(64) float g[C::parameter_count];
  alignas(64) float a[act_offset(layers + 1)];  ///< activations: input, hidden outputs, logits
  alignas(64) float d[act_offset(layers + 1)];  ///< dL/dz of each layer's output (same layout)
  alignas(64) float t[B * C::outputs];

  static float act(float z) {
    if constexpr (C::act == bench::activation::tanh) return fast_tanh(z);
    else return z > 0 ? z : 0.0f;
  }
  /// The activation's derivative from its output.
  static float act_slope(float y) {
    if constexpr (C::act == bench::activation::tanh) return 1 - y * y;
    else return y > 0 ? 1.0f : 0.0f;
  }

  template <std::size_t L>
  void forward() {
    constexpr std::size_t In = widths[L], Out = widths[L + 1];
    const float* bias = w + C::bias_offset(L);
    dot_product<Out, In, B>(w + C::weight_offset(L), a + act_offset(L), a + act_offset(L + 1),
                            [&](std::size_t o, float z) {
                              if constexpr (L + 1 == layers) return z + bias[o];
                              else return act(z + bias[o]);
                            });
  }

  /// Loss of the batch and dL/dz of the logits.
  float loss_and_delta() {
    constexpr std::size_t n = C::outputs;
    const float* z = a + act_offset(layers);
    float* dz = d + act_offset(layers);
    float loss = 0;
    for (std::size_t s = 0; s < B; ++s) {
      if constexpr (C::loss == bench::loss_kind::mse) {
        for (std::size_t k = 0; k < n; ++k) {
          const float e = z[s * n + k] - t[s * n + k];
          loss += e * e;
          dz[s * n + k] = 2 * e / (n * B);
        }
      } else {
        float top = z[s * n];
        for (std::size_t k = 1; k < n; ++k) top = std::max(top, z[s * n + k]);
        float total = 0;
        for (std::size_t k = 0; k < n; ++k) total += std::exp(z[s * n + k] - top);
        const float lse = top + std::log(total);
        for (std::size_t k = 0; k < n; ++k) {
          loss += t[s * n + k] * (lse - z[s * n + k]);
          dz[s * n + k] = (std::exp(z[s * n + k] - lse) - t[s * n + k]) / B;
        }
      }
    }
    return C::loss == bench::loss_kind::mse ? loss / (n * B) : loss / B;
  }

  template <std::size_t L>
  void backward(float rate) {
    constexpr std::size_t In = widths[L], Out = widths[L + 1];
    float* weight = w + C::weight_offset(L);
    float* dweight = g + C::weight_offset(L);
    const float* dz = d + act_offset(L + 1);
    // dL/dz of the layer below, with the old weights: (W^T dz) .* act'(a).
    if constexpr (L > 0) {
      const float* below = a + act_offset(L);
      float* dbelow = d + act_offset(L);
      axpy_product<B, In, Out, Out, 1, In>(dz, weight, [&](std::size_t s, std::size_t i, float v) {
        dbelow[s * In + i] = v * act_slope(below[s * In + i]);
      });
    }
    // Bias: gradient and update.
    float* bias = w + C::bias_offset(L);
    float* dbias = g + C::bias_offset(L);
    for (std::size_t o = 0; o < Out; ++o) dbias[o] = 0;
    for (std::size_t s = 0; s < B; ++s)
      for (std::size_t o = 0; o < Out; ++o) dbias[o] += dz[s * Out + o];
    for (std::size_t o = 0; o < Out; ++o) bias[o] -= rate * dbias[o];
    // Weights: dW = sum_s dz_s x_s^T, stored and applied at once.
    axpy_product<Out, In, B, 1, Out, In>(dz, a + act_offset(L), [&](std::size_t o, std::size_t i, float v) {
      dweight[o * In + i] = v;
      weight[o * In + i] -= rate * v;
    });
  }

  float step(float rate) {
    [&]<std::size_t... L>(std::index_sequence<L...>) { (forward<L>(), ...); }(std::make_index_sequence<layers>{});
    const float loss = loss_and_delta();
    [&]<std::size_t... L>(std::index_sequence<L...>) {
      (backward<layers - 1 - L>(rate), ...);
    }(std::make_index_sequence<layers>{});
    return loss;
  }

  void load(const bench::problem<C>& p) {
    std::copy(p.params.begin(), p.params.end(), w);
    std::copy(p.x.begin(), p.x.end(), a);
    std::copy(p.t.begin(), p.t.end(), t);
  }
};

template <class C>
void loops_step(benchmark::State& state) {
  static loops_net<C> net;
  bench::check_then_time<C>(state, net, [] { return std::span<const float>(net.g, C::parameter_count); });
}

const int registered = [] {
  bench::register_all("loops", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), loops_step<C>);
  });
  return 0;
}();

}  // namespace
