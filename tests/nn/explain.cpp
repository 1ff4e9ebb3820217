#define BOOST_TEST_MODULE nn_explain
#include <boost/test/unit_test.hpp>

#include <tapeless/nn.hpp>

// The printed chain rule is compared with the textbook factorization of backpropagation
// for a two-layer network, written out by hand:
//   delta2 = (softmax(z2) - t) / B,  dL/dW2 = delta2 a1^T,  dL/db2 = sum over the batch of delta2
//   delta1 = (W2^T delta2) .* relu'(z1),  dL/dW1 = delta1 x^T,  dL/db1 = sum over the batch of delta1

namespace nn = tapeless::nn;

namespace {
constexpr auto x = nn::input<"x", 4>;
constexpr auto t = nn::target<"t", 3>;
constexpr auto loss =
    nn::softmax_cross_entropy(nn::dense<3, "fc2">(nn::relu(nn::dense<8, "fc1">(x))), t);
}  // namespace

BOOST_AUTO_TEST_CASE(two_layer_softmax_network) {
  BOOST_TEST(nn::explain(loss, "fc2.weight").formula == "dL/dfc2.weight = (1/B (softmax(z2) - t)) a1^T");
  BOOST_TEST(nn::explain(loss, "fc2.bias").formula == "dL/dfc2.bias = sum_batch (1/B (softmax(z2) - t))");
  BOOST_TEST(nn::explain(loss, "fc1.weight").formula ==
             "dL/dfc1.weight = ((fc2.weight^T (1/B (softmax(z2) - t))) .* relu'(z1)) x^T");
  BOOST_TEST(nn::explain(loss, "fc1.bias").formula ==
             "dL/dfc1.bias = sum_batch ((fc2.weight^T (1/B (softmax(z2) - t))) .* relu'(z1))");
}

BOOST_AUTO_TEST_CASE(definitions_and_rules) {
  const auto where = nn::explain(loss, "fc1.weight").where;
  const std::vector<std::string> expected{"z1 = fc1.weight x + fc1.bias", "a1 = relu(z1)",
                                          "z2 = fc2.weight a1 + fc2.bias",
                                          "ce = log(sum(exp(z2))) - t . z2", "relu'(u) = heaviside(u)",
                                          "B = batch size (the loss is the mean over the batch)"};
  BOOST_TEST(where == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(latex_form) {
  BOOST_TEST(nn::explain(loss, "fc1.weight").latex ==
             "\\frac{\\partial L}{\\partial \\mathrm{fc1.weight}} = ((\\mathrm{fc2.weight}^{\\top} "
             "(\\frac{1}{B} (\\operatorname{softmax}(z_{2}) - t))) \\odot "
             "\\operatorname{relu}'(z_{1})) x^{\\top}");
}

BOOST_AUTO_TEST_CASE(tanh_rule_uses_the_stored_output) {
  constexpr auto small = nn::mse(nn::dense<1, "out">(nn::tanh(nn::dense<4, "h">(x))), nn::target<"y", 1>);
  const auto e = nn::explain(small, "h.weight");
  BOOST_TEST(e.formula == "dL/dh.weight = ((out.weight^T (1/B (2 * z3))) .* tanh'(z1)) x^T");
  bool has_rule = false;
  for (const auto& line : e.where) has_rule = has_rule || line == "tanh'(u) = 1 - y^2  with y = tanh(u)";
  BOOST_TEST(has_rule);
}

BOOST_AUTO_TEST_CASE(tied_weight_sums_both_uses) {
  constexpr auto w = nn::param<"w", 4, 4>;
  constexpr auto tied = nn::mse(nn::matmul(w, nn::tanh(nn::matmul(w, x))), nn::target<"y", 4>);
  const auto formula = nn::explain(tied, "w").formula;
  // One term through the outer product, one through the inner: joined by " + ".
  BOOST_TEST(formula.find(" + ") != std::string::npos);
  BOOST_TEST(formula.rfind("dL/dw = ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(unknown_parameter_gives_empty_formula) {
  BOOST_TEST(nn::explain(loss, "nope").formula.empty());
}

BOOST_AUTO_TEST_CASE(graphviz_export) {
  const auto forward = nn::to_dot(loss);
  BOOST_TEST(forward.rfind("digraph forward {", 0) == 0);
  BOOST_TEST(forward.find("label=\"fc1.weight\\nparameter [8 x 4]\"") != std::string::npos);
  BOOST_TEST(forward.find("label=\"a1\\nrelu(z1) [8 x B]\"") != std::string::npos);
  BOOST_TEST(forward.find("n4 -> n5;") != std::string::npos);  // z1 -> a1

  const auto backward = nn::to_dot_backward(loss);
  BOOST_TEST(backward.find("label=\"dL/dfc1.weight\"") != std::string::npos);
  BOOST_TEST(backward.find("[label=\".* heaviside(z1)\"]") != std::string::npos);
  BOOST_TEST(backward.find("[label=\"fc2.weight^T\"]") != std::string::npos);
  BOOST_TEST(backward.find("[label=\"softmax(z2) - t\"]") != std::string::npos);
  BOOST_TEST(backward.find("delta(x)") == std::string::npos);  // inputs need no adjoint
}
