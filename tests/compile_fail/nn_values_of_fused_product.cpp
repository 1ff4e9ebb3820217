// expect: its layer.s fused step adds the bias to in place
// A layer's product W x is computed inside the layer's fused step and never written out on
// its own, so values_of(W x) does not compile; the layer's W x + b can be read.
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

constexpr auto x = nn::input<"x", 2>;
constexpr auto product = nn::matmul(nn::param<"fc1.weight", 3, 2>, x);
constexpr auto affine = product + nn::param<"fc1.bias", 3>;
constexpr auto loss = nn::mse(nn::tanh(affine), nn::target<"t", 3>);

float first_output() {
  static decltype(nn::compile<1>(loss)) m;
#ifdef TAPELESS_SHOULD_FAIL
  return m.values_of(product)[0];
#else
  return m.values_of(affine)[0];
#endif
}
