// expect: shape mismatch
// mse(y, t) compares a prediction with a target of the same size: a network output of 2
// values against a target of 3 (sizes_must_match<prediction_vs_target_size, 2, 3>).
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

float forward_once() {
  constexpr auto y = nn::dense<2, "fc">(nn::input<"x", 4>);
#ifdef TAPELESS_SHOULD_FAIL
  constexpr auto loss = nn::mse(y, nn::target<"t", 3>);
#else
  constexpr auto loss = nn::mse(y, nn::target<"t", 2>);
#endif
  auto m = nn::compile<2>(loss);
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
