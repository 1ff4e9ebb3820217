// expect: division by the constant zero
// Simplifying a division by the exact constant 0 stops compilation (d simplifies its
// result, so d(x / (x - x), x) stops the same way).
#include <tapeless/tapeless.hpp>

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(simplify(x / 0_c), x = at);
#else
  return evaluate(simplify(x / 2_c), x = at);
#endif
}
