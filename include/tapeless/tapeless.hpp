#ifndef TAPELESS_TAPELESS_HPP
#define TAPELESS_TAPELESS_HPP

/// tapeless: compile-time symbolic differentiation. Include this header for everything.

#include "diff/d.hpp"
#include "diff/gradient.hpp"
#include "eval/evaluate.hpp"
#include "expr/constant.hpp"
#include "expr/literal.hpp"
#include "expr/node.hpp"
#include "expr/replace.hpp"
#include "expr/substitute.hpp"
#include "expr/variable.hpp"
#include "ops/activation.hpp"
#include "ops/arithmetic.hpp"
#include "ops/elementary.hpp"
#include "print/print.hpp"
#include "simd/batch.hpp"
#include "simplify/simplify.hpp"

#endif
