// expect: requires 'e' to be a tapeless expression
// to_string prints tapeless expressions, not numbers.
#include <string>

#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;

std::string text() {
#ifdef TAPELESS_SHOULD_FAIL
  return to_string(2.5);
#else
  return to_string(2.5 * x);
#endif
}
