#ifndef TAPELESS_TRAIN_STEP_DECAY_HPP
#define TAPELESS_TRAIN_STEP_DECAY_HPP

#include <cmath>
#include <concepts>
#include <cstdint>
#include <type_traits>

namespace tapeless::train {

/// A learning-rate schedule that multiplies the rate by gamma every step_size steps
/// (PyTorch's StepLR): rate(step) = rate0 gamma^floor(step / step_size), step = 0, 1, ...
/// counting the updates taken before this one (an optimizer's steps()).
///
///   train::step_decay schedule{0.1f, 0.5f, 100};    // 0.1 for steps 0-99, 0.05 for 100-199...
///   opt.set_rate(schedule(opt.steps()));
///   opt.step(params, grads);
template <std::floating_point T>
class step_decay {
 public:
  using value_type = T;

  /// step_size must be positive.
  constexpr step_decay(T rate0, std::type_identity_t<T> gamma, std::uint64_t step_size)
      : rate0_(rate0), gamma_(gamma), step_size_(step_size == 0 ? 1 : step_size) {}

  T operator()(std::uint64_t step) const {
    return rate0_ * std::pow(gamma_, static_cast<T>(step / step_size_));
  }

 private:
  T rate0_, gamma_;
  std::uint64_t step_size_;
};

}  // namespace tapeless::train

#endif
