// expect: requires 'v' to be a variable
// gradient(f, v...) differentiates by variables only.
#include <boost/hana/at.hpp>

#include <tapeless/tapeless.hpp>

using namespace tapeless;

constexpr auto x = var<"x">;
constexpr auto y = var<"y">;

double value_at(double at) {
#ifdef TAPELESS_SHOULD_FAIL
  const auto g = evaluate(gradient(x * y, x, 2 * y), x = at, y = 2.0);
  return boost::hana::at_c<0>(g) + boost::hana::at_c<1>(g);
#else
  const auto g = evaluate(gradient(x * y, x, y), x = at, y = 2.0);
  return boost::hana::at_c<0>(g) + boost::hana::at_c<1>(g);
#endif
}
