// expect: shape mismatch
// a + b (and a - b, hadamard, map2) pairs elements one to one: a node of 3 values cannot be
// added to one of 4 (sizes_must_match<elementwise_operand_sizes, 3, 4>).
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

float forward_once() {
  constexpr auto a = nn::dense<3, "fc1">(nn::input<"x", 2>);
#ifdef TAPELESS_SHOULD_FAIL
  constexpr auto b = nn::dense<4, "fc2">(nn::input<"x", 2>);
#else
  constexpr auto b = nn::dense<3, "fc2">(nn::input<"x", 2>);
#endif
  auto m = nn::compile<2>(nn::sum(a + b));
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
