#ifndef TAPELESS_EXPR_LITERAL_HPP
#define TAPELESS_EXPR_LITERAL_HPP

#include "../fwd.hpp"

namespace tapeless {

/// A number known only at run time, made when a user writes `2.5 * x`. Its value travels
/// with the expression object; two literals of equal type may hold different values, so
/// simplification never treats them as equal.
struct literal {
  double value;
};

}  // namespace tapeless

#endif
