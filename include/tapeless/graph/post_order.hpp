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

/// The merge of A and B, then Self: B's nodes that A does not hold, appended in B's order;
/// `size`, their number; `last`, where B's last node is.
//
// g++ pays for every list operation in time and memory linear in the list (substituting,
// hashing and comparing the pack), and so for every name of a member of a class whose
// template arguments are such packs. So these classes take the lists apart once, build the
// result in one step, and name none of their own members.
template <class A, class B, class Self>
struct merge_then;
/// Whether any is true; a loop rather than a fold expression (clang stops at 256 terms).
template <std::size_t N>
constexpr bool any_of(const bool (&b)[N]) {
  for (bool x : b)
    if (x) return true;
  return false;
}
// The compilers' built-in trait: std::is_same_v would be a variable instantiated for every
// pair of a list's element and the leaf, a number square in the network's size.
#if defined(__GNUC__) || defined(__clang__)
#define TAPELESS_IS_SAME(X, Y) __is_same(X, Y)
#else
#define TAPELESS_IS_SAME(X, Y) std::is_same_v<X, Y>
#endif
template <class L, class B, class Self, bool Held>
struct append_leaf;
template <class... A, class B, class Self>
struct append_leaf<boost::mp11::mp_list<A...>, B, Self, false> {
  using type = boost::mp11::mp_list<A..., B, Self>;
  enum : std::size_t { size = sizeof...(A) + 2, last = sizeof...(A) };
};
template <class... A, class B, class Self>
struct append_leaf<boost::mp11::mp_list<A...>, B, Self, true> {  // looked up only here: a map costs more than a scan
  using type = boost::mp11::mp_list<A..., Self>;
  enum : std::size_t { size = sizeof...(A) + 1, last = position<B, index_map<boost::mp11::mp_list<A...>>>::value };
};
template <class... A, class B, class Self>  // the common case: one leaf operand (a parameter or a target)
struct merge_then<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B>, Self>
    : append_leaf<boost::mp11::mp_list<A...>, B, Self,
                  any_of({false, TAPELESS_IS_SAME(A, B)...})> {};
#undef TAPELESS_IS_SAME
/// The merged list M, then Self; `last`, where the last node of B is in M.
template <class B, class M, class Self>
struct push_then_find_last;
template <class... B, class... M, class Self>
struct push_then_find_last<boost::mp11::mp_list<B...>, boost::mp11::mp_list<M...>, Self> {
  using type = boost::mp11::mp_list<M..., Self>;
  enum : std::size_t {
    size = sizeof...(M) + 1,
    last = position<boost::mp11::mp_back<boost::mp11::mp_list<B...>>, index_map<boost::mp11::mp_list<M...>>>::value
  };
};
template <class Map, class A, class... B>
using merged = boost::mp11::mp_append<
    A, std::conditional_t<position<B, Map>::value == absent, boost::mp11::mp_list<B>, boost::mp11::mp_list<>>...>;
template <class... A, class... B, class Self>
struct merge_then<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B...>, Self>
    : push_then_find_last<boost::mp11::mp_list<B...>,
                          merged<index_map<boost::mp11::mp_list<A...>>, boost::mp11::mp_list<A...>, B...>, Self> {};
}  // namespace detail

/// The order of a node Self with no operand, or with one or two operands visited in the
/// given order: `nodes`, and `size` of them; `first` and `second`, the positions in it of
/// Self's operands (a node with one operand repeats it; with Swap, the two visited operands
/// are recorded in the other order); `prefix`, the position of the operand visited first,
/// whose order is the start of this one (absent for a leaf).
template <class Self, bool Swap, class... Operands>
struct post_order;
template <class Self, bool Swap>
struct post_order<Self, Swap> {
  using nodes = boost::mp11::mp_list<Self>;
  enum : std::size_t { size = 1, first = 0, second = 0, prefix = detail::absent };
};
template <class Self, bool Swap, class A>
struct post_order<Self, Swap, A> {
  using nodes = boost::mp11::mp_push_back<typename A::nodes, Self>;
  // On a size_t, not on the enumerator: arithmetic on an enumerator would try the expression
  // operator templates of namespace tapeless, with their constraints, for every node.
  enum : std::size_t { size = std::size_t{A::order::size} + 1, first = std::size_t{A::order::size} - 1 };
  enum : std::size_t { second = first, prefix = first };
};
template <class Self, bool Swap, class A, class B>
struct post_order<Self, Swap, A, B> {
  using merged = detail::merge_then<typename A::nodes, typename B::nodes, Self>;
  using nodes = typename merged::type;
  enum : std::size_t { a = std::size_t{A::order::size} - 1, b = merged::last };
  enum : std::size_t { size = merged::size };
  enum : std::size_t { first = Swap ? b : a, second = Swap ? a : b, prefix = a };
};

/// The position of T in the list L of distinct types (T must be in L).
template <class T, class L>
inline constexpr std::size_t index_of = detail::position<T, detail::index_map<L>>::value;

}  // namespace tapeless::graph

#endif
