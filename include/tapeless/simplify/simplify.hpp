#ifndef TAPELESS_SIMPLIFY_SIMPLIFY_HPP
#define TAPELESS_SIMPLIFY_SIMPLIFY_HPP

#include <type_traits>

#include "../expr/node.hpp"
#include "../ops/activation.hpp"
#include "../ops/arithmetic.hpp"
#include "../ops/elementary.hpp"
#include "order.hpp"

namespace tapeless {
namespace detail {

// Simplification rebuilds an expression bottom-up through `make`, one overload per
// operation, each applying local identities to operands that are already simple:
//   x + 0, x * 1, 0 * x, x - x, x / x, constant folding, c1 x + c2 x, x^a x^b,
//   exp(log x), log(exp x), f(constant) where exact, signs and constant factors moved
//   outwards, and + and * operands in canonical order.
// It is local: it does not flatten chains such as (x + y) + x.
// None of these functions is constexpr on purpose: g++ tries to constant-fold every call
// to a constexpr function, and folding the nested calls re-evaluates each subtree once per
// use, which made compile time grow with the expanded size of an expression instead of
// with its number of distinct node types. The result *types* are what matters; use
// decltype(simplify(e)) where a constant is needed.
// Identities that compare operands (x - x = 0) only apply to operands without literals,
// whose value the type alone fixes.

template <class E>
constexpr double number_value(const E&) {
  return static_cast<double>(E::value.num) / static_cast<double>(E::value.den);
}
constexpr double number_value(const literal& l) { return l.value; }

/// Folds an operation on two numbers: exactly for constants, at run time for literals.
template <class A, class B, class F>
auto fold_numbers(const A& a, const B& b, F f) {
  if constexpr (is_constant_v<A> && is_constant_v<B>) {
    constexpr auto r = F{}(A::value, B::value);
    return constant_of<r>{};
  } else {
    return literal{f(number_value(a), number_value(b))};
  }
}

inline constexpr auto plus = [](auto a, auto b) { return a + b; };
inline constexpr auto minus = [](auto a, auto b) { return a - b; };
inline constexpr auto times = [](auto a, auto b) { return a * b; };
inline constexpr auto divided = [](auto a, auto b) { return a / b; };

/// A term c * base with an exact coefficient c, so that c1 x + c2 x can be collected.
template <class E>
struct term {
  using coefficient = constant<1, 1>;
  static E base(const E& e) { return e; }
};
template <std::intmax_t N, std::intmax_t D, class B>
struct term<binary<mul_op, constant<N, D>, B>> {
  using coefficient = constant<N, D>;
  static B base(const binary<mul_op, constant<N, D>, B>& e) { return e.rhs; }
};
template <class B>
struct term<unary<neg_op, B>> {
  using coefficient = constant<-1, 1>;
  static B base(const unary<neg_op, B>& e) { return e.arg; }
};
template <class E>
using term_base_t = decltype(term<E>::base(std::declval<E>()));

/// A factor base^p with an exact exponent p, so that x^a x^b can be collected.
template <class E>
struct factor {
  static constexpr rational exponent{1, 1};
  static E base(const E& e) { return e; }
};
template <std::intmax_t N, std::intmax_t D, class B>
struct factor<unary<pow_op<N, D>, B>> {
  static constexpr rational exponent{N, D};
  static B base(const unary<pow_op<N, D>, B>& e) { return e.arg; }
};
template <class E>
using factor_base_t = decltype(factor<E>::base(std::declval<E>()));

template <class A, class B>
constexpr bool same_static = std::is_same_v<A, B> && is_static_v<A>;

template <class L, class R>
constexpr bool like_terms = same_static<term_base_t<L>, term_base_t<R>>;

template <class L, class R>
constexpr bool like_factors = same_static<factor_base_t<L>, factor_base_t<R>>;

template <class Op, class E>
struct is_unary_of : std::false_type {};
template <class Op, class A>
struct is_unary_of<Op, unary<Op, A>> : std::true_type {};

template <class E>
using is_neg = is_unary_of<neg_op, E>;

template <class E>
struct is_sub : std::false_type {};
template <class L, class R>
struct is_sub<binary<sub_op, L, R>> : std::true_type {};

template <class E>
struct is_quotient : std::false_type {};
template <class L, class R>
struct is_quotient<binary<div_op, L, R>> : std::true_type {};

template <class E>
struct is_scaled : std::false_type {};  // c * x with an exact c
template <std::intmax_t N, std::intmax_t D, class B>
struct is_scaled<binary<mul_op, constant<N, D>, B>> : std::true_type {};

template <class Op, class L, class R>
auto ordered(const L& l, const R& r) {
  if constexpr (orders_before<R, L>) return binary<Op, R, L>{r, l};
  else return binary<Op, L, R>{l, r};
}

template <class L, class R>
auto make(add_op, const L& l, const R& r);
template <class L, class R>
auto make(mul_op, const L& l, const R& r);
template <class L, class R>
auto make(sub_op, const L& l, const R& r);
template <std::intmax_t N, std::intmax_t D, class A>
auto make(pow_op<N, D>, const A& a);
template <class Op, class A>
auto make(Op, const A& a);
template <class L, class R>
auto make(div_op, const L& l, const R& r);
template <class A>
auto make(neg_op, const A& a);

template <class A>
auto make(neg_op, const A& a) {
  if constexpr (is_number_v<A>) return fold_numbers(constant<0, 1>{}, a, minus);
  else if constexpr (is_neg<A>::value) return a.arg;
  else if constexpr (is_scaled<A>::value) return make(mul_op{}, make(neg_op{}, a.lhs), a.rhs);
  else if constexpr (is_sub<A>::value) return make(sub_op{}, a.rhs, a.lhs);
  else return unary<neg_op, A>{a};
}

template <class L, class R>
auto make(add_op, const L& l, const R& r) {
  if constexpr (is_zero_v<L>) return r;
  else if constexpr (is_zero_v<R>) return l;
  else if constexpr (is_number_v<L> && is_number_v<R>) return fold_numbers(l, r, plus);
  else if constexpr (is_neg<R>::value) return make(sub_op{}, l, r.arg);
  else if constexpr (is_neg<L>::value) return make(sub_op{}, r, l.arg);
  else if constexpr (like_terms<L, R>) {
    using sum = decltype(fold_numbers(typename term<L>::coefficient{},
                                      typename term<R>::coefficient{}, plus));
    return make(mul_op{}, sum{}, term<L>::base(l));
  } else return ordered<add_op>(l, r);
}

template <class L, class R>
auto make(sub_op, const L& l, const R& r) {
  if constexpr (is_zero_v<R>) return l;
  else if constexpr (is_zero_v<L>) return make(neg_op{}, r);
  else if constexpr (is_number_v<L> && is_number_v<R>) return fold_numbers(l, r, minus);
  else if constexpr (is_neg<R>::value) return make(add_op{}, l, r.arg);
  else if constexpr (like_terms<L, R>) {
    using difference = decltype(fold_numbers(typename term<L>::coefficient{},
                                             typename term<R>::coefficient{}, minus));
    return make(mul_op{}, difference{}, term<L>::base(l));
  } else return binary<sub_op, L, R>{l, r};
}

template <class L, class R>
auto make(mul_op, const L& l, const R& r) {
  if constexpr (is_zero_v<L> || is_zero_v<R>) return constant<0, 1>{};
  else if constexpr (is_one_v<L>) return r;
  else if constexpr (is_one_v<R>) return l;
  else if constexpr (is_number_v<L> && is_number_v<R>) return fold_numbers(l, r, times);
  else if constexpr (is_constant_v<R>) return make(mul_op{}, r, l);
  else if constexpr (is_neg<L>::value) return make(neg_op{}, make(mul_op{}, l.arg, r));
  else if constexpr (is_neg<R>::value) return make(neg_op{}, make(mul_op{}, l, r.arg));
  else if constexpr (is_constant_v<L> && is_scaled<R>::value)
    return make(mul_op{}, fold_numbers(l, r.lhs, times), r.rhs);
  else if constexpr (std::is_same_v<L, constant<-1, 1>>) return make(neg_op{}, r);
  else if constexpr (is_constant_v<L>) return binary<mul_op, L, R>{l, r};
  else if constexpr (is_scaled<L>::value) return make(mul_op{}, l.lhs, make(mul_op{}, l.rhs, r));
  else if constexpr (is_scaled<R>::value) return make(mul_op{}, r.lhs, make(mul_op{}, l, r.rhs));
  else if constexpr (is_quotient<R>::value)  // a (b / c) = (a b) / c
    return make(div_op{}, make(mul_op{}, l, r.lhs), r.rhs);
  else if constexpr (is_quotient<L>::value)
    return make(div_op{}, make(mul_op{}, l.lhs, r), l.rhs);
  else if constexpr (like_factors<L, R>) {
    constexpr auto p = factor<L>::exponent + factor<R>::exponent;
    return make(pow_op<p.num, p.den>{}, factor<L>::base(l));
  } else return ordered<mul_op>(l, r);
}

template <class L, class R>
auto make(div_op, const L& l, const R& r) {
  static_assert(!is_zero_v<R>, "tapeless: division by the constant zero");
  if constexpr (is_zero_v<R>) return binary<div_op, L, R>{l, r};  // stopped by the static_assert
  else if constexpr (is_one_v<R>) return l;
  else if constexpr (is_zero_v<L>) return constant<0, 1>{};
  else if constexpr (is_number_v<L> && is_number_v<R>) return fold_numbers(l, r, divided);
  else if constexpr (same_static<L, R>) return constant<1, 1>{};
  else if constexpr (is_constant_v<R>)
    return make(mul_op{}, fold_numbers(constant<1, 1>{}, r, divided), l);
  else if constexpr (is_neg<L>::value) return make(neg_op{}, make(div_op{}, l.arg, r));
  else if constexpr (is_neg<R>::value) return make(neg_op{}, make(div_op{}, l, r.arg));
  else if constexpr (is_scaled<L>::value) return make(mul_op{}, l.lhs, make(div_op{}, l.rhs, r));
  else return binary<div_op, L, R>{l, r};
}

template <std::intmax_t N, std::intmax_t D, class A>
auto make(pow_op<N, D>, const A& a) {
  if constexpr (N == 0) {
    return constant<1, 1>{};
  } else if constexpr (N == D) {
    return a;
  } else if constexpr (is_constant_v<A> && D == 1) {
    static_assert(!(is_zero_v<A> && N < 0), "tapeless: the constant zero raised to a negative power");
    if constexpr (is_zero_v<A> && N < 0) {
      return unary<pow_op<N, D>, A>{a};  // stopped by the static_assert
    } else {
      constexpr auto r = power(A::value, N);
      return constant_of<r>{};
    }
  } else if constexpr (factor<A>::exponent.den == 1 && factor<A>::exponent.num != 1 && D == 1) {
    // (u^m)^n = u^(mn) holds for integers m, n
    constexpr auto p = factor<A>::exponent * rational{N, 1};
    return make(pow_op<p.num, p.den>{}, factor<A>::base(a));
  } else {
    return unary<pow_op<N, D>, A>{a};
  }
}

template <class Op, class A>
constexpr bool folds_exactly() {
  if constexpr (is_constant_v<A> && requires { op_traits<Op>::fold(rational{}); })
    return op_traits<Op>::fold(A::value).exact;
  else return false;
}

template <class Op, class A>
auto make(Op, const A& a) {
  if constexpr (folds_exactly<Op, A>()) {
    constexpr auto r = op_traits<Op>::fold(A::value).value;
    return constant_of<r>{};
  } else if constexpr (std::is_same_v<Op, exp_op> && is_unary_of<log_op, A>::value) {
    return a.arg;
  } else if constexpr (std::is_same_v<Op, log_op> && is_unary_of<exp_op, A>::value) {
    return a.arg;
  } else {
    return unary<Op, A>{a};
  }
}

template <class Op, class A>
auto simplify(const unary<Op, A>& e);
template <class Op, class L, class R>
auto simplify(const binary<Op, L, R>& e);

template <class E>
auto simplify(const E& e) { return e; }  // variables, constants, literals

template <class Op, class A>
auto simplify(const unary<Op, A>& e) { return make(Op{}, simplify(e.arg)); }

template <class Op, class L, class R>
auto simplify(const binary<Op, L, R>& e) {
  return make(Op{}, simplify(e.lhs), simplify(e.rhs));
}

}  // namespace detail

/// Rewrites an expression into its simplified canonical form (see detail::make for the
/// identities used): `simplify(x * 1_c + 0_c)` is `x`. The result is a new expression type.
struct simplify_t {
  template <class E>
  auto operator()(const E& e) const {
    static_assert(expression<E>, "tapeless::simplify(e) requires 'e' to be a tapeless expression");
    if constexpr (expression<E>) return detail::simplify(e);
    else return constant<0, 1>{};  // placeholder after the failed static_assert
  }
};
inline constexpr simplify_t simplify{};

}  // namespace tapeless

#endif
