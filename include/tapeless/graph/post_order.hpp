#ifndef TAPELESS_GRAPH_POST_ORDER_HPP
#define TAPELESS_GRAPH_POST_ORDER_HPP

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/bind.hpp>
#include <boost/mp11/list.hpp>

namespace tapeless::graph {

// The nodes of a network in an order where every node comes after its operands, each node
// once (a node used twice, as in a residual connection or a tied weight, is one node).
//
// Each node type computes its list when it is instantiated, from its operands' lists, which
// already exist: a network is built one node at a time, so no instantiation recurses
// through the network's depth (g++ stops at 900 levels, clang at 1024).

/// L1 followed by the elements of L2 that are not in L1.
template <class L1, class L2>
using merge = boost::mp11::mp_append<
    L1, boost::mp11::mp_remove_if_q<L2, boost::mp11::mp_bind_front<boost::mp11::mp_contains, L1>>>;

/// The post-order of a node Self with the given operands.
template <class Self, class... Operands>
using post_order = boost::mp11::mp_push_back<
    boost::mp11::mp_fold<boost::mp11::mp_list<typename Operands::nodes...>, boost::mp11::mp_list<>,
                         merge>,
    Self>;

}  // namespace tapeless::graph

#endif
