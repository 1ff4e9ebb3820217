#ifndef TAPELESS_NN_ELEMENTWISE_HPP
#define TAPELESS_NN_ELEMENTWISE_HPP

#include "../diff/d.hpp"
#include "../eval/evaluate.hpp"
#include "../expr/replace.hpp"
#include "../ops/activation.hpp"
#include "../simplify/simplify.hpp"

namespace tapeless::nn {

// Elementwise functions of a network are scalar expressions of the scalar core: a stateless
// callable F with F{}(u) (or F{}(u, v)) building the expression. Their derivatives come from
// `d`, rewritten in terms of the stored output y where the rule allows (tanh' = 1 - y^2).

inline constexpr auto u_var = var<"u">;
inline constexpr auto v_var = var<"v">;
inline constexpr auto y_var = var<"y">;

/// Value and derivative of a one-argument elementwise function F at u, with output y.
template <class F>
struct unary_rule {
  static auto value_expr() { return simplify(F{}(u_var)); }
  static auto derivative_expr() {
    const auto value = value_expr();
    if constexpr (detail::is_static_v<decltype(value)>) return replace(d(value, u_var), value, y_var);
    else return d(value, u_var);
  }
  template <class T>
  static T value(T u) {
    return evaluate(value_expr(), u_var = u);
  }
  /// dy/du at (u, y = F(u)).
  template <class T>
  static T derivative(T u, T y) {
    return evaluate(derivative_expr(), u_var = u, y_var = y);
  }
};

/// Value and partial derivatives of a two-argument elementwise function F(u, v).
template <class F>
struct binary_rule {
  static auto value_expr() { return simplify(F{}(u_var, v_var)); }
  template <class V>
  static auto partial_expr(const V& by) {
    const auto value = value_expr();
    if constexpr (detail::is_static_v<decltype(value)>) return replace(d(value, by), value, y_var);
    else return d(value, by);
  }
  template <class T>
  static T value(T u, T v) {
    return evaluate(value_expr(), u_var = u, v_var = v);
  }
  template <class T>
  static T partial_u(T u, T v, T y) {
    return evaluate(partial_expr(u_var), u_var = u, v_var = v, y_var = y);
  }
  template <class T>
  static T partial_v(T u, T v, T y) {
    return evaluate(partial_expr(v_var), u_var = u, v_var = v, y_var = y);
  }
};

// The built-in elementwise functions, as named types so that diagnostics stay readable.
struct identity_fn {
  template <class U>
  auto operator()(const U& u) const { return u; }
};
struct relu_fn {
  template <class U>
  auto operator()(const U& u) const { return tapeless::relu(u); }
};
struct tanh_fn {
  template <class U>
  auto operator()(const U& u) const { return tapeless::tanh(u); }
};
struct sigmoid_fn {
  template <class U>
  auto operator()(const U& u) const { return tapeless::sigmoid(u); }
};
struct softplus_fn {
  template <class U>
  auto operator()(const U& u) const { return tapeless::softplus(u); }
};
template <std::intmax_t Num, std::intmax_t Den>
struct leaky_relu_fn {
  static constexpr bool is_leaky_relu = true;
  template <class U>
  auto operator()(const U& u) const { return tapeless::leaky_relu<Num, Den>(u); }
};
template <std::intmax_t Num, std::intmax_t Den>
struct scale_fn {
  static constexpr bool is_scale = true;
  template <class U>
  auto operator()(const U& u) const { return tapeless::rational<Num, Den> * u; }
};
struct square_fn {
  template <class U>
  auto operator()(const U& u) const { return tapeless::pow<2>(u); }
};
struct plus_fn {
  template <class U, class V>
  auto operator()(const U& u, const V& v) const { return u + v; }
};
struct minus_fn {
  template <class U, class V>
  auto operator()(const U& u, const V& v) const { return u - v; }
};
struct times_fn {
  template <class U, class V>
  auto operator()(const U& u, const V& v) const { return u * v; }
};
/// Binary cross-entropy of a logit u against a target v in [0, 1]:
/// -(v log sigmoid(u) + (1 - v) log(1 - sigmoid(u))) = softplus(u) - u v, evaluated stably.
struct bce_with_logits_fn {
  template <class U, class V>
  auto operator()(const U& u, const V& v) const { return tapeless::softplus(u) - u * v; }
};

}  // namespace tapeless::nn

#endif
