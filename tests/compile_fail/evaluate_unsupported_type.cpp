// expect: evaluate with float, double, long double or xsimd::batch
// Expressions are evaluated with float, double or xsimd::batch values, not with int.
#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double value_at(int at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(tanh(x), x = at);
#else
  return evaluate(tanh(x), x = static_cast<double>(at));
#endif
}
