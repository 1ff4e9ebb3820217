#ifndef TAPELESS_NN_PLAIN_KERNELS_HPP
#define TAPELESS_NN_PLAIN_KERNELS_HPP

#include <cstddef>
#include <type_traits>

#include "elementwise.hpp"

namespace tapeless::nn {

/// Where the weight side of a dense layer's backward step takes its delta from:
/// delta = (dy .* F'(z, y)) scale (F void: dy scale; z and y unused), also stored into
/// `store` unless it is null (for the input side, which reads it after).
template <class T>
struct delta_source {
  const T* dy;
  const T* z;
  const T* y;
  T scale;
  T* store;
};

/// The reference kernels: plain loops with every size a compile-time constant, in the
/// order of the textbook formulas. The SIMD kernels (lower/simd_kernels.hpp) must agree
/// with these within float rounding.
///
/// Layouts: W is Rows x Cols row-major; a batch of vectors is sample-major (sample s at
/// [s * size, (s + 1) * size)).
struct plain_kernels {
  /// y_s = W x_s for every sample s.
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul(const T* w, const T* x, T* y) {
    for (std::size_t s = 0; s < Samples; ++s)
      for (std::size_t r = 0; r < Rows; ++r) {
        T acc = 0;
        for (std::size_t c = 0; c < Cols; ++c) acc += w[r * Cols + c] * x[s * Cols + c];
        y[s * Rows + r] = acc;
      }
  }

  /// dW (+)= sum_s delta_s x_s^T; `accumulate` false: dW is overwritten.
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_weight_gradient(const T* dy, const T* x, T* dw, bool accumulate) {
    if (!accumulate)
      for (std::size_t i = 0; i < Rows * Cols; ++i) dw[i] = T(0);
    for (std::size_t s = 0; s < Samples; ++s)
      for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t c = 0; c < Cols; ++c) dw[r * Cols + c] += dy[s * Rows + r] * x[s * Cols + c];
  }

  /// dx_s (+)= W^T delta_s
  template <std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void matmul_input_gradient(const T* w, const T* dy, T* dx, bool accumulate) {
    if (!accumulate)
      for (std::size_t i = 0; i < Samples * Cols; ++i) dx[i] = T(0);
    for (std::size_t s = 0; s < Samples; ++s)
      for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t c = 0; c < Cols; ++c) dx[s * Cols + c] += w[r * Cols + c] * dy[s * Rows + r];
  }

  /// A dense layer's forward step: z_s = W x_s + b for every sample s, and y = F(z)
  /// elementwise (F void: z alone; y is then unused).
  template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void dense(const T* w, const T* x, const T* b, T* z, T* y) {
    matmul<Rows, Cols, Samples>(w, x, z);
    add_bias<Rows, Samples>(b, z);
    if constexpr (!std::is_void_v<F>) map<F, Rows * Samples>(z, y);
  }

  /// The weight side of a dense layer's backward step, from the delta of `d`:
  /// db (+)= sum_s delta_s (db null: none) and dW (+)= sum_s delta_s x_s^T.
  template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples, class T>
  static void dense_weight_gradient(const delta_source<T>& d, const T* x, T* dw, bool accumulate_w,
                                    T* db, bool accumulate_b) {
    if (!accumulate_w)
      for (std::size_t i = 0; i < Rows * Cols; ++i) dw[i] = T(0);
    if (db && !accumulate_b)
      for (std::size_t r = 0; r < Rows; ++r) db[r] = T(0);
    for (std::size_t s = 0; s < Samples; ++s)
      for (std::size_t r = 0; r < Rows; ++r) {
        const T delta = delta_of<F>(d, s * Rows + r);
        if (d.store) d.store[s * Rows + r] = delta;
        if (db) db[r] += delta;
        for (std::size_t c = 0; c < Cols; ++c) dw[r * Cols + c] += delta * x[s * Cols + c];
      }
  }

  /// The i-th value of the delta of `d`.
  template <class F, class T>
  static T delta_of(const delta_source<T>& d, std::size_t i) {
    if constexpr (std::is_void_v<F>) return d.dy[i] * d.scale;
    else return d.dy[i] * unary_rule<F>::derivative(d.z[i], d.y[i]) * d.scale;
  }

  /// z_s += b for every sample s.
  template <std::size_t Rows, std::size_t Samples, class T>
  static void add_bias(const T* b, T* z) {
    for (std::size_t s = 0; s < Samples; ++s)
      for (std::size_t r = 0; r < Rows; ++r) z[s * Rows + r] += b[r];
  }

  /// y = F(a) elementwise.
  template <class F, std::size_t N, class T>
  static void map(const T* a, T* y) {
    for (std::size_t i = 0; i < N; ++i) y[i] = unary_rule<F>::value(a[i]);
  }

  /// da (+)= dy .* F'(a), with F' written in terms of a and the stored output y.
  template <class F, std::size_t N, class T>
  static void map_gradient(const T* a, const T* y, const T* dy, T* da, bool accumulate) {
    for (std::size_t i = 0; i < N; ++i)
      da[i] = (accumulate ? da[i] : T(0)) + dy[i] * unary_rule<F>::derivative(a[i], y[i]);
  }
};

}  // namespace tapeless::nn

#endif
