// expect: not bound
// Every variable of the expression must be bound: here y is not.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(x + y, x = at);
#else
  return evaluate(x + y, x = at, y = 2.0);
#endif
}
