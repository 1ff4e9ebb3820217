// expect: requires 'f' to be a tapeless expression
// evaluate takes a tapeless expression (or a number), not a string.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate("x * x", x = at);
#else
  return evaluate(x * x, x = at);
#endif
}
