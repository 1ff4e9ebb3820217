#ifndef TAPELESS_OPS_ACTIVATION_HPP
#define TAPELESS_OPS_ACTIVATION_HPP

#include <cstdint>
#include <string_view>

#include "../expr/node.hpp"
#include "../math/scalar.hpp"
#include "arithmetic.hpp"
#include "elementary.hpp"
#include "op_traits.hpp"

namespace tapeless {

// Activation functions and the step functions their derivatives need.
//
// Convention at the kinks (measure-zero sets where the derivative does not exist): the
// derivative is taken from the left-closed side, as most frameworks do:
//   relu'(0) = heaviside(0) = 0,  abs'(0) = sign(0) = 0,  leaky_relu'(0) = alpha.
// The step functions themselves have derivative 0 everywhere (their Dirac part at 0 is
// dropped), so second derivatives of relu, abs and leaky_relu are 0.

struct tanh_op {};
struct sigmoid_op {};
struct relu_op {};
struct softplus_op {};
struct abs_op {};
struct heaviside_op {};
struct sign_op {};
/// max(u, alpha u) with alpha = Num/Den.
template <std::intmax_t Num, std::intmax_t Den>
struct leaky_relu_op {};
/// 1 for u > 0, alpha = Num/Den otherwise: the derivative of leaky_relu.
template <std::intmax_t Num, std::intmax_t Den>
struct leaky_step_op {};

template <expression E>
constexpr auto tanh(const E& e) { return unary<tanh_op, E>{e}; }
template <expression E>
constexpr auto sigmoid(const E& e) { return unary<sigmoid_op, E>{e}; }
template <expression E>
constexpr auto relu(const E& e) { return unary<relu_op, E>{e}; }
template <expression E>
constexpr auto softplus(const E& e) { return unary<softplus_op, E>{e}; }
template <expression E>
constexpr auto abs(const E& e) { return unary<abs_op, E>{e}; }
template <expression E>
constexpr auto heaviside(const E& e) { return unary<heaviside_op, E>{e}; }
template <expression E>
constexpr auto sign(const E& e) { return unary<sign_op, E>{e}; }
/// leaky_relu with slope alpha = Num/Den for u <= 0 (default 1/100): `leaky_relu<1, 10>(x)`.
template <std::intmax_t Num = 1, std::intmax_t Den = 100, expression E>
constexpr auto leaky_relu(const E& e) {
  constexpr auto a = detail::normalize(Num, Den);
  return unary<leaky_relu_op<a.num, a.den>, E>{e};
}
template <std::intmax_t Num = 1, std::intmax_t Den = 100, expression E>
constexpr auto leaky_step(const E& e) {
  constexpr auto a = detail::normalize(Num, Den);
  return unary<leaky_step_op<a.num, a.den>, E>{e};
}

namespace detail {
template <class T>
constexpr T scalar_constant(double v) {
  return T(static_cast<typename math<T>::scalar_type>(v));
}
constexpr folded fold_step(rational c, rational positive, rational otherwise) {
  return exactly(c.num > 0 ? positive : otherwise);
}
}  // namespace detail

template <>
struct op_traits<tanh_op> {
  static constexpr int id = 20;
  static constexpr std::string_view name = "tanh";
  static constexpr std::string_view latex = "\\tanh";
  // Forced inline: on a SIMD batch, tanh is two branches of code that g++ otherwise keeps
  // out of line in a tiny network's step (see simd/batch.hpp).
  template <class T>
  [[gnu::always_inline]] static T apply(const T& x) { return math<T>::tanh(x); }
  /// (tanh u)' = 1 - tanh(u)^2, written with the output y = tanh(u)
  template <class Y, class U>
  static constexpr auto derivative(const Y& y, const U&) {
    return constant<1, 1>{} - pow<2>(y);
  }
  static constexpr detail::folded fold(detail::rational c) {
    return c.num == 0 ? detail::exactly(0) : detail::not_exact;
  }
};

template <>
struct op_traits<sigmoid_op> {
  static constexpr int id = 21;
  static constexpr std::string_view name = "sigmoid";
  static constexpr std::string_view latex = "\\sigma";
  template <class T>
  static T apply(const T& x) {
    const T one = detail::scalar_constant<T>(1);
    return one / (one + math<T>::exp(-x));
  }
  /// sigma'(u) = sigma(u) (1 - sigma(u)), written with the output y = sigma(u)
  template <class Y, class U>
  static constexpr auto derivative(const Y& y, const U&) {
    return y * (constant<1, 1>{} - y);
  }
  static constexpr detail::folded fold(detail::rational c) {
    return c.num == 0 ? detail::exactly({1, 2}) : detail::not_exact;
  }
};

template <>
struct op_traits<relu_op> {
  static constexpr int id = 22;
  static constexpr std::string_view name = "relu";
  static constexpr std::string_view latex = "\\operatorname{relu}";
  template <class T>
  static T apply(const T& x) { return math<T>::max(x, detail::scalar_constant<T>(0)); }
  /// relu'(u) = H(u), with H(0) = 0
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return heaviside(u); }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::fold_step(c, c, {0, 1});
  }
};

template <>
struct op_traits<softplus_op> {
  static constexpr int id = 23;
  static constexpr std::string_view name = "softplus";
  static constexpr std::string_view latex = "\\operatorname{softplus}";
  /// log(1 + e^x), as max(x, 0) + log1p(e^-|x|) so large |x| neither overflows nor
  /// loses the small term.
  template <class T>
  static T apply(const T& x) {
    return math<T>::max(x, detail::scalar_constant<T>(0)) +
           math<T>::log1p(math<T>::exp(-math<T>::abs(x)));
  }
  /// softplus'(u) = sigma(u)
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return sigmoid(u); }
};

template <>
struct op_traits<abs_op> {
  static constexpr int id = 24;
  static constexpr std::string_view name = "abs";
  static constexpr std::string_view latex = "abs";  // printed as \left| u \right|
  template <class T>
  static T apply(const T& x) { return math<T>::abs(x); }
  /// |u|' = sign(u), with sign(0) = 0
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return sign(u); }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::exactly(c.num < 0 ? -c : c);
  }
};

template <>
struct op_traits<heaviside_op> {
  static constexpr int id = 25;
  static constexpr std::string_view name = "heaviside";
  static constexpr std::string_view latex = "H";
  template <class T>
  static T apply(const T& x) {
    return math<T>::select_positive(x, detail::scalar_constant<T>(1),
                                    detail::scalar_constant<T>(0));
  }
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U&) { return constant<0, 1>{}; }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::fold_step(c, {1, 1}, {0, 1});
  }
};

template <>
struct op_traits<sign_op> {
  static constexpr int id = 26;
  static constexpr std::string_view name = "sign";
  static constexpr std::string_view latex = "\\operatorname{sgn}";
  template <class T>
  static T apply(const T& x) {
    const T zero = detail::scalar_constant<T>(0);
    return math<T>::select_positive(x, detail::scalar_constant<T>(1), zero) -
           math<T>::select_positive(-x, detail::scalar_constant<T>(1), zero);
  }
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U&) { return constant<0, 1>{}; }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::exactly(c.num > 0 ? 1 : (c.num < 0 ? -1 : 0));
  }
};

template <std::intmax_t Num, std::intmax_t Den>
struct op_traits<leaky_relu_op<Num, Den>> {
  static constexpr int id = 27;
  static constexpr std::string_view name = "leaky_relu";
  static constexpr std::string_view latex = "\\operatorname{leaky\\_relu}";
  static constexpr detail::rational parameter{Num, Den};
  template <class T>
  static T apply(const T& x) {
    const T alpha = detail::scalar_constant<T>(static_cast<double>(Num) / Den);
    return math<T>::select_positive(x, x, alpha * x);
  }
  /// leaky_relu'(u) = 1 for u > 0, alpha otherwise
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U& u) { return leaky_step<Num, Den>(u); }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::fold_step(c, c, c * parameter);
  }
};

template <std::intmax_t Num, std::intmax_t Den>
struct op_traits<leaky_step_op<Num, Den>> {
  static constexpr int id = 28;
  static constexpr std::string_view name = "leaky_step";
  static constexpr std::string_view latex = "\\operatorname{leaky\\_step}";
  static constexpr detail::rational parameter{Num, Den};
  template <class T>
  static T apply(const T& x) {
    return math<T>::select_positive(
        x, detail::scalar_constant<T>(1),
        detail::scalar_constant<T>(static_cast<double>(Num) / Den));
  }
  template <class Y, class U>
  static constexpr auto derivative(const Y&, const U&) { return constant<0, 1>{}; }
  static constexpr detail::folded fold(detail::rational c) {
    return detail::fold_step(c, {1, 1}, parameter);
  }
};

}  // namespace tapeless

#endif
