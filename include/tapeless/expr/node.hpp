#ifndef TAPELESS_EXPR_NODE_HPP
#define TAPELESS_EXPR_NODE_HPP

#include <type_traits>

#include "../fwd.hpp"
#include "constant.hpp"
#include "literal.hpp"
#include "variable.hpp"

namespace tapeless {

/// An operation `Op` applied to one operand. Stateless unless the operand holds a literal.
template <class Op, class Arg>
struct unary {
  [[no_unique_address]] Arg arg;
};

/// An operation `Op` applied to two operands.
template <class Op, class Lhs, class Rhs>
struct binary {
  [[no_unique_address]] Lhs lhs;
  [[no_unique_address]] Rhs rhs;
};

namespace detail {
template <class E>
struct is_expression : std::false_type {};
template <fixed_string N>
struct is_expression<variable<N>> : std::true_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_expression<constant<N, D>> : std::true_type {};
template <>
struct is_expression<literal> : std::true_type {};
template <class Op, class A>
struct is_expression<unary<Op, A>> : std::true_type {};
template <class Op, class L, class R>
struct is_expression<binary<Op, L, R>> : std::true_type {};

template <class E>
struct is_variable : std::false_type {};
template <fixed_string N>
struct is_variable<variable<N>> : std::true_type {};

template <class E>
struct is_constant : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_constant<constant<N, D>> : std::true_type {};

/// True when the expression holds no run-time literal, so its type alone fixes its value.
template <class E>
struct is_static : std::true_type {};
template <>
struct is_static<literal> : std::false_type {};
template <class Op, class A>
struct is_static<unary<Op, A>> : is_static<A> {};
template <class Op, class L, class R>
struct is_static<binary<Op, L, R>> : std::bool_constant<is_static<L>::value && is_static<R>::value> {};
}  // namespace detail

/// A tapeless scalar expression: variable, constant, literal or an operation on them.
template <class E>
concept expression = detail::is_expression<std::remove_cvref_t<E>>::value;

/// A variable made by `var<"name">`.
template <class E>
concept variable_expression = detail::is_variable<std::remove_cvref_t<E>>::value;

/// Something that may stand in an expression: an expression or a plain number.
template <class T>
concept operand = expression<T> || std::is_arithmetic<std::remove_cvref_t<T>>::value;

namespace detail {
template <class E>
constexpr bool is_constant_v = is_constant<E>::value;
template <class E>
constexpr bool is_static_v = is_static<E>::value;
template <class E>
constexpr bool is_zero_v = std::is_same_v<E, constant<0, 1>>;
template <class E>
constexpr bool is_one_v = std::is_same_v<E, constant<1, 1>>;
template <class E>
constexpr bool is_number_v = is_constant_v<E> || std::is_same_v<E, literal>;

/// Turns a plain number into a literal; leaves expressions as they are.
template <operand T>
constexpr auto as_expr(const T& x) {
  if constexpr (expression<T>) return x;
  else return literal{static_cast<double>(x)};
}

template <class T>
using as_expr_t = decltype(as_expr(std::declval<T>()));
}  // namespace detail

}  // namespace tapeless

#endif
