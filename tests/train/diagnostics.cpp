#define BOOST_TEST_MODULE train.diagnostics
#include <boost/test/unit_test.hpp>

// gradient_norms and update_ratios against hand computations; diagnose on constructed
// gradient sets (healthy, vanishing by ratio and by floor, exploding, NaN, infinity); the
// summary's text; and a real deep sigmoid network, naively initialized, whose first-layer
// gradient vanishes.

#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <tapeless/nn.hpp>
#include <tapeless/train/diagnostics.hpp>
#include <tapeless/train/init.hpp>
#include <tapeless/train/summary.hpp>

namespace {
namespace nn = tapeless::nn;
namespace train = tapeless::train;

using P = nn::tensor_set<double, 1,
                         boost::mp11::mp_list<nn::param_node<"fc1.weight", 4, 3>, nn::param_node<"fc1.bias", 4, 1>,
                                              nn::param_node<"fc2.weight", 4, 4>, nn::param_node<"fc2.bias", 4, 1>,
                                              nn::param_node<"fc3.weight", 1, 4>, nn::param_node<"fc3.bias", 1, 1>>>;

/// Every element of tensor `name` set to v: its norm is |v| sqrt(size).
template <tapeless::fixed_string Name>
void set_all(P& p, double v) {
  for (double& x : p.get<Name>()) x = v;
}

P healthy_gradients() {
  P g;
  set_all<"fc1.weight">(g, 0.05);
  set_all<"fc1.bias">(g, 0.02);
  set_all<"fc2.weight">(g, 0.1);
  set_all<"fc2.bias">(g, 0.03);
  set_all<"fc3.weight">(g, 0.25);
  set_all<"fc3.bias">(g, 0.1);
  return g;
}
}  // namespace

BOOST_AUTO_TEST_CASE(gradient_norms_by_hand) {
  P g;
  g.get<"fc1.weight">()[0] = 3;
  g.get<"fc1.weight">()[11] = 4;
  set_all<"fc2.weight">(g, -0.5);  // 16 elements: norm 2
  g.get<"fc3.bias">()[0] = -7;
  const auto n = train::gradient_norms(g);
  static_assert(n.size() == P::count);
  BOOST_TEST(n[0] == 5.0);
  BOOST_TEST(n[1] == 0.0);
  BOOST_TEST(n[2] == 2.0);
  BOOST_TEST(n[3] == 0.0);
  BOOST_TEST(n[4] == 0.0);
  BOOST_TEST(n[5] == 7.0);
}

BOOST_AUTO_TEST_CASE(update_ratios_by_hand) {
  P before = healthy_gradients(), after = before;
  after.get<"fc1.weight">()[0] += 0.003;  // ||dw|| = 0.003, ||w|| = 0.05 sqrt(12)
  after.get<"fc2.weight">()[0] += 0.03;
  after.get<"fc2.weight">()[1] -= 0.04;  // ||dw|| = 0.05, ||w|| = 0.1 * 4
  const auto r = train::update_ratios(before, after);
  BOOST_TEST(std::fabs(r[0] - 0.003 / (0.05 * std::sqrt(12.0))) <= 1e-12);
  BOOST_TEST(r[1] == 0.0);
  BOOST_TEST(std::fabs(r[2] - 0.05 / 0.4) <= 1e-12);

  // A tensor of norm 0: 0 if unmoved, infinity if moved.
  P zero, moved;
  moved.get<"fc1.bias">()[2] = 1e-3;
  const auto z = train::update_ratios(zero, moved);
  BOOST_TEST(z[0] == 0.0);
  BOOST_TEST(std::isinf(z[1]));

  // Before the step, from rate and gradients: ||rate g|| / ||w||.
  const P w = healthy_gradients();
  P g;
  set_all<"fc3.weight">(g, -2.0);  // ||g|| = 4, ||w|| = 0.5
  const auto q = train::update_ratios(w, g, 0.01);
  BOOST_TEST(std::fabs(q[4] - 0.01 * 4 / 0.5) <= 1e-15);
  BOOST_TEST(q[0] == 0.0);
}

BOOST_AUTO_TEST_CASE(healthy) {
  const auto r = train::diagnose(healthy_gradients());
  BOOST_TEST(r.healthy());
  BOOST_TEST(!r.vanishing);
  BOOST_TEST(!r.exploding);
  BOOST_TEST(!r.non_finite);
  BOOST_TEST(r.first_weight == 0u);  // fc1.weight
  BOOST_TEST(r.last_weight == 4u);   // fc3.weight
  BOOST_TEST(std::fabs(r.ratio - (0.05 * std::sqrt(12.0)) / 0.5) <= 1e-12);
  BOOST_TEST(r.largest == 4u);
  const std::string text = train::summary(r);
  BOOST_TEST(text.find("healthy") != std::string::npos);
  BOOST_TEST(text.find("fc2.bias") != std::string::npos);
  BOOST_TEST(text.find("<- first weight") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(vanishing_by_ratio) {
  P g = healthy_gradients();
  set_all<"fc1.weight">(g, 1e-6);  // first/last = 1e-6 sqrt(12) / 0.5 ~ 6.9e-6 < 1e-3
  const auto r = train::diagnose(g);
  BOOST_TEST(r.vanishing);
  BOOST_TEST(!r.exploding);
  BOOST_TEST(!r.healthy());
  BOOST_TEST(r.ratio < 1e-5);
  BOOST_TEST(train::summary(r).find("vanishing: first/last") != std::string::npos);
  // A looser threshold lets it pass.
  BOOST_TEST(!train::diagnose(g, {.vanishing_ratio = 1e-6}).vanishing);
}

BOOST_AUTO_TEST_CASE(vanishing_by_floor) {
  // All small alike: the ratio is fine, the floor is not.
  P g;
  for (double& x : g.values()) x = 1e-12;
  const auto r = train::diagnose(g);
  BOOST_TEST(r.vanishing);
  BOOST_TEST(r.ratio > 0.1);
  BOOST_TEST(train::summary(r).find("< 1e-08") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(exploding) {
  P g = healthy_gradients();
  set_all<"fc2.weight">(g, 1e4);
  const auto r = train::diagnose(g);
  BOOST_TEST(r.exploding);
  BOOST_TEST(!r.non_finite);
  BOOST_TEST(!r.vanishing);  // 0.17 / 0.5: fine
  BOOST_TEST(r.largest == 2u);
  BOOST_TEST(train::summary(r).find("exploding: the gradient norm of fc2.weight is 4e+04 > 1e+03") !=
             std::string::npos);
  BOOST_TEST(!train::diagnose(g, {.exploding_norm = 1e5}).exploding);
}

BOOST_AUTO_TEST_CASE(non_finite) {
  P g = healthy_gradients();
  g.get<"fc2.bias">()[1] = std::numeric_limits<double>::quiet_NaN();
  auto r = train::diagnose(g);
  BOOST_TEST(r.non_finite);
  BOOST_TEST(r.exploding);
  BOOST_TEST(!r.vanishing);
  BOOST_TEST(r.largest == 3u);
  BOOST_TEST(std::isnan(r.norms[3]));
  BOOST_TEST(train::summary(r).find("non-finite: the gradient of fc2.bias is nan") != std::string::npos);

  g = healthy_gradients();
  g.get<"fc3.weight">()[0] = -std::numeric_limits<double>::infinity();
  r = train::diagnose(g);
  BOOST_TEST(r.non_finite);
  BOOST_TEST(r.exploding);
  BOOST_TEST(r.largest == 4u);
  BOOST_TEST(std::isinf(r.norms[4]));
}

BOOST_AUTO_TEST_CASE(a_deep_sigmoid_network_vanishes) {
  // Six sigmoid layers initialized the old way, "small random numbers" N(0, 0.1^2)
  // everywhere: each layer multiplies the backward signal by sigma' <= 1/4 times weights of
  // about 0.1 sqrt(16), and the first layer's gradient ends up orders of magnitude below
  // the last one's. The same network with LeCun init and tanh is
  // not flagged.
  constexpr auto x = nn::input<"x", 16>;
  constexpr auto t = nn::target<"t", 1>;
  constexpr auto h1 = nn::sigmoid(nn::dense<16, "l1">(x));
  constexpr auto h2 = nn::sigmoid(nn::dense<16, "l2">(h1));
  constexpr auto h3 = nn::sigmoid(nn::dense<16, "l3">(h2));
  constexpr auto h4 = nn::sigmoid(nn::dense<16, "l4">(h3));
  constexpr auto h5 = nn::sigmoid(nn::dense<16, "l5">(h4));
  constexpr auto h6 = nn::sigmoid(nn::dense<16, "l6">(h5));
  constexpr auto loss = nn::mse(nn::dense<1, "out">(h6), t);
  auto m = nn::compile<8, double>(loss);
  using M = decltype(m);
  static M::parameters p;
  static M::gradients g;
  static M::inputs in;
  static M::targets tg;
  train::random rng{2};
  for (double& v : in.values()) v = rng.uniform(-1.0, 1.0);
  for (double& v : tg.values()) v = rng.uniform(0.0, 1.0);

  train::normal(p, 0.1, rng);
  m.value_and_grad(p, in, tg, g);
  const auto r = train::diagnose(g);
  BOOST_TEST_MESSAGE(train::summary(r));
  BOOST_TEST(r.first_weight == M::parameters::index_of("l1.weight"));
  BOOST_TEST(r.last_weight == M::parameters::index_of("out.weight"));
  BOOST_TEST(r.vanishing, "ratio " << r.ratio);
  BOOST_TEST(r.ratio < 1e-4);

  constexpr auto u1 = nn::tanh(nn::dense<16, "l1">(x));
  constexpr auto u2 = nn::tanh(nn::dense<16, "l2">(u1));
  constexpr auto u3 = nn::tanh(nn::dense<16, "l3">(u2));
  constexpr auto tanh_loss = nn::mse(nn::dense<1, "out">(u3), t);
  auto mt = nn::compile<8, double>(tanh_loss);
  using MT = decltype(mt);
  static MT::parameters pt;
  static MT::gradients gt;
  train::lecun_normal(pt, rng);
  static MT::inputs in2;
  static MT::targets tg2;
  for (double& v : in2.values()) v = rng.uniform(-1.0, 1.0);
  for (double& v : tg2.values()) v = rng.uniform(0.0, 1.0);
  mt.value_and_grad(pt, in2, tg2, gt);
  const auto rt = train::diagnose(gt);
  BOOST_TEST(rt.healthy(), train::summary(rt));
}
