#ifndef TAPELESS_DIFF_GRADIENT_HPP
#define TAPELESS_DIFF_GRADIENT_HPP

#include <boost/hana/tuple.hpp>

#include "d.hpp"

namespace tapeless {

/// gradient(f, v1, v2, ...): the partial derivatives (d(f, v1), d(f, v2), ...) as a
/// `boost::hana::tuple` of expressions; `evaluate` takes it as a whole.
struct gradient_t {
  template <class F, class... V>
  auto operator()(const F& f, const V&... v) const {
    static_assert(sizeof...(V) > 0, "tapeless::gradient(f, v...) needs at least one variable");
    return boost::hana::make_tuple(d(f, v)...);
  }
};
inline constexpr gradient_t gradient{};

}  // namespace tapeless

#endif
