#ifndef TAPELESS_TRAIN_MOMENTUM_HPP
#define TAPELESS_TRAIN_MOMENTUM_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

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
    auto w = params.values();
    const auto g = grads.values();
    auto v = velocity_.values();
    for (std::size_t i = 0; i < w.size(); ++i) {
      v[i] = mu_ * v[i] + g[i];
      w[i] -= rate_ * (nesterov_ ? g[i] + mu_ * v[i] : v[i]);
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
