#define BOOST_TEST_MODULE nn_non_finite
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <tapeless/nn.hpp>

// The checked step stops at the first non-finite value and names the node.

namespace nn = tapeless::nn;

namespace {
constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<3, "fc1">(nn::input<"x", 2>))),
                              nn::target<"t", 1>);
using model_t = decltype(nn::compile<2>(loss));
}  // namespace

namespace {
/// On finite data the checked step reports nothing and gives the unchecked step's loss, and
/// its gradients within float rounding: it runs a node per step, where the unchecked step
/// forms a layer's delta inside the weight gradient's product and sums it into dL/db there
/// (the compiler may fuse a product into that sum: one rounding fewer). A 10-layer chain
/// of such differences stays far below 1e-5 relative; a wrong term does not.
template <class Model>
void expect_checked_equals_unchecked(Model& m, const typename Model::parameters& p, const typename Model::inputs& in,
                                     const typename Model::targets& tg) {
  typename Model::gradients g1, g2;
  const auto checked = m.value_and_grad_checked(p, in, tg, g1);
  const auto plain = m.value_and_grad(p, in, tg, g2);
  BOOST_TEST(!checked.non_finite.found);
  BOOST_TEST(checked.loss == plain);
  for (std::size_t i = 0; i < g1.values().size(); ++i)
    BOOST_TEST(std::abs(g1.values()[i] - g2.values()[i]) <= 1e-5f * std::abs(g2.values()[i]),
               "entry " << i);
}
}  // namespace

BOOST_AUTO_TEST_CASE(finite_step_reports_nothing_and_matches_the_unchecked_step) {
  model_t m;
  model_t::parameters p;
  model_t::inputs in;
  model_t::targets tg;
  for (std::size_t i = 0; i < p.values().size(); ++i) p.values()[i] = 0.1f * static_cast<float>(i % 5) - 0.2f;
  in.values()[0] = 0.5f;
  tg.values()[1] = 1.0f;
  expect_checked_equals_unchecked(m, p, in, tg);
}

BOOST_AUTO_TEST_CASE(infinite_input_is_caught_in_the_first_product) {
  model_t m;
  model_t::parameters p;
  model_t::gradients g;
  model_t::inputs in;
  model_t::targets tg;
  in.values()[3] = std::numeric_limits<float>::infinity();  // sample 1, feature 1
  // fc1.weight is zero: 0 * inf is NaN in the first row of sample 1's product.
  const auto r = m.value_and_grad_checked(p, in, tg, g);
  BOOST_TEST(r.non_finite.found);
  BOOST_TEST(!r.non_finite.in_backward);
  BOOST_TEST(nn::describe(loss)[r.non_finite.node].name == "fc1.weight x");
  BOOST_TEST(r.non_finite.element == 3u);  // sample 1, row 0 of 3
}

BOOST_AUTO_TEST_CASE(overflow_in_the_forward_sweep_names_the_node) {
  model_t m;
  model_t::parameters p;
  model_t::gradients g;
  model_t::inputs in;
  model_t::targets tg;
  // A huge output weight: tanh saturates at 1 and the output is 3e38, still finite, but
  // its square in the loss overflows: the check names a2 = z3^2.
  p.get<"fc2.weight">()[0] = 3e38f;
  p.get<"fc1.bias">()[0] = 10.0f;
  const auto r = m.value_and_grad_checked(p, in, tg, g);
  BOOST_TEST(r.non_finite.found);
  BOOST_TEST(nn::describe(loss)[r.non_finite.node].name == "a2");
  BOOST_TEST(!r.non_finite.in_backward);
}

BOOST_AUTO_TEST_CASE(overflow_in_the_backward_sweep_names_the_adjoint) {
  // Binary cross-entropy grows linearly, so every forward value stays finite; the
  // gradient of the first weight, delta(z1) x^T ~ 3e38 * 1e10, does not.
  constexpr auto bce = nn::bce_with_logits(
      nn::dense<1, "fc2">(nn::tanh(nn::dense<3, "fc1">(nn::input<"x", 2>))), nn::target<"t", 1>);
  auto m = nn::compile<2>(bce);
  using bce_t = decltype(m);
  bce_t::parameters p;
  bce_t::gradients g;
  bce_t::inputs in;
  bce_t::targets tg;
  p.get<"fc2.weight">()[0] = 3e38f;
  in.values()[0] = 1e10f;
  const auto r = m.value_and_grad_checked(p, in, tg, g);
  BOOST_TEST(r.non_finite.found);
  BOOST_TEST(r.non_finite.in_backward);
  BOOST_TEST(nn::describe(bce)[r.non_finite.node].name == "fc1.weight");
}

namespace {
// Deep enough (more than 32 computed nodes) that the sweeps run as a loop over the plan.
constexpr auto h1 = nn::tanh(nn::dense<3, "l1">(nn::input<"x", 2>));
constexpr auto h2 = nn::tanh(nn::dense<3, "l2">(h1));
constexpr auto h3 = nn::tanh(nn::dense<3, "l3">(h2));
constexpr auto h4 = nn::tanh(nn::dense<3, "l4">(h3));
constexpr auto h5 = nn::tanh(nn::dense<3, "l5">(h4));
constexpr auto h6 = nn::tanh(nn::dense<3, "l6">(h5));
constexpr auto h7 = nn::tanh(nn::dense<3, "l7">(h6));
constexpr auto h8 = nn::tanh(nn::dense<3, "l8">(h7));
constexpr auto h9 = nn::tanh(nn::dense<3, "l9">(h8));
constexpr auto h10 = nn::tanh(nn::dense<3, "l10">(h9));
constexpr auto deep_loss = nn::bce_with_logits(nn::dense<1, "out">(h10), nn::target<"t", 1>);
using deep_t = decltype(nn::compile<2>(deep_loss));
static_assert(!deep_t::unrolled && model_t::unrolled);
}  // namespace

BOOST_AUTO_TEST_CASE(a_deep_network_checks_in_its_step_loop_too) {
  deep_t m;
  deep_t::parameters p;
  deep_t::gradients g;
  deep_t::inputs in;
  deep_t::targets tg;
  for (std::size_t i = 0; i < p.values().size(); ++i) p.values()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  in.values()[0] = 0.5f;
  expect_checked_equals_unchecked(m, p, in, tg);

  in.values()[3] = std::numeric_limits<float>::infinity();  // sample 1, feature 1
  p.get<"l1.weight">()[1] = 0.0f;  // 0 * inf: NaN in row 0 of sample 1's first product
  const auto forward = m.value_and_grad_checked(p, in, tg, g);
  BOOST_TEST(forward.non_finite.found);
  BOOST_TEST(!forward.non_finite.in_backward);
  BOOST_TEST(nn::describe(deep_loss)[forward.non_finite.node].name == "l1.weight x");
  BOOST_TEST(forward.non_finite.element == 3u);

  // Finite forward values (the loss grows linearly in the huge output weight; the huge
  // input meets a zero weight column), but the first weight's gradient delta(z1) x^T is
  // about 1e31 * 1e10.
  in.values()[3] = 1e10f;
  for (std::size_t row = 0; row < 3; ++row) p.get<"l1.weight">()[row * 2 + 1] = 0.0f;
  p.get<"out.weight">()[0] = 3e38f;
  tg.values()[0] = tg.values()[1] = 1.0f;  // a very negative logit against target 1: loss ~ -z
  const auto backward = m.value_and_grad_checked(p, in, tg, g);
  BOOST_TEST(backward.non_finite.found);
  BOOST_TEST(backward.non_finite.in_backward);
  BOOST_TEST(nn::describe(deep_loss)[backward.non_finite.node].name == "l1.weight");
}
