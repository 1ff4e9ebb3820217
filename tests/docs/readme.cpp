#define BOOST_TEST_MODULE readme
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <tapeless/nn.hpp>
#include <tapeless/tapeless.hpp>

// The README's "A taste" section, line by line, with the results it claims checked.

using namespace tapeless;
using namespace tapeless::literals;

BOOST_AUTO_TEST_CASE(a_taste) {
  constexpr auto x = var<"x">;
  constexpr auto y = var<"y">;

  auto f = tanh(x * x) + 3 * x;
  auto df = d(f, x);
  BOOST_TEST(to_string(df) == "3 + 2 * x * (1 - tanh(x^2)^2)");
  BOOST_TEST(to_latex(df) ==
             "3 + 2 \\cdot x \\cdot \\left(1 - {\\tanh\\left({x}^{2}\\right)}^{2}\\right)");
  // 3 + 2x (1 - tanh(x^2)^2), written out with std:: functions
  const double expected = 3 + 2 * 0.5 * (1 - std::pow(std::tanh(0.25), 2));
  BOOST_TEST(evaluate(df, x = 0.5) == expected, boost::test_tools::tolerance(1e-14));

  static_assert(std::is_same_v<decltype(d(x * x, x)), decltype(simplify(2_c * x))>);

  auto g = gradient(sin(x) * y, x, y);
  BOOST_TEST(to_string(boost::hana::at_c<0>(g)) == "y * cos(x)");
  BOOST_TEST(to_string(boost::hana::at_c<1>(g)) == "sin(x)");
  const auto values = evaluate(g, x = 1.0, y = 2.0);
  BOOST_TEST(boost::hana::at_c<0>(values) == 2 * std::cos(1.0), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(boost::hana::at_c<1>(values) == std::sin(1.0), boost::test_tools::tolerance(1e-15));

  auto swish = [](auto u) { return u * sigmoid(u); };
  BOOST_TEST(to_string(d(swish(x), x)) == "x * (1 - sigmoid(x)) * sigmoid(x) + sigmoid(x)");

  xsimd::batch<float> lanes(0.5f);
  const auto on_lanes = evaluate(df, x = lanes);
  for (std::size_t i = 0; i < lanes.size; ++i)
    BOOST_TEST(on_lanes.get(i) == expected, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(networks) {
  namespace nn = tapeless::nn;
  constexpr auto x = nn::input<"x", 784>;
  constexpr auto t = nn::target<"t", 10>;
  constexpr auto h = nn::relu(nn::dense<128, "fc1">(x));
  constexpr auto loss = nn::softmax_cross_entropy(nn::dense<10, "fc2">(h), t);

  auto model = nn::compile<32>(loss);
  using model_t = decltype(model);
  static model_t::parameters params;  // static: 100k floats each
  static model_t::gradients grads;
  static model_t::inputs inputs;
  static model_t::targets targets;
  static_assert(decltype(params.get<"fc1.weight">())::extent == 128 * 784);
  params.get<"fc1.weight">()[0] = 0.5f;
  for (std::size_t b = 0; b < 32; ++b) {
    inputs.get<"x">()[b * 784] = 1.0f;
    targets.get<"t">()[b * 10 + b % 10] = 1.0f;
  }
  // All weights zero but one: the logits are all zero, so the loss is log(10).
  const float l = model.value_and_grad(params, inputs, targets, grads);
  BOOST_TEST(l == std::log(10.0f), boost::test_tools::tolerance(1e-6f));
  nn::sgd_step(params, grads, 0.1f);
  const float after_sgd = model.value(params, inputs, targets);
  BOOST_TEST(after_sgd < l);
  // The fused step returns the loss before its update, then lowers it further.
  BOOST_TEST(model.value_and_step(params, inputs, targets, 0.1f) == after_sgd, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(model.value(params, inputs, targets) < after_sgd);

  BOOST_TEST(nn::explain(loss, "fc1.weight").formula ==
             "dL/dfc1.weight = ((fc2.weight^T (1/B (softmax(z2) - t))) .* relu'(z1)) x^T");
}
