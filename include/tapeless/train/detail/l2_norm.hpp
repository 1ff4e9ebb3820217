#ifndef TAPELESS_TRAIN_DETAIL_L2_NORM_HPP
#define TAPELESS_TRAIN_DETAIL_L2_NORM_HPP

#include <cmath>
#include <cstddef>
#include <limits>

namespace tapeless::train::detail {

/// sqrt(sum x_i^2), scaled by the largest magnitude so that no square overflows or
/// underflows; NaN if any x_i is NaN, +infinity if any is infinite (and none NaN).
template <class T>
T l2_norm(const T* x, std::size_t n) {
  T largest = 0;
  bool infinite = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return std::numeric_limits<T>::quiet_NaN();
    if (std::isinf(x[i])) infinite = true;
    else if (std::fabs(x[i]) > largest) largest = std::fabs(x[i]);
  }
  if (infinite) return std::numeric_limits<T>::infinity();
  if (largest == T(0)) return T(0);
  T sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const T scaled = x[i] / largest;
    sum += scaled * scaled;
  }
  return largest * std::sqrt(sum);
}

}  // namespace tapeless::train::detail

#endif
