#define BOOST_TEST_MODULE readme
#include <boost/test/unit_test.hpp>

#include <cmath>

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
