#ifndef TAPELESS_LOWER_SIMD_KERNELS_HPP
#define TAPELESS_LOWER_SIMD_KERNELS_HPP

#include <cstddef>
#include <utility>

#include "../nn/elementwise.hpp"
#include "../simd/batch.hpp"

namespace tapeless::lower {

// Register-blocked xsimd kernels for the dense loops of a network, for the architecture the
// code is compiled for (xsimd's default: -march picks SSE2, AVX2, AVX-512, NEON...; the scalar
// batch of simd/batch.hpp where xsimd has none, e.g. Cortex-M). Every
// size is a compile-time constant, so tiles and remainders are resolved at compile time.
// Layouts as in nn::plain_kernels: W row-major Rows x Cols, batches sample-major.

namespace detail {

template <class T>
using vec = simd::batch<T>;

/// Calls f(integral_constant<I>) for I = 0 .. N-1, unrolled.
template <std::size_t N, class F>
inline void unroll(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
}

/// Calls tile(start, integral_constant<width>) over [0, Total) in tiles of Width and one
/// remainder tile.
template <std::size_t Total, std::size_t Width, class F>
inline void for_tiles(F&& tile) {
  std::size_t start = 0;
  for (; start + Width <= Total; start += Width) tile(start, std::integral_constant<std::size_t, Width>{});
  if constexpr (Total % Width != 0) tile(start, std::integral_constant<std::size_t, Total % Width>{});
}

/// y[j * Rows + i] = w_i . x_j for MR rows of W and NR samples: MR x NR dot products kept in
/// registers along the common dimension.
template <std::size_t MR, std::size_t NR, std::size_t Rows, std::size_t Cols, class T>
inline void dot_tile(const T* w, const T* x, T* y) {
  using V = vec<T>;
  constexpr std::size_t full = Cols / V::size * V::size;
  V acc[MR][NR];
  unroll<MR>([&](auto i) { unroll<NR>([&](auto j) { acc[i][j] = V(T(0)); }); });
  for (std::size_t c = 0; c < full; c += V::size) {
    V xv[NR];
    unroll<NR>([&](auto j) { xv[j] = V::load_unaligned(x + j * Cols + c); });
    unroll<MR>([&](auto i) {
      const V wv = V::load_unaligned(w + i * Cols + c);
      unroll<NR>([&](auto j) { acc[i][j] = simd::fma(wv, xv[j], acc[i][j]); });
    });
  }
  unroll<MR>([&](auto i) {
    unroll<NR>([&](auto j) {
      T sum = full > 0 ? simd::hadd(acc[i][j]) : T(0);
      for (std::size_t c = full; c < Cols; ++c) sum += w[i * Cols + c] * x[j * Cols + c];
      y[j * Rows + i] = sum;
    });
  });
}

/// out[i][c0 ..] += sum_k scale[k * ScaleStride + i * ScaleRowStride] * in[k * InStride + c0 ..]
/// for MR output rows and CV vectors of columns: the shared form of both gradient products.
template <std::size_t MR, std::size_t CV, std::size_t K, std::size_t ScaleStride,
          std::size_t ScaleRowStride, std::size_t InStride, std::size_t OutStride, class T>
inline void axpy_tile(const T* scale, const T* in, T* out, bool accumulate) {
  using V = vec<T>;
  V acc[MR][CV];
  unroll<MR>([&](auto i) {
    unroll<CV>([&](auto v) {
      acc[i][v] = accumulate ? V::load_unaligned(out + i * OutStride + v * V::size) : V(T(0));
    });
  });
  for (std::size_t k = 0; k < K; ++k) {
    V inv[CV];
    unroll<CV>([&](auto v) { inv[v] = V::load_unaligned(in + k * InStride + v * V::size); });
    unroll<MR>([&](auto i) {
      const V s(scale[k * ScaleStride + i * ScaleRowStride]);
      unroll<CV>([&](auto v) { acc[i][v] = simd::fma(s, inv[v], acc[i][v]); });
    });
  }
  unroll<MR>([&](auto i) {
    unroll<CV>([&](auto v) { acc[i][v].store_unaligned(out + i * OutStride + v * V::size); });
  });
}

/// The scalar remainder columns [from, Cols) of the same product.
template <std::size_t M, std::size_t K, std::size_t ScaleStride, std::size_t ScaleRowStride,
          std::size_t InStride, std::size_t OutStride, std::size_t From, std::size_t Cols, class T>
inline void axpy_rest(const T* scale, const T* in, T* out, bool accumulate) {
  if (!accumulate)
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t c = From; c < Cols; ++c) out[i * OutStride + c] = T(0);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t c = From; c < Cols; ++c)
        out[i * OutStride + c] += scale[k * ScaleStride + i * ScaleRowStride] * in[k * InStride + c];
}

/// out (M rows of Cols) += sum_k scale(k, i) in[k], tiled by MR rows and CV vectors.
template <std::size_t M, std::size_t K, std::size_t ScaleStride, std::size_t ScaleRowStride,
          std::size_t InStride, std::size_t Cols, class T>
inline void scaled_sum(const T* scale, const T* in, T* out, bool accumulate) {
  using V = vec<T>;
  constexpr std::size_t MR = 4, CV = 2;
  constexpr std::size_t wide = Cols / (CV * V::size) * (CV * V::size);
  constexpr std::size_t narrow = Cols / V::size * V::size;
  // Columns in panels whose K rows of `in` stay in L2 (128 KB) while every row tile of
  // `out` passes over them: with a large batch, `in` would otherwise stream from L3 once
  // per row tile.
  constexpr std::size_t step = CV * V::size;
  constexpr std::size_t fit = 128 * 1024 / (K * sizeof(T)) / step * step;
  constexpr std::size_t panel = fit > step ? fit : step;
  for (std::size_t p0 = 0; p0 < wide; p0 += panel) {
    const std::size_t p1 = p0 + panel < wide ? p0 + panel : wide;
    for_tiles<M, MR>([&](std::size_t r0, auto mr) {
      for (std::size_t c = p0; c < p1; c += step)
        axpy_tile<mr, CV, K, ScaleStride, ScaleRowStride, InStride, Cols>(scale + r0 * ScaleRowStride, in + c,
                                                                          out + r0 * Cols + c, accumulate);
    });
  }
  for_tiles<M, MR>([&](std::size_t r0, auto mr) {
    if constexpr (narrow > wide)
      axpy_tile<mr, 1, K, ScaleStride, ScaleRowStride, InStride, Cols>(scale + r0 * ScaleRowStride, in + wide,
                                                                       out + r0 * Cols + wide, accumulate);
    axpy_rest<mr, K, ScaleStride, ScaleRowStride, InStride, Cols, narrow, Cols>(scale + r0 * ScaleRowStride, in,
                                                                                  out + r0 * Cols, accumulate);
  });
}

}  // namespace detail

/// The SIMD kernels: same contract as nn::plain_kernels.
struct simd_kernels {
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul(const T* w, const T* x, T* y) {
    constexpr std::size_t MR = 4, NR = 3;
    detail::for_tiles<Samples, NR>([&](std::size_t s0, auto nr) {
      detail::for_tiles<Rows, MR>([&](std::size_t r0, auto mr) {
        detail::dot_tile<mr, nr, Rows, Cols>(w + r0 * Cols, x + s0 * Cols, y + s0 * Rows + r0);
      });
    });
  }

  /// dW += sum_s delta_s x_s^T: row r of dW gathers delta[s][r] * x_s over the samples.
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_weight_gradient(const T* dy, const T* x, T* dw, bool accumulate) {
    detail::scaled_sum<Rows, Samples, Rows, 1, Cols, Cols>(dy, x, dw, accumulate);
  }

  /// dx_s += W^T delta_s: row s of dx gathers delta[s][r] * W_r over the rows of W.
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_input_gradient(const T* w, const T* dy, T* dx, bool accumulate) {
    detail::scaled_sum<Samples, Rows, 1, Rows, Cols, Cols>(dy, w, dx, accumulate);
  }

  template <class F, std::size_t N, class T>
  static void map(const T* a, T* y) {
    using V = detail::vec<T>;
    constexpr std::size_t full = N / V::size * V::size;
    for (std::size_t i = 0; i < full; i += V::size)
      nn::unary_rule<F>::value(V::load_unaligned(a + i)).store_unaligned(y + i);
    for (std::size_t i = full; i < N; ++i) y[i] = nn::unary_rule<F>::value(a[i]);
  }

  template <class F, std::size_t N, class T>
  static void map_gradient(const T* a, const T* y, const T* dy, T* da, bool accumulate) {
    using V = detail::vec<T>;
    constexpr std::size_t full = N / V::size * V::size;
    for (std::size_t i = 0; i < full; i += V::size) {
      const V d = nn::unary_rule<F>::derivative(V::load_unaligned(a + i), V::load_unaligned(y + i));
      const V old = accumulate ? V::load_unaligned(da + i) : V(T(0));
      simd::fma(V::load_unaligned(dy + i), d, old).store_unaligned(da + i);
    }
    for (std::size_t i = full; i < N; ++i)
      da[i] = (accumulate ? da[i] : T(0)) + dy[i] * nn::unary_rule<F>::derivative(a[i], y[i]);
  }
};

}  // namespace tapeless::lower

#endif
