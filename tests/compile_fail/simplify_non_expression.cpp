// expect: requires 'e' to be a tapeless expression
// simplify takes a tapeless expression, not a number.
#include <tapeless/tapeless.hpp>

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(simplify(1.0) * x, x = at);
#else
  return evaluate(simplify(x * 1_c), x = at);
#endif
}
