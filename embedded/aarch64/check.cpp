// The SIMD layer on AArch64 (NEON), checked where it runs: cross-compiled with
// g++-aarch64-linux-gnu and run under qemu-aarch64 by scripts/embedded.sh. Without
// Boost.Test (its aarch64 library is not installable beside the host's): the SIMD kernels
// must agree with the plain loops, and nn::gradcheck must pass on networks of every node
// kind, in float and double batches. Prints each check and returns 1 if any failed.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/simd/batch.hpp>

namespace nn = tapeless::nn;
using simd_k = tapeless::lower::simd_kernels;
using plain_k = nn::plain_kernels;

#if defined(__aarch64__)
static_assert(std::is_same_v<xsimd::default_arch, xsimd::neon64>,
              "on AArch64 the kernels must run on xsimd's NEON batches");
static_assert(tapeless::simd::uses_xsimd && tapeless::simd::batch<float>::size == 4 &&
              tapeless::simd::batch<double>::size == 2);
#endif

namespace {

int passed = 0, failed = 0;

void report(bool ok, const char* what, double detail) {
  std::printf("%s  %-58s %.3g\n", ok ? "pass" : "FAIL", what, detail);
  ++(ok ? passed : failed);
}

/// Uniform in [-1, 1) from a splitmix64 stream: the same numbers on every target.
struct random_source {
  std::uint64_t state;
  double next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0;
  }
};

template <class T, std::size_t N>
std::array<T, N> random_values(std::uint64_t seed) {
  random_source r{seed};
  std::array<T, N> a{};
  for (auto& v : a) v = static_cast<T>(r.next());
  return a;
}

// A plain comparison, not std::fmax: aarch64 g++ 12.2 -O2 crashes vectorizing an fmax
// reduction (internal compiler error in vect_transform_reduction).
double larger(double a, double b) { return a < b ? b : a; }

template <class T, std::size_t N>
double max_difference(const std::array<T, N>& a, const std::array<T, N>& b) {
  double d = 0;
  for (std::size_t i = 0; i < N; ++i) d = larger(d, std::fabs(static_cast<double>(a[i] - b[i])));
  return d;
}

// Sums of K products of magnitude <= 1 added in another order differ by at most about
// K^2 eps (as in tests/lower/simd_kernels.cpp).
template <class T>
double rounding_bound(std::size_t terms) {
  return 4.0 * static_cast<double>(terms * terms) * static_cast<double>(std::numeric_limits<T>::epsilon());
}

template <class T, std::size_t Rows, std::size_t Cols, std::size_t Samples>
void check_products(const char* what) {
  const auto w = random_values<T, Rows * Cols>(1);
  const auto x = random_values<T, Samples * Cols>(2);
  const auto dy = random_values<T, Samples * Rows>(3);
  std::array<T, Samples * Rows> y1{}, y2{};
  simd_k::matmul<Rows, Cols, Samples>(w.data(), x.data(), y1.data());
  plain_k::matmul<Rows, Cols, Samples>(w.data(), x.data(), y2.data());
  const double forward = max_difference(y1, y2);
  auto dw1 = random_values<T, Rows * Cols>(4);
  auto dw2 = dw1;
  simd_k::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw1.data(), true);
  plain_k::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw2.data(), true);
  const double weights = max_difference(dw1, dw2);
  auto dx1 = random_values<T, Samples * Cols>(5);
  std::array<T, Samples * Cols> dx2{};
  simd_k::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx1.data(), false);
  plain_k::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx2.data(), true);
  const double inputs = max_difference(dx1, dx2);
  report(forward <= rounding_bound<T>(Cols) && weights <= rounding_bound<T>(Samples + 1) &&
             inputs <= rounding_bound<T>(Rows),
         what, larger(forward, larger(weights, inputs)));
}

template <class F, class T>
void check_map(const char* what) {
  constexpr std::size_t n = 37;  // 9 vectors of 4 floats and a remainder
  const auto a = random_values<T, n>(6);
  const auto dy = random_values<T, n>(7);
  std::array<T, n> y1{}, y2{};
  simd_k::map<F, n>(a.data(), y1.data());
  plain_k::map<F, n>(a.data(), y2.data());
  auto da1 = random_values<T, n>(8);
  auto da2 = da1;
  simd_k::map_gradient<F, n>(a.data(), y2.data(), dy.data(), da1.data(), true);
  plain_k::map_gradient<F, n>(a.data(), y2.data(), dy.data(), da2.data(), true);
  const double d = larger(max_difference(y1, y2), max_difference(da1, da2));
  report(d <= rounding_bound<T>(4), what, d);
}

/// A whole training step with both kernel sets: same loss and gradients.
void check_training_step() {
  constexpr auto x = nn::input<"x", 37>;
  constexpr auto t = nn::target<"t", 3>;
  constexpr auto loss = nn::softmax_cross_entropy(
      nn::dense<3, "c">(nn::sigmoid(nn::dense<19, "b">(nn::relu(nn::dense<33, "a">(x))))), t);
  auto fast = nn::compile<7, float, simd_k>(loss);
  auto reference = nn::compile<7, float, plain_k>(loss);
  using model = decltype(fast);
  model::parameters params;
  model::inputs in;
  model::targets tgt;
  const auto w = random_values<float, model::parameters::total_size>(9);
  std::copy(w.begin(), w.end(), params.values().begin());
  const auto v = random_values<float, model::inputs::total_size>(10);
  std::copy(v.begin(), v.end(), in.values().begin());
  for (std::size_t s = 0; s < 7; ++s) tgt.values()[s * 3 + s % 3] = 1.0f;
  model::gradients g1, g2;
  const float l1 = fast.value_and_grad(params, in, tgt, g1);
  const float l2 = reference.value_and_grad(params, in, tgt, g2);
  double scale = 0, diff = 0;
  for (std::size_t i = 0; i < model::parameters::total_size; ++i) {
    scale = larger(scale, std::fabs(g2.values()[i]));
    diff = larger(diff, std::fabs(g1.values()[i] - g2.values()[i]));
  }
  report(std::fabs(l1 - l2) <= 1e-5f * std::fabs(l2) && diff <= 1e-5 * scale,
         "training step: simd kernels = plain loops (37-33-19-3)", diff);
}

/// nn::gradcheck (central differences in double) of a loss on random data.
template <std::size_t Batch = 3, class Loss>
void gradcheck(const char* what, const Loss& loss) {
  auto m = nn::compile<Batch, double>(loss);
  using model = decltype(m);
  typename model::parameters params;
  typename model::inputs in;
  typename model::targets tgt;
  random_source r{42};
  for (auto& w : params.values()) w = r.next();
  for (auto& v : in.values()) v = r.next();
  for (auto& v : tgt.values()) v = 0.5 + 0.5 * r.next();  // in [0, 1): bce and mse targets
  const auto result = nn::gradcheck(m, params, in, tgt, {.step = 1e-6, .absolute = 1e-9, .relative = 1e-6});
  report(result.passed && result.entries == model::parameters::total_size, what, result.worst_ratio);
}

template <class N>
constexpr auto probed(const N& n) {  // a node of any size turned into a loss
  return nn::sum(nn::hadamard(n, nn::input<"probe", N::size>));
}

void gradchecks() {
  constexpr auto x = nn::input<"x", 9>;
  constexpr auto z = nn::matmul(nn::param<"w", 6, 9>, x);
  constexpr auto z2 = nn::matmul(nn::param<"w2", 6, 9>, x);
  constexpr auto v = nn::param<"v", 6>;
  constexpr auto swish = [](auto u) { return u * tapeless::sigmoid(u); };
  gradcheck("gradcheck matmul", probed(z));
  gradcheck("gradcheck tanh", probed(nn::tanh(z)));
  gradcheck("gradcheck sigmoid", probed(nn::sigmoid(z)));
  gradcheck("gradcheck softplus", probed(nn::softplus(z)));
  gradcheck("gradcheck swish (user lambda)", probed(nn::map(z, swish)));
  gradcheck("gradcheck + - hadamard, broadcast parameter", probed(nn::hadamard(z + v, z2 - v)));
  gradcheck("gradcheck scale, sum, mean", nn::mean(nn::scale<3, 4>(nn::tanh(z))) + nn::sum(z2));
  constexpr auto h = nn::tanh(nn::dense<16, "fc2">(nn::tanh(nn::dense<16, "fc1">(x))));
  gradcheck("gradcheck mse, 9-16-16-4 tanh", nn::mse(nn::dense<4, "out">(h), nn::target<"t", 4>));
  gradcheck("gradcheck bce_with_logits", nn::bce_with_logits(nn::dense<3, "out">(h), nn::target<"t", 3>));
  gradcheck("gradcheck softmax cross-entropy, batch 5",
            nn::softmax_cross_entropy(nn::dense<5, "out">(h), nn::target<"t", 5>));
}

}  // namespace

int main() {
#if defined(__aarch64__)
  std::printf("xsimd architecture: %s (%zu floats, %zu doubles per batch)\n", xsimd::default_arch::name(),
              tapeless::simd::batch<float>::size, tapeless::simd::batch<double>::size);
#endif
  check_products<float, 8, 32, 4>("kernels float 8x32, 4 samples (whole tiles)");
  check_products<float, 7, 37, 5>("kernels float 7x37, 5 samples (remainders)");
  check_products<float, 13, 100, 9>("kernels float 13x100, 9 samples");
  check_products<double, 10, 33, 7>("kernels double 10x33, 7 samples");
  check_map<nn::tanh_fn, float>("map tanh, float");
  check_map<nn::sigmoid_fn, float>("map sigmoid, float");
  check_map<nn::softplus_fn, double>("map softplus, double");
  check_map<nn::relu_fn, float>("map relu, float");
  check_training_step();
  gradchecks();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
