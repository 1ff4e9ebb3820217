#ifndef TAPELESS_LOWER_SIMD_KERNELS_HPP
#define TAPELESS_LOWER_SIMD_KERNELS_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../nn/elementwise.hpp"
#include "../nn/plain_kernels.hpp"
#include "../simd/batch.hpp"
#include "gemm.hpp"

namespace tapeless::lower {

// Register-blocked xsimd kernels for the dense loops of a network, for the architecture the
// code is compiled for (xsimd's default: -march picks SSE2, AVX2, AVX-512, NEON...; the scalar
// batch of simd/batch.hpp where xsimd has none, e.g. Cortex-M). Every
// size is a compile-time constant, so tiles and remainders are resolved at compile time.
// Layouts as in nn::plain_kernels: W row-major Rows x Cols, batches sample-major.

namespace detail {

// vec, unroll, for_tiles, load and store come from gemm.hpp.

/// Calls f(i, std::type_identity<U>{}) over [First, N) in steps of U's lanes: U = B while
/// a whole B fits, then the narrower batches of the target, then single values (U = T).
template <class T, class B, std::size_t First, std::size_t N, class F>
TAPELESS_KERNEL_INLINE void for_lanes_from(F& f) {
  if constexpr (std::is_void_v<B>) {
    for (std::size_t i = First; i < N; ++i) f(i, std::type_identity<T>{});
  } else {
    constexpr std::size_t full = First + (N - First) / B::size * B::size;
    for (std::size_t i = First; i < full; i += B::size) f(i, std::type_identity<B>{});
    if constexpr (full < N) for_lanes_from<T, simd::narrower_batch<B>, full, N>(f);
  }
}

/// An elementwise loop over N values of T in the widest vectors that fit (see for_lanes_from).
template <class T, std::size_t N, class F>
TAPELESS_KERNEL_INLINE void for_lanes(F&& f) {
  for_lanes_from<T, vec<T>, 0, N>(f);
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

// The activation of a tile must be inlined whole into the epilogue: a call there spills the
// register tile, and g++ leaves the evaluator of the scalar core out of line once its budget
// for the translation unit runs out (the 8-32-32-4 step took 1.11x as long).
#if defined(__GNUC__)
#define TAPELESS_FLATTEN __attribute__((flatten))
#else
#define TAPELESS_FLATTEN
#endif

/// F(u) for a vector or a value, with every call inside inlined.
template <class F, class U>
TAPELESS_FLATTEN inline U activate(U u) {
  return nn::unary_rule<F>::value(u);
}

/// F'(u) at output y, for vectors or values, with every call inside inlined.
template <class F, class U>
TAPELESS_FLATTEN inline U activation_derivative(U u, U y) {
  return nn::unary_rule<F>::derivative(u, y);
}

/// A dense layer's delta as the prologue of its weight gradient's product: each column of
/// A = delta^T (one sample's Rows values) is computed from dy, z and y as it is packed,
/// stored for the input side if asked, and summed into db (db null: not).
template <class F, std::size_t Rows, class T>
struct delta_prologue {
  static constexpr bool active = true;
  nn::delta_source<T> d;
  T* db;

  template <std::size_t Count>
  void column(std::size_t row_first, std::size_t sample, T* line) const {
    const std::size_t first = sample * Rows + row_first;
    for_lanes<T, Count>([&](std::size_t r, auto lanes) {
      using U = typename decltype(lanes)::type;
      const U delta = delta_at<U>(first + r);
      store(delta, line + r);
      if (d.store) store(delta, d.store + first + r);
      if (db) store(load<U>(db + row_first + r) + delta, db + row_first + r);
    });
  }

  /// Values [first, first + Count) of the delta into out (and into d.store, if it is another
  /// array), without db.
  template <std::size_t Count>
  void values(std::size_t first, T* out) const {
    T* also = d.store && d.store + first != out ? d.store : nullptr;
    for_lanes<T, Count>([&](std::size_t i, auto lanes) {
      using U = typename decltype(lanes)::type;
      const U delta = delta_at<U>(first + i);
      store(delta, out + i);
      if (also) store(delta, also + first + i);
    });
  }

  template <class U>
  TAPELESS_KERNEL_INLINE U delta_at(std::size_t i) const {
    const U dy = load<U>(d.dy + i);
    if constexpr (std::is_void_v<F>) return dy * U(d.scale);
    else return dy * activation_derivative<F>(load<U>(d.z + i), load<U>(d.y + i)) * U(d.scale);
  }
};

/// A dense layer's bias and activation in the forward product's epilogue: each finished
/// value of z = W x + b is stored, and F(z) next to it in y (laid out as z), while the tile
/// is in registers.
template <class F, class T>
struct bias_activation_epilogue {
  static constexpr bool active = true;
  const T* bias;
  const T* z;
  T* y;

  template <class S>
  TAPELESS_KERNEL_INLINE void store(const S& s, T* o) const {
    detail::store(s, o);
    detail::store(activate<F>(s), y + (o - z));
  }
};

}  // namespace detail

/// The SIMD kernels: same contract as nn::plain_kernels.
struct simd_kernels {
  /// Below this batch the forward product runs as dot products.
  static constexpr std::size_t dot_product_samples = 4;

  /// Whether the forward product runs as a register-tiled product (else plain loops or dot
  /// products), and whether its tiles run along the features (W packed; else X packed).
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static constexpr bool tiled_forward = Cols >= detail::vec<T>::size && Samples >= dot_product_samples &&
                                        Rows >= detail::vec<T>::size && Samples >= detail::vec<T>::size;
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static constexpr bool tiles_along_features = tiled_forward<Rows, Cols, Samples, T> && Samples >= Rows;

  /// y_s = W x_s. In GEMM terms Y = X W^T: both operands run along Cols, so one of them is
  /// packed transposed, the smaller one (W when Samples >= Rows, X otherwise; with X packed
  /// the samples are the vector dimension and the tiles land transposed in y). A few
  /// samples, or fewer rows or samples than a vector has lanes, are dot products instead
  /// (packing would cost as much as the product, or lanes would idle); rows shorter than a
  /// vector are plain loops.
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul(const T* w, const T* x, T* y) {
    constexpr std::size_t lanes = detail::vec<T>::size;
    if constexpr (Cols < lanes) {
      nn::plain_kernels::matmul<Rows, Cols, Samples>(w, x, y);
    } else if constexpr (!tiled_forward<Rows, Cols, Samples, T>) {
      constexpr std::size_t MR = 4, NR = 3;
      detail::for_tiles<Samples, NR>([&](std::size_t s0, auto nr) {
        detail::for_tiles<Rows, MR>([&](std::size_t r0, auto mr) {
          detail::dot_tile<mr, nr, Rows, Cols>(w + r0 * Cols, x + s0 * Cols, y + s0 * Rows + r0);
        });
      });
    } else if constexpr (tiles_along_features<Rows, Cols, Samples, T>) {
      detail::product<Samples, Rows, Cols, detail::rows_of_a, Cols, 1, detail::transposed_b<Cols>,
                      detail::row_major_out<Rows>>(x, w, y, false);
    } else {
      detail::product<Rows, Samples, Cols, detail::rows_of_a, Cols, 1, detail::transposed_b<Cols>,
                      detail::transposed_out<Rows>>(w, x, y, false);
    }
  }

  /// A dense layer's forward step, z_s = W x_s + b and y = F(z) (F void: z alone). Where the
  /// product's tiles run along the features (at least as many samples as rows), the bias and
  /// the activation are its epilogue, applied in registers as each tile is stored; otherwise
  /// passes over z.
  template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void dense(const T* w, const T* x, const T* b, T* z, T* y) {
    if constexpr (tiles_along_features<Rows, Cols, Samples, T>) {
      auto product = [&](const auto& epilogue) {
        detail::product<Samples, Rows, Cols, detail::rows_of_a, Cols, 1, detail::transposed_b<Cols>,
                        detail::row_major_out<Rows>>(x, w, z, false, epilogue);
      };
      if constexpr (std::is_void_v<F>) product(detail::bias_epilogue<T>{b});
      else product(detail::bias_activation_epilogue<F, T>{b, z, y});
    } else {
      matmul<Rows, Cols, Samples>(w, x, z);
      nn::plain_kernels::add_bias<Rows, Samples>(b, z);
      if constexpr (!std::is_void_v<F>) map<F, Rows * Samples>(z, y);
    }
  }

  /// dW (+)= sum_s delta_s x_s^T, i.e. dY^T X: tiles of rows of dW, delta broadcast from dY
  /// packed tile by tile, rows of X read in place (rows shorter than a vector: plain loops).
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_weight_gradient(const T* dy, const T* x, T* dw, bool accumulate) {
    if constexpr (Cols < detail::vec<T>::size)
      nn::plain_kernels::matmul_weight_gradient<Rows, Cols, Samples>(dy, x, dw, accumulate);
    else
      detail::product<Rows, Cols, Samples, detail::packed_a, 1, Rows, detail::rows_of_b<Cols>,
                      detail::row_major_out<Cols>>(dy, x, dw, accumulate);
  }

  /// The weight side of a dense layer's backward step (contract of plain_kernels): the
  /// weight gradient's product with the delta computed as its prologue, as A is packed, and
  /// summed into db there (rows shorter than a vector: plain loops).
  template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void dense_weight_gradient(const nn::delta_source<T>& d, const T* x, T* dw,
                                    bool accumulate_w, T* db, bool accumulate_b) {
    if (db && !accumulate_b)
      for (std::size_t r = 0; r < Rows; ++r) db[r] = T(0);
    if constexpr (Cols < detail::vec<T>::size) {
      weight_side_in_passes<F, Rows, Cols, Samples>(d, x, dw, accumulate_w, db);
    } else {
      detail::product<Rows, Cols, Samples, detail::packed_a, 1, Rows, detail::rows_of_b<Cols>,
                      detail::row_major_out<Cols>>(d.dy, x, dw, accumulate_w, detail::no_epilogue{},
                                                   detail::delta_prologue<F, Rows, T>{d, db});
    }
  }

  /// Rows shorter than a vector: the delta as a vector pass (into d.store, else a stack
  /// buffer of 16 KiB or one sample, a block of samples at a time), summed into db, then the
  /// plain product. (Plain loops throughout, with F' per value, took the 8-32-32-4 step at batch
  /// 32 from 3.3 to 5.5 us.)
  template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void weight_side_in_passes(const nn::delta_source<T>& d, const T* x, T* dw,
                                    bool accumulate_w, T* db) {
    constexpr std::size_t capacity = 16 * 1024 / sizeof(T);
    constexpr std::size_t block = Rows >= capacity ? 1 : capacity / Rows;
    constexpr std::size_t buffered = block < Samples ? block : Samples;
    alignas(64) T buffer[buffered * Rows];
    const detail::delta_prologue<F, Rows, T> delta_of{d, nullptr};
    detail::for_tiles<Samples, buffered>([&](std::size_t s0, auto samples) {
      T* delta = d.store ? d.store + s0 * Rows : buffer;
      delta_of.template values<samples * Rows>(s0 * Rows, delta);
      if (db)
        for (std::size_t s = 0; s < samples; ++s)
          for (std::size_t r = 0; r < Rows; ++r) db[r] += delta[s * Rows + r];
      nn::plain_kernels::matmul_weight_gradient<Rows, Cols, samples>(delta, x + s0 * Cols, dw,
                                                                     accumulate_w || s0 > 0);
    });
  }

  /// dx_s (+)= W^T delta_s, i.e. dY W: tiles of samples, delta broadcast, rows of W read in
  /// place (rows shorter than a vector: plain loops). dY is packed when its rows share few
  /// sets of L1 (1024 x 1024 at batch 1024: 47.7 -> 41.9 ms). At most 8 rows
  /// x samples (the output layer of a tiny network), a loop of vectors instead: the tiled
  /// product stays out of line there and took 8 % of the 2-8-1 step at batch 4 (68 -> 64
  /// ns; 8-32-32-4 at batch 1: 472 -> 389 ns).
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_input_gradient(const T* w, const T* dy, T* dx, bool accumulate) {
    using V = detail::vec<T>;
    if constexpr (Cols < V::size)
      nn::plain_kernels::matmul_input_gradient<Rows, Cols, Samples>(w, dy, dx, accumulate);
    else if constexpr (Rows * Samples <= 8 && Cols % V::size == 0)
      for (std::size_t s = 0; s < Samples; ++s)
        for (std::size_t c = 0; c < Cols; c += V::size) {
          V acc = accumulate ? V::load_unaligned(dx + s * Cols + c) : V(T(0));
          for (std::size_t r = 0; r < Rows; ++r)
            acc = simd::fma(V(dy[s * Rows + r]), V::load_unaligned(w + r * Cols + c), acc);
          acc.store_unaligned(dx + s * Cols + c);
        }
    else if constexpr (detail::rows_share_l1_sets<T>(Rows))
      detail::product<Samples, Cols, Rows, detail::packed_a, Rows, 1, detail::rows_of_b<Cols>,
                      detail::row_major_out<Cols>>(dy, w, dx, accumulate);
    else
      detail::product<Samples, Cols, Rows, detail::rows_of_a, Rows, 1, detail::rows_of_b<Cols>,
                      detail::row_major_out<Cols>>(dy, w, dx, accumulate);
  }


  template <class F, std::size_t N, class T>
  static void map(const T* a, T* y) {
    detail::for_lanes<T, N>([&](std::size_t i, auto lanes) {
      using U = typename decltype(lanes)::type;
      detail::store(nn::unary_rule<F>::value(detail::load<U>(a + i)), y + i);
    });
  }

  template <class F, std::size_t N, class T>
  static void map_gradient(const T* a, const T* y, const T* dy, T* da, bool accumulate) {
    detail::for_lanes<T, N>([&](std::size_t i, auto lanes) {
      using U = typename decltype(lanes)::type;
      const U d = nn::unary_rule<F>::derivative(detail::load<U>(a + i), detail::load<U>(y + i));
      const U old = accumulate ? detail::load<U>(da + i) : U(T(0));
      if constexpr (std::is_same_v<U, T>) da[i] = old + dy[i] * d;
      else simd::fma(U::load_unaligned(dy + i), d, old).store_unaligned(da + i);
    });
  }
};

}  // namespace tapeless::lower

#endif
