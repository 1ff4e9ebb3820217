#define BOOST_TEST_MODULE diff.finite_difference
#include <boost/test/unit_test.hpp>

// Every derivative rule checked numerically: against central finite differences of the
// library's own values, and against an independent derivative written by hand here, so
// the library is never compared only with itself.

#include <algorithm>
#include <boost/hana/at.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <tapeless/diff/d.hpp>
#include <tapeless/diff/gradient.hpp>
#include <tapeless/eval/evaluate.hpp>
#include <tapeless/ops/activation.hpp>
#include <tapeless/ops/arithmetic.hpp>
#include <tapeless/ops/elementary.hpp>
#include <type_traits>

namespace {

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;
constexpr auto z = var<"z">;

constexpr std::uint64_t seed = 0x7a9e1e55;
constexpr int points_per_case = 200;

// A central difference with step h errs by about h^2 |f'''| / 6 (truncation) plus
// eps |f| / h (rounding); with h = 1e-6 max(1, |t|) that is ~1e-10 relative for the
// well-scaled functions here. 1e-6 leaves room for large third derivatives and still
// catches a wrong rule, which errs by O(1).
constexpr double difference_tolerance = 1e-6;
// The library and a hand formula compute the same value in different orders: they differ
// only by rounding, slightly amplified by cancellation.
constexpr double formula_tolerance = 1e-10;

/// |actual - expected| <= tol (1 + |expected|): relative for large values, absolute near 0.
bool near(double actual, double expected, double tol) {
  return std::abs(actual - expected) <= tol * (1.0 + std::abs(expected));
}

void expect_near(double actual, double expected, double tol, const char* what) {
  BOOST_TEST(near(actual, expected, tol), what << ": got " << actual << ", expected " << expected);
}

template <class F>
double central_difference(const F& f, double t) {
  const double h = 1e-6 * std::max(1.0, std::abs(t));
  const double up = t + h;  // the step actually taken, free of the rounding of t + h
  const double down = t - h;
  return (f(up) - f(down)) / (up - down);
}

/// Where to sample: [lo, hi] without (-avoid, avoid), to stay off a kink or pole at 0.
struct domain {
  double lo;
  double hi;
  double avoid = 0;
};

class sampler {
 public:
  sampler() : engine_(seed) {}

  double operator()(const domain& dom) {
    std::uniform_real_distribution<double> uniform(dom.lo, dom.hi);
    for (;;) {
      const double t = uniform(engine_);
      if (std::abs(t) >= dom.avoid) return t;
    }
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------
// Derivatives written by hand from the textbook rules, independently of the library.

double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }
double sign_of(double u) { return u > 0 ? 1.0 : (u < 0 ? -1.0 : 0.0); }
double squared(double u) { return u * u; }

namespace derivative_of {

double constant(double) { return 0; }
double identity(double) { return 1; }
double negation(double) { return -1; }
double square(double u) { return 2 * u; }
double cube(double u) { return 3 * u * u; }
double seventh_power(double u) { return 7 * std::pow(u, 6); }
double reciprocal(double u) { return -1 / (u * u); }
double inverse_cube(double u) { return -3 / std::pow(u, 4); }
double square_root(double u) { return 0.5 / std::sqrt(u); }
double cube_root(double u) { return 1 / (3 * squared(std::cbrt(u))); }
double inverse_square_root(double u) { return -0.5 / (u * std::sqrt(u)); }
double power_5_2(double u) { return 2.5 * u * std::sqrt(u); }
double power_minus_2_3(double u) { return -2.0 / 3 / (u * squared(std::cbrt(u))); }

double exp(double u) { return std::exp(u); }
double log(double u) { return 1 / u; }
double sin(double u) { return std::cos(u); }
double cos(double u) { return -std::sin(u); }

double tanh(double u) { return 1 - squared(std::tanh(u)); }
double sigmoid(double u) { return std::exp(-u) / squared(1 + std::exp(-u)); }
double softplus(double u) { return logistic(u); }
double relu(double u) { return u > 0 ? 1 : 0; }
double abs(double u) { return sign_of(u); }
double leaky_relu_default(double u) { return u > 0 ? 1 : 0.01; }
double leaky_relu_3_10(double u) { return u > 0 ? 1 : 0.3; }

double tanh_of_square_plus_3x(double u) { return 2 * u * (1 - squared(std::tanh(u * u))) + 3; }
double gaussian_times_cos_3x(double u) {
  return -std::exp(-u * u) * (2 * u * std::cos(3 * u) + 3 * std::sin(3 * u));
}
double log_of_1_plus_square(double u) { return 2 * u / (1 + u * u); }
double sqrt_of_1_plus_sin_squared(double u) {
  return std::sin(u) * std::cos(u) / std::sqrt(1 + squared(std::sin(u)));
}
double exp_sin_cos(double u) {
  return -std::exp(std::sin(std::cos(u))) * std::cos(std::cos(u)) * std::sin(u);
}
double sigmoid_of_tanh_2x(double u) {
  const double s = logistic(std::tanh(2 * u));
  return s * (1 - s) * 2 * (1 - squared(std::tanh(2 * u)));
}
double x_to_the_x(double u) { return std::pow(u, u) * (std::log(u) + 1); }
double mobius(double u) { return 3 / squared(u + 2); }  // of (x - 1) / (x + 2)
double inverse_sqrt_of_1_plus_square(double u) { return -u / std::pow(1 + u * u, 1.5); }
double cubic_over_1_plus_exp(double u) {
  const double q = 1 + std::exp(u);
  return ((3 * u * u - 2) * q - (u * u * u - 2 * u) * std::exp(u)) / (q * q);
}
double softplus_times_relu(double u) {
  return u > 0 ? logistic(u) * u + std::log1p(std::exp(u)) : 0.0;
}
double abs_of_sin(double u) { return sign_of(std::sin(u)) * std::cos(u); }

double swish(double u) {
  const double s = logistic(u);
  return s + u * s * (1 - s);
}
double swish_of_square(double u) { return swish(u * u) * 2 * u; }

double half_square(double u) { return u; }
double two_thirds_power_3_2(double u) { return std::sqrt(u); }
double three_exp_minus_half_x(double u) { return -1.5 * std::exp(-u / 2); }
double x_over_4_3(double) { return 0.75; }

double times_2_5(double) { return 2.5; }
double over_4(double) { return 0.25; }
double cubic_with_literals(double u) { return 7.5 * u * u; }  // of 2.5 x^3 - 0.5
double sin_of_affine(double u) { return 1.5 * std::cos(1.5 * u + 0.25); }
double reciprocal_of_half_plus_square(double u) { return -2 * u / squared(0.5 + u * u); }

}  // namespace derivative_of

// Partial derivatives of functions of (a, b), named <function>_by_<variable>.
namespace partial {

double one(double, double) { return 1; }
double minus_one(double, double) { return -1; }
double first(double a, double) { return a; }
double second(double, double b) { return b; }
double quotient_by_x(double, double b) { return 1 / b; }
double quotient_by_y(double a, double b) { return -a / (b * b); }

double sin_xy_over_1_plus_xx_by_x(double a, double b) {
  const double q = 1 + a * a;
  return b * std::cos(a * b) / q - 2 * a * std::sin(a * b) / (q * q);
}
double sin_xy_over_1_plus_xx_by_y(double a, double b) { return a * std::cos(a * b) / (1 + a * a); }
double x_gaussian_plus_tanh_by_x(double a, double b) {
  return std::exp(-b * b) + 1 - squared(std::tanh(a - b));
}
double x_gaussian_plus_tanh_by_y(double a, double b) {
  return -2 * a * b * std::exp(-b * b) - 1 + squared(std::tanh(a - b));
}
double norm_by_x(double a, double b) { return a / std::hypot(a, b); }
double norm_by_y(double a, double b) { return b / std::hypot(a, b); }
double log_xy_softplus_by_x(double a, double b) {
  return std::log1p(std::exp(b - a)) / a - std::log(a * b) * logistic(b - a);
}
double log_xy_softplus_by_y(double a, double b) {
  return std::log1p(std::exp(b - a)) / b + std::log(a * b) * logistic(b - a);
}

}  // namespace partial

// ---------------------------------------------------------------------------------------
// Functions of one variable: f' against FD and the hand formula, f'' against FD of f'.

/// A function u -> f(u) built from tapeless operations, with its derivative by hand.
template <class Build>
struct one_variable_case {
  const char* name;
  domain dom;
  double (*derivative)(double);
  Build build;
};

template <class Build>
one_variable_case<Build> rule(const char* name, domain dom, double (*derivative)(double),
                              Build build) {
  return {name, dom, derivative, build};
}

template <class Build>
void check_one_variable(const one_variable_case<Build>& c) {
  const auto f = c.build(x);
  const auto df = d(f, x);
  const auto ddf = d(df, x);
  const auto value = [&](double t) { return evaluate(f, x = t); };
  const auto slope = [&](double t) { return evaluate(df, x = t); };
  sampler sample;
  BOOST_TEST_CONTEXT(c.name) {
    for (int i = 0; i < points_per_case; ++i) {
      const double t = sample(c.dom);
      BOOST_TEST_CONTEXT("x = " << t) {
        expect_near(slope(t), central_difference(value, t), difference_tolerance, "f' vs FD of f");
        expect_near(slope(t), c.derivative(t), formula_tolerance, "f' vs hand formula");
        const double second = evaluate(ddf, x = t);
        expect_near(second, central_difference(c.derivative, t), difference_tolerance,
                    "f'' vs FD of hand f'");
        expect_near(second, central_difference(slope, t), difference_tolerance, "f'' vs FD of f'");
      }
    }
  }
}

template <class... Cases>
void check_one_variable(const Cases&... cases) {
  (check_one_variable(cases), ...);
}

constexpr domain whole{-3, 3};
constexpr domain positive{0.05, 4};
constexpr domain off_zero{-3, 3, 0.01};  // kinks at 0; steps h ~ 1e-6 never cross them
constexpr domain off_pole{-3, 3, 0.25};  // |u^-3| stays below 64

// ---------------------------------------------------------------------------------------
// Functions of two variables: partial derivatives and the mixed second partial.

template <class Build>
struct two_variable_case {
  const char* name;
  domain dom;  // of both variables
  double (*by_x)(double, double);
  double (*by_y)(double, double);
  Build build;
};

template <class Build>
two_variable_case<Build> partials(const char* name, domain dom, double (*by_x)(double, double),
                                  double (*by_y)(double, double), Build build) {
  return {name, dom, by_x, by_y, build};
}

template <class Build>
void check_two_variables(const two_variable_case<Build>& c) {
  const auto f = c.build(x, y);
  const auto fx = d(f, x);
  const auto fy = d(f, y);
  const auto fxy = d(fx, y);
  const auto fyx = d(fy, x);
  sampler sample;
  BOOST_TEST_CONTEXT(c.name) {
    for (int i = 0; i < points_per_case; ++i) {
      const double a = sample(c.dom);
      const double b = sample(c.dom);
      BOOST_TEST_CONTEXT("x = " << a << ", y = " << b) {
        const auto along_x = [&](double s) { return evaluate(f, x = s, y = b); };
        const auto along_y = [&](double s) { return evaluate(f, x = a, y = s); };
        const auto hand_fx_along_y = [&](double s) { return c.by_x(a, s); };
        const double dx = evaluate(fx, x = a, y = b);
        const double dy = evaluate(fy, x = a, y = b);
        expect_near(dx, central_difference(along_x, a), difference_tolerance, "df/dx vs FD");
        expect_near(dy, central_difference(along_y, b), difference_tolerance, "df/dy vs FD");
        expect_near(dx, c.by_x(a, b), formula_tolerance, "df/dx vs hand formula");
        expect_near(dy, c.by_y(a, b), formula_tolerance, "df/dy vs hand formula");
        const double dxy = evaluate(fxy, x = a, y = b);
        expect_near(dxy, evaluate(fyx, x = a, y = b), formula_tolerance, "d2f/dxdy symmetric");
        expect_near(dxy, central_difference(hand_fx_along_y, b), difference_tolerance,
                    "d2f/dxdy vs FD of hand df/dx");
      }
    }
  }
}

template <class... Cases>
void check_two_variables(const Cases&... cases) {
  (check_two_variables(cases), ...);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The rule of every operation, applied directly to a variable.

BOOST_AUTO_TEST_CASE(negation_and_integer_powers) {
  namespace by = derivative_of;
  check_one_variable(rule("-u", whole, by::negation, [](auto u) { return -u; }),
                     rule("u^0", whole, by::constant, [](auto u) { return pow<0>(u); }),
                     rule("u^1", whole, by::identity, [](auto u) { return pow<1>(u); }),
                     rule("u^2", whole, by::square, [](auto u) { return pow<2>(u); }),
                     rule("u^3", whole, by::cube, [](auto u) { return pow<3>(u); }),
                     rule("u^7", whole, by::seventh_power, [](auto u) { return pow<7>(u); }),
                     rule("u^-1", off_pole, by::reciprocal, [](auto u) { return pow<-1>(u); }),
                     rule("u^-3", off_pole, by::inverse_cube, [](auto u) { return pow<-3>(u); }));
}

BOOST_AUTO_TEST_CASE(rational_powers) {
  namespace by = derivative_of;
  check_one_variable(
      rule("u^(1/2)", positive, by::square_root, [](auto u) { return pow<1, 2>(u); }),
      rule("u^(1/3)", positive, by::cube_root, [](auto u) { return pow<1, 3>(u); }),
      rule("u^(-1/2)", positive, by::inverse_square_root, [](auto u) { return pow<-1, 2>(u); }),
      rule("u^(5/2)", positive, by::power_5_2, [](auto u) { return pow<5, 2>(u); }),
      rule("u^(-2/3)", positive, by::power_minus_2_3, [](auto u) { return pow<-2, 3>(u); }),
      rule("u^(4/2) is u^2", whole, by::square, [](auto u) { return pow<4, 2>(u); }));
}

BOOST_AUTO_TEST_CASE(elementary_functions) {
  namespace by = derivative_of;
  check_one_variable(rule("exp", whole, by::exp, [](auto u) { return exp(u); }),
                     rule("log", positive, by::log, [](auto u) { return log(u); }),
                     rule("sqrt", positive, by::square_root, [](auto u) { return sqrt(u); }),
                     rule("sin", {-7, 7}, by::sin, [](auto u) { return sin(u); }),
                     rule("cos", {-7, 7}, by::cos, [](auto u) { return cos(u); }));
}

BOOST_AUTO_TEST_CASE(smooth_activations) {
  namespace by = derivative_of;
  check_one_variable(rule("tanh", {-4, 4}, by::tanh, [](auto u) { return tanh(u); }),
                     rule("sigmoid", {-8, 8}, by::sigmoid, [](auto u) { return sigmoid(u); }),
                     rule("softplus", {-8, 8}, by::softplus, [](auto u) { return softplus(u); }));
}

BOOST_AUTO_TEST_CASE(piecewise_activations_away_from_the_kink) {
  namespace by = derivative_of;
  check_one_variable(
      rule("relu", off_zero, by::relu, [](auto u) { return relu(u); }),
      rule("abs", off_zero, by::abs, [](auto u) { return abs(u); }),
      rule("leaky_relu, alpha 1/100", off_zero, by::leaky_relu_default,
           [](auto u) { return leaky_relu(u); }),
      rule("leaky_relu, alpha 3/10", off_zero, by::leaky_relu_3_10,
           [](auto u) { return leaky_relu<3, 10>(u); }),
      rule("heaviside", off_zero, by::constant, [](auto u) { return heaviside(u); }),
      rule("sign", off_zero, by::constant, [](auto u) { return sign(u); }),
      rule("leaky_step", off_zero, by::constant, [](auto u) { return leaky_step<1, 10>(u); }));
}

BOOST_AUTO_TEST_CASE(kink_conventions_at_zero) {
  const auto at_zero = [](const auto& f) { return evaluate(d(f, x), x = 0.0); };
  BOOST_TEST(at_zero(relu(x)) == 0.0);
  BOOST_TEST(at_zero(abs(x)) == 0.0);
  BOOST_TEST(at_zero(leaky_relu(x)) == 0.01);
  BOOST_TEST(at_zero(leaky_relu<1, 10>(x)) == 0.1);
  BOOST_TEST(at_zero(leaky_relu<3, 10>(x)) == 0.3);
  // and the steps themselves, which are those derivatives
  BOOST_TEST(evaluate(heaviside(x), x = 0.0) == 0.0);
  BOOST_TEST(evaluate(sign(x), x = 0.0) == 0.0);
  BOOST_TEST(evaluate(leaky_step<1, 10>(x), x = 0.0) == 0.1);
}

BOOST_AUTO_TEST_CASE(steps_differentiate_to_the_constant_zero) {
  using zero = constant<0, 1>;
  BOOST_TEST((std::is_same_v<decltype(d(heaviside(x), x)), zero>));
  BOOST_TEST((std::is_same_v<decltype(d(sign(x), x)), zero>));
  BOOST_TEST((std::is_same_v<decltype(d(leaky_step<1, 10>(x), x)), zero>));
  BOOST_TEST((std::is_same_v<decltype(d(sign(sin(x) * x), x)), zero>));
  // so piecewise-linear functions have the constant zero as second derivative
  BOOST_TEST((std::is_same_v<decltype(d(d(relu(x), x), x)), zero>));
  BOOST_TEST((std::is_same_v<decltype(d(d(abs(x), x), x)), zero>));
  BOOST_TEST((std::is_same_v<decltype(d(d(leaky_relu(x), x), x)), zero>));
}

// ---------------------------------------------------------------------------------------
// Compositions: chain, product and quotient rules.

BOOST_AUTO_TEST_CASE(compositions_of_one_variable) {
  namespace by = derivative_of;
  check_one_variable(
      rule("tanh(x^2) + 3x", whole, by::tanh_of_square_plus_3x,
           [](auto u) { return tanh(u * u) + 3 * u; }),
      rule("exp(-x^2) cos(3x)", whole, by::gaussian_times_cos_3x,
           [](auto u) { return exp(-u * u) * cos(3 * u); }),
      rule("log(1 + x^2)", whole, by::log_of_1_plus_square,
           [](auto u) { return log(1_c + u * u); }),
      rule("sqrt(1 + sin(x)^2)", whole, by::sqrt_of_1_plus_sin_squared,
           [](auto u) { return sqrt(1_c + pow<2>(sin(u))); }),
      rule("exp(sin(cos x))", whole, by::exp_sin_cos, [](auto u) { return exp(sin(cos(u))); }),
      rule("sigmoid(tanh(2x))", whole, by::sigmoid_of_tanh_2x,
           [](auto u) { return sigmoid(tanh(2_c * u)); }),
      rule("x^x", positive, by::x_to_the_x, [](auto u) { return exp(u * log(u)); }),
      rule("(x - 1) / (x + 2)", {-1, 3}, by::mobius, [](auto u) { return (u - 1_c) / (u + 2_c); }),
      rule("1 / x", off_pole, by::reciprocal, [](auto u) { return 1_c / u; }),
      rule("(1 + x^2)^(-1/2)", whole, by::inverse_sqrt_of_1_plus_square,
           [](auto u) { return pow<-1, 2>(1_c + u * u); }),
      rule("(x^3 - 2x) / (1 + exp x)", whole, by::cubic_over_1_plus_exp,
           [](auto u) { return (pow<3>(u) - 2_c * u) / (1_c + exp(u)); }),
      rule("softplus(x) relu(x)", off_zero, by::softplus_times_relu,
           [](auto u) { return softplus(u) * relu(u); }),
      rule("abs(sin x)", off_zero, by::abs_of_sin, [](auto u) { return abs(sin(u)); }),
      rule("x - x + x x / x", off_zero, by::identity, [](auto u) { return u - u + u * u / u; }));
}

BOOST_AUTO_TEST_CASE(user_defined_function) {
  namespace by = derivative_of;
  const auto swish = [](auto u) { return u * sigmoid(u); };
  check_one_variable(
      rule("swish", {-6, 6}, by::swish, swish),
      rule("swish(x^2)", whole, by::swish_of_square, [=](auto u) { return swish(u * u); }));
}

// ---------------------------------------------------------------------------------------
// Numbers in expressions: exact rational constants and run-time literals.

BOOST_AUTO_TEST_CASE(rational_constants) {
  namespace by = derivative_of;
  check_one_variable(
      rule("1/2 x^2", whole, by::half_square, [](auto u) { return rational<1, 2> * u * u; }),
      rule("2/3 x^(3/2)", positive, by::two_thirds_power_3_2,
           [](auto u) { return rational<2, 3> * pow<3, 2>(u); }),
      rule("3 exp(-x/2)", whole, by::three_exp_minus_half_x,
           [](auto u) { return 3_c * exp(rational<-1, 2> * u); }),
      rule("x / (4/3)", whole, by::x_over_4_3, [](auto u) { return u / rational<4, 3>; }),
      rule("sin(1/3) + x", whole, by::identity, [](auto u) { return sin(rational<1, 3>) + u; }));
  BOOST_TEST(evaluate(d(rational<1, 3>, x)) == 0.0);
}

BOOST_AUTO_TEST_CASE(literal_constants) {
  namespace by = derivative_of;
  check_one_variable(rule("2.5 x", whole, by::times_2_5, [](auto u) { return 2.5 * u; }),
                     rule("x * 2.5", whole, by::times_2_5, [](auto u) { return u * 2.5; }),
                     rule("x / 4.0", whole, by::over_4, [](auto u) { return u / 4.0; }),
                     rule("2.5 x^3 - 0.5", whole, by::cubic_with_literals,
                          [](auto u) { return 2.5 * pow<3>(u) - 0.5; }),
                     rule("sin(1.5 x + 0.25)", whole, by::sin_of_affine,
                          [](auto u) { return sin(1.5 * u + 0.25); }),
                     rule("1 / (0.5 + x^2)", whole, by::reciprocal_of_half_plus_square,
                          [](auto u) { return 1 / (0.5 + u * u); }));
}

BOOST_AUTO_TEST_CASE(literals_of_equal_type_keep_their_own_values) {
  // a * x and b * x have the same type; a x - b x must not simplify to 0.
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(-5, 5);
  for (int i = 0; i < 20; ++i) {
    const double a = uniform(engine);
    const double b = uniform(engine);
    const double t = uniform(engine);
    const double c = 1 + std::abs(b);  // c x stays away from 0: the quotient rule cancels
    const double s = 1 + std::abs(t);
    BOOST_TEST_CONTEXT("a = " << a << ", b = " << b << ", x = " << t) {
      expect_near(evaluate(d(a * x - b * x, x), x = t), a - b, formula_tolerance, "a x - b x");
      expect_near(evaluate(d(a * x + b * x, x), x = t), a + b, formula_tolerance, "a x + b x");
      expect_near(evaluate(d(a * x / (c * x), x), x = s), 0.0, formula_tolerance, "a x / (c x)");
      expect_near(evaluate(d(a * x * x + b * x, x), x = t), 2 * a * t + b, formula_tolerance,
                  "a x^2 + b x");
      expect_near(evaluate(d(exp(a * x) - exp(b * x), x), x = t / 5),
                  a * std::exp(a * t / 5) - b * std::exp(b * t / 5), formula_tolerance,
                  "exp(a x) - exp(b x)");
    }
  }
}

// ---------------------------------------------------------------------------------------
// Several variables.

BOOST_AUTO_TEST_CASE(binary_operation_rules) {
  constexpr domain dom{-3, 3, 0.25};  // y divides
  check_two_variables(
      partials("x + y", dom, partial::one, partial::one, [](auto u, auto v) { return u + v; }),
      partials("x - y", dom, partial::one, partial::minus_one,
               [](auto u, auto v) { return u - v; }),
      partials("x * y", dom, partial::second, partial::first, [](auto u, auto v) { return u * v; }),
      partials("x / y", dom, partial::quotient_by_x, partial::quotient_by_y,
               [](auto u, auto v) { return u / v; }));
}

BOOST_AUTO_TEST_CASE(partial_derivatives_of_compositions) {
  using namespace partial;
  check_two_variables(
      partials("sin(x y) / (1 + x^2)", {-3, 3}, sin_xy_over_1_plus_xx_by_x,
               sin_xy_over_1_plus_xx_by_y,
               [](auto u, auto v) { return sin(u * v) / (1_c + u * u); }),
      partials("x exp(-y^2) + tanh(x - y)", {-2, 2}, x_gaussian_plus_tanh_by_x,
               x_gaussian_plus_tanh_by_y,
               [](auto u, auto v) { return u * exp(-v * v) + tanh(u - v); }),
      partials("sqrt(x^2 + y^2)", {-3, 3, 0.2}, norm_by_x, norm_by_y,
               [](auto u, auto v) { return sqrt(u * u + v * v); }),
      partials("log(x y) softplus(y - x)", {0.1, 3}, log_xy_softplus_by_x, log_xy_softplus_by_y,
               [](auto u, auto v) { return log(u * v) * softplus(v - u); }));
}

BOOST_AUTO_TEST_CASE(variables_absent_from_an_expression) {
  BOOST_TEST((std::is_same_v<decltype(d(sin(y) * exp(z), x)), constant<0, 1>>));
  BOOST_TEST(evaluate(d(x * sin(y), x), y = 0.5) == std::sin(0.5));
}

BOOST_AUTO_TEST_CASE(gradient_of_three_variables) {
  const auto f = x * y * z + exp(x - z) * log(y) + sin(x * z);
  const auto grad = gradient(f, x, y, z);
  const domain real{-2, 2};
  const domain positive_y{0.1, 3};
  sampler sample;
  for (int i = 0; i < points_per_case; ++i) {
    const double a = sample(real);
    const double b = sample(positive_y);
    const double c = sample(real);
    BOOST_TEST_CONTEXT("x = " << a << ", y = " << b << ", z = " << c) {
      const auto g = evaluate(grad, x = a, y = b, z = c);
      const auto along_x = [&](double s) { return evaluate(f, x = s, y = b, z = c); };
      const auto along_y = [&](double s) { return evaluate(f, x = a, y = s, z = c); };
      const auto along_z = [&](double s) { return evaluate(f, x = a, y = b, z = s); };
      const double gx = boost::hana::at_c<0>(g);
      const double gy = boost::hana::at_c<1>(g);
      const double gz = boost::hana::at_c<2>(g);
      expect_near(gx, central_difference(along_x, a), difference_tolerance, "df/dx vs FD");
      expect_near(gy, central_difference(along_y, b), difference_tolerance, "df/dy vs FD");
      expect_near(gz, central_difference(along_z, c), difference_tolerance, "df/dz vs FD");
      const double e = std::exp(a - c);
      expect_near(gx, b * c + e * std::log(b) + c * std::cos(a * c), formula_tolerance,
                  "df/dx vs hand formula");
      expect_near(gy, a * c + e / b, formula_tolerance, "df/dy vs hand formula");
      expect_near(gz, a * b - e * std::log(b) + a * std::cos(a * c), formula_tolerance,
                  "df/dz vs hand formula");
    }
  }
}
