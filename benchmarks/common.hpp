// Shared by every translation unit of the training-step benchmark: the networks, their
// data (the same for every implementation), the count of useful floating-point operations,
// and the check of a peer's gradient against tapeless's.
#ifndef TAPELESS_BENCHMARKS_COMMON_HPP
#define TAPELESS_BENCHMARKS_COMMON_HPP

#include <benchmark/benchmark.h>
#include <tapeless/train/random.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace bench {

enum class activation { tanh, relu };
enum class loss_kind { mse, softmax_ce };

/// A multilayer perceptron trained on one fixed batch: Widths are the layer widths from
/// the input to the output; every hidden layer applies Act, the last one is linear and
/// feeds Loss (mse: mean over outputs of (y - t)^2; softmax_ce: one-hot targets).
///
/// Flat parameter layout (what every implementation converts from and to): for each layer
/// l, W_l (Out x In, row-major) then b_l (Out). Inputs and targets are sample-major.
template <activation Act, loss_kind Loss, std::size_t Batch, std::size_t... Widths>
struct net {
  static constexpr activation act = Act;
  static constexpr loss_kind loss = Loss;
  static constexpr std::size_t batch = Batch;
  static constexpr std::array<std::size_t, sizeof...(Widths)> widths{Widths...};
  static constexpr std::size_t layers = sizeof...(Widths) - 1;
  static constexpr std::size_t inputs = widths.front();
  static constexpr std::size_t outputs = widths.back();

  static constexpr std::size_t weight_offset(std::size_t l) {
    std::size_t o = 0;
    for (std::size_t k = 0; k < l; ++k) o += widths[k + 1] * widths[k] + widths[k + 1];
    return o;
  }
  static constexpr std::size_t bias_offset(std::size_t l) {
    return weight_offset(l) + widths[l + 1] * widths[l];
  }
  static constexpr std::size_t parameter_count = weight_offset(layers);

  /// Useful flops of one step: 2 per multiply-add of the matrix products, forward
  /// (B In Out per layer), weight gradient (B In Out per layer) and input gradient (B In Out
  /// per layer but the first, whose input needs none). Activations, biases, the loss and the
  /// update are not counted.
  static constexpr double flops() {
    double f = 0;
    for (std::size_t l = 0; l < layers; ++l)
      f += 2.0 * Batch * widths[l] * widths[l + 1] * (l == 0 ? 2 : 3);
    return f;
  }

  /// "784-128-10_relu_softmax-CE/b32": what the report groups by (no spaces, for filters).
  static std::string name() {
    std::string s;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      if (i > 0) s += '-';
      s += std::to_string(widths[i]);
    }
    s += Act == activation::tanh ? "_tanh" : "_relu";
    s += Loss == loss_kind::mse ? "_MSE" : "_softmax-CE";
    s += "/b";
    s += std::to_string(Batch);
    return s;
  }
};

// The configurations of the suite.
using tiny_b1 = net<activation::tanh, loss_kind::mse, 1, 2, 8, 1>;
using tiny_b4 = net<activation::tanh, loss_kind::mse, 4, 2, 8, 1>;
using small_b1 = net<activation::tanh, loss_kind::mse, 1, 8, 32, 32, 4>;
using small_b32 = net<activation::tanh, loss_kind::mse, 32, 8, 32, 32, 4>;
using mnist_b1 = net<activation::relu, loss_kind::softmax_ce, 1, 784, 128, 10>;
using mnist_b32 = net<activation::relu, loss_kind::softmax_ce, 32, 784, 128, 10>;
using mnist_b256 = net<activation::relu, loss_kind::softmax_ce, 256, 784, 128, 10>;
using deep_b64 = net<activation::relu, loss_kind::softmax_ce, 64, 784, 256, 128, 10>;

/// Calls f.template operator()<C>() for every configuration, in the report's order.
template <class F>
void for_each_config(F&& f) {
  f.template operator()<tiny_b1>();
  f.template operator()<tiny_b4>();
  f.template operator()<small_b1>();
  f.template operator()<small_b32>();
  f.template operator()<mnist_b1>();
  f.template operator()<mnist_b32>();
  f.template operator()<mnist_b256>();
  f.template operator()<deep_b64>();
}

/// The learning rate. Its sign alternates from step to step so that the parameters stay
/// near their starting point however many steps a benchmark runs: every implementation
/// works on the same values (no drift into saturated tanh, dead ReLUs or subnormals) and
/// still does a full step each time.
inline constexpr float learning_rate = 0.01f;

/// Starting parameters, the batch of inputs and its targets, drawn from tapeless's seeded
/// generator: its draws depend on neither the compiler nor -ffp-contract, so every
/// translation unit, whatever its peer's flags, sees the same data.
template <class C>
struct problem {
  std::vector<float> params = std::vector<float>(C::parameter_count);
  std::vector<float> x = std::vector<float>(C::batch * C::inputs);
  std::vector<float> t = std::vector<float>(C::batch * C::outputs);
  std::vector<int> labels = std::vector<int>(C::batch);  ///< softmax_ce: the class of each sample
};

template <class C>
problem<C> make_problem() {
  problem<C> p;
  tapeless::train::random random{0x7a9e1e55ull + C::batch * 131 + C::layers};
  for (std::size_t l = 0; l < C::layers; ++l) {
    const std::size_t in = C::widths[l], out = C::widths[l + 1];
    // Glorot for tanh, He for ReLU (uniform).
    const float a = C::act == activation::tanh ? std::sqrt(6.0f / float(in + out)) : std::sqrt(6.0f / float(in));
    for (std::size_t i = 0; i < in * out; ++i) p.params[C::weight_offset(l) + i] = random.uniform(-a, a);
    for (std::size_t i = 0; i < out; ++i) p.params[C::bias_offset(l) + i] = random.uniform(-0.1f, 0.1f);
  }
  // Pixels in [0, 1] for the 784-wide nets, features in [-1, 1] for the others.
  const float lo = C::inputs == 784 ? 0.0f : -1.0f;
  for (auto& v : p.x) v = random.uniform(lo, 1.0f);
  if constexpr (C::loss == loss_kind::mse) {
    for (auto& v : p.t) v = random.uniform(-0.9f, 0.9f);
  } else {
    for (std::size_t s = 0; s < C::batch; ++s) {
      p.labels[s] = static_cast<int>(random.below(C::outputs));
      p.t[s * C::outputs + p.labels[s]] = 1.0f;
    }
  }
  return p;
}

/// tapeless (SIMD kernels) on the problem: the loss and the gradient of one step from the
/// starting parameters, in the flat layout. Defined in training_step.cpp.
struct reference_step {
  float loss = 0;
  std::vector<float> grad;
};
template <class C>
const reference_step& tapeless_reference();

/// Checks a peer's loss and gradient (flat layout) against tapeless's: per tensor,
/// max |g - ref| <= 1e-3 max |ref| + 1e-6 (float sums of up to a few thousand terms in
/// different orders agree far better; a wrong rule or index misses by O(1)). On a mismatch
/// the benchmark is stopped with SkipWithError and false is returned.
template <class C>
bool matches_reference(benchmark::State& state, float loss, std::span<const float> grad) {
  const auto& ref = tapeless_reference<C>();
  char message[256];
  if (!(std::abs(loss - ref.loss) <= 1e-4f * std::abs(ref.loss) + 1e-6f)) {
    std::snprintf(message, sizeof message, "loss %.8g differs from tapeless's %.8g", loss, ref.loss);
    state.SkipWithError(message);
    return false;
  }
  double worst = 0;
  for (std::size_t l = 0; l < C::layers; ++l) {
    const std::size_t ranges[2][2] = {{C::weight_offset(l), C::bias_offset(l)},
                                      {C::bias_offset(l), C::weight_offset(l + 1)}};
    for (const auto& r : ranges) {
      double scale = 0, error = 0;
      for (std::size_t i = r[0]; i < r[1]; ++i) {
        scale = std::max(scale, double(std::abs(ref.grad[i])));
        error = std::max(error, double(std::abs(grad[i] - ref.grad[i])));
      }
      if (error > 1e-3 * scale + 1e-6) {
        std::snprintf(message, sizeof message,
                      "gradient of layer %zu %s differs from tapeless's: max error %.3g, max |g| %.3g",
                      l + 1, &r == &ranges[0] ? "weight" : "bias", error, scale);
        state.SkipWithError(message);
        return false;
      }
      worst = std::max(worst, scale > 0 ? error / scale : error);
    }
  }
  state.counters["grad_rel_err"] = worst;
  return true;
}

/// The counters every benchmark reports: steps per second and useful GFLOP/s (both from the
/// CPU time of the timed loop), and the useful flops of one step.
template <class C>
void set_counters(benchmark::State& state) {
  state.counters["steps/s"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(C::flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["flops/step"] = C::flops();
  state.SetLabel(C::name());
}

/// The benchmark of a hand-written peer: one step at rate 0 from the problem's starting point
/// is checked against tapeless (`gradient()` gives the peer's gradient in the flat layout),
/// then the problem is loaded again and steps are timed with the alternating rate. Net has
/// load(problem) and step(rate) -> loss.
template <class C, class Net, class Gradient>
void check_then_time(benchmark::State& state, Net& net, Gradient&& gradient) {
  const auto problem = make_problem<C>();
  net.load(problem);
  const float loss = net.step(0.0f);
  if (!matches_reference<C>(state, loss, gradient())) return;
  net.load(problem);
  float rate = learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(net.step(rate));
    rate = -rate;
    benchmark::ClobberMemory();
  }
  set_counters<C>(state);
}

/// Registers fn<C> for every configuration as "<impl>/<config name>".
template <class F>
void register_all(const char* impl, F&& f) {
  for_each_config([&]<class C>() {
    std::string name = impl;
    name += '/';
    name += C::name();
    f.template operator()<C>(name);
  });
}

}  // namespace bench

#endif
