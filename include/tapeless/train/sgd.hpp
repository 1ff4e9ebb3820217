#ifndef TAPELESS_TRAIN_SGD_HPP
#define TAPELESS_TRAIN_SGD_HPP

#include <cstddef>
#include <cstdint>

#include "detail/for_each_batch.hpp"

namespace tapeless::train {

/// Plain gradient descent over a parameter set type: w = w - rate g. No state but the rate
/// and the count of steps taken (for schedules).
///
///   train::sgd<model_t::parameters> opt{0.1f};
///   opt.step(params, grads);
///
/// Every optimizer here has the same surface: step(params, grads), rate() and
/// set_rate(rate) (what a schedule drives), steps() and set_steps(n), reset(), and
/// for_each_state(f) calling f(name, set) for each state tensor set (none here), which is
/// what a checkpoint saves.
template <class Params>
class sgd {
 public:
  using parameters = Params;
  using value_type = typename Params::value_type;

  constexpr explicit sgd(value_type rate) : rate_(rate) {}

  /// One update of every parameter from its gradient.
  void step(Params& params, const Params& grads) {
    value_type* w = params.values().data();
    const value_type* g = grads.values().data();
    const value_type minus_rate = -rate_;
    detail::for_each_batch<value_type>(params.values().size(), [&](auto tag, std::size_t i) {
      using B = typename decltype(tag)::type;
      simd::fma(B(minus_rate), B::load_unaligned(g + i), B::load_unaligned(w + i)).store_unaligned(w + i);
    });
    ++steps_;
  }

  constexpr value_type rate() const { return rate_; }
  constexpr void set_rate(value_type rate) { rate_ = rate; }
  constexpr std::uint64_t steps() const { return steps_; }
  constexpr void set_steps(std::uint64_t steps) { steps_ = steps; }
  constexpr void reset() { steps_ = 0; }

  template <class F>
  void for_each_state(F&&) {}
  template <class F>
  void for_each_state(F&&) const {}

 private:
  value_type rate_;
  std::uint64_t steps_ = 0;
};

}  // namespace tapeless::train

#endif
