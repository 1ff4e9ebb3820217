#ifndef TAPELESS_TRAIN_CLIPPING_HPP
#define TAPELESS_TRAIN_CLIPPING_HPP

/// Gradient clipping: clip_by_value and clip_by_global_norm.

#include "clip_by_global_norm.hpp"
#include "clip_by_value.hpp"

#endif
