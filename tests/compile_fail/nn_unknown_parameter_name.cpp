// expect: no tensor of this name
// get<"name">() looks the name up at compile time: a name the network does not have (here
// a typo for "fc1.weight") does not compile. find("name") is the run-time lookup.
#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

constexpr auto loss = nn::mse(nn::dense<1, "fc1">(nn::input<"x", 2>), nn::target<"t", 1>);

float first_weight() {
  decltype(nn::compile<4>(loss))::parameters params;
#ifdef TAPELESS_SHOULD_FAIL
  return params.get<"fc1.weights">()[0];
#else
  return params.get<"fc1.weight">()[0];
#endif
}
