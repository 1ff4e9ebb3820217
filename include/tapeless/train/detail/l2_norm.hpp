#ifndef TAPELESS_TRAIN_DETAIL_L2_NORM_HPP
#define TAPELESS_TRAIN_DETAIL_L2_NORM_HPP

#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "for_each_batch.hpp"

namespace tapeless::train::detail {

/// An L2 norm as largest * root, largest the largest magnitude and root = sqrt(sum (x_i /
/// largest)^2), in [1, sqrt(n)]: no square overflows or underflows. A NaN among the x_i
/// gives largest = NaN, an infinity (and no NaN) largest = +infinity, both with root = 1;
/// all zeros (or n = 0) give 0 and 0.
template <class T>
struct scaled_norm {
  T largest;
  T root;
  T norm() const { return largest * root; }
};

template <class T>
scaled_norm<T> l2_norm_scaled(const T* x, std::size_t n) {
  // The largest magnitude, and whether some x_i is not finite: x - x is 0 for a finite x and
  // NaN for an infinity or a NaN (whose maximum the max instructions do not keep). Whole
  // batches go to per-lane partial results, reduced at the end, the remainder to scalars.
  using V = update_batch<T>;
  V largest_lanes(T(0)), poison_lanes(T(0));
  T largest = 0, poison = 0;
  for_each_batch<T>(n, [&](auto tag, std::size_t i) {
    using B = typename decltype(tag)::type;
    const B xi = B::load_unaligned(x + i);
    if constexpr (std::is_same_v<B, V>) {
      largest_lanes = simd::max(largest_lanes, simd::abs(xi));
      poison_lanes += xi - xi;
    } else {
      largest = simd::max(B(largest), simd::abs(xi)).get(0);
      poison += (xi - xi).get(0);
    }
  });
  for (std::size_t lane = 0; lane < V::size; ++lane) {
    const T l = largest_lanes.get(lane);
    largest = l > largest ? l : largest;
  }
  poison += simd::hadd(poison_lanes);
  if (std::isnan(poison)) {  // rare: tell a NaN from an infinity, in order
    for (std::size_t i = 0; i < n; ++i)
      if (std::isnan(x[i])) return {std::numeric_limits<T>::quiet_NaN(), T(1)};
    return {std::numeric_limits<T>::infinity(), T(1)};
  }
  if (largest == T(0)) return {T(0), T(0)};
  // sum((x / largest)^2) lies in [1, size]: no overflow, no underflow of what matters. (A
  // division, not a product with 1 / largest, which overflows for a subnormal largest.)
  V sum_lanes(T(0));
  T sum = 0;
  for_each_batch<T>(n, [&](auto tag, std::size_t i) {
    using B = typename decltype(tag)::type;
    const B scaled = B::load_unaligned(x + i) / largest;
    if constexpr (std::is_same_v<B, V>) sum_lanes = simd::fma(scaled, scaled, sum_lanes);
    else sum = simd::fma(scaled, scaled, B(sum)).get(0);
  });
  sum = simd::hadd(sum_lanes) + sum;
  return {largest, std::sqrt(sum)};
}

/// sqrt(sum x_i^2), scaled by the largest magnitude so that no square overflows or
/// underflows; NaN if any x_i is NaN, +infinity if any is infinite (and none NaN).
template <class T>
T l2_norm(const T* x, std::size_t n) {
  return l2_norm_scaled(x, n).norm();
}

}  // namespace tapeless::train::detail

#endif
