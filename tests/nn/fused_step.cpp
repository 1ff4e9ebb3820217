#define BOOST_TEST_MODULE nn.fused_step
#include <boost/test/unit_test.hpp>

// value_and_step is one training step with the SGD update fused into the backward sweep: a
// fused layer adds -rate * dL/dW straight into its weight. It must match value_and_grad
// followed by sgd_step (the gradients of which the gradcheck tests check against finite
// differences) up to float rounding, for every way a parameter can be used: a fused layer,
// a weight read twice (tied), a penalized weight, a bias shared by two layers, an unfused
// product, and a deep network whose steps run in a loop.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <tapeless/nn.hpp>

#include "deep_network.hpp"
#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

/// Runs `steps` training steps both ways from the same parameters and data (new inputs and
/// targets each step) and compares the losses and the parameters after every step.
template <class Model>
void expect_step_equals_grad_then_sgd(random_source& random, int steps = 4) {
  using T = typename Model::value_type;
  Model separate, fused;
  typename Model::parameters p_separate, p_fused;
  typename Model::gradients g;
  typename Model::inputs in;
  typename Model::targets tg;
  fill(p_separate, random, -0.8, 0.8);
  p_fused = p_separate;
  const T rate = T(0.1);
  // Rounding differs only in where -rate is applied: a few ulps per step, compounded.
  const T tolerance = 64 * std::numeric_limits<T>::epsilon();
  for (int step = 0; step < steps; ++step) {
    fill(in, random, -1.0, 1.0);
    fill(tg, random, 0.0, 1.0);
    const T l_separate = separate.value_and_grad(p_separate, in, tg, g);
    nn::sgd_step(p_separate, g, rate);
    const T l_fused = fused.value_and_step(p_fused, in, tg, rate);
    BOOST_TEST(std::abs(l_fused - l_separate) <= tolerance * (1 + std::abs(l_separate)),
               "step " << step << ": loss " << l_fused << " vs " << l_separate);
    std::size_t worst = 0;
    T worst_error = 0;
    for (std::size_t i = 0; i < p_fused.values().size(); ++i) {
      const T a = p_fused.values()[i], b = p_separate.values()[i];
      const T error = std::abs(a - b) / (1 + std::abs(b));
      if (error > worst_error) worst_error = error, worst = i;
    }
    BOOST_TEST(worst_error <= tolerance, "step " << step << ": parameter entry " << worst << " is "
                                                 << p_fused.values()[worst] << " vs "
                                                 << p_separate.values()[worst]);
  }
}

/// Whether a step changed every parameter entry (a parameter the fused step forgot to
/// update would keep its value).
template <class Model>
bool step_moves_every_parameter(random_source& random) {
  Model m;
  typename Model::parameters before, p;
  typename Model::inputs in;
  typename Model::targets tg;
  fill(p, random, -0.8, 0.8);
  fill(in, random, -1.0, 1.0);
  fill(tg, random, 0.0, 1.0);
  before = p;
  m.value_and_step(p, in, tg, 0.5f);
  for (std::size_t i = 0; i < p.values().size(); ++i)
    if (p.values()[i] == before.values()[i]) return false;
  return true;
}

constexpr auto x = nn::input<"x", 3>;
constexpr auto t = nn::target<"t", 2>;

// 2-8-1 tanh MSE and 8-32-32-4: the benchmark's tiny and small networks.
constexpr auto tiny = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(nn::input<"x", 2>))),
                              nn::target<"t", 1>);
constexpr auto small_net = nn::mse(
    nn::dense<4, "out">(nn::tanh(nn::dense<32, "fc2">(nn::tanh(nn::dense<32, "fc1">(nn::input<"x", 8>))))),
    nn::target<"t", 4>);
constexpr auto classifier = nn::softmax_cross_entropy(
    nn::dense<3, "out">(nn::relu(nn::dense<9, "fc1">(nn::input<"x", 7>))), nn::target<"t", 3>);

// Parameters that no fused layer owns alone.
constexpr auto tied = nn::param<"tied", 3, 3>;
constexpr auto tied_net = nn::mse(nn::dense<2, "out">(nn::tanh(nn::matmul(tied, nn::tanh(nn::matmul(tied, x))))), t);
constexpr auto penalized = nn::mse(nn::dense<2, "out">(nn::tanh(nn::dense<3, "fc1">(x))), t) +
                           nn::l2_penalty<1, 10>(nn::param<"fc1.weight", 3, 3>);
constexpr auto shared_bias = nn::param<"b", 3>;
constexpr auto shared_bias_net = nn::mse(
    nn::dense<2, "out">(nn::tanh(nn::matmul(nn::param<"w2", 3, 3>, nn::tanh(nn::matmul(nn::param<"w1", 3, 3>, x) +
                                                                                   shared_bias)) +
                                 shared_bias)),
    t);
constexpr auto h = nn::tanh(nn::dense<3, "fc1">(x));
constexpr auto residual = nn::mse(nn::dense<2, "out">(h + nn::tanh(nn::dense<3, "res">(h))), t);

// 12 layers (deep_network.hpp): more than 32 computed nodes, so the sweeps run in a loop.
constexpr auto deep = tapeless_test::deep_network::loss;

}  // namespace

BOOST_AUTO_TEST_CASE(fused_layers_update_in_place_and_shared_parameters_after_the_sweep) {
  // Every parameter of a chain of dense layers belongs to one fused step: no buffer.
  static_assert(!decltype(nn::compile<4>(small_net))::updates_after);
  static_assert(!decltype(nn::compile<1>(tiny))::updates_after);
  // A tied weight, a penalized weight, a shared bias: their gradients are summed first.
  static_assert(decltype(nn::compile<4>(tied_net))::updates_after);
  static_assert(decltype(nn::compile<4>(penalized))::updates_after);
  static_assert(decltype(nn::compile<4>(shared_bias_net))::updates_after);
  static_assert(!decltype(nn::compile<4>(deep))::unrolled);
}

BOOST_AUTO_TEST_CASE(a_fused_step_equals_value_and_grad_then_sgd_step) {
  random_source random(5);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<1>(tiny))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(tiny))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<1>(small_net))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<32>(small_net))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<5>(classifier))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<5, double>(classifier))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<3, float, nn::plain_kernels>(classifier))>(random);
}

BOOST_AUTO_TEST_CASE(shared_penalized_and_unfused_parameters_get_their_whole_gradient) {
  random_source random(6);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(tied_net))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(penalized))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(shared_bias_net))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(residual))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4, double>(tied_net))>(random);
}

BOOST_AUTO_TEST_CASE(a_deep_network_steps_in_its_loop) {
  random_source random(7);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<4>(deep))>(random);
  expect_step_equals_grad_then_sgd<decltype(nn::compile<1, double>(deep))>(random);
}

BOOST_AUTO_TEST_CASE(a_step_moves_every_parameter) {
  random_source random(8);
  BOOST_TEST(step_moves_every_parameter<decltype(nn::compile<4>(small_net))>(random));
  BOOST_TEST(step_moves_every_parameter<decltype(nn::compile<4>(tied_net))>(random));
  BOOST_TEST(step_moves_every_parameter<decltype(nn::compile<4>(deep))>(random));
}

BOOST_AUTO_TEST_CASE(training_with_fused_steps_fits_xor) {
  // XOR on 2-8-1 tanh, all four samples in one batch: the fused step must train as well as
  // value_and_grad with sgd_step does in tests/nn/training.cpp.
  constexpr auto xor_loss = nn::mse(nn::tanh(nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(nn::input<"x", 2>)))),
                                    nn::target<"t", 1>);
  auto m = nn::compile<4>(xor_loss);
  decltype(m)::parameters p;
  decltype(m)::inputs in;
  decltype(m)::targets tg;
  random_source random(9);
  fill(p, random, -1.0, 1.0);
  const float xs[8] = {0, 0, 0, 1, 1, 0, 1, 1}, ts[4] = {0, 1, 1, 0};
  std::copy(xs, xs + 8, in.values().begin());
  std::copy(ts, ts + 4, tg.values().begin());
  float loss = 1;
  for (int step = 0; step < 3000 && loss >= 0.01f; ++step) loss = m.value_and_step(p, in, tg, 0.2f);
  BOOST_TEST(loss < 0.01f);
}
