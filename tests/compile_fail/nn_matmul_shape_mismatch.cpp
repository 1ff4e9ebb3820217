// expect: shape mismatch
// matmul(W, x) needs as many columns in W as x has values: a 4 x 3 matrix cannot multiply
// an input of 5 (the diagnostic names sizes_must_match<matmul_columns_vs_input_size, 3, 5>).
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

float forward_once() {
#ifdef TAPELESS_SHOULD_FAIL
  constexpr auto y = nn::matmul(nn::param<"w", 4, 3>, nn::input<"x", 5>);
#else
  constexpr auto y = nn::matmul(nn::param<"w", 4, 5>, nn::input<"x", 5>);
#endif
  auto m = nn::compile<2>(nn::sum(y));
  decltype(m)::parameters p;
  return m.value(p, {}, {});
}
