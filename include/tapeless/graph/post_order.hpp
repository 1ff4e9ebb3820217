#ifndef TAPELESS_GRAPH_POST_ORDER_HPP
#define TAPELESS_GRAPH_POST_ORDER_HPP

#include <type_traits>

#include <boost/mp11/list.hpp>
#include <boost/mp11/utility.hpp>

namespace tapeless::graph {

// The nodes of a network in an order where every node comes after its operands, each node
// once (a node used twice, as in a residual connection or a tied weight, is one node).
//
// Each node type computes its list when it is instantiated, from its operands' lists, which
// already exist: a network is built one node at a time, so no instantiation recurses
// through the network's depth (g++ stops at 900 levels, clang at 1024).
//
// Cost: a constant number of class instantiations per node. Membership is a base-class
// test against one class that derives from every element of L1 (built once per merge), not
// an is_same instantiation per element pair, which made building an n-layer network
// O(n^2) instantiations.

namespace detail {
template <class... T>
struct set : boost::mp11::mp_identity<T>... {};

template <class L1, class L2>
struct merge_impl;
template <class... A, class B>  // the common case: one new operand (a parameter)
struct merge_impl<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B>> {
  using type = std::conditional_t<std::is_base_of<boost::mp11::mp_identity<B>, set<A...>>::value,
                                  boost::mp11::mp_list<A...>, boost::mp11::mp_list<A..., B>>;
};
template <class... A, class... B>
struct merge_impl<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B...>> {
  using type = boost::mp11::mp_append<
      boost::mp11::mp_list<A...>,
      std::conditional_t<std::is_base_of<boost::mp11::mp_identity<B>, set<A...>>::value, boost::mp11::mp_list<>,
                         boost::mp11::mp_list<B>>...>;
};

template <class Self, class... Operands>
struct post_order_impl;
template <class Self, class A>
struct post_order_impl<Self, A> {
  using type = boost::mp11::mp_push_back<typename A::nodes, Self>;
};
template <class Self, class A, class B>
struct post_order_impl<Self, A, B> {
  using type = boost::mp11::mp_push_back<typename merge_impl<typename A::nodes, typename B::nodes>::type, Self>;
};
}  // namespace detail

/// L1 followed by the elements of L2 that are not in L1.
template <class L1, class L2>
using merge = typename detail::merge_impl<L1, L2>::type;

/// The post-order of a node Self with the given operands (one or two).
template <class Self, class... Operands>
using post_order = typename detail::post_order_impl<Self, Operands...>::type;

}  // namespace tapeless::graph

#endif
