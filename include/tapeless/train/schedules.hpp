#ifndef TAPELESS_TRAIN_SCHEDULES_HPP
#define TAPELESS_TRAIN_SCHEDULES_HPP

/// Every learning-rate schedule: callables step -> rate, step counting the updates already
/// taken (an optimizer's steps()).

#include "cosine.hpp"
#include "linear_warmup.hpp"
#include "step_decay.hpp"

#endif
