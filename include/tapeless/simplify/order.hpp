#ifndef TAPELESS_SIMPLIFY_ORDER_HPP
#define TAPELESS_SIMPLIFY_ORDER_HPP

#include <cstdint>
#include <type_traits>

#include "../expr/node.hpp"
#include "../ops/op_traits.hpp"

namespace tapeless::detail {

// A total order on expression types, used to put the operands of + and * in canonical
// order so that x * y and y * x simplify to the same type. Constants come first, then
// literals, variables by name, then operations by id, parameters and operands.

template <class T>
struct tag {};

template <class E>
constexpr int rank(tag<E>) { return 3; }
template <std::intmax_t N, std::intmax_t D>
constexpr int rank(tag<constant<N, D>>) { return 0; }
constexpr int rank(tag<literal>) { return 1; }
template <fixed_string Name>
constexpr int rank(tag<variable<Name>>) { return 2; }

constexpr int three_way(std::intmax_t a, std::intmax_t b) { return a < b ? -1 : (b < a ? 1 : 0); }

/// Operations by id; operations with the same id (pow, leaky_relu) by their parameter.
template <class A, class B>
constexpr int compare_ops(tag<A>, tag<B>) {
  if constexpr (std::is_same_v<A, B>) {
    return 0;
  } else if constexpr (op_traits<A>::id != op_traits<B>::id) {
    return three_way(op_traits<A>::id, op_traits<B>::id);
  } else {
    constexpr auto a = op_traits<A>::parameter;
    constexpr auto b = op_traits<B>::parameter;
    return a.num != b.num ? three_way(a.num, b.num) : three_way(a.den, b.den);
  }
}

template <class A, class B>
constexpr int compare_same_rank(tag<A>, tag<B>) { return 0; }  // two literals

template <std::intmax_t N1, std::intmax_t D1, std::intmax_t N2, std::intmax_t D2>
constexpr int compare_same_rank(tag<constant<N1, D1>>, tag<constant<N2, D2>>) {
  const int by_num = three_way(N1, N2);
  return by_num != 0 ? by_num : three_way(D1, D2);
}

template <fixed_string A, fixed_string B>
constexpr int compare_same_rank(tag<variable<A>>, tag<variable<B>>) {
  return compare(A, B);
}

template <class A, class B>
constexpr int compare_types();

template <class O1, class A1, class O2, class A2>
constexpr int compare_same_rank(tag<unary<O1, A1>>, tag<unary<O2, A2>>) {
  const int by_op = compare_ops(tag<O1>{}, tag<O2>{});
  return by_op != 0 ? by_op : compare_types<A1, A2>();
}

template <class O1, class L1, class R1, class O2, class L2, class R2>
constexpr int compare_same_rank(tag<binary<O1, L1, R1>>, tag<binary<O2, L2, R2>>) {
  const int by_op = compare_ops(tag<O1>{}, tag<O2>{});
  if (by_op != 0) return by_op;
  const int by_lhs = compare_types<L1, L2>();
  return by_lhs != 0 ? by_lhs : compare_types<R1, R2>();
}

template <class O1, class A1, class O2, class L2, class R2>
constexpr int compare_same_rank(tag<unary<O1, A1>>, tag<binary<O2, L2, R2>>) {
  return compare_ops(tag<O1>{}, tag<O2>{});
}

template <class O1, class L1, class R1, class O2, class A2>
constexpr int compare_same_rank(tag<binary<O1, L1, R1>>, tag<unary<O2, A2>>) {
  return compare_ops(tag<O1>{}, tag<O2>{});
}

/// <0, 0 or >0 as A orders before, with or after B.
template <class A, class B>
constexpr int compare_types() {
  if constexpr (std::is_same_v<A, B>) {
    return 0;
  } else {
    const int by_rank = three_way(rank(tag<A>{}), rank(tag<B>{}));
    return by_rank != 0 ? by_rank : compare_same_rank(tag<A>{}, tag<B>{});
  }
}

template <class A, class B>
inline constexpr bool orders_before = compare_types<A, B>() < 0;

}  // namespace tapeless::detail

#endif
