// expect: bound more than once
// A variable may be bound only once.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(x, x = at, x = 2.0);
#else
  return evaluate(x, x = at);
#endif
}
