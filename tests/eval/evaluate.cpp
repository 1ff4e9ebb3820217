#define BOOST_TEST_MODULE eval.evaluate
#include <boost/test/unit_test.hpp>

// evaluate() with every value type: double against hand-written std:: formulas, then
// float, xsimd::batch<float> and xsimd::batch<double> (lane by lane) against double.

#include <array>
#include <boost/hana/at.hpp>
#include <cmath>
#include <cstddef>
#include <tapeless/diff/d.hpp>
#include <tapeless/diff/gradient.hpp>
#include <tapeless/eval/evaluate.hpp>
#include <tapeless/ops/activation.hpp>
#include <tapeless/ops/arithmetic.hpp>
#include <tapeless/ops/elementary.hpp>
#include <tapeless/simd/batch.hpp>
#include <type_traits>
#include <vector>

namespace {

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;
constexpr auto z = var<"z">;

using float_batch = xsimd::batch<float>;
using double_batch = xsimd::batch<double>;

// double against std:: formulas: the same functions, possibly in another order (std::pow
// for x^(1/3) against std::cbrt), so a few ulp.
constexpr double double_tolerance = 1e-13;
// float has 6e-8 relative precision; a few operations and the cancellation in derivatives
// such as 1 - tanh(u)^2 near |u| = 4 multiply that by up to ~100.
constexpr double float_tolerance = 2e-5;

/// |actual - expected| <= tol (1 + |expected|): relative for large values, absolute near 0.
bool near(double actual, double expected, double tol) {
  return std::abs(actual - expected) <= tol * (1.0 + std::abs(expected));
}

void expect_near(double actual, double expected, double tol, const char* what) {
  BOOST_TEST(near(actual, expected, tol), what << ": got " << actual << ", expected " << expected);
}

template <class B>
std::array<typename B::value_type, B::size> lanes_of(const B& b) {
  std::array<typename B::value_type, B::size> out{};
  b.store_unaligned(out.data());
  return out;
}

/// Evaluation points start + k step, k < 64: exact in float, so float and double see the
/// same inputs, and 64 fills whole batches of any width up to 16 lanes.
struct grid {
  double start;
  double step;

  static constexpr std::size_t size = 64;
  double operator[](std::size_t k) const { return start + static_cast<double>(k) * step; }
};

constexpr grid whole{-4, 0.125};  // includes 0, where the steps and kinks are
constexpr grid positive{0.0625, 0.0625};

// Values written by hand with <cmath>, independently of the library.

double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }

namespace value_of {

double plus_0_75(double u) { return u + 0.75; }
double third_minus(double u) { return 1.0 / 3 - u; }
double square(double u) { return u * u; }
double over_1_5_plus_square(double u) { return u / (1.5 + u * u); }
double negation(double u) { return -u; }

double one(double) { return 1; }
double cube(double u) { return u * u * u; }
double inverse_cube(double u) { return 1 / (u * u * u); }
double square_root(double u) { return std::sqrt(u); }
double cube_root(double u) { return std::cbrt(u); }
double power_minus_2_3(double u) { return 1 / (std::cbrt(u) * std::cbrt(u)); }
double power_5_2(double u) { return u * u * std::sqrt(u); }

double exp(double u) { return std::exp(u); }
double log(double u) { return std::log(u); }
double sin(double u) { return std::sin(u); }
double cos(double u) { return std::cos(u); }

double tanh(double u) { return std::tanh(u); }
double sigmoid(double u) { return logistic(u); }
double softplus(double u) { return std::log(1 + std::exp(u)); }  // fine for |u| <= 4
double relu(double u) { return u > 0 ? u : 0.0; }
double leaky_relu_default(double u) { return u > 0 ? u : 0.01 * u; }
double leaky_relu_1_10(double u) { return u > 0 ? u : 0.1 * u; }
double abs(double u) { return std::abs(u); }
double heaviside(double u) { return u > 0 ? 1.0 : 0.0; }
double sign(double u) { return u > 0 ? 1.0 : (u < 0 ? -1.0 : 0.0); }
double leaky_step_1_10(double u) { return u > 0 ? 1.0 : 0.1; }

double tanh_of_square_plus_3x(double u) { return std::tanh(u * u) + 3 * u; }
double gaussian_times_cos_3x(double u) { return std::exp(-u * u) * std::cos(3 * u); }
double swish(double u) { return u * logistic(u); }
double log_over_sqrt(double u) { return std::log(1 + u * u) / std::sqrt(1 + relu(u)); }

}  // namespace value_of

/// An expression u -> f(u) and its value written by hand.
template <class Build>
struct op_case {
  const char* name;
  grid points;
  double (*reference)(double);
  Build build;
};

template <class Build>
op_case<Build> op(const char* name, grid points, double (*reference)(double), Build build) {
  return {name, points, reference, build};
}

template <class Batch, class F>
void check_batch_against_double(const F& f, const grid& points) {
  using scalar = typename Batch::value_type;
  for (std::size_t k = 0; k < grid::size; k += Batch::size) {
    std::array<scalar, Batch::size> inputs{};
    for (std::size_t i = 0; i < Batch::size; ++i) inputs[i] = static_cast<scalar>(points[k + i]);
    const auto result = evaluate(f, x = Batch::load_unaligned(inputs.data()));
    static_assert(std::is_same_v<decltype(result), const Batch>);
    const auto lanes = lanes_of(result);
    for (std::size_t i = 0; i < Batch::size; ++i) {
      BOOST_TEST_CONTEXT("lane " << i << " of " << Batch::size << ", x = " << inputs[i]) {
        expect_near(lanes[i], evaluate(f, x = points[k + i]), float_tolerance, "batch vs double");
      }
    }
  }
}

template <class F>
void check_value_types(const F& f, const grid& points) {
  for (std::size_t k = 0; k < grid::size; ++k) {
    const double t = points[k];
    const auto single = evaluate(f, x = static_cast<float>(t));
    static_assert(std::is_same_v<decltype(single), const float>);
    BOOST_TEST_CONTEXT("x = " << t) {
      expect_near(single, evaluate(f, x = t), float_tolerance, "float vs double");
    }
  }
  BOOST_TEST_CONTEXT("batch<float>") { check_batch_against_double<float_batch>(f, points); }
  BOOST_TEST_CONTEXT("batch<double>") { check_batch_against_double<double_batch>(f, points); }
}

template <class Build>
void check_op(const op_case<Build>& c) {
  const auto f = c.build(x);
  BOOST_TEST_CONTEXT(c.name) {
    for (std::size_t k = 0; k < grid::size; ++k) {
      const double t = c.points[k];
      const auto value = evaluate(f, x = t);
      static_assert(std::is_same_v<decltype(value), const double>);
      BOOST_TEST_CONTEXT("x = " << t) {
        expect_near(value, c.reference(t), double_tolerance, "double vs hand formula");
      }
    }
    check_value_types(f, c.points);
    BOOST_TEST_CONTEXT("derivative") { check_value_types(d(f, x), c.points); }
  }
}

template <class... Cases>
void check_ops(const Cases&... cases) {
  (check_op(cases), ...);
}

/// Scalars and batches alike: every lane (or the scalar itself) as doubles.
template <class T>
std::vector<double> values_of(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return {static_cast<double>(v)};
  } else {
    const auto lanes = lanes_of(v);
    return {lanes.begin(), lanes.end()};
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Every operation, and its derivative, in every value type.

BOOST_AUTO_TEST_CASE(arithmetic) {
  namespace by = value_of;
  check_ops(op("u + 0.75", whole, by::plus_0_75, [](auto u) { return u + 0.75; }),
            op("1/3 - u", whole, by::third_minus, [](auto u) { return rational<1, 3> - u; }),
            op("u * u", whole, by::square, [](auto u) { return u * u; }),
            op("u / (1.5 + u^2)", whole, by::over_1_5_plus_square,
               [](auto u) { return u / (1.5 + u * u); }),
            op("-u", whole, by::negation, [](auto u) { return -u; }));
}

BOOST_AUTO_TEST_CASE(powers) {
  namespace by = value_of;
  check_ops(op("u^0", whole, by::one, [](auto u) { return pow<0>(u); }),
            op("u^3", whole, by::cube, [](auto u) { return pow<3>(u); }),
            op("u^-3", positive, by::inverse_cube, [](auto u) { return pow<-3>(u); }),
            op("u^(1/2)", positive, by::square_root, [](auto u) { return pow<1, 2>(u); }),
            op("u^(1/3)", positive, by::cube_root, [](auto u) { return pow<1, 3>(u); }),
            op("u^(-2/3)", positive, by::power_minus_2_3, [](auto u) { return pow<-2, 3>(u); }),
            op("u^(5/2)", positive, by::power_5_2, [](auto u) { return pow<5, 2>(u); }));
}

BOOST_AUTO_TEST_CASE(elementary_functions) {
  namespace by = value_of;
  check_ops(op("exp", whole, by::exp, [](auto u) { return exp(u); }),
            op("log", positive, by::log, [](auto u) { return log(u); }),
            op("sqrt", positive, by::square_root, [](auto u) { return sqrt(u); }),
            op("sin", whole, by::sin, [](auto u) { return sin(u); }),
            op("cos", whole, by::cos, [](auto u) { return cos(u); }));
}

BOOST_AUTO_TEST_CASE(activations) {
  namespace by = value_of;
  check_ops(op("tanh", whole, by::tanh, [](auto u) { return tanh(u); }),
            op("sigmoid", whole, by::sigmoid, [](auto u) { return sigmoid(u); }),
            op("softplus", whole, by::softplus, [](auto u) { return softplus(u); }),
            op("relu", whole, by::relu, [](auto u) { return relu(u); }),
            op("leaky_relu", whole, by::leaky_relu_default, [](auto u) { return leaky_relu(u); }),
            op("leaky_relu 1/10", whole, by::leaky_relu_1_10,
               [](auto u) { return leaky_relu<1, 10>(u); }),
            op("abs", whole, by::abs, [](auto u) { return abs(u); }),
            op("heaviside", whole, by::heaviside, [](auto u) { return heaviside(u); }),
            op("sign", whole, by::sign, [](auto u) { return sign(u); }),
            op("leaky_step 1/10", whole, by::leaky_step_1_10,
               [](auto u) { return leaky_step<1, 10>(u); }));
}

BOOST_AUTO_TEST_CASE(compositions) {
  namespace by = value_of;
  check_ops(op("tanh(u^2) + 3u", whole, by::tanh_of_square_plus_3x,
               [](auto u) { return tanh(u * u) + 3 * u; }),
            op("exp(-u^2) cos(3u)", whole, by::gaussian_times_cos_3x,
               [](auto u) { return exp(-u * u) * cos(3_c * u); }),
            op("swish", whole, by::swish, [](auto u) { return u * sigmoid(u); }),
            op("log(1 + u^2) / sqrt(1 + relu(u))", whole, by::log_over_sqrt,
               [](auto u) { return log(1_c + u * u) / sqrt(1_c + relu(u)); }));
}

BOOST_AUTO_TEST_CASE(two_variables_in_batches) {
  const auto f = x * y + x / y - (x - 2.5 * y) + pow<2>(sin(x + y));
  constexpr std::size_t n = float_batch::size;
  std::array<float, n> xs{};
  std::array<float, n> ys{};
  for (std::size_t i = 0; i < n; ++i) {
    xs[i] = -1.5f + 0.75f * static_cast<float>(i);
    ys[i] = 0.5f + 0.25f * static_cast<float>(i);
  }
  const auto lanes = lanes_of(evaluate(f, x = float_batch::load_unaligned(xs.data()),
                                       y = float_batch::load_unaligned(ys.data())));
  for (std::size_t i = 0; i < n; ++i) {
    const double a = xs[i];
    const double b = ys[i];
    BOOST_TEST_CONTEXT("x = " << a << ", y = " << b) {
      expect_near(lanes[i], a * b + a / b - (a - 2.5 * b) + std::pow(std::sin(a + b), 2),
                  float_tolerance, "lane");
    }
  }
}

// ---------------------------------------------------------------------------------------
// Large arguments: no overflow to inf, no NaN, the small tail kept where representable.

template <class T>
void check_saturation(const char* type) {
  const auto at = [](const auto& f, double t) {
    return values_of(evaluate(f, x = T(static_cast<typename math<T>::scalar_type>(t))));
  };
  BOOST_TEST_CONTEXT(type) {
    for (double v : at(softplus(x), 100)) BOOST_TEST(near(v, 100, 1e-7));
    for (double v : at(softplus(x), 1000)) BOOST_TEST(near(v, 1000, 1e-7));
    for (double v : at(softplus(x), -100)) BOOST_TEST((v >= 0 && v < 1e-40));
    for (double v : at(softplus(x), -1000)) BOOST_TEST((v >= 0 && v < 1e-40));
    for (double v : at(sigmoid(x), 100)) BOOST_TEST(near(v, 1, 1e-7));
    for (double v : at(sigmoid(x), 1000)) BOOST_TEST(near(v, 1, 1e-7));
    for (double v : at(sigmoid(x), -100)) BOOST_TEST((v >= 0 && v < 1e-40));
    for (double v : at(sigmoid(x), -1000)) BOOST_TEST((v >= 0 && v < 1e-40));
    for (double v : at(tanh(x), 100)) BOOST_TEST(v == 1);
    for (double v : at(tanh(x), -100)) BOOST_TEST(v == -1);
    // derivatives: sigma (1 - sigma) and 1 - tanh^2 vanish instead of turning into NaN
    for (double t : {-1000.0, -100.0, 100.0, 1000.0}) {
      BOOST_TEST_CONTEXT("x = " << t) {
        for (double v : at(d(sigmoid(x), x), t)) BOOST_TEST((v >= 0 && v < 1e-40));
        for (double v : at(d(tanh(x), x), t)) BOOST_TEST((v >= 0 && v < 1e-40));
        for (double v : at(d(softplus(x), x), t)) BOOST_TEST(near(v, t > 0 ? 1 : 0, 1e-7));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(softplus_sigmoid_and_tanh_saturate_cleanly) {
  check_saturation<double>("double");
  check_saturation<float>("float");
  check_saturation<float_batch>("batch<float>");
  check_saturation<double_batch>("batch<double>");
}

BOOST_AUTO_TEST_CASE(softplus_keeps_the_small_tail_in_double) {
  // log(1 + e^-100) rounds 1 + e^-100 to 1 and gives 0; log1p keeps e^-100.
  BOOST_TEST(evaluate(softplus(x), x = -100.0) > 0);
  BOOST_TEST(near(evaluate(softplus(x), x = -100.0) / std::exp(-100.0), 1, 1e-12));
  BOOST_TEST(near(evaluate(softplus(x), x = -30.0) / std::exp(-30.0), 1, 1e-12));
  BOOST_TEST(near(evaluate(sigmoid(x), x = -100.0) / std::exp(-100.0), 1, 1e-12));
  BOOST_TEST(near(evaluate(softplus(x), x = 0.0), std::log(2.0), 1e-15));
}

// ---------------------------------------------------------------------------------------
// Constants, several variables, gradients.

BOOST_AUTO_TEST_CASE(constant_expressions_need_no_bindings) {
  BOOST_TEST(evaluate(rational<1, 3>) == 1.0 / 3);
  static_assert(std::is_same_v<decltype(evaluate(rational<1, 3>)), double>);
  BOOST_TEST(evaluate(rational<-7, 2>) == -3.5);
  BOOST_TEST(evaluate(rational<6, 4>) == 1.5);
  BOOST_TEST(evaluate(3_c) == 3.0);
  BOOST_TEST(evaluate(1.25) == 1.25);
  BOOST_TEST(evaluate(2.5 * 3_c + rational<1, 2>) == 8.0);
  BOOST_TEST(evaluate(sin(rational<1, 2>)) == std::sin(0.5));
  BOOST_TEST(evaluate(exp(0_c) + log(1_c)) == 1.0);
  BOOST_TEST(evaluate(d(3_c * x + 2.5, x)) == 3.0);
  // an unused binding still picks the value type
  BOOST_TEST(evaluate(rational<1, 3>, x = 2.0f) == 1.0f / 3);
  static_assert(std::is_same_v<decltype(evaluate(rational<1, 3>, x = 2.0f)), float>);
}

BOOST_AUTO_TEST_CASE(bindings_in_any_order) {
  const auto f = x - 2_c * y + x * y / z + pow<2>(z);
  const double expected = 1.5 - 2 * -0.5 + 1.5 * -0.5 / 2.25 + 2.25 * 2.25;
  BOOST_TEST(evaluate(f, x = 1.5, y = -0.5, z = 2.25) == expected);
  BOOST_TEST(evaluate(f, x = 1.5, z = 2.25, y = -0.5) == expected);
  BOOST_TEST(evaluate(f, y = -0.5, x = 1.5, z = 2.25) == expected);
  BOOST_TEST(evaluate(f, y = -0.5, z = 2.25, x = 1.5) == expected);
  BOOST_TEST(evaluate(f, z = 2.25, x = 1.5, y = -0.5) == expected);
  BOOST_TEST(evaluate(f, z = 2.25, y = -0.5, x = 1.5) == expected);
  // variables bound but unused are ignored
  BOOST_TEST(evaluate(x + y, z = 7.0, y = 2.0, x = 1.0) == 3.0);
}

BOOST_AUTO_TEST_CASE(mixed_precision_bindings_evaluate_in_the_common_type) {
  static_assert(std::is_same_v<decltype(evaluate(x * y, x = 1.0f, y = 2.0)), double>);
  static_assert(std::is_same_v<decltype(evaluate(x * y, x = 1.0f, y = 2.0f)), float>);
  BOOST_TEST(evaluate(x / y, x = 1.0f, y = 3.0) == 1.0 / 3);
}

BOOST_AUTO_TEST_CASE(gradient_tuple_of_values) {
  const auto f = x * x * y + sin(y) - exp(z) * y;
  const auto grad = gradient(f, x, y, z);
  const double a = 0.75;
  const double b = -1.25;
  const double c = 0.5;
  const auto g = evaluate(grad, x = a, y = b, z = c);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(boost::hana::at_c<0>(g))>, double>);
  expect_near(boost::hana::at_c<0>(g), 2 * a * b, double_tolerance, "df/dx");
  expect_near(boost::hana::at_c<1>(g), a * a + std::cos(b) - std::exp(c), double_tolerance,
              "df/dy");
  expect_near(boost::hana::at_c<2>(g), -std::exp(c) * b, double_tolerance, "df/dz");
  // bound in another order, in float
  const auto gf = evaluate(grad, z = 0.5f, x = 0.75f, y = -1.25f);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(boost::hana::at_c<1>(gf))>, float>);
  expect_near(boost::hana::at_c<1>(gf), boost::hana::at_c<1>(g), float_tolerance, "float df/dy");
}

BOOST_AUTO_TEST_CASE(gradient_tuple_of_batches) {
  const auto f = tanh(x * y) + softplus(x - y);
  const auto grad = gradient(f, x, y);
  constexpr std::size_t n = double_batch::size;
  std::array<double, n> xs{};
  std::array<double, n> ys{};
  for (std::size_t i = 0; i < n; ++i) {
    xs[i] = -1.0 + 0.5 * static_cast<double>(i);
    ys[i] = 0.25 - 0.375 * static_cast<double>(i);
  }
  const auto g = evaluate(grad, x = double_batch::load_unaligned(xs.data()),
                          y = double_batch::load_unaligned(ys.data()));
  const auto gx = lanes_of(boost::hana::at_c<0>(g));
  const auto gy = lanes_of(boost::hana::at_c<1>(g));
  for (std::size_t i = 0; i < n; ++i) {
    const double a = xs[i];
    const double b = ys[i];
    const double sech2 = 1 - std::pow(std::tanh(a * b), 2);
    BOOST_TEST_CONTEXT("x = " << a << ", y = " << b) {
      expect_near(gx[i], b * sech2 + logistic(a - b), float_tolerance, "df/dx");
      expect_near(gy[i], a * sech2 - logistic(a - b), float_tolerance, "df/dy");
    }
  }
}
