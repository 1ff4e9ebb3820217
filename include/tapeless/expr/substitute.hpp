#ifndef TAPELESS_EXPR_SUBSTITUTE_HPP
#define TAPELESS_EXPR_SUBSTITUTE_HPP

#include "node.hpp"

namespace tapeless {
namespace detail {

template <class Op, class A, class V, class R>
constexpr auto substitute(const unary<Op, A>& e, const V& v, const R& r);
template <class Op, class L, class Rhs, class V, class R>
constexpr auto substitute(const binary<Op, L, Rhs>& e, const V& v, const R& r);

template <class E, class V, class R>
constexpr auto substitute(const E& e, const V&, const R& r) {
  if constexpr (std::is_same_v<E, V>) return r;
  else return e;  // another variable, a constant or a literal
}

template <class Op, class A, class V, class R>
constexpr auto substitute(const unary<Op, A>& e, const V& v, const R& r) {
  const auto arg = substitute(e.arg, v, r);
  return unary<Op, std::remove_const_t<decltype(arg)>>{arg};
}

template <class Op, class L, class Rhs, class V, class R>
constexpr auto substitute(const binary<Op, L, Rhs>& e, const V& v, const R& r) {
  const auto lhs = substitute(e.lhs, v, r);
  const auto rhs = substitute(e.rhs, v, r);
  return binary<Op, std::remove_const_t<decltype(lhs)>, std::remove_const_t<decltype(rhs)>>{lhs,
                                                                                           rhs};
}

}  // namespace detail

/// substitute(f, v, r): the expression f with every occurrence of the variable v replaced
/// by the expression r, unsimplified. `substitute(sin(u), u, x * x)` is `sin(x * x)`.
struct substitute_t {
  template <class F, class V, class R>
  constexpr auto operator()(const F& f, const V& v, const R& r) const {
    static_assert(expression<F>, "tapeless::substitute(f, v, r) requires 'f' to be a tapeless expression");
    static_assert(variable_expression<V>,
                  "tapeless::substitute(f, v, r) requires 'v' to be a variable such as tapeless::var<\"u\">");
    static_assert(operand<R>, "tapeless::substitute(f, v, r) requires 'r' to be an expression or a number");
    if constexpr (expression<F> && variable_expression<V> && operand<R>)
      return detail::substitute(f, v, detail::as_expr(r));
  }
};
inline constexpr substitute_t substitute{};

}  // namespace tapeless

#endif
