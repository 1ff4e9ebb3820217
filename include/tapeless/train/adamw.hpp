#ifndef TAPELESS_TRAIN_ADAMW_HPP
#define TAPELESS_TRAIN_ADAMW_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detail/adam_update.hpp"

namespace tapeless::train {

/// Settings of adamw (the defaults are PyTorch's): {.rate = 0.01, .weight_decay = 0.1}.
struct adamw_options {
  double rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 1e-2;  ///< lambda
};

/// AdamW (Loshchilov & Hutter 2019): Adam with the weight decay decoupled from the gradient.
/// Each step first shrinks every parameter, then takes the Adam step of adam.hpp:
///   w = w (1 - rate lambda)                               (decay first, as PyTorch does)
///   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
///   w = w - rate mhat / (sqrt(vhat) + eps)
/// Before or alongside is the same thing: the Adam step does not read w. Adam with an L2
/// term added to the loss would divide the decay by sqrt(vhat) too; here it does not. The
/// decay applies to every parameter, biases included (as torch.optim.AdamW does unless the
/// caller splits the parameters into groups).
///
///   train::adamw<model_t::parameters> opt({.rate = 0.01, .weight_decay = 0.01});
///
/// State: "first_moment", "second_moment" and steps(), as adam.
template <class Params>
class adamw {
 public:
  using parameters = Params;
  using value_type = typename Params::value_type;

  constexpr explicit adamw(adamw_options o = {})
      : rate_(static_cast<value_type>(o.rate)),
        beta1_(static_cast<value_type>(o.beta1)),
        beta2_(static_cast<value_type>(o.beta2)),
        epsilon_(static_cast<value_type>(o.epsilon)),
        decay_(static_cast<value_type>(o.weight_decay)) {}

  void step(Params& params, const Params& grads) {
    ++steps_;
    const value_type shrink = value_type(1) - rate_ * decay_;
    for (auto& w : params.values()) w *= shrink;
    detail::adam_update(params, grads, m_, v_, steps_, rate_, beta1_, beta2_, epsilon_);
  }

  constexpr value_type rate() const { return rate_; }
  constexpr void set_rate(value_type rate) { rate_ = rate; }
  constexpr value_type weight_decay() const { return decay_; }
  constexpr std::uint64_t steps() const { return steps_; }
  constexpr void set_steps(std::uint64_t steps) { steps_ = steps; }

  /// Forgets both moments and the step count.
  void reset() {
    m_ = Params{};
    v_ = Params{};
    steps_ = 0;
  }

  Params& first_moment() { return m_; }
  const Params& first_moment() const { return m_; }
  Params& second_moment() { return v_; }
  const Params& second_moment() const { return v_; }

  template <class F>
  void for_each_state(F&& f) {
    f(std::string_view("first_moment"), m_);
    f(std::string_view("second_moment"), v_);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f(std::string_view("first_moment"), m_);
    f(std::string_view("second_moment"), v_);
  }

 private:
  value_type rate_, beta1_, beta2_, epsilon_, decay_;
  std::uint64_t steps_ = 0;
  Params m_{}, v_{};
};

}  // namespace tapeless::train

#endif
