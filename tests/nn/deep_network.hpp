#ifndef TAPELESS_TESTS_NN_DEEP_NETWORK_HPP
#define TAPELESS_TESTS_NN_DEEP_NETWORK_HPP

// A twelve-layer tanh network, 3 inputs, width 4, 2 outputs, mean squared error: more
// computed nodes than a sweep unrolls, so its steps run in the loop over the plan.

#include <tapeless/nn.hpp>

namespace tapeless_test::deep_network {

namespace nn = tapeless::nn;
inline constexpr auto d0 = nn::input<"x", 3>;
inline constexpr auto d1 = nn::tanh(nn::dense<4, "l1">(d0));
inline constexpr auto d2 = nn::tanh(nn::dense<4, "l2">(d1));
inline constexpr auto d3 = nn::tanh(nn::dense<4, "l3">(d2));
inline constexpr auto d4 = nn::tanh(nn::dense<4, "l4">(d3));
inline constexpr auto d5 = nn::tanh(nn::dense<4, "l5">(d4));
inline constexpr auto d6 = nn::tanh(nn::dense<4, "l6">(d5));
inline constexpr auto d7 = nn::tanh(nn::dense<4, "l7">(d6));
inline constexpr auto d8 = nn::tanh(nn::dense<4, "l8">(d7));
inline constexpr auto d9 = nn::tanh(nn::dense<4, "l9">(d8));
inline constexpr auto d10 = nn::tanh(nn::dense<4, "l10">(d9));
inline constexpr auto d11 = nn::tanh(nn::dense<4, "l11">(d10));
inline constexpr auto d12 = nn::tanh(nn::dense<4, "l12">(d11));
inline constexpr auto loss = nn::mse(nn::dense<2, "out">(d12), nn::target<"t", 2>);

}  // namespace tapeless_test::deep_network

#endif
