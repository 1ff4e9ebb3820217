// expect: takes bindings
// evaluate takes bindings `var<"x"> = value`, not bare values.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(x, at);
#else
  return evaluate(x, x = at);
#endif
}
