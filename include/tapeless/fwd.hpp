#ifndef TAPELESS_FWD_HPP
#define TAPELESS_FWD_HPP

#include <cstdint>

#include "detail/fixed_string.hpp"

namespace tapeless {

template <fixed_string Name>
struct variable;

template <std::intmax_t Num, std::intmax_t Den>
struct constant;

struct literal;

template <class Op, class Arg>
struct unary;

template <class Op, class Lhs, class Rhs>
struct binary;

template <class Op>
struct op_traits;

}  // namespace tapeless

#endif
