#define BOOST_TEST_MODULE lower_simd_kernels
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <random>

#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn.hpp>

// The SIMD kernels must agree with the plain reference loops within float rounding, for
// sizes that fill whole tiles and for every kind of remainder (rows, columns, samples).

namespace nn = tapeless::nn;
using simd = tapeless::lower::simd_kernels;
using plain = nn::plain_kernels;

namespace {

template <std::size_t N>
std::array<float, N> random_values(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::array<float, N> a{};
  for (auto& v : a) v = u(rng);
  return a;
}

// Float sums of K products of magnitude <= 1, added in another order, differ by at most
// about K eps times the sum of the magnitudes (<= K): 4 K^2 eps is a safe bound.
template <std::size_t N>
void check_close(const std::array<float, N>& a, const std::array<float, N>& b, std::size_t terms) {
  const float bound = static_cast<float>(terms) * 4 * 1.2e-7f * static_cast<float>(terms);
  for (std::size_t i = 0; i < N; ++i) BOOST_TEST(std::abs(a[i] - b[i]) <= bound, "at " << i);
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
void check_products() {
  const auto w = random_values<Rows * Cols>(1);
  const auto x = random_values<Samples * Cols>(2);
  const auto dy = random_values<Samples * Rows>(3);

  std::array<float, Samples * Rows> y_simd{}, y_plain{};
  simd::matmul<Rows, Cols, Samples>(w.data(), x.data(), y_simd.data());
  plain::matmul<Rows, Cols, Samples>(w.data(), x.data(), y_plain.data());
  check_close(y_simd, y_plain, Cols);

  auto dw_simd = random_values<Rows * Cols>(4);  // accumulates into existing values
  auto dw_plain = dw_simd;
  simd::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw_simd.data(), true);
  plain::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw_plain.data(), true);
  check_close(dw_simd, dw_plain, Samples + 1);

  auto dx_simd = random_values<Samples * Cols>(5);
  auto dx_plain = dx_simd;
  simd::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx_simd.data(), true);
  plain::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx_plain.data(), true);
  check_close(dx_simd, dx_plain, Rows + 1);

  // The first contribution overwrites whatever the buffer held.
  auto dw_first = random_values<Rows * Cols>(6);
  std::array<float, Rows * Cols> dw_zero{};
  simd::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw_first.data(), false);
  plain::matmul_weight_gradient<Rows, Cols, Samples>(dy.data(), x.data(), dw_zero.data(), true);
  check_close(dw_first, dw_zero, Samples);
  auto dx_first = random_values<Samples * Cols>(7);
  std::array<float, Samples * Cols> dx_zero{};
  simd::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx_first.data(), false);
  plain::matmul_input_gradient<Rows, Cols, Samples>(w.data(), dy.data(), dx_zero.data(), true);
  check_close(dx_first, dx_zero, Rows);
}

}  // namespace

BOOST_AUTO_TEST_CASE(products_on_whole_tiles) {
  check_products<8, 32, 4>();
  check_products<16, 64, 8>();
}

BOOST_AUTO_TEST_CASE(products_with_remainders) {
  check_products<1, 1, 1>();
  check_products<3, 5, 1>();
  check_products<7, 37, 5>();
  check_products<10, 128, 3>();
  check_products<13, 100, 9>();
}

BOOST_AUTO_TEST_CASE(elementwise_maps) {
  const auto a = random_values<37>(6);
  const auto dy = random_values<37>(7);
  std::array<float, 37> y_simd{}, y_plain{};
  simd::map<nn::tanh_fn, 37>(a.data(), y_simd.data());
  plain::map<nn::tanh_fn, 37>(a.data(), y_plain.data());
  check_close(y_simd, y_plain, 4);
  auto da_simd = random_values<37>(8);
  auto da_plain = da_simd;
  simd::map_gradient<nn::tanh_fn, 37>(a.data(), y_plain.data(), dy.data(), da_simd.data(), true);
  plain::map_gradient<nn::tanh_fn, 37>(a.data(), y_plain.data(), dy.data(), da_plain.data(), true);
  check_close(da_simd, da_plain, 4);
}

BOOST_AUTO_TEST_CASE(whole_training_step_matches_plain_loops) {
  constexpr auto x = nn::input<"x", 37>;
  constexpr auto t = nn::target<"t", 3>;
  constexpr auto loss = nn::softmax_cross_entropy(
      nn::dense<3, "c">(nn::sigmoid(nn::dense<19, "b">(nn::relu(nn::dense<33, "a">(x))))), t);
  auto fast = nn::compile<7, float, simd>(loss);
  auto reference = nn::compile<7, float, plain>(loss);
  using model_t = decltype(fast);
  static_assert(std::is_same_v<model_t::parameters, decltype(reference)::parameters>);

  model_t::parameters params;
  model_t::inputs inputs;
  model_t::targets targets;
  const auto w = random_values<model_t::parameters::total_size>(9);
  std::copy(w.begin(), w.end(), params.values().begin());
  const auto in = random_values<model_t::inputs::total_size>(10);
  std::copy(in.begin(), in.end(), inputs.values().begin());
  for (std::size_t s = 0; s < 7; ++s) targets.values()[s * 3 + s % 3] = 1.0f;

  model_t::gradients g_fast, g_reference;
  const float l_fast = fast.value_and_grad(params, inputs, targets, g_fast);
  const float l_reference = reference.value_and_grad(params, inputs, targets, g_reference);
  BOOST_TEST(l_fast == l_reference, boost::test_tools::tolerance(1e-5f));

  // Gradients agree to float rounding relative to the gradient's overall scale.
  double norm = 0;
  for (float g : g_reference.values()) norm = std::max(norm, static_cast<double>(std::abs(g)));
  for (std::size_t i = 0; i < model_t::parameters::total_size; ++i)
    BOOST_TEST(std::abs(g_fast.values()[i] - g_reference.values()[i]) <= 1e-5 * norm, "entry " << i);
}
