// Consumer of an installed (find_package) or vendored (add_subdirectory) tapeless: it
// differentiates, evaluates and trains through the public headers only.
#include <tapeless/nn.hpp>
#include <tapeless/tapeless.hpp>

#include <cmath>
#include <cstdio>

int main() {
  using namespace tapeless;
  constexpr auto x = var<"x">;
  const double slope = evaluate(d(x * sin(x), x), x = 1.0);  // sin(1) + cos(1)
  if (std::abs(slope - (std::sin(1.0) + std::cos(1.0))) > 1e-12) {
    std::puts("tapeless consumer: wrong derivative");
    return 1;
  }

  namespace nn = tapeless::nn;
  constexpr auto loss = nn::mse(nn::dense<1, "fc">(nn::input<"x", 1>), nn::target<"t", 1>);
  auto model = nn::compile<1>(loss);
  decltype(model)::parameters params;
  decltype(model)::gradients grads;
  decltype(model)::inputs in;
  decltype(model)::targets target;
  in.values()[0] = 1.0f;
  target.values()[0] = 2.0f;
  const float before = model.value_and_grad(params, in, target, grads);  // (0 - 2)^2 = 4
  nn::sgd_step(params, grads, 0.1f);
  const float after = model.value(params, in, target);
  if (before != 4.0f || !(after < before)) {
    std::puts("tapeless consumer: training step did not reduce the loss");
    return 1;
  }
  std::puts("tapeless consumer: OK");
  return 0;
}
