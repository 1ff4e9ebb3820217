// XOR, the classic problem no single neuron can solve, learned by a 2-8-1 tanh network.
//
// The network is declared as an expression; tapeless derives dL/dw for every weight at
// compile time and runs the forward and backward sweeps on static storage: no tape, no
// heap. Each step is plain gradient descent, w = w - rate * dL/dw.

#include <cstdio>
#include <random>

#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

// 2 inputs -> 8 tanh units -> 1 output, mean squared error against the target.
constexpr auto x = nn::input<"x", 2>;
constexpr auto t = nn::target<"t", 1>;
constexpr auto hidden = nn::tanh(nn::dense<8, "hidden">(x));
constexpr auto output = nn::dense<1, "output">(hidden);
constexpr auto loss = nn::mse(output, t);

int main() {
  auto model = nn::compile<4>(loss);  // all four XOR cases in one batch
  using model_t = decltype(model);
  model_t::parameters params;
  model_t::gradients grads;
  model_t::inputs inputs;
  model_t::targets targets;

  // Small random weights break the symmetry between hidden units; the seed makes the run
  // reproducible.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> init(-1.0f, 1.0f);
  for (float& w : params.values()) w = init(rng);

  const float cases[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};  // x1, x2, x1 xor x2
  for (int s = 0; s < 4; ++s) {
    inputs.get<"x">()[2 * s] = cases[s][0];
    inputs.get<"x">()[2 * s + 1] = cases[s][1];
    targets.get<"t">()[s] = cases[s][2];
  }

  const float rate = 0.2f;
  float l = 0;
  for (int step = 0; step <= 2000; ++step) {
    l = model.value_and_grad(params, inputs, targets, grads);
    if (step % 250 == 0) std::printf("step %4d  loss %.6f\n", step, static_cast<double>(l));
    nn::sgd_step(params, grads, rate);
  }

  model.value(params, inputs, targets);
  const auto predictions = model.values_of(output);
  for (int s = 0; s < 4; ++s)
    std::printf("%g xor %g = %g, predicted %.3f\n", static_cast<double>(cases[s][0]),
                static_cast<double>(cases[s][1]), static_cast<double>(cases[s][2]),
                static_cast<double>(predictions[static_cast<std::size_t>(s)]));
  std::printf("final loss %.6f (%s)\n", static_cast<double>(l), l < 0.01f ? "learned" : "NOT learned");
  return l < 0.01f ? 0 : 1;
}
