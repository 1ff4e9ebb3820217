#ifndef TAPELESS_GRAPH_POST_ORDER_HPP
#define TAPELESS_GRAPH_POST_ORDER_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/utility.hpp>

namespace tapeless::graph {

// The nodes of a network in an order where every node comes after its operands, each node
// once (a node used twice, as in a residual connection or a tied weight, is one node).
//
// Each node type computes its order when it is instantiated, from its operands' orders,
// which already exist: a network is built one node at a time, so no instantiation recurses
// through the network's depth (g++ stops at 900 levels, clang at 1024).
//
// The order also records where the node's own operands are in it: the merge looks them up
// anyway. A node's order is a prefix of the order of every node that has it as its first
// visited operand, so along that chain these positions hold in the whole network's order
// too, and the network's compiled form need not look them up again: once per operand
// in a 128-layer network, that lookup was two thirds of clang's compile time.

namespace detail {
// Position of a type in a list of distinct types, by overload resolution against one class
// that derives from index_leaf<i, element i> for every element: one instantiation per list,
// no is_same per element pair and no fold expression (clang stops at 256 terms).
template <std::size_t I, class T>
struct index_leaf {};
template <class Seq, class L>
struct index_map_impl;
template <std::size_t... I, class... T>
struct index_map_impl<std::index_sequence<I...>, boost::mp11::mp_list<T...>> : index_leaf<I, T>... {};
template <class L>
using index_map = index_map_impl<std::make_index_sequence<boost::mp11::mp_size<L>::value>, L>;

inline constexpr std::size_t absent = static_cast<std::size_t>(-1);
template <class T, std::size_t I>
std::integral_constant<std::size_t, I> position_in(const index_leaf<I, T>*);
template <class T>
std::integral_constant<std::size_t, absent> position_in(const void*);

/// The position of T in the list mapped by Map, or absent.
template <class T, class Map>
using position = decltype(position_in<T>(static_cast<const Map*>(nullptr)));

/// The merge of A and B: B's nodes that A does not hold, appended in B's order.
template <class A, class B>
struct merge;
template <class... T>
struct set : boost::mp11::mp_identity<T>... {};
template <class T, class L>
struct position_of {  // looked up only when needed: an index map costs more than a set
  enum : std::size_t { value = position<T, index_map<L>>::value };
};
template <class... A, class B>  // the common case: one leaf operand (a parameter or a target)
struct merge<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B>> {
  enum : bool { found = std::is_base_of<boost::mp11::mp_identity<B>, set<A...>>::value };
  using type = std::conditional_t<found, boost::mp11::mp_list<A...>, boost::mp11::mp_list<A..., B>>;
  enum : std::size_t {  ///< where B is
    last = std::conditional_t<found, position_of<B, type>, std::integral_constant<std::size_t, sizeof...(A)>>::value
  };
};
template <class... A, class... B>
struct merge<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B...>> {
  using map = index_map<boost::mp11::mp_list<A...>>;
  using type = boost::mp11::mp_append<
      boost::mp11::mp_list<A...>,
      std::conditional_t<position<B, map>::value == absent, boost::mp11::mp_list<B>, boost::mp11::mp_list<>>...>;
  using last_node = boost::mp11::mp_back<boost::mp11::mp_list<B...>>;
  enum : std::size_t {
    last = position<last_node, index_map<type>>::value
  };
};
}  // namespace detail

/// The order of a node Self with no operand, or with one or two operands visited in the
/// given order: `nodes`; `first` and `second`, the positions in it of Self's operands (a
/// node with one operand repeats it; with Swap, the two visited operands are recorded in
/// the other order); `prefix`, the position of the operand visited first, whose order is
/// the start of this one (absent for a leaf).
template <class Self, bool Swap, class... Operands>
struct post_order;
template <class Self, bool Swap>
struct post_order<Self, Swap> {
  using nodes = boost::mp11::mp_list<Self>;
  enum : std::size_t { first = 0, second = 0, prefix = detail::absent };
};
template <class Self, bool Swap, class A>
struct post_order<Self, Swap, A> {
  using nodes = boost::mp11::mp_push_back<typename A::nodes, Self>;
  enum : std::size_t { first = boost::mp11::mp_size<typename A::nodes>::value - 1, second = first, prefix = first };
};
template <class Self, bool Swap, class A, class B>
struct post_order<Self, Swap, A, B> {
  using merged = detail::merge<typename A::nodes, typename B::nodes>;
  using nodes = boost::mp11::mp_push_back<typename merged::type, Self>;
  enum : std::size_t { a = boost::mp11::mp_size<typename A::nodes>::value - 1, b = merged::last };
  enum : std::size_t { first = Swap ? b : a, second = Swap ? a : b, prefix = a };
};

/// The position of T in the list L of distinct types (T must be in L).
template <class T, class L>
inline constexpr std::size_t index_of = detail::position<T, detail::index_map<L>>::value;

}  // namespace tapeless::graph

#endif
