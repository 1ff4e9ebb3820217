#define BOOST_TEST_MODULE nn.gradcheck
#include <boost/test/unit_test.hpp>

// nn::gradcheck itself: it must fail where the derived gradient truly disagrees with the
// difference quotient, report the worst entry consistently with its options, and pass a
// correct gradient. (gradcheck_nodes.cpp, gradcheck_losses.cpp, gradcheck_mlp_*.cpp and
// gradcheck_networks.cpp use it to check every node, loss and several networks.)

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <tapeless/nn.hpp>

#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

constexpr auto x = nn::input<"x", 4>;
constexpr auto v = nn::param<"v", 3>;

/// gradcheck of a loss without inputs or targets, at the given parameter values.
template <class Loss>
nn::gradcheck_report check_at(const Loss& loss, std::initializer_list<double> values,
                              const nn::gradcheck_options& options = {}) {
  auto m = nn::compile<2, double>(loss);
  typename decltype(m)::parameters p;
  std::size_t i = 0;
  for (double value : values) p.values()[i++] = value;
  return nn::gradcheck(m, p, {}, {}, options);
}

}  // namespace

// gradcheck must also fail. A bug in the reverse sweep cannot be planted without editing the
// library, and a model has no state that could change between the gradient and the
// differences, so no honest test can tamper with either. What can be shown honestly are
// points where the derived gradient really disagrees with the difference quotient: a kink,
// where the model takes the left derivative (relu'(0) = 0, leaky_relu'(0) = alpha) and a
// central difference averages both sides, and a 0/0 in a derivative, which is NaN.
BOOST_AUTO_TEST_CASE(relu_at_its_kink) {
  // sum(relu(v)) at v = (0.5, 0, -0.5): derived (1, 0, 0), central difference (1, 1/2, 0).
  const auto report = check_at(nn::sum(nn::relu(v)), {0.5, 0.0, -0.5});
  BOOST_TEST(!report.passed);
  BOOST_TEST(report.entries == 3u);
  BOOST_TEST(report.worst_parameter == "v");
  BOOST_TEST(report.worst_index == 1u);
  BOOST_TEST(report.worst_derived == 0.0);
  BOOST_TEST(report.worst_finite_difference == 0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(report.worst_error == 0.5, boost::test_tools::tolerance(1e-9));
  // The default tolerance there is 1e-7 + 1e-5 * 0.5.
  BOOST_TEST(report.worst_ratio == 0.5 / (1e-7 + 0.5e-5), boost::test_tools::tolerance(1e-6));

  // The same function away from the kink passes.
  BOOST_TEST(check_at(nn::sum(nn::relu(v)), {0.5, 0.25, -0.5}).passed);
}

BOOST_AUTO_TEST_CASE(leaky_relu_at_its_kink) {
  // leaky_relu with alpha = 1/10 at 0: derived alpha, central difference (1 + alpha) / 2.
  const auto report = check_at(nn::sum(nn::leaky_relu<1, 10>(v)), {-0.5, 0.5, 0.0});
  BOOST_TEST(!report.passed);
  BOOST_TEST(report.worst_index == 2u);
  BOOST_TEST(report.worst_derived == 0.1);
  BOOST_TEST(report.worst_finite_difference == 0.55, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(relu_network_with_zero_inputs_and_biases) {
  // A realistic kink: zero biases (a common initialization) and an all-zero input put every
  // hidden pre-activation of relu(W x + b) exactly at 0, where the bias gradient is 0 but
  // a bias nudged either way changes the loss.
  constexpr auto loss =
      nn::mse(nn::dense<2, "out">(nn::relu(nn::dense<3, "hidden">(x))), nn::target<"t", 2>);
  auto m = nn::compile<2, double>(loss);
  decltype(m)::parameters p;
  decltype(m)::inputs in;  // all zero
  decltype(m)::targets t;
  random_source random{3};
  fill(p, random, 0.1, 1.0);
  for (auto& b : p.get<"hidden.bias">()) b = 0;
  fill(t, random, 2.0, 3.0);
  const auto report = nn::gradcheck(m, p, in, t);
  BOOST_TEST(!report.passed);
  BOOST_TEST(report.worst_parameter == "hidden.bias");
  BOOST_TEST(report.worst_derived == 0.0);
  BOOST_TEST(std::abs(report.worst_finite_difference) > 0.1);

  for (auto& b : p.get<"hidden.bias">()) b = 0.5;  // off the kink: passes
  BOOST_TEST(nn::gradcheck(m, p, in, t).passed);
}

BOOST_AUTO_TEST_CASE(nan_derivative) {
  // |u| written as sqrt(u u): its derivative u / sqrt(u u) is 0/0 = NaN at u = 0 while the
  // loss stays finite. The NaN entry must fail the check even when later entries are fine
  // (it used to be replaced by the next entry's finite ratio, and the check passed).
  constexpr auto magnitude = [](auto u) { return tapeless::sqrt(u * u); };
  const auto report = check_at(nn::sum(nn::map(v, magnitude)), {0.0, 0.5, -0.25});
  BOOST_TEST(!report.passed);
  BOOST_TEST(report.worst_index == 0u);
  BOOST_TEST(std::isnan(report.worst_derived));
  BOOST_TEST(std::isnan(report.worst_ratio));
  // NaN in the last entry, and in the only entry.
  BOOST_TEST(!check_at(nn::sum(nn::map(v, magnitude)), {0.5, -0.25, 0.0}).passed);
  BOOST_TEST(!check_at(nn::sum(nn::map(nn::param<"s", 1>, magnitude)), {0.0}).passed);
  BOOST_TEST(check_at(nn::sum(nn::map(v, magnitude)), {0.75, 0.5, -0.25}).passed);
}

BOOST_AUTO_TEST_CASE(tolerance_decides) {
  // A correct gradient of a smooth network: the difference quotient carries rounding and
  // truncation error, so it fails a zero tolerance and passes the default one. The report's
  // numbers are consistent with the options.
  constexpr auto loss =
      nn::mse(nn::dense<2, "out">(nn::tanh(nn::dense<3, "hidden">(x))), nn::target<"t", 2>);
  auto m = nn::compile<3, double>(loss);
  decltype(m)::parameters p;
  decltype(m)::inputs in;
  decltype(m)::targets t;
  random_source random{4};
  fill(p, random, -1, 1);
  fill(in, random, -1, 1);
  fill(t, random, -1, 1);

  const auto exact = nn::gradcheck(m, p, in, t, {.step = 1e-6, .absolute = 0, .relative = 0});
  BOOST_TEST(!exact.passed);
  BOOST_TEST(exact.worst_error > 0.0);
  BOOST_TEST(std::isinf(exact.worst_ratio));

  const nn::gradcheck_options options{.step = 1e-6, .absolute = 1e-12, .relative = 1e-12};
  const auto tight = nn::gradcheck(m, p, in, t, options);
  BOOST_TEST(!tight.passed);
  BOOST_TEST(tight.worst_error == std::abs(tight.worst_finite_difference - tight.worst_derived));
  const double tolerance =
      options.absolute + options.relative * std::max(std::abs(tight.worst_finite_difference),
                                                     std::abs(tight.worst_derived));
  BOOST_TEST(tight.worst_ratio == tight.worst_error / tolerance);

  const auto loose = nn::gradcheck(m, p, in, t);
  BOOST_TEST(loose.passed);
  BOOST_TEST(loose.worst_ratio < 0.1);  // an order of magnitude of margin
}
