#define BOOST_TEST_MODULE nn.training
#include <boost/test/unit_test.hpp>

// End-to-end training with plain SGD on float models: XOR with a 2-8-1 tanh network, and
// sin(x) on [-pi, pi] with a 1-16-16-1 tanh network. Initialization, data and step budgets
// are fixed, so the outcome is reproducible; the bounds asserted leave a margin over the
// results observed (stated next to each).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string_view>
#include <tapeless/nn.hpp>
#include <type_traits>

#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

}  // namespace

// XOR: the four points of {0, 1}^2, target a xor b, full batch.
namespace xor_problem {

constexpr auto x = nn::input<"x", 2>;
constexpr auto y = nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(x)));
constexpr auto loss = nn::mse(y, nn::target<"t", 1>);

}  // namespace xor_problem

BOOST_AUTO_TEST_CASE(xor_2_8_1) {
  using namespace xor_problem;
  auto m = nn::compile<4, float>(loss);
  decltype(m)::parameters p;
  decltype(m)::gradients g;
  decltype(m)::inputs in;
  decltype(m)::targets t;
  const float points[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
  for (std::size_t s = 0; s < 4; ++s) {
    in.get<"x">()[2 * s] = points[s][0];
    in.get<"x">()[2 * s + 1] = points[s][1];
    t.get<"t">()[s] = points[s][2];
  }
  random_source random{42};
  fill(p, random, -1, 1);  // weights and biases uniform in (-1, 1)

  // Observed (seed 42, rate 0.1): the loss falls below 0.01 at step 108 and keeps falling to
  // step 500 (~1e-12); every step lowers it until it is below 1e-4, where float rounding
  // takes over.
  constexpr int steps = 500;
  constexpr float rate = 0.1f;
  const float initial = m.value(p, in, t);
  float previous = initial;
  int first_below = 0;  // the first step whose loss is below 0.01
  int increases = 0;    // steps that raised a loss above 1e-4
  for (int step = 1; step <= steps; ++step) {
    const float loss_value = m.value_and_grad(p, in, t, g);
    nn::sgd_step(p, g, rate);
    if (loss_value > previous && previous > 1e-4f) ++increases;
    if (first_below == 0 && loss_value < 0.01f) first_below = step;
    previous = loss_value;
  }
  const float final_loss = m.value(p, in, t);
  BOOST_TEST_MESSAGE("xor: loss " << initial << " -> " << final_loss << " in " << steps
                                  << " steps, below 0.01 from step " << first_below);
  BOOST_TEST(final_loss < 0.01f);
  BOOST_TEST(first_below > 0);
  BOOST_TEST(increases == 0);
  // Every point on the right side of 1/2: values_of reads the output of the last sweep.
  const auto out = m.values_of(y);
  for (std::size_t s = 0; s < 4; ++s) BOOST_TEST((out[s] > 0.5f) == (points[s][2] == 1));
}

// sin on [-pi, pi]: 32 evenly spaced points, full batch, 1-16-16-1 tanh.
namespace sine {

constexpr auto x = nn::input<"x", 1>;
constexpr auto y =
    nn::dense<1, "fc3">(nn::tanh(nn::dense<16, "fc2">(nn::tanh(nn::dense<16, "fc1">(x)))));
constexpr auto loss = nn::mse(y, nn::target<"t", 1>);

}  // namespace sine

BOOST_AUTO_TEST_CASE(sine_1_16_16_1) {
  using namespace sine;
  const double pi = std::numbers::pi;
  constexpr std::size_t batch = 32;
  auto m = nn::compile<batch, float>(loss);
  decltype(m)::parameters p;
  decltype(m)::gradients g;
  decltype(m)::inputs in;
  decltype(m)::targets t;
  for (std::size_t s = 0; s < batch; ++s) {
    const double u = -pi + 2 * pi * static_cast<double>(s) / (batch - 1);
    in.get<"x">()[s] = static_cast<float>(u);
    t.get<"t">()[s] = static_cast<float>(std::sin(u));
  }
  random_source random{2};
  fill(p, random, -1, 1);
  for (auto name : {"fc1.bias", "fc2.bias", "fc3.bias"})
    for (auto& b : p.find(name)) b = 0;

  // Observed (seed 2, rate 0.05, 20000 steps): loss 1.7e-5, max error 0.0071 on the grid
  // below; the bound is 0.03. The loss falls at every checkpoint (every 2000 steps).
  constexpr int steps = 20000;
  constexpr float rate = 0.05f;
  const float initial = m.value(p, in, t);
  float checkpoint = initial;
  int rises = 0;
  for (int step = 1; step <= steps; ++step) {
    const float loss_value = m.value_and_grad(p, in, t, g);
    nn::sgd_step(p, g, rate);
    if (step % 2000 == 0) {
      if (!(loss_value < checkpoint)) ++rises;
      checkpoint = loss_value;
    }
  }
  const float final_loss = m.value(p, in, t);
  BOOST_TEST(rises == 0, "the loss must fall between checkpoints");
  BOOST_TEST(final_loss < initial / 100);

  // The maximum error on a grid of 1001 points, 31 of them between each pair of training
  // points, by a model of batch 1: parameter sets do not depend on the batch size.
  auto one = nn::compile<1, float>(loss);
  static_assert(std::is_same_v<decltype(one)::parameters, decltype(m)::parameters>);
  decltype(one)::inputs point;
  decltype(one)::targets unused;
  double max_error = 0;
  for (int k = 0; k <= 1000; ++k) {
    const double u = -pi + 2 * pi * k / 1000;
    point.get<"x">()[0] = static_cast<float>(u);
    one.value(p, point, unused);
    max_error = std::max(max_error, std::abs(one.values_of(y)[0] - std::sin(u)));
  }
  BOOST_TEST_MESSAGE("sine: loss " << initial << " -> " << final_loss << " in " << steps
                                   << " steps, max error " << max_error);
  BOOST_TEST(max_error < 0.03);
}
