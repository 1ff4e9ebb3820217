#ifndef TAPELESS_TRAIN_COSINE_HPP
#define TAPELESS_TRAIN_COSINE_HPP

#include <cmath>
#include <concepts>
#include <cstdint>
#include <numbers>
#include <type_traits>

namespace tapeless::train {

/// A learning-rate schedule that falls from rate0 to min_rate along half a cosine over
/// total_steps steps, then stays at min_rate (Loshchilov & Hutter's SGDR without restarts;
/// PyTorch's CosineAnnealingLR with T_max = total_steps, eta_min = min_rate):
///   rate(step) = min_rate + (rate0 - min_rate) (1 + cos(pi step / total_steps)) / 2
/// for step <= total_steps, and min_rate after.
///
///   train::cosine schedule{0.1f, 1000, 0.001f};     // 0.1 at step 0, 0.0505 at 500, 0.001 at 1000
template <std::floating_point T>
class cosine {
 public:
  using value_type = T;

  /// total_steps must be positive.
  constexpr cosine(T rate0, std::uint64_t total_steps, std::type_identity_t<T> min_rate = T(0))
      : rate0_(rate0), min_rate_(min_rate), total_(total_steps == 0 ? 1 : total_steps) {}

  T operator()(std::uint64_t step) const {
    if (step >= total_) return min_rate_;
    const T phase = std::numbers::pi_v<T> * static_cast<T>(step) / static_cast<T>(total_);
    return min_rate_ + (rate0_ - min_rate_) * (T(1) + std::cos(phase)) / T(2);
  }

 private:
  T rate0_, min_rate_;
  std::uint64_t total_;
};

}  // namespace tapeless::train

#endif
