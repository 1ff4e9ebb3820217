#ifndef TAPELESS_TRAIN_CLIP_BY_VALUE_HPP
#define TAPELESS_TRAIN_CLIP_BY_VALUE_HPP

#include <cstddef>

#include "detail/for_each_batch.hpp"

namespace tapeless::train {

/// Clamps every gradient to [-c, c] (c >= 0), tensor by tensor, element by element; this
/// changes the direction of the step, unlike clip_by_global_norm. NaN stays NaN, so that
/// a broken gradient is not hidden.
///
///   train::clip_by_value(grads, 1.0f);
template <class Params>
void clip_by_value(Params& grads, typename Params::value_type c) {
  using T = typename Params::value_type;
  T* g = grads.values().data();
  detail::for_each_batch<T>(grads.values().size(), [&](auto tag, std::size_t i) {
    using B = typename decltype(tag)::type;
    const B gi = B::load_unaligned(g + i);
    const auto above = gi > B(c), below = gi < B(-c);
    // Stores only what changes (clipping is the exception); selects, not min and max, whose
    // instructions do not keep a NaN operand.
    if (simd::any(above | below))
      simd::select(above, B(c), simd::select(below, B(-c), gi)).store_unaligned(g + i);
  });
}

}  // namespace tapeless::train

#endif
