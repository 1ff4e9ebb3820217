#define BOOST_TEST_MODULE train.schedules
#include <boost/test/unit_test.hpp>

// Each schedule at chosen steps against its formula written out here (powers by repeated
// products, the cosine from its definition), in long double.

#include <cmath>
#include <cstdint>
#include <tapeless/train/schedules.hpp>
#include <type_traits>

namespace {
namespace train = tapeless::train;
using ld = long double;
const ld pi = 3.141592653589793238462643383279502884L;

bool close(double got, ld want, ld tolerance = 1e-14L) {
  return std::fabs(static_cast<ld>(got) - want) <= tolerance * (std::fabs(want) > 1 ? std::fabs(want) : 1);
}
}  // namespace

BOOST_AUTO_TEST_CASE(step_decay_at_steps) {
  const train::step_decay schedule{0.1, 0.5, 100};
  static_assert(std::is_same_v<decltype(schedule(0)), double>);
  for (const std::uint64_t step : {0u, 1u, 99u, 100u, 101u, 199u, 200u, 250u, 1000u}) {
    ld want = 0.1L;
    for (std::uint64_t k = 0; k < step / 100; ++k) want *= 0.5L;  // 0.1 * 0.5^floor(step / 100)
    BOOST_TEST(close(schedule(step), want), "step " << step);
  }
  BOOST_TEST(schedule(99) == 0.1);
  BOOST_TEST(schedule(100) == 0.05);
}

BOOST_AUTO_TEST_CASE(step_decay_float) {
  const train::step_decay schedule{0.2f, 0.1f, 3};
  static_assert(std::is_same_v<decltype(schedule(0)), float>);
  BOOST_TEST(close(schedule(2), 0.2L, 1e-7L));
  BOOST_TEST(close(schedule(3), 0.02L, 1e-6L));
  BOOST_TEST(close(schedule(7), 0.002L, 1e-6L));
}

BOOST_AUTO_TEST_CASE(cosine_at_steps) {
  const train::cosine schedule{0.1, 1000, 0.001};
  for (const std::uint64_t step : {0u, 1u, 250u, 500u, 750u, 999u, 1000u, 1001u, 5000u}) {
    const ld t = step > 1000 ? 1000 : static_cast<ld>(step);
    const ld want = 0.001L + (0.1L - 0.001L) * (1 + std::cos(pi * t / 1000)) / 2;
    BOOST_TEST(close(schedule(step), want), "step " << step);
  }
  BOOST_TEST(schedule(0) == 0.1);
  BOOST_TEST(close(schedule(500), 0.0505L));
  BOOST_TEST(schedule(1000) == 0.001);
  BOOST_TEST(schedule(123456) == 0.001);
  // Decreasing all the way.
  for (std::uint64_t s = 0; s < 1000; ++s) BOOST_TEST(schedule(s + 1) <= schedule(s));
}

BOOST_AUTO_TEST_CASE(cosine_default_floor_is_zero) {
  const train::cosine schedule{1.0f, 10};
  BOOST_TEST(schedule(10) == 0.0f);
  BOOST_TEST(close(schedule(5), 0.5L, 1e-6L));
}

BOOST_AUTO_TEST_CASE(linear_warmup_then_inner) {
  const train::cosine inner{0.1, 1000, 0.0};
  const train::linear_warmup schedule{inner, 10};
  for (std::uint64_t step = 0; step < 10; ++step)  // 0.1 (step + 1) / 10
    BOOST_TEST(close(schedule(step), 0.1L * static_cast<ld>(step + 1) / 10), "step " << step);
  BOOST_TEST(schedule(0) > 0.0);
  BOOST_TEST(close(schedule(9), 0.1L));
  for (const std::uint64_t step : {10u, 11u, 510u, 1010u, 2000u})
    BOOST_TEST(schedule(step) == inner(step - 10), "step " << step);
}

BOOST_AUTO_TEST_CASE(linear_warmup_wraps_any_callable) {
  const auto constant = [](std::uint64_t) { return 0.5f; };
  const train::linear_warmup schedule{constant, 4};
  BOOST_TEST(schedule(0) == 0.125f);
  BOOST_TEST(schedule(1) == 0.25f);
  BOOST_TEST(schedule(3) == 0.5f);
  BOOST_TEST(schedule(100) == 0.5f);

  const train::linear_warmup none{train::step_decay{0.1, 0.5, 2}, 0};
  BOOST_TEST(none(0) == 0.1);
  BOOST_TEST(none(2) == 0.05);
}
