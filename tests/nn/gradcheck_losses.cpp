#define BOOST_TEST_MODULE nn.gradcheck_losses
#include <boost/test/unit_test.hpp>

// The gradient of every loss (mse, bce_with_logits, softmax_cross_entropy with one-hot, soft
// and unnormalized targets, l2_penalty) checked against central finite differences with
// nn::gradcheck. Nodes: gradcheck_nodes.cpp.

#include <cstddef>
#include <string_view>
#include <tapeless/nn.hpp>
#include <type_traits>

#include "gradcheck_check.hpp"

namespace {

using namespace tapeless_test;

constexpr auto x = nn::input<"x", 4>;
constexpr auto w = nn::param<"w", 3, 4>;
constexpr auto v = nn::param<"v", 3>;
constexpr auto z = nn::matmul(w, x);

}  // namespace

BOOST_AUTO_TEST_SUITE(losses)

constexpr auto t3 = nn::target<"t", 3>;

BOOST_AUTO_TEST_CASE(mse) {
  check("mse", nn::mse(z, t3));
  check("mse of tanh + bias", nn::mse(nn::tanh(z + v), t3));
  check<16>("mse, batch 16", nn::mse(nn::tanh(z), t3));
  check<7>("mse, batch 7", nn::mse(nn::tanh(z), t3));
  check<1>("mse, batch 1", nn::mse(nn::tanh(z), t3));
}

BOOST_AUTO_TEST_CASE(bce_with_logits) {
  check("bce_with_logits", nn::bce_with_logits(z + v, t3));
  // Logits up to ~|40|: softplus evaluated stably, the gradient saturating at 0 or -t.
  check("bce_with_logits, large logits", nn::bce_with_logits(nn::scale<10>(z), t3));
  // Hard 0/1 labels.
  check("bce_with_logits, one-hot labels", nn::bce_with_logits(z, t3), one_hot_targets<3>{});
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy) {
  check("softmax CE, one-hot", nn::softmax_cross_entropy(z + v, t3), one_hot_targets<3>{});
  check("softmax CE, soft", nn::softmax_cross_entropy(z + v, t3), soft_targets<3>{});
  // The gradient softmax(z) sum(t) - t holds for targets that are not a distribution.
  check("softmax CE, mass 0.7", nn::softmax_cross_entropy(z, t3), soft_targets<3>{0.7});
  check("softmax CE, mass 2", nn::softmax_cross_entropy(z, t3), soft_targets<3>{2.0});
  // Logits up to ~|80|: exp(80) is fine in double, but the log-sum-exp must not lose the
  // small probabilities' gradients.
  check("softmax CE, large logits", nn::softmax_cross_entropy(nn::scale<20>(z), t3),
        soft_targets<3>{});
  check("softmax CE of 10 classes",
        nn::softmax_cross_entropy(nn::dense<10, "fc">(nn::tanh(z)), nn::target<"t", 10>),
        one_hot_targets<10>{});
}

BOOST_AUTO_TEST_CASE(l2_penalty) {
  constexpr auto net = nn::dense<2, "fc2">(nn::tanh(nn::dense<3, "fc1">(x)));
  constexpr auto t = nn::target<"t", 2>;
  check("mse + l2 penalty", nn::mse(net, t) + nn::l2_penalty<1, 10>(nn::param<"fc1.weight", 3, 4>));
  check("mse + two l2 penalties", nn::mse(net, t) +
                                      nn::l2_penalty<1, 10>(nn::param<"fc1.weight", 3, 4>) +
                                      nn::l2_penalty<3, 1000>(nn::param<"fc2.weight", 2, 3>));
  check("l2 penalty alone", nn::l2_penalty<1, 2>(w));

  // The penalty is added once, not once per sample: a penalty alone is lambda sum(w^2)
  // exactly, and adding it to a batched loss adds that much (the parameter sets of the two
  // models are one type: the penalty's parameter is already in the network).
  auto alone = nn::compile<5, double>(nn::l2_penalty<1, 4>(v));
  decltype(alone)::parameters pv;
  pv.values()[0] = 1, pv.values()[1] = -2, pv.values()[2] = 4;
  BOOST_TEST(alone.value(pv, {}, {}) == 0.25 * 21);

  constexpr auto penalized = nn::mse(net, t) + nn::l2_penalty<1, 10>(nn::param<"fc1.weight", 3, 4>);
  auto plain_model = nn::compile<5, double>(nn::mse(net, t));
  auto penalized_model = nn::compile<5, double>(penalized);
  static_assert(
      std::is_same_v<decltype(plain_model)::parameters, decltype(penalized_model)::parameters>);
  decltype(plain_model)::parameters p;
  decltype(plain_model)::inputs in;
  decltype(plain_model)::targets tgt;
  random_source random{7};
  fill(p, random, -1, 1);
  fill(in, random, -1, 1);
  fill(tgt, random, -1, 1);
  double squares = 0;
  for (double wi : p.get<"fc1.weight">()) squares += wi * wi;
  const double difference = penalized_model.value(p, in, tgt) - plain_model.value(p, in, tgt);
  BOOST_TEST(difference == 0.1 * squares, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()
