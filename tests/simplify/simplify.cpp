#define BOOST_TEST_MODULE simplify
#include <boost/test/unit_test.hpp>

#include <tapeless/tapeless.hpp>

// Simplification is checked on result *types*: the type is what later stages (evaluation,
// lowering) consume, so `d(x * x, x)` must literally be the type `2 * x`.

namespace {
using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;

template <class A, class B>
std::is_same<A, B> same(const A&, const B&);  // only used unevaluated

using two_x = binary<mul_op, constant<2, 1>, variable<"x">>;
using zero = constant<0, 1>;
using one = constant<1, 1>;
}  // namespace

// Compares the types of two expressions without evaluating them: simplification is not
// constexpr (see simplify.hpp), and only the types matter here.
#define SAME_TYPE(...) decltype(same(__VA_ARGS__))::value

// Identities: x + 0, 0 + x, x * 1, 1 * x, 0 * x, x - 0, x - x, x / 1, x / x, 0 / x.
static_assert(SAME_TYPE(simplify(x + 0_c), x));
static_assert(SAME_TYPE(simplify(0_c + x), x));
static_assert(SAME_TYPE(simplify(x * 1_c), x));
static_assert(SAME_TYPE(simplify(1_c * x), x));
static_assert(SAME_TYPE(simplify(0_c * x), zero{}));
static_assert(SAME_TYPE(simplify(x * 0_c), zero{}));
static_assert(SAME_TYPE(simplify(x - 0_c), x));
static_assert(SAME_TYPE(simplify(x - x), zero{}));
static_assert(SAME_TYPE(simplify(x / 1_c), x));
static_assert(SAME_TYPE(simplify(x / x), one{}));
static_assert(SAME_TYPE(simplify(0_c / x), zero{}));
static_assert(SAME_TYPE(simplify(0_c - x), simplify(-x)));
static_assert(SAME_TYPE(simplify(-(-x)), x));

// Constant folding is exact and normalizes rationals.
static_assert(SAME_TYPE(simplify(2_c + 3_c), constant<5, 1>{}));
static_assert(SAME_TYPE(simplify(1_c / 3_c + 1_c / 6_c), constant<1, 2>{}));
static_assert(SAME_TYPE(simplify(2_c * rational<3, 4>), constant<3, 2>{}));
static_assert(SAME_TYPE(simplify(pow<-2>(2_c)), constant<1, 4>{}));
static_assert(SAME_TYPE(rational<2, -4>, constant<-1, 2>{}));
static_assert(SAME_TYPE(simplify(-rational<1, 2>), constant<-1, 2>{}));

// Functions of constants fold where the value is exact, and only there.
static_assert(SAME_TYPE(simplify(exp(0_c)), one{}));
static_assert(SAME_TYPE(simplify(log(1_c)), zero{}));
static_assert(SAME_TYPE(simplify(sin(0_c)), zero{}));
static_assert(SAME_TYPE(simplify(cos(0_c)), one{}));
static_assert(SAME_TYPE(simplify(tanh(0_c)), zero{}));
static_assert(SAME_TYPE(simplify(sigmoid(0_c)), constant<1, 2>{}));
static_assert(SAME_TYPE(simplify(sqrt(rational<9, 4>)), constant<3, 2>{}));
static_assert(SAME_TYPE(simplify(relu(-3_c)), zero{}));
static_assert(SAME_TYPE(simplify(abs(-rational<5, 2>)), constant<5, 2>{}));
static_assert(SAME_TYPE(simplify(sqrt(2_c)), unary<sqrt_op, constant<2, 1>>{}));
static_assert(SAME_TYPE(simplify(exp(1_c)), unary<exp_op, constant<1, 1>>{}));

// Inverse functions cancel.
static_assert(SAME_TYPE(simplify(exp(log(x))), x));
static_assert(SAME_TYPE(simplify(log(exp(x))), x));

// Like terms and like factors are collected.
static_assert(SAME_TYPE(simplify(x + x), two_x{}));
static_assert(SAME_TYPE(simplify(3_c * x - x), two_x{}));
static_assert(SAME_TYPE(simplify(x + -x), zero{}));
static_assert(SAME_TYPE(simplify(x * x), pow<2>(x)));
static_assert(SAME_TYPE(simplify(pow<2>(x) * x), pow<3>(x)));
static_assert(SAME_TYPE(simplify(pow<1, 2>(x) * pow<1, 2>(x)), x));
static_assert(SAME_TYPE(simplify(pow<3>(pow<2>(x))), pow<6>(x)));
static_assert(SAME_TYPE(simplify(pow<1>(x)), x));
static_assert(SAME_TYPE(simplify(pow<0>(x)), one{}));

// Canonical order: constants first, then variables by name, then operations.
static_assert(SAME_TYPE(simplify(x * 2_c), two_x{}));
static_assert(SAME_TYPE(simplify(y * x), simplify(x * y)));
static_assert(SAME_TYPE(simplify(y + x), simplify(x + y)));
static_assert(SAME_TYPE(simplify(sin(x) * y), simplify(y * sin(x))));
static_assert(SAME_TYPE(simplify(x * (3_c * y)), simplify(3_c * (x * y))));

// Signs and constant factors move outwards; a quotient absorbs a factor.
static_assert(SAME_TYPE(simplify(-1_c * x), simplify(-x)));
static_assert(SAME_TYPE(simplify(2_c * (3_c * x)), simplify(6_c * x)));
static_assert(SAME_TYPE(simplify(-(2_c * x)), simplify(-2_c * x)));
static_assert(SAME_TYPE(simplify(x / 2_c), simplify(rational<1, 2> * x)));
static_assert(SAME_TYPE(simplify(x * (1_c / x)), one{}));

// Derivatives are simplified: the examples of the issue.
static_assert(SAME_TYPE(d(x * x, x), two_x{}));
static_assert(SAME_TYPE(d(3_c, x), zero{}));
static_assert(SAME_TYPE(d(3, x), zero{}));
static_assert(SAME_TYPE(d(x * y, x), y));
static_assert(SAME_TYPE(d(pow<2>(x), x), two_x{}));
static_assert(SAME_TYPE(d(d(pow<3>(x), x), x), simplify(6_c * x)));
static_assert(SAME_TYPE(d(d(d(pow<3>(x), x), x), x), constant<6, 1>{}));
static_assert(SAME_TYPE(d(exp(x), x), exp(x)));
static_assert(SAME_TYPE(d(cos(x), x), -sin(x)));
static_assert(SAME_TYPE(d(relu(x), x), heaviside(x)));
static_assert(SAME_TYPE(d(sqrt(x), x), 1_c / (2_c * sqrt(x))));
// The tanh rule reuses the forward output tanh(u): 1 - tanh(u)^2.
static_assert(SAME_TYPE(d(tanh(x), x), 1_c - pow<2>(tanh(x))));
static_assert(SAME_TYPE(d(sigmoid(x), x), simplify((1_c - sigmoid(x)) * sigmoid(x))));

BOOST_AUTO_TEST_CASE(literals_fold_at_run_time) {
  const auto sum = simplify(2.5 * x + 0_c);
  static_assert(SAME_TYPE(sum, binary<mul_op, literal, variable<"x">>{{2.5}, {}}));
  BOOST_TEST(sum.lhs.value == 2.5);

  const auto product = simplify(literal{2.0} * literal{3.5});
  static_assert(SAME_TYPE(product, literal{0.0}));
  BOOST_TEST(product.value == 7.0);

  const auto scaled = simplify(3_c * literal{0.5});
  BOOST_TEST(scaled.value == 1.5);
}

BOOST_AUTO_TEST_CASE(literals_are_never_assumed_equal) {
  // 2.5 * x and 1.5 * x have one type but different values: x - x must not fire.
  const auto difference = simplify(2.5 * x - 1.5 * x);
  static_assert(!SAME_TYPE(difference, zero{}));
  BOOST_TEST(evaluate(difference, x = 2.0) == 2.0);
  const auto quotient = simplify(literal{1.0} / (2.0 * x));
  BOOST_TEST(evaluate(quotient, x = 4.0) == 0.125);
}

BOOST_AUTO_TEST_CASE(literal_derivatives_keep_their_value) {
  const auto df = d(2.5 * pow<2>(x) + 4 * x, x);
  // d/dx (2.5 x^2 + 4 x) = 5 x + 4, at x = 3: 19
  BOOST_TEST(evaluate(df, x = 3.0) == 19.0);
}
