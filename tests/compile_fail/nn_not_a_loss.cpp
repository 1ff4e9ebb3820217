// expect: not a loss
// compile(loss) needs one value per sample: a network output of 3 values is not a loss
// until a loss function (mse, softmax_cross_entropy, ...) is applied to it.
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

float forward_once() {
  constexpr auto y = nn::dense<3, "fc">(nn::tanh(nn::dense<8, "hidden">(nn::input<"x", 4>)));
#ifdef TAPELESS_SHOULD_FAIL
  auto m = nn::compile<4>(y);
#else
  auto m = nn::compile<4>(nn::softmax_cross_entropy(y, nn::target<"label", 3>));
#endif
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
