#ifndef TAPELESS_MATH_SCALAR_HPP
#define TAPELESS_MATH_SCALAR_HPP

#include <cmath>
#include <type_traits>

namespace tapeless {

/// The elementary functions an expression is evaluated with, per value type. This primary
/// template serves `float` and `double`; `<tapeless/simd/batch.hpp>` adds `xsimd::batch`.
/// An error pointing here means the value type bound to a variable is not supported.
template <class T, class = void>
struct math {
  static_assert(std::is_floating_point_v<T>,
                "tapeless: evaluate with float, double, long double or xsimd::batch (include "
                "<tapeless/simd/batch.hpp>); other value types have no tapeless::math");
  using scalar_type = T;

  static T exp(T x) { return std::exp(x); }
  static T log(T x) { return std::log(x); }
  static T log1p(T x) { return std::log1p(x); }
  static T sqrt(T x) { return std::sqrt(x); }
  static T sin(T x) { return std::sin(x); }
  static T cos(T x) { return std::cos(x); }
  static T tanh(T x) { return std::tanh(x); }
  static T abs(T x) { return std::abs(x); }
  static T pow(T x, T p) { return std::pow(x, p); }
  static T max(T x, T y) { return x < y ? y : x; }
  /// `if_positive` if x > 0, else `otherwise`.
  static T select_positive(T x, T if_positive, T otherwise) {
    return x > T(0) ? if_positive : otherwise;
  }
};

}  // namespace tapeless

#endif
