#ifndef TAPELESS_SIMD_BATCH_HPP
#define TAPELESS_SIMD_BATCH_HPP

// The only layer that includes xsimd. g++ 12 warns -Wmaybe-uninitialized inside its own
// AVX-512 intrinsics reached through xsimd's exp/log/tanh (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "../math/scalar.hpp"

namespace tapeless {

/// Evaluation of expressions on SIMD batches: `evaluate(f, x = xsimd::batch<float>(...))`.
template <class T, class Arch>
struct math<xsimd::batch<T, Arch>> {
  using B = xsimd::batch<T, Arch>;
  using scalar_type = T;

  static B exp(const B& x) { return xsimd::exp(x); }
  static B log(const B& x) { return xsimd::log(x); }
  static B log1p(const B& x) { return xsimd::log1p(x); }
  static B sqrt(const B& x) { return xsimd::sqrt(x); }
  static B sin(const B& x) { return xsimd::sin(x); }
  static B cos(const B& x) { return xsimd::cos(x); }
  static B tanh(const B& x) { return xsimd::tanh(x); }
  static B abs(const B& x) { return xsimd::abs(x); }
  static B pow(const B& x, const B& p) { return xsimd::pow(x, p); }
  static B max(const B& x, const B& y) { return xsimd::max(x, y); }
  static B select_positive(const B& x, const B& if_positive, const B& otherwise) {
    return xsimd::select(x > B(T(0)), if_positive, otherwise);
  }
};

}  // namespace tapeless

#endif
