#ifndef TAPELESS_OPS_ARITHMETIC_HPP
#define TAPELESS_OPS_ARITHMETIC_HPP

#include <cstdint>
#include <string_view>

#include "../expr/node.hpp"
#include "../math/scalar.hpp"
#include "op_traits.hpp"

namespace tapeless {

struct add_op {};
struct sub_op {};
struct mul_op {};
struct div_op {};
struct neg_op {};
/// x^(Num/Den), Num/Den reduced.
template <std::intmax_t Num, std::intmax_t Den>
struct pow_op {};

template <operand L, operand R>
  requires(expression<L> || expression<R>)
constexpr auto operator+(const L& l, const R& r) {
  return binary<add_op, detail::as_expr_t<L>, detail::as_expr_t<R>>{detail::as_expr(l),
                                                                     detail::as_expr(r)};
}

template <operand L, operand R>
  requires(expression<L> || expression<R>)
constexpr auto operator-(const L& l, const R& r) {
  return binary<sub_op, detail::as_expr_t<L>, detail::as_expr_t<R>>{detail::as_expr(l),
                                                                     detail::as_expr(r)};
}

template <operand L, operand R>
  requires(expression<L> || expression<R>)
constexpr auto operator*(const L& l, const R& r) {
  return binary<mul_op, detail::as_expr_t<L>, detail::as_expr_t<R>>{detail::as_expr(l),
                                                                     detail::as_expr(r)};
}

template <operand L, operand R>
  requires(expression<L> || expression<R>)
constexpr auto operator/(const L& l, const R& r) {
  return binary<div_op, detail::as_expr_t<L>, detail::as_expr_t<R>>{detail::as_expr(l),
                                                                     detail::as_expr(r)};
}

template <expression E>
constexpr auto operator-(const E& e) {
  return unary<neg_op, E>{e};
}

/// u^(Num/Den) with an exact exponent: `pow<2>(x)`, `pow<-1, 2>(x)`.
template <std::intmax_t Num, std::intmax_t Den = 1, expression E>
constexpr auto pow(const E& e) {
  constexpr auto p = detail::normalize(Num, Den);
  return unary<pow_op<p.num, p.den>, E>{e};
}

// The rules of the binary operations: value, total derivative from the operands and
// their derivatives (sum, difference, product and quotient rules), printed form.

template <>
struct op_traits<add_op> {
  static constexpr int id = 1;
  static constexpr int precedence = 1;
  static constexpr std::string_view symbol = " + ";
  static constexpr std::string_view latex_symbol = " + ";
  template <class T>
  static constexpr T apply(const T& a, const T& b) { return a + b; }
  template <class L, class R, class DL, class DR>
  static constexpr auto derivative(const L&, const R&, const DL& dl, const DR& dr) {
    return dl + dr;
  }
};

template <>
struct op_traits<sub_op> {
  static constexpr int id = 2;
  static constexpr int precedence = 1;
  static constexpr std::string_view symbol = " - ";
  static constexpr std::string_view latex_symbol = " - ";
  template <class T>
  static constexpr T apply(const T& a, const T& b) { return a - b; }
  template <class L, class R, class DL, class DR>
  static constexpr auto derivative(const L&, const R&, const DL& dl, const DR& dr) {
    return dl - dr;
  }
};

template <>
struct op_traits<mul_op> {
  static constexpr int id = 3;
  static constexpr int precedence = 2;
  static constexpr std::string_view symbol = " * ";
  static constexpr std::string_view latex_symbol = " \\cdot ";
  template <class T>
  static constexpr T apply(const T& a, const T& b) { return a * b; }
  template <class L, class R, class DL, class DR>
  static constexpr auto derivative(const L& l, const R& r, const DL& dl, const DR& dr) {
    return dl * r + l * dr;
  }
};

template <>
struct op_traits<div_op> {
  static constexpr int id = 4;
  static constexpr int precedence = 2;
  static constexpr std::string_view symbol = " / ";
  static constexpr std::string_view latex_symbol = " / ";  // printed as \frac instead
  template <class T>
  static constexpr T apply(const T& a, const T& b) { return a / b; }
  template <class L, class R, class DL, class DR>
  static constexpr auto derivative(const L& l, const R& r, const DL& dl, const DR& dr) {
    return (dl * r - l * dr) / pow<2>(r);
  }
};

template <>
struct op_traits<neg_op> {
  static constexpr int id = 5;
  static constexpr std::string_view name = "-";
  static constexpr std::string_view latex = "-";
  template <class T>
  static constexpr T apply(const T& a) { return -a; }
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U&) { return constant<-1, 1>{}; }
  static constexpr detail::folded fold(detail::rational c) { return detail::exactly(-c); }
};

template <std::intmax_t Num, std::intmax_t Den>
struct op_traits<pow_op<Num, Den>> {
  static constexpr int id = 6;
  static constexpr std::string_view name = "pow";
  static constexpr std::string_view latex = "pow";
  static constexpr detail::rational parameter{Num, Den};  // the exponent

  template <class T>
  static constexpr T apply(const T& x) {
    using S = typename math<T>::scalar_type;
    if constexpr (Den == 1) return integer_power(x);
    else if constexpr (Num == 1 && Den == 2) return math<T>::sqrt(x);
    else return math<T>::pow(x, T(static_cast<S>(Num) / static_cast<S>(Den)));
  }
  /// d(u^p)/du = p u^(p-1)
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) {
    return constant<Num, Den>{} * pow<Num - Den, Den>(u);
  }

 private:
  // Exact repeated squaring: pow<2>(x) is x * x, not std::pow.
  template <class T>
  static constexpr T integer_power(const T& x) {
    using S = typename math<T>::scalar_type;
    T result(S(1));
    T base = x;
    for (auto e = Num < 0 ? -Num : Num; e > 0; e /= 2) {
      if (e % 2 == 1) result = result * base;
      if (e > 1) base = base * base;
    }
    if constexpr (Num < 0) return T(S(1)) / result;
    else return result;
  }
};

}  // namespace tapeless

#endif
