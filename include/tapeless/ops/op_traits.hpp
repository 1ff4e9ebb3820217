#ifndef TAPELESS_OPS_OP_TRAITS_HPP
#define TAPELESS_OPS_OP_TRAITS_HPP

#include "../fwd.hpp"

namespace tapeless {

/// Semantics of an operation tag: its value (`apply`), its derivative rule, its printed
/// form and its place in the canonical order (`id`).
///
/// Every operation tag specializes this template next to its definition. An error that
/// points here means an expression node was built with a tag that is not an operation.
template <class Op>
struct op_traits {
  static_assert(sizeof(Op) == 0, "tapeless::op_traits<Op>: 'Op' is not a tapeless operation tag");
};

}  // namespace tapeless

#endif
