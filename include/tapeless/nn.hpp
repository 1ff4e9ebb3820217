#ifndef TAPELESS_NN_HPP
#define TAPELESS_NN_HPP

/// tapeless networks: declare a loss as an expression of tensor nodes, compile it, train.

#include "nn/describe.hpp"
#include "nn/dot.hpp"
#include "nn/elementwise.hpp"
#include "nn/explain.hpp"
#include "nn/gradcheck.hpp"
#include "nn/model.hpp"
#include "nn/nodes.hpp"
#include "nn/tensor_set.hpp"
#include "tapeless.hpp"

#endif
