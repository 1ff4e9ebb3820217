#define BOOST_TEST_MODULE nn.gradcheck_nodes
#include <boost/test/unit_test.hpp>

// The gradient of every network node checked against central finite differences with
// nn::gradcheck. Losses: gradcheck_losses.cpp; whole networks: gradcheck_mlp_*.cpp and
// gradcheck_networks.cpp; gradcheck's own failure reports: gradcheck.cpp (split to keep
// each file's compile time down).
//
// gradcheck compares the model's reverse sweep with differences of the model's own forward
// sweep, so a wrong forward sweep would go unnoticed here: backprop_reference.cpp compares
// both with an independent hand-written network.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tapeless/nn.hpp>

#include "gradcheck_check.hpp"

namespace {

using namespace tapeless_test;

constexpr auto x = nn::input<"x", 4>;
constexpr auto w = nn::param<"w", 3, 4>;
constexpr auto w2 = nn::param<"w2", 3, 4>;
constexpr auto v = nn::param<"v", 3>;  // a parameter vector: broadcast over the batch
constexpr auto z = nn::matmul(w, x);   // a batched node of size 3
constexpr auto z2 = nn::matmul(w2, x);

// User-defined elementwise functions: any scalar expression of the core.
constexpr auto swish = [](auto u) { return u * tapeless::sigmoid(u); };
constexpr auto gaussian = [](auto u) { return tapeless::exp(-(u * u)); };
constexpr auto cubic_sin = [](auto u) { return tapeless::pow<3>(u) + tapeless::sin(u); };
constexpr auto gated = [](auto u, auto g) { return u * tapeless::sigmoid(g); };

}  // namespace

BOOST_AUTO_TEST_SUITE(nodes)

BOOST_AUTO_TEST_CASE(matmul) {
  check("matmul", probed(z));
  check("matmul of matmul", probed(nn::matmul(nn::param<"w3", 2, 3>, z)));
  check("matmul of a parameter vector", probed(nn::matmul(nn::param<"m", 3, 3>, v)) + nn::sum(x));
}

// relu and leaky_relu have a kink at 0, where the model takes the left derivative and a
// central difference straddling 0 averages both sides. Applied to a parameter, the
// parameters are kept 0.05 away from 0; applied to W x, a pre-activation lies within a
// step (~1e-6) of 0 with probability ~1e-6 per entry, and the fixed seeds make the outcome
// reproducible: the kink itself is tested in gradcheck.cpp, where gradcheck must fail.
template <class F>
void check_activation(std::string_view what, F f) {
  BOOST_TEST_CONTEXT(what) {
    check("of W x", probed(nn::map(z, f)));
    check("of a parameter", probed(nn::map(v, f)), uniform_targets{}, {.away_from_zero = 0.05});
    check("of a deep input, large values", probed(nn::map(z, f)), uniform_targets{},
          {.seed = 2, .param_scale = 3.0});
  }
}

BOOST_AUTO_TEST_CASE(map_builtin_activations) {
  check_activation("identity", nn::identity_fn{});
  check_activation("relu", nn::relu_fn{});
  check_activation("tanh", nn::tanh_fn{});
  check_activation("sigmoid", nn::sigmoid_fn{});
  check_activation("softplus", nn::softplus_fn{});
  check_activation("leaky_relu 1/100", nn::leaky_relu_fn<1, 100>{});
  check_activation("leaky_relu 1/5", nn::leaky_relu_fn<1, 5>{});
}

BOOST_AUTO_TEST_CASE(map_named_helpers) {
  // The helpers build the same nodes as map(x, fn); checked once each through the helper.
  check("identity()", probed(nn::identity(z)));
  check("relu()", probed(nn::relu(z)));
  check("tanh()", probed(nn::tanh(z)));
  check("sigmoid()", probed(nn::sigmoid(z)));
  check("softplus()", probed(nn::softplus(z)));
  check("leaky_relu()", probed(nn::leaky_relu(z)));
  check("leaky_relu<3, 10>()", probed(nn::leaky_relu<3, 10>(z)));
}

BOOST_AUTO_TEST_CASE(map_user_lambdas) {
  check_activation("swish", swish);
  check_activation("gaussian", gaussian);
  check_activation("u^3 + sin u", cubic_sin);
  check("map of map", probed(nn::map(nn::map(z, swish), gaussian)));
}

BOOST_AUTO_TEST_CASE(map2_plus_minus_hadamard) {
  // Both operands batched, and one of them a parameter broadcast over the batch, either side.
  check("batched + batched", probed(z + z2));
  check("batched + parameter", probed(z + v));
  check("parameter + batched", probed(v + z));
  check("parameter + parameter", probed(v + nn::param<"u", 3>));
  check("batched - batched", probed(z - z2));
  check("batched - parameter", probed(z - v));
  check("parameter - batched", probed(v - z));
  check("hadamard batched, batched", probed(nn::hadamard(z, z2)));
  check("hadamard batched, parameter", probed(nn::hadamard(z, v)));
  check("hadamard parameter, batched", probed(nn::hadamard(v, z)));
  check("hadamard parameter, parameter", probed(nn::hadamard(v, nn::param<"u", 3>)));
  check("hadamard of a node with itself", probed(nn::hadamard(z, z)));
  check("node minus itself plus node", probed(z - z + z2));
  check("map2 user lambda", probed(nn::map2(z, z2, gated)));
  check("map2 user lambda, broadcast", probed(nn::map2(v, z, gated)));
}

BOOST_AUTO_TEST_CASE(scale) {
  check("scale<3, 4>", probed(nn::scale<3, 4>(z)));
  check("scale<-2>", probed(nn::scale<-2>(z)));
  check("scale<6, -8> of a parameter", probed(nn::scale<6, -8>(v)));
}

BOOST_AUTO_TEST_CASE(sum_and_mean) {
  check("sum", nn::sum(z));
  check("sum of tanh", nn::sum(nn::tanh(z)));
  check("mean", nn::mean(nn::tanh(z)));
  check("sum of a parameter, not batched", nn::sum(nn::tanh(v)));
  check("mean of a parameter plus a batched sum", nn::mean(nn::tanh(v)) + nn::sum(nn::sigmoid(z)));
}

BOOST_AUTO_TEST_SUITE_END()
