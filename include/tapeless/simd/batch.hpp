#ifndef TAPELESS_SIMD_BATCH_HPP
#define TAPELESS_SIMD_BATCH_HPP

// The only layer that includes xsimd. It offers the kernels one facade, tapeless::simd:
//   simd::batch<T>     xsimd's batch for the target's widest architecture, or, where xsimd
//                      has none (Cortex-M, or TAPELESS_SCALAR_SIMD defined), scalar_batch<T>:
//                      one lane, plain float arithmetic, same members;
//   simd::fma, hadd, select, min, max, abs, sqrt, exp, log, log1p, sin, cos, tanh, pow
//                      for both (xsimd's, except tanh of a float batch: our own, faster
//                      where a batch mixes small and large values).
//   simd::any          whether some lane of a comparison's result is true, for both.
// TAPELESS_SCALAR_SIMD forces the scalar batch on any target (to test it on x86). Define it
// for a whole program or for none of it: the kernels instantiated with and without it share
// their names.

// Macros only: which architectures xsimd has for this target, without including the rest
// of xsimd (whose batch types do not exist there).
#include <xsimd/config/xsimd_config.hpp>

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define TAPELESS_SIMD_HAS_XSIMD 0
#else
#define TAPELESS_SIMD_HAS_XSIMD 1
#endif

#if TAPELESS_SIMD_HAS_XSIMD
// g++ 12 warns -Wmaybe-uninitialized inside its own AVX-512 intrinsics reached through
// xsimd's exp/log/tanh (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

#include <bit>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "../math/scalar.hpp"

namespace tapeless::simd {

/// A batch of one lane, for targets without SIMD: the members of xsimd::batch that the
/// kernels use, on a plain T. Every operation is the scalar one, so a network computes the
/// same values as with the plain loops, apart from the order of additions.
template <class T>
struct scalar_batch {
  using value_type = T;
  static constexpr std::size_t size = 1;

  T value;

  scalar_batch() = default;
  scalar_batch(T v) : value(v) {}  // NOLINT: implicit broadcast, as xsimd::batch(T)

  static scalar_batch load_unaligned(const T* p) { return *p; }
  static scalar_batch load_aligned(const T* p) { return *p; }
  void store_unaligned(T* p) const { *p = value; }
  void store_aligned(T* p) const { *p = value; }
  T get(std::size_t) const { return value; }

  scalar_batch operator-() const { return -value; }
  scalar_batch operator+() const { return value; }
  scalar_batch& operator+=(scalar_batch b) { value += b.value; return *this; }
  scalar_batch& operator-=(scalar_batch b) { value -= b.value; return *this; }
  scalar_batch& operator*=(scalar_batch b) { value *= b.value; return *this; }
  scalar_batch& operator/=(scalar_batch b) { value /= b.value; return *this; }

  // Hidden friends: a T on either side converts, as with xsimd::batch.
  friend scalar_batch operator+(scalar_batch a, scalar_batch b) { return a.value + b.value; }
  friend scalar_batch operator-(scalar_batch a, scalar_batch b) { return a.value - b.value; }
  friend scalar_batch operator*(scalar_batch a, scalar_batch b) { return a.value * b.value; }
  friend scalar_batch operator/(scalar_batch a, scalar_batch b) { return a.value / b.value; }
  // The comparisons give the batch_bool of one lane: a bool.
  friend bool operator<(scalar_batch a, scalar_batch b) { return a.value < b.value; }
  friend bool operator<=(scalar_batch a, scalar_batch b) { return a.value <= b.value; }
  friend bool operator>(scalar_batch a, scalar_batch b) { return a.value > b.value; }
  friend bool operator>=(scalar_batch a, scalar_batch b) { return a.value >= b.value; }
  friend bool operator==(scalar_batch a, scalar_batch b) { return a.value == b.value; }
  friend bool operator!=(scalar_batch a, scalar_batch b) { return a.value != b.value; }
};

// a * b + c, not std::fma: on targets without an FMA instruction std::fma is a slow exact
// library call; the compiler contracts this to one instruction where there is one (VFMA on
// Cortex-M4F), as xsimd::fma does on SSE2.
template <class T>
scalar_batch<T> fma(scalar_batch<T> a, scalar_batch<T> b, scalar_batch<T> c) {
  return a.value * b.value + c.value;
}
/// The sum of the lanes.
template <class T>
T hadd(scalar_batch<T> a) {
  return a.value;
}
template <class T>
scalar_batch<T> select(bool condition, scalar_batch<T> if_true, scalar_batch<T> if_false) {
  return condition ? if_true : if_false;
}
template <class T>
scalar_batch<T> min(scalar_batch<T> a, scalar_batch<T> b) {
  return b.value < a.value ? b : a;
}
template <class T>
scalar_batch<T> max(scalar_batch<T> a, scalar_batch<T> b) {
  return a.value < b.value ? b : a;
}
template <class T>
scalar_batch<T> abs(scalar_batch<T> a) { return std::abs(a.value); }
template <class T>
scalar_batch<T> sqrt(scalar_batch<T> a) { return std::sqrt(a.value); }
template <class T>
scalar_batch<T> exp(scalar_batch<T> a) { return std::exp(a.value); }
template <class T>
scalar_batch<T> log(scalar_batch<T> a) { return std::log(a.value); }
template <class T>
scalar_batch<T> log1p(scalar_batch<T> a) { return std::log1p(a.value); }
template <class T>
scalar_batch<T> sin(scalar_batch<T> a) { return std::sin(a.value); }
template <class T>
scalar_batch<T> cos(scalar_batch<T> a) { return std::cos(a.value); }
template <class T>
scalar_batch<T> tanh(scalar_batch<T> a) { return std::tanh(a.value); }
template <class T>
scalar_batch<T> pow(scalar_batch<T> a, scalar_batch<T> p) { return std::pow(a.value, p.value); }
/// Whether some lane is true; the batch_bool of one lane is a bool.
inline bool any(bool condition) { return condition; }

#if TAPELESS_SIMD_HAS_XSIMD
// The same names for xsimd's batches (found before xsimd's overloads for plain scalars,
// which these do not match).
using xsimd::abs;
using xsimd::any;
using xsimd::cos;
using xsimd::exp;
using xsimd::fma;
using xsimd::hadd;
using xsimd::log;
using xsimd::log1p;
using xsimd::max;
using xsimd::min;
using xsimd::pow;
using xsimd::select;
using xsimd::sin;
using xsimd::sqrt;

// tanh is forced inline down to the kernels' loops: out of line, a tiny network's step
// passes its batches through memory (2-8-1 at batch 1: 44 ns instead of 40).
#if defined(__GNUC__) || defined(__clang__)
#define TAPELESS_SIMD_INLINE inline __attribute__((always_inline))
#else
#define TAPELESS_SIMD_INLINE inline
#endif

namespace detail {
/// tanh for |x| < 0.625: xsimd's odd polynomial (its coefficients, 1.3 ulp).
template <class Arch>
TAPELESS_SIMD_INLINE xsimd::batch<float, Arch> small_tanh(const xsimd::batch<float, Arch>& x) {
  using B = xsimd::batch<float, Arch>;
  const B x2 = x * x;
  B p = xsimd::fma(x2, B(std::bit_cast<float>(0xbbbaf0eau)), B(std::bit_cast<float>(0x3ca9134eu)));
  p = xsimd::fma(x2, p, B(std::bit_cast<float>(0xbd5c1e2du)));
  p = xsimd::fma(x2, p, B(std::bit_cast<float>(0x3e088393u)));
  p = xsimd::fma(x2, p, B(std::bit_cast<float>(0xbeaaaa99u)));
  return xsimd::fma(p * x2, x, x);
}

/// tanh by Eigen's 13/6 rational approximation: one division, no branch; exactly +-1 from
/// 9 on (where tanh rounds to 1 or lies within 4 ulp of it), so that a saturated unit's
/// derivative 1 - y^2 is 0. At most 4.9 ulp from tanh with fused multiply-adds, 6.9 where
/// each rounds twice (SSE2). The clamp to the range of the fit is min(hi, max(lo, x)), so
/// that a NaN passes through (x86 min/max return the second operand when one is NaN).
template <class Arch>
TAPELESS_SIMD_INLINE xsimd::batch<float, Arch> large_tanh(xsimd::batch<float, Arch> x) {
  using B = xsimd::batch<float, Arch>;
  const B c = xsimd::min(B(7.90531110763549805f), xsimd::max(B(-7.90531110763549805f), x));
  const B c2 = c * c;
  B p = xsimd::fma(c2, B(-2.76076847742355e-16f), B(2.00018790482477e-13f));
  p = xsimd::fma(c2, p, B(-8.60467152213735e-11f));
  p = xsimd::fma(c2, p, B(5.12229709037114e-08f));
  p = xsimd::fma(c2, p, B(1.48572235717979e-05f));
  p = xsimd::fma(c2, p, B(6.37261928875436e-04f));
  p = xsimd::fma(c2, p, B(4.89352455891786e-03f));
  B q = xsimd::fma(c2, B(1.19825839466702e-06f), B(1.18534705686654e-04f));
  q = xsimd::fma(c2, q, B(2.26843463243900e-03f));
  q = xsimd::fma(c2, q, B(4.89352518554385e-03f));
  return xsimd::select(xsimd::abs(x) >= B(9.0f), xsimd::copysign(B(1.0f), x), c * p / q);
}
}  // namespace detail

/// tanh of a float batch: the polynomial where every lane is below 0.625 in magnitude,
/// else the rational approximation for every lane. (xsimd's tanh computes an exponential
/// and a division besides the polynomial for a batch that mixes both ranges: the 2-8-1
/// step at batch 4 took 69-75 ns with it, 63-65 ns with this.)
template <class Arch>
TAPELESS_SIMD_INLINE xsimd::batch<float, Arch> tanh(const xsimd::batch<float, Arch>& x) {
  using B = xsimd::batch<float, Arch>;
  if (xsimd::all(xsimd::abs(x) < B(0.625f))) return detail::small_tanh(x);
  return detail::large_tanh(x);
}
/// tanh of a double batch: xsimd's.
template <class Arch>
TAPELESS_SIMD_INLINE xsimd::batch<double, Arch> tanh(const xsimd::batch<double, Arch>& x) {
  return xsimd::tanh(x);
}
#endif

#if TAPELESS_SIMD_HAS_XSIMD && !defined(TAPELESS_SCALAR_SIMD)
/// The batch the kernels use: xsimd's, for the widest architecture enabled by -march.
template <class T>
using batch = xsimd::batch<T>;
/// The result of comparing two batches.
template <class T>
using batch_bool = xsimd::batch_bool<T>;
/// Whether simd::batch is xsimd's (false: the scalar batch).
inline constexpr bool uses_xsimd = true;
#else
template <class T>
using batch = scalar_batch<T>;
template <class T>
using batch_bool = bool;
inline constexpr bool uses_xsimd = false;
#endif

#if TAPELESS_SIMD_HAS_XSIMD && !defined(TAPELESS_SCALAR_SIMD)
namespace detail {
// The 256- and 128-bit architectures of the target, for the tails of elementwise loops.
#if XSIMD_WITH_FMA3_AVX2
using arch_256 = xsimd::fma3<xsimd::avx2>;
#elif XSIMD_WITH_AVX2
using arch_256 = xsimd::avx2;
#elif XSIMD_WITH_AVX
using arch_256 = xsimd::avx;
#else
using arch_256 = void;
#endif
#if XSIMD_WITH_FMA3_SSE
using arch_128 = xsimd::fma3<xsimd::sse4_2>;
#elif XSIMD_WITH_SSE4_2
using arch_128 = xsimd::sse4_2;
#elif XSIMD_WITH_SSE2
using arch_128 = xsimd::sse2;
#else
using arch_128 = void;
#endif

template <class T, class Arch>
struct batch_of {
  using type = xsimd::batch<T, Arch>;
};
template <class T>
struct batch_of<T, void> {
  using type = void;
};
}  // namespace detail

/// The batch of the next narrower registers the target has (AVX-512: AVX's 256 bits; AVX:
/// SSE's 128), else void: the tail of an elementwise loop runs in it rather than value by
/// value (an 8-unit tanh layer with AVX-512: one AVX vector instead of 8 calls of tanhf).
template <class B>
using narrower_batch = typename detail::batch_of<
    typename B::value_type,
    std::conditional_t<B::size * sizeof(typename B::value_type) == 64, detail::arch_256,
                       std::conditional_t<B::size * sizeof(typename B::value_type) == 32,
                                          detail::arch_128, void>>>::type;
#else
template <class B>
using narrower_batch = void;
#endif

#if TAPELESS_SIMD_HAS_XSIMD && !defined(TAPELESS_SCALAR_SIMD)
namespace detail {
/// x with lane j taken from lane j ^ D: neighbouring groups of D lanes swapped.
template <std::size_t D, class B, std::size_t... J>
B swap_groups(const B& x, std::index_sequence<J...>) {
  using index = xsimd::as_unsigned_integer_t<typename B::value_type>;
  using mask = xsimd::batch_constant<xsimd::batch<index, typename B::arch_type>, static_cast<index>(J ^ D)...>;
  return xsimd::swizzle(x, mask{});
}
/// Lane j from `low` where bit D of j is clear, else from `high`.
template <std::size_t D, class B, std::size_t... J>
B blend_groups(const B& low, const B& high, std::index_sequence<J...>) {
  return xsimd::select(xsimd::batch_bool_constant<B, ((J & D) == 0)...>{}, low, high);
}
/// One stage of a square transposition held in registers: rows i and i + D (bit D of i
/// clear) exchange their off-diagonal groups of D lanes.
template <std::size_t D, class B, std::size_t N>
void transpose_stage(B (&rows)[N]) {
  constexpr auto lanes = std::make_index_sequence<N>{};
  for (std::size_t i = 0; i < N; ++i) {
    if (i & D) continue;
    const B a = rows[i], b = rows[i + D];
    rows[i] = blend_groups<D>(a, swap_groups<D>(b, lanes), lanes);
    rows[i + D] = blend_groups<D>(swap_groups<D>(a, lanes), b, lanes);
  }
  if constexpr (D > 1) transpose_stage<D / 2>(rows);
}
}  // namespace detail
#endif

/// dst[c * dst_stride + r] = src[r * src_stride + c] for r, c < batch<T>::size: one square
/// block of a transposition (the packing of the forward product), in registers with xsimd's
/// swizzles and blends (log2 of the lanes stages), value by value with the scalar batch.
template <class T>
inline void transpose_square(const T* src, std::size_t src_stride, T* dst, std::size_t dst_stride) {
  constexpr std::size_t n = batch<T>::size;
#if TAPELESS_SIMD_HAS_XSIMD && !defined(TAPELESS_SCALAR_SIMD)
  if constexpr (n >= 4) {
    batch<T> rows[n];
    for (std::size_t i = 0; i < n; ++i) rows[i] = batch<T>::load_unaligned(src + i * src_stride);
    detail::transpose_stage<n / 2>(rows);
    for (std::size_t i = 0; i < n; ++i) rows[i].store_unaligned(dst + i * dst_stride);
    return;
  }
#endif
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}

}  // namespace tapeless::simd

namespace tapeless {

/// Evaluation of expressions on the scalar batch.
template <class T>
struct math<simd::scalar_batch<T>> {
  using B = simd::scalar_batch<T>;
  using scalar_type = T;

  static B exp(B x) { return simd::exp(x); }
  static B log(B x) { return simd::log(x); }
  static B log1p(B x) { return simd::log1p(x); }
  static B sqrt(B x) { return simd::sqrt(x); }
  static B sin(B x) { return simd::sin(x); }
  static B cos(B x) { return simd::cos(x); }
  static B tanh(B x) { return simd::tanh(x); }
  static B abs(B x) { return simd::abs(x); }
  static B pow(B x, B p) { return simd::pow(x, p); }
  static B max(B x, B y) { return simd::max(x, y); }
  static B select_positive(B x, B if_positive, B otherwise) {
    return simd::select(x > B(T(0)), if_positive, otherwise);
  }
};

#if TAPELESS_SIMD_HAS_XSIMD
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
  TAPELESS_SIMD_INLINE static B tanh(const B& x) { return simd::tanh(x); }
  static B abs(const B& x) { return xsimd::abs(x); }
  static B pow(const B& x, const B& p) { return xsimd::pow(x, p); }
  static B max(const B& x, const B& y) { return xsimd::max(x, y); }
  static B select_positive(const B& x, const B& if_positive, const B& otherwise) {
    return xsimd::select(x > B(T(0)), if_positive, otherwise);
  }
};
#endif

}  // namespace tapeless

#endif
