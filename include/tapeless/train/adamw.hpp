#ifndef TAPELESS_TRAIN_ADAMW_HPP
#define TAPELESS_TRAIN_ADAMW_HPP

#include "adam.hpp"

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
/// Each step shrinks every parameter and takes the Adam step of adam.hpp:
///   w = w (1 - rate lambda)                               (decay first, as PyTorch does)
///   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
///   w = w - rate mhat / (sqrt(vhat) + eps)
/// Before or alongside is the same thing: the Adam step does not read w; both are done in one
/// pass, w (1 - rate lambda) - step as one fma (rounded once where the target has FMA). Adam
/// with an L2 term added to the loss would divide the decay by sqrt(vhat) too; here it does
/// not. The decay applies to every parameter, biases included (as torch.optim.AdamW does
/// unless the caller splits the parameters into groups).
///
///   train::adamw<model_t::parameters> opt({.rate = 0.01, .weight_decay = 0.01});
///
/// State: "first_moment", "second_moment" and steps(), as adam.
template <class Params>
class adamw : public adam<Params> {
 public:
  using parameters = Params;
  using value_type = typename Params::value_type;

  constexpr explicit adamw(adamw_options o = {})
      : adam<Params>(adam_options{o.rate, o.beta1, o.beta2, o.epsilon}),
        decay_(static_cast<value_type>(o.weight_decay)) {}

  void step(Params& params, const Params& grads) {
    this->step_shrinking(params, grads, value_type(1) - this->rate() * decay_);
  }

  constexpr value_type weight_decay() const { return decay_; }

 private:
  value_type decay_;
};

}  // namespace tapeless::train

#endif
