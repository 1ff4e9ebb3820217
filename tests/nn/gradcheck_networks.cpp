#define BOOST_TEST_MODULE nn.gradcheck_networks
#include <boost/test/unit_test.hpp>

// Whole networks checked against central finite differences with nn::gradcheck: residual
// blocks, tied weights, and one classifier over many random draws. (Single nodes and losses,
// and gradcheck's own failure reports: gradcheck.cpp; multilayer perceptrons of every depth
// and activation: gradcheck_mlp_*.cpp.)

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tapeless/nn.hpp>

#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

// Tighter than gradcheck's defaults (see gradcheck_check.hpp): the difference quotient errs by
// ~1e-10 here, a wrong rule by O(|dL/dw|).
constexpr nn::gradcheck_options strict{.step = 1e-6, .absolute = 1e-9, .relative = 1e-6};

/// What check() found, asserted by a function that is not a template (compiled once).
struct check_result {
  nn::gradcheck_report report;
  std::size_t parameter_entries = 0;
  double largest_gradient = 0;      ///< max |dL/dw| of the model's own gradient
  double first_layer_gradient = 0;  ///< max |dL/dw| over the first layer's weight
};

void verify(std::string_view what, std::uint64_t seed, const check_result& r) {
  BOOST_TEST_CONTEXT(what << " (seed " << seed << ")") {
    BOOST_TEST(r.report.passed, "worst entry " << r.report.worst_parameter << "["
                                               << r.report.worst_index << "]: derived "
                                               << r.report.worst_derived << ", finite difference "
                                               << r.report.worst_finite_difference << ", ratio "
                                               << r.report.worst_ratio);
    BOOST_TEST(r.report.entries == r.parameter_entries);
    // The gradient must reach the first layer, or its part of the check proves nothing.
    BOOST_TEST(r.first_layer_gradient > 1e-7, "no gradient reaches the first layer");
    BOOST_TEST(r.largest_gradient > 1e-6);
  }
}

/// gradcheck of `loss` with parameters uniform in (-scale, scale), inputs in (-1, 1) and
/// targets a distribution of TargetSize values (also fine for mse). `first` names the first
/// layer's weight.
template <std::size_t Batch, std::size_t TargetSize, class Loss>
check_result check(std::string_view what, const Loss& loss, std::string_view first,
                   std::uint64_t seed = 1, double scale = 1.0) {
  auto m = nn::compile<Batch, double>(loss);
  using model = decltype(m);
  typename model::parameters params;
  typename model::inputs in;
  typename model::targets tgt;
  random_source random{seed};
  fill(params, random, -scale, scale);
  fill(in, random, -1.0, 1.0);
  fill_distribution<TargetSize>(tgt, random);

  check_result r;
  r.report = nn::gradcheck(m, params, in, tgt, strict);
  r.parameter_entries = model::parameters::total_size;
  typename model::gradients grads;
  m.value_and_grad(params, in, tgt, grads);
  for (double g : grads.values()) r.largest_gradient = std::max(r.largest_gradient, std::abs(g));
  for (double g : grads.find(first))
    r.first_layer_gradient = std::max(r.first_layer_gradient, std::abs(g));
  verify(what, seed, r);
  return r;
}

constexpr auto x = nn::input<"x", 3>;
constexpr auto t = nn::target<"t", 2>;

}  // namespace

BOOST_AUTO_TEST_CASE(residual_block) {
  // h + f(h): the node h has two consumers, and its adjoint must collect both before it is
  // passed on to the first layer.
  constexpr auto h = nn::tanh(nn::dense<4, "fc1">(x));
  constexpr auto block = h + nn::tanh(nn::dense<4, "res">(h));
  check<3, 2>("residual", nn::mse(nn::dense<2, "out">(block), t), "fc1.weight");
  // Two blocks in a row, the second skipping over a relu.
  constexpr auto block2 = block + nn::relu(nn::dense<4, "res2">(block));
  check<3, 2>("two residual blocks", nn::mse(nn::dense<2, "out">(block2), t), "fc1.weight");
  // A skip over two layers straight into a softmax classifier.
  constexpr auto deep = h + nn::dense<4, "b">(nn::sigmoid(nn::dense<4, "a">(h)));
  check<3, 2>("skip over two layers", nn::softmax_cross_entropy(nn::dense<2, "out">(deep), t),
              "fc1.weight");
}

BOOST_AUTO_TEST_CASE(two_branches_from_one_input) {
  // The second branch's nodes follow the whole first branch in the network's order, not the
  // input they start from: their operand positions are looked up, not the recorded ones.
  constexpr auto a = nn::tanh(nn::dense<3, "a">(x));
  constexpr auto b = nn::sigmoid(nn::dense<3, "b">(x));
  check<3, 2>("two branches", nn::mse(nn::dense<2, "out">(a + b), t), "b.weight");
  check<3, 2>("two branches, products only", nn::mse(nn::matmul(nn::param<"w", 2, 3>, x) + nn::dense<2, "c">(x), t),
              "c.weight");
}

BOOST_AUTO_TEST_CASE(tied_weights) {
  // One parameter node in two matmuls: one parameter, whose gradient is the sum of both uses.
  constexpr auto tied = nn::param<"tied", 3, 3>;
  constexpr auto h1 = nn::tanh(nn::matmul(tied, x));
  constexpr auto h2 = nn::tanh(nn::matmul(tied, h1));
  constexpr auto loss = nn::mse(nn::dense<2, "out">(h2), t);
  const auto r = check<3, 2>("tied weights", loss, "tied");
  BOOST_TEST(r.parameter_entries == 9u + 2 * 3 + 2);  // "tied" stored once

  // An autoencoder whose decoder bias is the encoder bias, and a weight that is also penalized.
  constexpr auto b = nn::param<"b", 3>;
  constexpr auto encode = nn::sigmoid(nn::matmul(tied, x) + b);
  constexpr auto decode = nn::matmul(tied, encode) + b;
  check<3, 2>("tied weight and bias",
              nn::mse(nn::dense<2, "out">(decode), t) + nn::l2_penalty<1, 10>(tied), "tied");
  // The same node used twice in one expression: hadamard(h, h) = h^2.
  check<3, 2>("node times itself", nn::mse(nn::dense<2, "out">(nn::hadamard(h1, h1)), t), "tied");
}

BOOST_AUTO_TEST_CASE(many_seeds) {
  // One mid-size classifier, 4-8-8-3 with tanh then relu, soft targets, batch 5, over 20
  // random draws of parameters, inputs and targets, with larger weights for half of them.
  constexpr auto in = nn::input<"x", 4>;
  constexpr auto net =
      nn::dense<3, "fc3">(nn::relu(nn::dense<8, "fc2">(nn::tanh(nn::dense<8, "fc1">(in)))));
  constexpr auto loss = nn::softmax_cross_entropy(net, nn::target<"t", 3>);
  double worst = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto r = check<5, 3>("4-8-8-3", loss, "fc1.weight", seed, seed % 2 ? 1.0 : 2.0);
    worst = std::max(worst, r.report.worst_ratio);
  }
  BOOST_TEST_MESSAGE("4-8-8-3 over 20 seeds: worst error / tolerance " << worst);
}
