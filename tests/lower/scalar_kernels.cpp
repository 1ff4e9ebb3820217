// The SIMD kernels over the scalar batch, the one that targets without SIMD (Cortex-M)
// use: the same agreement with the plain loops as tests/lower/simd_kernels.cpp, on x86.

#define TAPELESS_SCALAR_SIMD
#include "simd_kernels.cpp"

#include <tapeless/eval/evaluate.hpp>
#include <tapeless/ops/activation.hpp>
#include <tapeless/simd/batch.hpp>

static_assert(!tapeless::simd::uses_xsimd, "TAPELESS_SCALAR_SIMD must select the scalar batch");
static_assert(tapeless::simd::batch<float>::size == 1);
static_assert(std::is_same_v<tapeless::simd::batch<double>, tapeless::simd::scalar_batch<double>>);

BOOST_AUTO_TEST_CASE(scalar_batch_operations) {
  using b = tapeless::simd::scalar_batch<float>;
  namespace simd = tapeless::simd;
  float out = 0;
  const float in = 1.5f;
  b::load_unaligned(&in).store_unaligned(&out);
  BOOST_TEST(out == 1.5f);
  BOOST_TEST((b(2.0f) * 3.0f - 1.0f).value == 5.0f);
  BOOST_TEST((2.0f / b(8.0f)).value == 0.25f);
  BOOST_TEST(simd::fma(b(2.0f), b(3.0f), b(1.0f)).value == 7.0f);
  BOOST_TEST(simd::hadd(b(4.0f)) == 4.0f);
  BOOST_TEST(simd::select(b(1.0f) > b(0.0f), b(1.0f), b(2.0f)).value == 1.0f);
  BOOST_TEST(simd::select(b(-1.0f) > b(0.0f), b(1.0f), b(2.0f)).value == 2.0f);
  BOOST_TEST(simd::max(b(-1.0f), b(3.0f)).value == 3.0f);
  BOOST_TEST(simd::min(b(-1.0f), b(3.0f)).value == -1.0f);
}

BOOST_AUTO_TEST_CASE(expressions_evaluate_on_the_scalar_batch) {
  using b = tapeless::simd::scalar_batch<double>;
  constexpr auto u = tapeless::var<"u">;
  const auto f = tapeless::tanh(u) * tapeless::sigmoid(u) + tapeless::softplus(u) - tapeless::relu(-u);
  for (double x : {-2.0, -0.5, 0.0, 0.75, 3.0})
    BOOST_TEST(tapeless::evaluate(f, u = b(x)).value == tapeless::evaluate(f, u = x),
               boost::test_tools::tolerance(1e-15));
}
