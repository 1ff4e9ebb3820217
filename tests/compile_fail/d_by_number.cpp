// expect: requires 'v' to be a variable
// d(f, v) differentiates by a variable only, not by a number.
#include <tapeless/tapeless.hpp>

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;

double derivative_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(d(x * x, 3), x = at);
#else
  return evaluate(d(x * x, x), x = at);
#endif
}
