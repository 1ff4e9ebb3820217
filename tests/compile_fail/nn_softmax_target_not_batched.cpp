// expect: must hold one distribution per sample
// softmax_cross_entropy(z, t) reads a distribution t for every sample: a t computed from
// parameters alone holds one for the whole batch (it used to be read past its end).
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

constexpr auto z = nn::dense<3, "fc">(nn::input<"x", 2>);

double loss_once() {
#ifdef TAPELESS_SHOULD_FAIL
  auto m = nn::compile<4, double>(nn::softmax_cross_entropy(z, nn::sigmoid(nn::param<"prior", 3>)));
#else
  auto m = nn::compile<4, double>(nn::softmax_cross_entropy(z, nn::target<"t", 3>));
#endif
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
