// Training-step benchmark: tapeless's fused training step (value_and_step), and
// value_and_grad + sgd_step with its SIMD kernels (the default) and with the plain reference
// loops, on every configuration of common.hpp; and the reference gradients the
// peers are checked against. The peers live in their own translation units (loops.cpp,
// eigen.cpp, torch.cpp, adolc.cpp) so that the compile time of each can be reported.

#include <tapeless/nn.hpp>

#include <fstream>
#include <string>

#include <xsimd/xsimd.hpp>

#include "common.hpp"

namespace nn = tapeless::nn;

namespace {

template <class C>
struct network;

template <bench::activation A, bench::loss_kind L, std::size_t B>
struct network<bench::net<A, L, B, 2, 8, 1>> {
  static constexpr auto x = nn::input<"x", 2>;
  static constexpr auto t = nn::target<"t", 1>;
  static constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(x))), t);
};

template <bench::activation A, bench::loss_kind L, std::size_t B>
struct network<bench::net<A, L, B, 8, 32, 32, 4>> {
  static constexpr auto x = nn::input<"x", 8>;
  static constexpr auto t = nn::target<"t", 4>;
  static constexpr auto loss = nn::mse(
      nn::dense<4, "fc3">(nn::tanh(nn::dense<32, "fc2">(nn::tanh(nn::dense<32, "fc1">(x))))), t);
};

template <bench::activation A, bench::loss_kind L, std::size_t B>
struct network<bench::net<A, L, B, 784, 128, 10>> {
  static constexpr auto x = nn::input<"x", 784>;
  static constexpr auto t = nn::target<"t", 10>;
  static constexpr auto loss =
      nn::softmax_cross_entropy(nn::dense<10, "fc2">(nn::relu(nn::dense<128, "fc1">(x))), t);
};

template <bench::activation A, bench::loss_kind L, std::size_t B>
struct network<bench::net<A, L, B, 784, 256, 128, 10>> {
  static constexpr auto x = nn::input<"x", 784>;
  static constexpr auto t = nn::target<"t", 10>;
  static constexpr auto loss = nn::softmax_cross_entropy(
      nn::dense<10, "fc3">(nn::relu(nn::dense<128, "fc2">(nn::relu(nn::dense<256, "fc1">(x))))), t);
};

/// The compiled model of C with the given kernels and its sets, in static storage (the
/// 784-wide batches do not belong on the stack).
template <class C, class Kernels>
struct instance {
  using model = decltype(nn::compile<C::batch, float, Kernels>(network<C>::loss));
  static inline model m;
  static inline typename model::parameters p;
  static inline typename model::gradients g;
  static inline typename model::inputs in;
  static inline typename model::targets tg;

  static std::string tensor_name(std::size_t l, bool bias) {
    return "fc" + std::to_string(l + 1) + (bias ? ".bias" : ".weight");
  }

  /// Loads the problem's parameters, inputs and targets.
  static void load(const bench::problem<C>& prob) {
    for (std::size_t l = 0; l < C::layers; ++l) {
      auto w = p.find(tensor_name(l, false));
      auto b = p.find(tensor_name(l, true));
      std::copy_n(prob.params.begin() + C::weight_offset(l), w.size(), w.begin());
      std::copy_n(prob.params.begin() + C::bias_offset(l), b.size(), b.begin());
    }
    std::copy(prob.x.begin(), prob.x.end(), in.template get<"x">().begin());
    std::copy(prob.t.begin(), prob.t.end(), tg.template get<"t">().begin());
  }

  /// The gradient (or the parameters) in the flat layout.
  static std::vector<float> flat_gradient(const typename model::gradients& set = g) {
    std::vector<float> flat(C::parameter_count);
    for (std::size_t l = 0; l < C::layers; ++l) {
      auto w = set.find(tensor_name(l, false));
      auto b = set.find(tensor_name(l, true));
      std::copy(w.begin(), w.end(), flat.begin() + C::weight_offset(l));
      std::copy(b.begin(), b.end(), flat.begin() + C::bias_offset(l));
    }
    return flat;
  }
};

template <class C, class Kernels>
void tapeless_step(benchmark::State& state) {
  using I = instance<C, Kernels>;
  I::load(bench::make_problem<C>());
  if constexpr (!std::is_same_v<Kernels, tapeless::lower::simd_kernels>) {
    const float loss = I::m.value_and_grad(I::p, I::in, I::tg, I::g);
    const auto grad = I::flat_gradient();
    if (!bench::matches_reference<C>(state, loss, grad)) return;
    I::load(bench::make_problem<C>());
  }
  float rate = bench::learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(I::m.value_and_grad(I::p, I::in, I::tg, I::g));
    nn::sgd_step(I::p, I::g, rate);
    rate = -rate;
    benchmark::ClobberMemory();
  }
  bench::set_counters<C>(state);
}

/// One fused training step (value_and_step: the SGD update inside the backward sweep). Its
/// update with rate 1 is checked first: the parameters must move by the reference gradient.
template <class C>
void tapeless_fused_step(benchmark::State& state) {
  using I = instance<C, tapeless::lower::simd_kernels>;
  I::load(bench::make_problem<C>());
  const std::vector<float> before = I::flat_gradient(I::p);
  const float loss = I::m.value_and_step(I::p, I::in, I::tg, 1.0f);
  std::vector<float> moved = I::flat_gradient(I::p);
  for (std::size_t i = 0; i < moved.size(); ++i) moved[i] = before[i] - moved[i];
  if (!bench::matches_reference<C>(state, loss, moved)) return;
  I::load(bench::make_problem<C>());
  float rate = bench::learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(I::m.value_and_step(I::p, I::in, I::tg, rate));
    rate = -rate;
    benchmark::ClobberMemory();
  }
  bench::set_counters<C>(state);
}

const int registered = [] {
  bench::register_all("tapeless", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), tapeless_fused_step<C>);
  });
  bench::register_all("tapeless_unfused", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), tapeless_step<C, tapeless::lower::simd_kernels>);
  });
  bench::register_all("tapeless_plain", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), tapeless_step<C, nn::plain_kernels>);
  });
  return 0;
}();

}  // namespace

namespace bench {

template <class C>
const reference_step& tapeless_reference() {
  static const reference_step ref = [] {
    using I = instance<C, tapeless::lower::simd_kernels>;
    I::load(make_problem<C>());
    reference_step r;
    r.loss = I::m.value_and_grad(I::p, I::in, I::tg, I::g);
    r.grad = I::flat_gradient();
    return r;
  }();
  return ref;
}

// The peers' translation units link against these.
template const reference_step& tapeless_reference<tiny_b1>();
template const reference_step& tapeless_reference<tiny_b4>();
template const reference_step& tapeless_reference<small_b1>();
template const reference_step& tapeless_reference<small_b32>();
template const reference_step& tapeless_reference<mnist_b1>();
template const reference_step& tapeless_reference<mnist_b32>();
template const reference_step& tapeless_reference<mnist_b256>();
template const reference_step& tapeless_reference<deep_b64>();

}  // namespace bench

int main(int argc, char** argv) {
#ifdef TAPELESS_BENCH_PEERS
  benchmark::AddCustomContext("peers", TAPELESS_BENCH_PEERS);
#endif
  benchmark::AddCustomContext("xsimd_arch", xsimd::default_arch::name());
  benchmark::AddCustomContext("compiler", __VERSION__);
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  benchmark::AddCustomContext("loadavg_at_start", load);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
