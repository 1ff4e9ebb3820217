#ifndef TAPELESS_TRAIN_ADAM_HPP
#define TAPELESS_TRAIN_ADAM_HPP

#include <cstdint>
#include <string_view>

#include "detail/adam_update.hpp"

namespace tapeless::train {

/// Settings of adam (the defaults are the paper's and PyTorch's):
/// {.rate = 0.01, .beta2 = 0.99}.
struct adam_options {
  double rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

/// Adam (Kingma & Ba 2015): per-parameter steps from running averages of the gradient (m)
/// and of its square (v), both bias-corrected. At step t = 1, 2, ...
///   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
///   mhat = m / (1 - b1^t),  vhat = v / (1 - b2^t)
///   w = w - rate mhat / (sqrt(vhat) + eps)
///
///   train::adam<model_t::parameters> opt({.rate = 0.01});
///   opt.step(params, grads);
///
/// State: "first_moment" (m) and "second_moment" (v), sets like the parameters, and steps()
/// (t after the last step); restoring all three resumes exactly.
template <class Params>
class adam {
 public:
  using parameters = Params;
  using value_type = typename Params::value_type;

  constexpr explicit adam(adam_options o = {})
      : rate_(static_cast<value_type>(o.rate)),
        beta1_(static_cast<value_type>(o.beta1)),
        beta2_(static_cast<value_type>(o.beta2)),
        epsilon_(static_cast<value_type>(o.epsilon)) {}

  void step(Params& params, const Params& grads) { step_shrinking(params, grads, value_type(1)); }

  constexpr value_type rate() const { return rate_; }
  constexpr void set_rate(value_type rate) { rate_ = rate; }
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

 protected:
  /// The step with every parameter first multiplied by shrink (adamw's decay), in one pass.
  void step_shrinking(Params& params, const Params& grads, value_type shrink) {
    ++steps_;
    detail::adam_update(params, grads, m_, v_, steps_, rate_, beta1_, beta2_, epsilon_, shrink);
  }

 private:
  value_type rate_, beta1_, beta2_, epsilon_;
  std::uint64_t steps_ = 0;
  Params m_{}, v_{};
};

}  // namespace tapeless::train

#endif
