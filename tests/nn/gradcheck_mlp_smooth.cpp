#define BOOST_TEST_MODULE nn.gradcheck_mlp_smooth
#include <boost/test/unit_test.hpp>

// Multilayer perceptrons of 1 to 6 hidden layers with the smooth activations (tanh, sigmoid,
// softplus, and swish as a user lambda) checked against central finite differences.

#include <boost/mp11/list.hpp>
#include <cstdint>
#include <string_view>
#include <tapeless/nn.hpp>

#include "gradcheck_mlp.hpp"

namespace {

namespace nn = tapeless::nn;
constexpr auto swish = [](auto u) { return u * tapeless::sigmoid(u); };

}  // namespace

BOOST_AUTO_TEST_CASE(every_depth_smooth_activations) {
  using activations =
      boost::mp11::mp_list<nn::tanh_fn, nn::sigmoid_fn, nn::softplus_fn, decltype(swish)>;
  constexpr std::string_view names[] = {"tanh", "sigmoid", "softplus", "swish (a user lambda)"};
  for (std::uint64_t seed : {1, 2}) tapeless_test::mlp::check_every_depth<activations>(names, seed);
}
