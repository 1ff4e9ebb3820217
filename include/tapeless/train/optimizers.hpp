#ifndef TAPELESS_TRAIN_OPTIMIZERS_HPP
#define TAPELESS_TRAIN_OPTIMIZERS_HPP

/// Every optimizer: sgd, momentum (classical and Nesterov), adam, adamw.

#include "adam.hpp"
#include "adamw.hpp"
#include "momentum.hpp"
#include "sgd.hpp"

#endif
