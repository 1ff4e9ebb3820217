#ifndef TAPELESS_TRAIN_LINEAR_WARMUP_HPP
#define TAPELESS_TRAIN_LINEAR_WARMUP_HPP

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace tapeless::train {

/// A schedule that ramps the rate up linearly for warmup_steps steps, then hands over to
/// another schedule started afresh:
///   rate(step) = inner(0) (step + 1) / warmup_steps     for step < warmup_steps
///   rate(step) = inner(step - warmup_steps)              after
/// so the first update already moves (rate inner(0) / warmup_steps, not 0), the last warm-up
/// step reaches inner(0), and a cosine wrapped here spans its own total_steps after the
/// warm-up. warmup_steps = 0 is the inner schedule itself.
///
///   train::linear_warmup schedule{train::cosine{0.1f, 1000}, 100};   // 1100 steps in all
template <class Schedule>
  requires std::invocable<const Schedule&, std::uint64_t>
class linear_warmup {
 public:
  using value_type = std::invoke_result_t<const Schedule&, std::uint64_t>;
  static_assert(std::floating_point<value_type>,
                "tapeless::train::linear_warmup(schedule, steps) requires 'schedule' to map a "
                "step (std::uint64_t) to a floating-point rate");

  constexpr linear_warmup(Schedule inner, std::uint64_t warmup_steps)
      : inner_(inner), warmup_(warmup_steps) {}

  value_type operator()(std::uint64_t step) const {
    if (step >= warmup_) return inner_(step - warmup_);
    return inner_(0) * static_cast<value_type>(step + 1) / static_cast<value_type>(warmup_);
  }

  const Schedule& inner() const { return inner_; }

 private:
  Schedule inner_;
  std::uint64_t warmup_;
};

}  // namespace tapeless::train

#endif
