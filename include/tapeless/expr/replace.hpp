#ifndef TAPELESS_EXPR_REPLACE_HPP
#define TAPELESS_EXPR_REPLACE_HPP

#include <type_traits>

#include "node.hpp"

namespace tapeless {
namespace detail {

template <class P, class Op, class A, class R>
auto replace(const unary<Op, A>& e, const P& p, const R& r);
template <class P, class Op, class L, class Rhs, class R>
auto replace(const binary<Op, L, Rhs>& e, const P& p, const R& r);

template <class P, class E, class R>
auto replace(const E& e, const P&, const R& r) {
  if constexpr (std::is_same_v<E, P>) return r;
  else return e;
}

template <class P, class Op, class A, class R>
auto replace(const unary<Op, A>& e, const P& p, const R& r) {
  if constexpr (std::is_same_v<unary<Op, A>, P>) {
    return r;
  } else {
    const auto arg = replace(e.arg, p, r);
    return unary<Op, std::remove_const_t<decltype(arg)>>{arg};
  }
}

template <class P, class Op, class L, class Rhs, class R>
auto replace(const binary<Op, L, Rhs>& e, const P& p, const R& r) {
  if constexpr (std::is_same_v<binary<Op, L, Rhs>, P>) {
    return r;
  } else {
    const auto lhs = replace(e.lhs, p, r);
    const auto rhs = replace(e.rhs, p, r);
    return binary<Op, std::remove_const_t<decltype(lhs)>, std::remove_const_t<decltype(rhs)>>{
        lhs, rhs};
  }
}

}  // namespace detail

/// replace(f, p, r): f with every subexpression of the same type as `p` replaced by `r`.
/// `p` must hold no run-time literal, so that its type alone identifies it. Used to write a
/// derivative in terms of a stored forward value: replace(1 - tanh(u)^2, tanh(u), y).
struct replace_t {
  template <class F, class P, class R>
  auto operator()(const F& f, const P& p, const R& r) const {
    static_assert(expression<F> && expression<P> && expression<R>,
                  "tapeless::replace(f, p, r) requires three tapeless expressions");
    static_assert(detail::is_static_v<P>,
                  "tapeless::replace(f, p, r) requires 'p' without run-time literals");
    if constexpr (expression<F> && expression<P> && expression<R>)
      return detail::replace(f, p, r);
    else return constant<0, 1>{};
  }
};
inline constexpr replace_t replace{};

}  // namespace tapeless

#endif
