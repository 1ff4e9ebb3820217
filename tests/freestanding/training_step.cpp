// Built with -fno-exceptions -fno-rtti and without Boost.Test (tests/CMakeLists.txt): the
// headers a training step needs, the network of the embedded builds (embedded/tiny_mlp.hpp)
// and the training toolkit (initialization, Adam, a schedule, clipping) must compile that
// way, train without touching the heap, and lower the loss. Returns non-zero on failure.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <tapeless/train/clipping.hpp>
#include <tapeless/train/init.hpp>
#include <tapeless/train/optimizers.hpp>
#include <tapeless/train/random.hpp>
#include <tapeless/train/schedules.hpp>

#include "../../embedded/tiny_mlp.hpp"

#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "this test must be built with -fno-exceptions -fno-rtti"
#endif
#if defined(_GLIBCXX_IOSTREAM)
#error "a header of a training step includes <iostream>"
#endif

namespace {

std::size_t allocations = 0;

int failures = 0;
void expect(bool ok, const char* what) {
  std::printf("%s  %s\n", ok ? "pass" : "FAIL", what);
  failures += ok ? 0 : 1;
}

tiny_mlp::model network;
tiny_mlp::model::parameters params;
tiny_mlp::model::gradients grads;
tiny_mlp::model::inputs inputs;
tiny_mlp::model::targets targets;

/// Plain gradient descent, as on the Cortex-M4: the loss of each of `steps` steps.
bool sgd_lowers_the_loss() {
  tiny_mlp::fill_parameters(params, 0.3f, 1);
  tiny_mlp::fill_batch(inputs, targets, 2);
  const float first = tiny_mlp::train_step(network, params, grads, inputs, targets, 0.1f);
  float last = first;
  for (int step = 0; step < 100; ++step)
    last = tiny_mlp::train_step(network, params, grads, inputs, targets, 0.1f);
  std::printf("sgd:  loss %.6f -> %.6f\n", static_cast<double>(first), static_cast<double>(last));
  return last < 0.5f * first;
}

/// The fused training step, as the Cortex-M4 example trains: no gradient set.
bool fused_steps_lower_the_loss() {
  tiny_mlp::fill_parameters(params, 0.3f, 1);
  tiny_mlp::fill_batch(inputs, targets, 2);
  const float first = network.value_and_step(params, inputs, targets, 0.1f);
  float last = first;
  for (int step = 0; step < 100; ++step) last = network.value_and_step(params, inputs, targets, 0.1f);
  std::printf("fused: loss %.6f -> %.6f\n", static_cast<double>(first), static_cast<double>(last));
  return last < 0.5f * first;
}

/// The training toolkit: Xavier initialization, Adam under a cosine schedule, gradients
/// clipped by their global norm.
bool adam_lowers_the_loss() {
  tapeless::train::random rng{7};
  tapeless::train::xavier_uniform(params, rng);
  tiny_mlp::fill_batch(inputs, targets, 3);
  static tapeless::train::adam<tiny_mlp::model::parameters> adam({.rate = 0.01});
  const tapeless::train::cosine<float> schedule{0.01f, 100, 0.001f};
  float first = 0, last = 0;
  for (int step = 0; step <= 100; ++step) {
    last = network.value_and_grad(params, inputs, targets, grads);
    if (step == 0) first = last;
    tapeless::train::clip_by_global_norm(grads, 1.0f);
    adam.set_rate(schedule(adam.steps()));
    adam.step(params, grads);
  }
  std::printf("adam: loss %.6f -> %.6f\n", static_cast<double>(first), static_cast<double>(last));
  return last < 0.5f * first;
}

}  // namespace

// Every allocation is counted (the test has no exceptions: a failed one aborts). Not
// inlined, so that g++ does not pair malloc with a delete-expression it can see.
[[gnu::noinline]] void* operator new(std::size_t n) {
  ++allocations;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

int main() {
  const std::size_t before = allocations;
  expect(sgd_lowers_the_loss(), "plain gradient descent halves the loss in 100 steps");
  expect(fused_steps_lower_the_loss(), "fused training steps halve the loss in 100 steps");
  expect(adam_lowers_the_loss(), "xavier + adam + cosine + clipping halve the loss in 100 steps");
  expect(allocations == before, "no heap allocation while training");
  // The counter itself works (an explicit call: a new-expression may be elided).
  ::operator delete(::operator new(16));
  expect(allocations == before + 1, "the allocation counter sees an allocation");
  std::printf("%d passed, %d failed\n", 5 - failures, failures);
  return failures == 0 ? 0 : 1;
}
