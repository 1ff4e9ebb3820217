#define BOOST_TEST_MODULE print
#include <boost/test/unit_test.hpp>

#include <tapeless/tapeless.hpp>

namespace {
using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;
}  // namespace

BOOST_AUTO_TEST_CASE(infix_text_of_declared_expressions) {
  BOOST_TEST(to_string(x) == "x");
  BOOST_TEST(to_string(tanh(x * x) + 3 * x) == "tanh(x * x) + 3 * x");
  BOOST_TEST(to_string(2.5 * x) == "2.5 * x");
  BOOST_TEST(to_string(rational<1, 2> * x) == "1/2 * x");
  BOOST_TEST(to_string(-rational<-1, 2>) == "-(-1/2)");
  BOOST_TEST(to_string(pow<-1, 2>(x)) == "x^(-1/2)");
  BOOST_TEST(to_string(pow<3>(x + y)) == "(x + y)^3");
  BOOST_TEST(to_string(leaky_relu<1, 10>(x)) == "leaky_relu(x, 1/10)");
  BOOST_TEST(to_string(abs(sqrt(x))) == "abs(sqrt(x))");
}

BOOST_AUTO_TEST_CASE(parentheses_only_where_needed) {
  BOOST_TEST(to_string(x - (y + x)) == "x - (y + x)");
  BOOST_TEST(to_string((x - y) + x) == "x - y + x");
  BOOST_TEST(to_string(x / (y * x)) == "x / (y * x)");
  BOOST_TEST(to_string((x / y) * x) == "x / y * x");
  BOOST_TEST(to_string((x + y) * x) == "(x + y) * x");
  BOOST_TEST(to_string(-(x + y)) == "-(x + y)");
  BOOST_TEST(to_string(-sin(x)) == "-sin(x)");
  BOOST_TEST(to_string(pow<2>(-x)) == "(-x)^2");
  BOOST_TEST(to_string(x * -2.0) == "x * -2");
}

BOOST_AUTO_TEST_CASE(derivatives_print_simplified) {
  BOOST_TEST(to_string(d(x * x, x)) == "2 * x");
  BOOST_TEST(to_string(d(tanh(x * x), x)) == "2 * x * (1 - tanh(x^2)^2)");
  BOOST_TEST(to_string(d(cos(x), x)) == "-sin(x)");
  BOOST_TEST(to_string(d(sqrt(x), x)) == "1 / (2 * sqrt(x))");
  BOOST_TEST(to_string(d(relu(x), x)) == "heaviside(x)");
  BOOST_TEST(to_string(d(x / y, y)) == "-(x / y^2)");
}

BOOST_AUTO_TEST_CASE(latex) {
  BOOST_TEST(to_latex(x / y) == "\\frac{x}{y}");
  BOOST_TEST(to_latex(rational<1, 2> * x) == "\\frac{1}{2} \\cdot x");
  BOOST_TEST(to_latex(sqrt(x)) == "\\sqrt{x}");
  BOOST_TEST(to_latex(abs(x)) == "\\left|x\\right|");
  BOOST_TEST(to_latex(pow<2>(x + y)) == "{\\left(x + y\\right)}^{2}");
  BOOST_TEST(to_latex(pow<-1, 2>(x)) == "{x}^{-\\frac{1}{2}}");
  BOOST_TEST(to_latex(sigmoid(x)) == "\\sigma\\left(x\\right)");
  BOOST_TEST(to_latex(leaky_relu(x)) ==
             "\\operatorname{leaky\\_relu}_{\\frac{1}{100}}\\left(x\\right)");
  BOOST_TEST(to_latex(d(tanh(x * x), x)) ==
             "2 \\cdot x \\cdot \\left(1 - {\\tanh\\left({x}^{2}\\right)}^{2}\\right)");
}
