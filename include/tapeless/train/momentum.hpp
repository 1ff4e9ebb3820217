#ifndef TAPELESS_TRAIN_MOMENTUM_HPP
#define TAPELESS_TRAIN_MOMENTUM_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detail/for_each_batch.hpp"

namespace tapeless::train {

/// Settings of momentum; designated initializers name them: {.rate = 0.05, .nesterov = true}.
struct momentum_options {
  double rate = 0.01;
  double momentum = 0.9;  ///< mu
  bool nesterov = false;
};

/// Gradient descent with momentum, in PyTorch's form (torch.optim.SGD, dampening 0): a
/// velocity v, zero at first, accumulates the gradients,
///   v = mu v + g
///   w = w - rate v                  classical (Polyak's heavy ball)
///   w = w - rate (g + mu v)         Nesterov (Sutskever et al. 2013, as PyTorch writes it)
/// The rate multiplies v at each step rather than being folded into it, so changing the rate
/// (a schedule) scales the whole next step.
///
///   train::momentum<model_t::parameters> opt({.rate = 0.05, .momentum = 0.9});
///   opt.step(params, grads);
///
/// State: the velocity, a set like the parameters ("velocity" in for_each_state).
template <class Params>
class momentum {
 public:
  using parameters = Params;
  using value_type = typename Params::value_type;

  constexpr explicit momentum(momentum_options o = {})
      : rate_(static_cast<value_type>(o.rate)), mu_(static_cast<value_type>(o.momentum)), nesterov_(o.nesterov) {}

  void step(Params& params, const Params& grads) {
    value_type* w = params.values().data();
    const value_type* g = grads.values().data();
    value_type* v = velocity_.values().data();
    const value_type minus_rate = -rate_, mu = mu_;
    const std::size_t n = params.values().size();
    // Nesterov or not decided once, outside the loop.
    if (nesterov_) {
      detail::for_each_batch<value_type>(n, [&](auto tag, std::size_t i) {
        using B = typename decltype(tag)::type;
        const B gi = B::load_unaligned(g + i);
        const B vi = simd::fma(B(mu), B::load_unaligned(v + i), gi);
        vi.store_unaligned(v + i);
        const B step = simd::fma(B(mu), vi, gi);
        simd::fma(B(minus_rate), step, B::load_unaligned(w + i)).store_unaligned(w + i);
      });
    } else {
      detail::for_each_batch<value_type>(n, [&](auto tag, std::size_t i) {
        using B = typename decltype(tag)::type;
        const B vi = simd::fma(B(mu), B::load_unaligned(v + i), B::load_unaligned(g + i));
        vi.store_unaligned(v + i);
        simd::fma(B(minus_rate), vi, B::load_unaligned(w + i)).store_unaligned(w + i);
      });
    }
    ++steps_;
  }

  constexpr value_type rate() const { return rate_; }
  constexpr void set_rate(value_type rate) { rate_ = rate; }
  constexpr value_type momentum_factor() const { return mu_; }
  constexpr bool nesterov() const { return nesterov_; }
  constexpr std::uint64_t steps() const { return steps_; }
  constexpr void set_steps(std::uint64_t steps) { steps_ = steps; }

  /// Forgets the velocity and the step count.
  void reset() {
    velocity_ = Params{};
    steps_ = 0;
  }

  Params& velocity() { return velocity_; }
  const Params& velocity() const { return velocity_; }

  template <class F>
  void for_each_state(F&& f) {
    f(std::string_view("velocity"), velocity_);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f(std::string_view("velocity"), velocity_);
  }

 private:
  value_type rate_;
  value_type mu_;
  bool nesterov_;
  std::uint64_t steps_ = 0;
  Params velocity_{};
};

}  // namespace tapeless::train

#endif
