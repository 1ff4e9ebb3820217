#define BOOST_TEST_MODULE nn.fusion
#include <boost/test/unit_test.hpp>

// A layer W x + b and its activation run as one fused step when nothing else reads W x or
// W x + b. The checked step runs every node as a step of its own, so it is the reference
// here: both must give the same loss, gradients and layer outputs. Where a product or a
// pre-activation has a second consumer, it must stay a step of its own.

#include <cmath>
#include <cstddef>
#include <limits>
#include <tapeless/nn.hpp>

#include "deep_network.hpp"
#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

constexpr auto x = nn::input<"x", 7>;
constexpr auto h1 = nn::tanh(nn::dense<9, "fc1">(x));
constexpr auto h2 = nn::relu(nn::dense<5, "fc2">(h1));
constexpr auto logits = nn::dense<3, "out">(h2);
constexpr auto classifier = nn::softmax_cross_entropy(logits, nn::target<"t", 3>);

// The pre-activation z feeds both the activation and a residual sum: not fusable with its
// activation, but W x can still be fused into z.
constexpr auto z = nn::dense<7, "fc1">(x);
constexpr auto residual = nn::mse(nn::dense<2, "out">(nn::tanh(z) + z), nn::target<"t", 2>);

template <class Model>
void expect_fused_equals_unfused(random_source& random) {
  Model fused, unfused;
  typename Model::parameters p;
  typename Model::gradients g_fused, g_unfused;
  typename Model::inputs in;
  typename Model::targets tg;
  fill(p, random, -0.8, 0.8);
  fill(in, random, -1.0, 1.0);
  fill(tg, random, 0.0, 1.0);
  const auto l_fused = fused.value_and_grad(p, in, tg, g_fused);
  const auto checked = unfused.value_and_grad_checked(p, in, tg, g_unfused);
  BOOST_TEST(!checked.non_finite.found);
  using T = typename Model::value_type;
  const T tolerance = 16 * std::numeric_limits<T>::epsilon();
  BOOST_TEST(std::abs(l_fused - checked.loss) <= tolerance * std::abs(checked.loss));
  for (std::size_t i = 0; i < g_fused.values().size(); ++i) {
    const T a = g_fused.values()[i], b = g_unfused.values()[i];
    BOOST_TEST(std::abs(a - b) <= tolerance * (1 + std::abs(b)), "gradient entry " << i << ": " << a << " vs " << b);
  }
}

template <class Model>
void expect_gradcheck_passes(random_source& random) {
  Model m;
  typename Model::parameters p;
  typename Model::inputs in;
  typename Model::targets tg;
  fill(p, random, -1.0, 1.0);
  fill(in, random, -1.0, 1.0);
  fill(tg, random, -1.0, 1.0);
  const auto report = nn::gradcheck(m, p, in, tg);
  BOOST_TEST(report.passed, "worst: " << report.worst_parameter << "[" << report.worst_index << "] ratio "
                                      << report.worst_ratio);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_three_layer_classifier_runs_three_fused_layers_and_the_loss) {
  using model_t = decltype(nn::compile<4>(classifier));
  // Nine nodes for the layers (product, bias, activation; the output has no activation)
  // and one for the loss: three fused layer steps and the loss step.
  static_assert(model_t::step_count == 4);
}

BOOST_AUTO_TEST_CASE(fused_and_unfused_steps_agree_in_float_and_double) {
  random_source random(11);
  for (int round = 0; round < 5; ++round) {
    expect_fused_equals_unfused<decltype(nn::compile<4, float>(classifier))>(random);
    expect_fused_equals_unfused<decltype(nn::compile<1, double>(classifier))>(random);
    expect_fused_equals_unfused<decltype(nn::compile<3, double, nn::plain_kernels>(classifier))>(random);
  }
}

BOOST_AUTO_TEST_CASE(a_pre_activation_read_twice_is_not_absorbed) {
  using model_t = decltype(nn::compile<2, double>(residual));
  // fc1's W x + b (fused, no activation), tanh, + z, the output layer (fused), mse (fused).
  static_assert(model_t::step_count == 1 + 1 + 1 + 1 + 1);
  random_source random(5);
  expect_fused_equals_unfused<model_t>(random);
  expect_gradcheck_passes<model_t>(random);
}

BOOST_AUTO_TEST_CASE(the_layer_outputs_are_those_of_the_unfused_step) {
  using model_t = decltype(nn::compile<4, double>(classifier));
  random_source random(3);
  model_t fused, unfused;
  model_t::parameters p;
  model_t::gradients g;
  model_t::inputs in;
  model_t::targets tg;
  fill(p, random, -0.8, 0.8);
  fill(in, random, -1.0, 1.0);
  fill_one_hot<3>(tg, random);
  fused.value_and_grad(p, in, tg, g);
  unfused.value_and_grad_checked(p, in, tg, g);
  const auto a = fused.values_of(h2), b = unfused.values_of(h2);
  for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST(a[i] == b[i]);
  const auto za = fused.values_of(logits), zb = unfused.values_of(logits);
  for (std::size_t i = 0; i < za.size(); ++i) BOOST_TEST(za[i] == zb[i]);
}

// Twelve layers (deep_network.hpp): more steps than the sweep inlines, so this covers the
// step loop too.
constexpr auto deep = tapeless_test::deep_network::loss;

BOOST_AUTO_TEST_CASE(a_deep_network_fuses_every_layer_and_agrees_with_the_unfused_step) {
  using model_t = decltype(nn::compile<3, double>(deep));
  static_assert(model_t::step_count == 13 + 1);
  random_source random(17);
  expect_fused_equals_unfused<model_t>(random);
  expect_gradcheck_passes<model_t>(random);
}

namespace {
// mse(y, t) is scale(sum(square(y - t))): one fused step, unless y - t is read elsewhere too.
constexpr auto y = nn::tanh(nn::dense<4, "fc1">(nn::input<"x", 3>));
constexpr auto t4 = nn::target<"t", 4>;
constexpr auto squared_error = nn::mse(y, t4);
constexpr auto error_read_twice = nn::mse(y, t4) + nn::scale<1, 10>(nn::sum(y - t4));
// Both operands computed: the fused step passes gradients to the "target" side as well.
constexpr auto between_two_layers = nn::mse(y, nn::sigmoid(nn::dense<4, "fc2">(nn::input<"x", 3>)));
}  // namespace

BOOST_AUTO_TEST_CASE(mean_squared_error_is_one_fused_step) {
  using model_t = decltype(nn::compile<3, double>(squared_error));
  static_assert(model_t::step_count == 1 + 1);  // the layer and the loss
  // y - t read by the extra term: the difference stays a step; its square, the sum and the
  // scale then run as steps of their own too, as do the term's sum and scale and the +.
  static_assert(decltype(nn::compile<3, double>(error_read_twice))::step_count == 1 + 4 + 3);
  static_assert(decltype(nn::compile<3, double>(between_two_layers))::step_count == 1 + 1 + 1);
  random_source random(19);
  for (int round = 0; round < 3; ++round) {
    expect_fused_equals_unfused<model_t>(random);
    expect_fused_equals_unfused<decltype(nn::compile<1, float>(squared_error))>(random);
    expect_fused_equals_unfused<decltype(nn::compile<3, double>(error_read_twice))>(random);
    expect_fused_equals_unfused<decltype(nn::compile<3, double>(between_two_layers))>(random);
    expect_fused_equals_unfused<decltype(nn::compile<2, float, nn::plain_kernels>(between_two_layers))>(random);
  }
  expect_gradcheck_passes<model_t>(random);
  expect_gradcheck_passes<decltype(nn::compile<3, double>(between_two_layers))>(random);
}
