#define BOOST_TEST_MODULE train.clipping
#include <boost/test/unit_test.hpp>

// clip_by_value clamps; clip_by_global_norm leaves a set under the limit untouched, brings
// one over it to exactly the limit (to rounding) along the same direction, returns the norm
// before clipping, and on NaN or infinite gradients returns that and touches nothing.

#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <tapeless/nn/nodes.hpp>
#include <tapeless/nn/tensor_set.hpp>
#include <tapeless/train/clipping.hpp>

namespace {
namespace nn = tapeless::nn;
namespace train = tapeless::train;

template <class T>
using grads_t = nn::tensor_set<T, 1,
                               boost::mp11::mp_list<nn::param_node<"fc1.weight", 3, 2>, nn::param_node<"fc1.bias", 3, 1>,
                                                    nn::param_node<"fc2.weight", 1, 3>, nn::param_node<"fc2.bias", 1, 1>>>;
constexpr std::size_t n = 13;

template <class T>
grads_t<T> sample() {  // global norm sqrt(35.625)
  grads_t<T> g;
  const double v[n] = {1.0, -2.0, 0.5, 3.0, -1.0, 0.0, 0.25, -0.5, 2.0, -1.5, 1.0, 0.75, -3.5};
  for (std::size_t i = 0; i < n; ++i) g.values()[i] = static_cast<T>(v[i]);
  return g;
}

template <class T>
double norm_of(const grads_t<T>& g) {  // in long double, plainly
  long double s = 0;
  for (const T x : g.values()) s += static_cast<long double>(x) * x;
  return static_cast<double>(std::sqrt(s));
}
}  // namespace

BOOST_AUTO_TEST_CASE(by_value) {
  auto g = sample<float>();
  train::clip_by_value(g, 1.0f);
  const float want[n] = {1.0f, -1.0f, 0.5f, 1.0f, -1.0f, 0.0f, 0.25f, -0.5f, 1.0f, -1.0f, 1.0f, 0.75f, -1.0f};
  for (std::size_t i = 0; i < n; ++i) BOOST_TEST(g.values()[i] == want[i]);

  g.values()[0] = std::numeric_limits<float>::quiet_NaN();
  g.values()[1] = -std::numeric_limits<float>::infinity();
  train::clip_by_value(g, 0.5f);
  BOOST_TEST(std::isnan(g.values()[0]));  // NaN is not hidden
  BOOST_TEST(g.values()[1] == -0.5f);
}

BOOST_AUTO_TEST_CASE(global_norm_below_is_a_no_op) {
  auto g = sample<double>();
  const auto before = g;
  const double norm = train::clip_by_global_norm(g, 10.0);
  BOOST_TEST(std::fabs(norm - std::sqrt(35.625)) <= 1e-14);
  BOOST_TEST(std::memcmp(g.data(), before.data(), sizeof(double) * n) == 0);
  // At the limit exactly: no change either.
  const double at = train::clip_by_global_norm(g, norm);
  BOOST_TEST(at == norm);
  BOOST_TEST(std::memcmp(g.data(), before.data(), sizeof(double) * n) == 0);
}

using types = boost::mp11::mp_list<float, double>;

BOOST_AUTO_TEST_CASE_TEMPLATE(global_norm_above_clips_to_max_norm, T, types) {
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  auto g = sample<T>();
  const auto before = g;
  const T norm = train::clip_by_global_norm(g, T(2));
  BOOST_TEST(std::fabs(norm - std::sqrt(35.625)) <= tol * 6);
  BOOST_TEST(std::fabs(norm_of(g) - 2.0) <= tol * 2);  // the new global norm is max_norm
  // Same direction: every component scaled by the same positive factor 2 / norm.
  const double factor = 2.0 / std::sqrt(35.625);
  for (std::size_t i = 0; i < n; ++i)
    BOOST_TEST(std::fabs(g.values()[i] - factor * before.values()[i]) <= tol * std::fabs(before.values()[i]));
}

BOOST_AUTO_TEST_CASE(global_norm_is_over_all_tensors) {
  // Two tensors of norm 3 and 4: global norm 5, not either alone.
  grads_t<double> g;
  g.get<"fc1.weight">()[0] = 3;
  g.get<"fc2.weight">()[2] = -4;
  BOOST_TEST(train::clip_by_global_norm(g, 1.0) == 5.0);
  BOOST_TEST(std::fabs(g.get<"fc1.weight">()[0] - 0.6) <= 1e-15);
  BOOST_TEST(std::fabs(g.get<"fc2.weight">()[2] + 0.8) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(global_norm_of_zero_gradients) {
  grads_t<float> g;
  BOOST_TEST(train::clip_by_global_norm(g, 1.0f) == 0.0f);
  for (const float x : g.values()) BOOST_TEST(x == 0.0f);
}

BOOST_AUTO_TEST_CASE(global_norm_non_finite_leaves_gradients) {
  // NaN anywhere: NaN back, nothing changed (PyTorch would fill every gradient with NaN).
  auto g = sample<float>();
  g.values()[4] = std::numeric_limits<float>::quiet_NaN();
  g.values()[7] = std::numeric_limits<float>::infinity();
  auto before = g;
  BOOST_TEST(std::isnan(train::clip_by_global_norm(g, 1.0f)));
  BOOST_TEST(std::memcmp(g.data(), before.data(), sizeof(float) * n) == 0);

  // Infinity, no NaN: +infinity back, nothing changed.
  g = sample<float>();
  g.values()[2] = -std::numeric_limits<float>::infinity();
  before = g;
  const float norm = train::clip_by_global_norm(g, 1.0f);
  BOOST_TEST((std::isinf(norm) && norm > 0));
  BOOST_TEST(std::memcmp(g.data(), before.data(), sizeof(float) * n) == 0);
}

BOOST_AUTO_TEST_CASE(global_norm_without_overflow_or_underflow) {
  // Finite gradients whose squares overflow float: the norm overflows (returned as
  // +infinity), yet the clipped gradients are right.
  grads_t<float> g;
  g.values()[0] = 3e38f;
  g.values()[5] = -3e38f;
  const float norm = train::clip_by_global_norm(g, 1.0f);
  BOOST_TEST(std::isinf(norm));
  BOOST_TEST(std::fabs(g.values()[0] - 1 / std::sqrt(2.0)) <= 1e-6);
  BOOST_TEST(std::fabs(g.values()[5] + 1 / std::sqrt(2.0)) <= 1e-6);

  // Large but representable: the norm is right although its square is not a float.
  grads_t<float> h;
  h.values()[0] = 3e20f;
  h.values()[1] = 4e20f;
  BOOST_TEST(std::fabs(train::clip_by_global_norm(h, 1e30f) - 5e20) <= 5e20 * 1e-6);

  // Subnormal: squares underflow to 0 in float, the scaled sum does not.
  grads_t<float> s;
  s.values()[0] = 3e-40f;
  s.values()[1] = 4e-40f;
  const double want = std::sqrt(double(s.values()[0]) * s.values()[0] + double(s.values()[1]) * s.values()[1]);
  const float got = train::clip_by_global_norm(s, 1.0f);
  BOOST_TEST(got > 0.0f);
  BOOST_TEST(std::fabs(got - want) <= want * 1e-4);  // subnormals keep few digits
}
