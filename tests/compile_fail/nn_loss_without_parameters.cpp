// expect: depends on no parameter
// A loss with nothing to train: mse(x, t) compares an input with a target directly (a
// network with its layers forgotten), so there is no gradient to compute.
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

constexpr auto x = nn::input<"x", 3>;
constexpr auto t = nn::target<"t", 3>;

float forward_once() {
#ifdef TAPELESS_SHOULD_FAIL
  auto m = nn::compile<4>(nn::mse(x, t));
#else
  auto m = nn::compile<4>(nn::mse(nn::dense<3, "fc">(x), t));
#endif
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
