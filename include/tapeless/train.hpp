#ifndef TAPELESS_TRAIN_HPP
#define TAPELESS_TRAIN_HPP

/// tapeless training: seeded initialization, optimizers, learning-rate schedules, gradient
/// clipping and diagnostics over the parameter sets of a compiled model. No heap, no
/// exceptions, no iostream (summary.hpp, the text of a report, uses std::string).

#include "train/clipping.hpp"
#include "train/diagnostics.hpp"
#include "train/init.hpp"
#include "train/optimizers.hpp"
#include "train/random.hpp"
#include "train/schedules.hpp"
#include "train/summary.hpp"

#endif
