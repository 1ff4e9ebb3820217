#ifndef TAPELESS_OPS_ELEMENTARY_HPP
#define TAPELESS_OPS_ELEMENTARY_HPP

#include <string_view>

#include "../expr/node.hpp"
#include "../math/scalar.hpp"
#include "arithmetic.hpp"
#include "op_traits.hpp"

namespace tapeless {

// Each rule `derivative(y, u)` is dy/du for y = op(u); it may use the output y itself
// (exp, sqrt) so that a lowering can reuse the stored forward value.

struct exp_op {};
struct log_op {};
struct sqrt_op {};
struct sin_op {};
struct cos_op {};

template <expression E>
constexpr auto exp(const E& e) { return unary<exp_op, E>{e}; }
template <expression E>
constexpr auto log(const E& e) { return unary<log_op, E>{e}; }
template <expression E>
constexpr auto sqrt(const E& e) { return unary<sqrt_op, E>{e}; }
template <expression E>
constexpr auto sin(const E& e) { return unary<sin_op, E>{e}; }
template <expression E>
constexpr auto cos(const E& e) { return unary<cos_op, E>{e}; }

template <>
struct op_traits<exp_op> {
  static constexpr int id = 10;
  static constexpr std::string_view name = "exp";
  static constexpr std::string_view latex = "\\exp";
  template <class T>
  static T apply(const T& x) { return math<T>::exp(x); }
  /// (e^u)' = e^u
  template <class Y, class U>
  static constexpr auto derivative(const Y& y, const U&) { return y; }
  static constexpr detail::folded fold(detail::rational c) {
    return c.num == 0 ? detail::exactly(1) : detail::not_exact;
  }
};

template <>
struct op_traits<log_op> {
  static constexpr int id = 11;
  static constexpr std::string_view name = "log";
  static constexpr std::string_view latex = "\\log";
  template <class T>
  static T apply(const T& x) { return math<T>::log(x); }
  /// (log u)' = 1/u
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return constant<1, 1>{} / u; }
  static constexpr detail::folded fold(detail::rational c) {
    return c == detail::rational{1, 1} ? detail::exactly(0) : detail::not_exact;
  }
};

template <>
struct op_traits<sqrt_op> {
  static constexpr int id = 12;
  static constexpr std::string_view name = "sqrt";
  static constexpr std::string_view latex = "\\sqrt";
  template <class T>
  static T apply(const T& x) { return math<T>::sqrt(x); }
  /// (sqrt u)' = 1 / (2 sqrt u)
  template <class Y, class U>
  static constexpr auto derivative(const Y& y, const U&) {
    return constant<1, 1>{} / (constant<2, 1>{} * y);
  }
  static constexpr detail::folded fold(detail::rational c) {
    const auto n = detail::exact_sqrt(c.num);
    const auto d = detail::exact_sqrt(c.den);
    return n >= 0 && d > 0 ? detail::exactly(detail::rational{n, d}) : detail::not_exact;
  }
};

template <>
struct op_traits<sin_op> {
  static constexpr int id = 13;
  static constexpr std::string_view name = "sin";
  static constexpr std::string_view latex = "\\sin";
  template <class T>
  static T apply(const T& x) { return math<T>::sin(x); }
  /// (sin u)' = cos u
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return cos(u); }
  static constexpr detail::folded fold(detail::rational c) {
    return c.num == 0 ? detail::exactly(0) : detail::not_exact;
  }
};

template <>
struct op_traits<cos_op> {
  static constexpr int id = 14;
  static constexpr std::string_view name = "cos";
  static constexpr std::string_view latex = "\\cos";
  template <class T>
  static T apply(const T& x) { return math<T>::cos(x); }
  /// (cos u)' = -sin u
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return -sin(u); }
  static constexpr detail::folded fold(detail::rational c) {
    return c.num == 0 ? detail::exactly(1) : detail::not_exact;
  }
};

}  // namespace tapeless

#endif
