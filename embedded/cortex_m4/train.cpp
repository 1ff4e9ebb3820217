// Training on the Cortex-M4F: 8-32-32-4 tanh network, batch of 8, plain gradient descent as
// the fused training step (value_and_step, so no gradient set), all in static storage. Prints
// the loss every 10 steps through semihosting and succeeds if the loss fell to less than half
// of its first value.

#include <cstdint>

#include "../tiny_mlp.hpp"
#include "semihosting.hpp"

namespace {

tiny_mlp::model network;
tiny_mlp::model::parameters params;
tiny_mlp::model::inputs inputs;
tiny_mlp::model::targets targets;

constexpr int steps = 100;

}  // namespace

int run() {
  tiny_mlp::fill_parameters(params, 0.3f, 1);
  tiny_mlp::fill_batch(inputs, targets, 2);
  float first = 0, last = 0;
  for (int step = 0; step <= steps; ++step) {
    last = network.value_and_step(params, inputs, targets, 0.1f);
    if (step == 0) first = last;
    if (step % 10 == 0) {
      semihosting::write("step ");
      semihosting::write_digits(static_cast<std::uint32_t>(step));
      semihosting::write(" loss ");
      semihosting::write(last);
      semihosting::write("\n");
    }
  }
  const bool learned = last < 0.5f * first;
  semihosting::write(learned ? "loss decreased\n" : "loss did not decrease enough\n");
  return learned ? 0 : 1;
}
