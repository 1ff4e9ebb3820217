#define BOOST_TEST_MODULE nn.gradcheck_mlp_piecewise
#include <boost/test/unit_test.hpp>

// Multilayer perceptrons of 1 to 6 hidden layers with the piecewise linear activations
// (identity, relu, leaky_relu) checked against central finite differences.
//
// Kinks: the pre-activations W h + b come from continuous random draws; one lies within a
// difference step (~1e-6) of the kink at 0 with probability ~1e-6, and the draws are fixed
// by the seed, so a pass is reproducible. gradcheck.cpp tests the kinks themselves.

#include <boost/mp11/list.hpp>
#include <cstdint>
#include <string_view>
#include <tapeless/nn.hpp>

#include "gradcheck_mlp.hpp"

namespace nn = tapeless::nn;

BOOST_AUTO_TEST_CASE(every_depth_piecewise_linear_activations) {
  using activations = boost::mp11::mp_list<nn::identity_fn, nn::relu_fn, nn::leaky_relu_fn<1, 10>>;
  constexpr std::string_view names[] = {"identity", "relu", "leaky_relu<1, 10>"};
  for (std::uint64_t seed : {1, 2}) tapeless_test::mlp::check_every_depth<activations>(names, seed);
}
