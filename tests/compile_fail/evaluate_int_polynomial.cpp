// expect: evaluate with float, double, long double or xsimd::batch
// An int value is rejected even when the expression needs no function of it: evaluating
// x / (x + x) with int would silently use integer division.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double value_at(int at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(x / (x + x), x = at);
#else
  return evaluate(x / (x + x), x = static_cast<double>(at));
#endif
}
