#ifndef TAPELESS_DIFF_D_HPP
#define TAPELESS_DIFF_D_HPP

#include "../expr/node.hpp"
#include "../ops/op_traits.hpp"
#include "../simplify/simplify.hpp"

namespace tapeless {
namespace detail {

// Each node is differentiated by the textbook rule of its operation (op_traits::
// derivative), applied to the already simplified derivatives of its operands, and the
// result simplified. Simplifying per node keeps the work linear in the expression's size.

template <class Op, class A, class V>
auto derive(const unary<Op, A>& y, const V& v);
template <class Op, class L, class R, class V>
auto derive(const binary<Op, L, R>& e, const V& v);

template <fixed_string Name, fixed_string By>
auto derive(const variable<Name>&, const variable<By>&) {
  if constexpr (compare(Name, By) == 0) return constant<1, 1>{};
  else return constant<0, 1>{};
}

template <std::intmax_t N, std::intmax_t D, class V>
auto derive(const constant<N, D>&, const V&) { return constant<0, 1>{}; }

template <class V>
auto derive(const literal&, const V&) { return constant<0, 1>{}; }

/// Chain rule: d op(u) = op'(u) du, with op'(u) allowed to use the output y = op(u).
template <class Op, class A, class V>
auto derive(const unary<Op, A>& y, const V& v) {
  const auto du = derive(y.arg, v);
  if constexpr (is_zero_v<std::remove_const_t<decltype(du)>>) return du;
  else return detail::simplify(op_traits<Op>::derivative(y, y.arg) * du);
}

template <class Op, class L, class R, class V>
auto derive(const binary<Op, L, R>& e, const V& v) {
  const auto dl = derive(e.lhs, v);
  const auto dr = derive(e.rhs, v);
  using DL = std::remove_const_t<decltype(dl)>;
  using DR = std::remove_const_t<decltype(dr)>;
  if constexpr (is_zero_v<DL> && is_zero_v<DR>) return constant<0, 1>{};
  else return detail::simplify(op_traits<Op>::derivative(e.lhs, e.rhs, dl, dr));
}

}  // namespace detail

/// d(f, v): the derivative of the expression `f` with respect to the variable `v`, as a new
/// simplified expression type. `d(x * x, x)` has the type of `simplify(2_c * x)`;
/// `d(d(f, x), y)` is a mixed second partial derivative.
struct d_t {
  template <class F, class V>
  auto operator()(const F& f, const V& v) const {
    static_assert(operand<F>,
                  "tapeless::d(f, v) requires 'f' to be a tapeless expression or a number");
    static_assert(variable_expression<V>,
                  "tapeless::d(f, v) requires 'v' to be a variable such as tapeless::var<\"x\">");
    // After a failed static_assert, a placeholder (0) keeps the caller's code from
    // cascading into more errors.
    if constexpr (operand<F> && variable_expression<V>) return detail::derive(detail::as_expr(f), v);
    else return constant<0, 1>{};
  }
};
inline constexpr d_t d{};

}  // namespace tapeless

#endif
