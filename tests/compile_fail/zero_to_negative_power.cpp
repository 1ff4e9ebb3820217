// expect: the constant zero raised to a negative power
// Simplifying 0^-1 stops compilation.
#include <tapeless/tapeless.hpp>

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(simplify(x + pow<-1>(0_c)), x = at);
#else
  return evaluate(simplify(x + pow<-1>(2_c)), x = at);
#endif
}
