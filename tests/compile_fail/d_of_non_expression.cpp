// expect: requires 'f' to be a tapeless expression or a number
// d(f, v) differentiates tapeless expressions (or numbers), not strings.
#include <string>

#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

double derivative_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  return evaluate(d(std::string("x * x"), x), x = at);
#else
  return evaluate(d(x * x, x), x = at);
#endif
}
