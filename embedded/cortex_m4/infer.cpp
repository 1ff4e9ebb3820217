// Inference alone on the Cortex-M4F: the forward sweep of the 8-32-32-4 tanh network (no
// gradient code is instantiated), from parameters in static storage. Prints the loss and
// the first sample's outputs; succeeds if they are finite.

#include "../tiny_mlp.hpp"
#include "semihosting.hpp"

namespace {

tiny_mlp::model network;
tiny_mlp::model::parameters params;
tiny_mlp::model::inputs inputs;
tiny_mlp::model::targets targets;

bool finite(float v) { return v - v == 0.0f; }

}  // namespace

int run() {
  tiny_mlp::fill_parameters(params, 0.3f, 1);
  tiny_mlp::fill_batch(inputs, targets, 2);
  const float loss = network.value(params, inputs, targets);
  bool ok = finite(loss);
  semihosting::write("loss ");
  semihosting::write(loss);
  semihosting::write("\noutputs of sample 0:");
  for (float y : network.values_of(tiny_mlp::output).first(4)) {
    semihosting::write(" ");
    semihosting::write(y);
    ok = ok && finite(y);
  }
  semihosting::write("\n");
  return ok ? 0 : 1;
}
