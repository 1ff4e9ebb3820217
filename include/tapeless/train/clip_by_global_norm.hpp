#ifndef TAPELESS_TRAIN_CLIP_BY_GLOBAL_NORM_HPP
#define TAPELESS_TRAIN_CLIP_BY_GLOBAL_NORM_HPP

#include <cmath>
#include <cstddef>

#include "detail/for_each_batch.hpp"
#include "detail/l2_norm.hpp"

namespace tapeless::train {

/// Scales all gradients by one factor so that their global L2 norm (over every tensor at
/// once, as if concatenated) is at most max_norm, keeping the direction of the step
/// (Pascanu et al. 2013; PyTorch's clip_grad_norm_). Returns the norm before clipping.
///
///   const float norm = train::clip_by_global_norm(grads, 1.0f);
///   if (std::isfinite(norm)) opt.step(params, grads);   // else skip this batch
///
/// - norm <= max_norm: the gradients are left as they are.
/// - norm > max_norm: every gradient is multiplied by max_norm / norm.
/// - a gradient is NaN or infinite: the gradients are left as they are and the result is
///   NaN (any NaN) or +infinity (infinities, no NaN), so that the caller sees it and skips
///   the step. (PyTorch, by default, multiplies by max_norm / NaN and so fills every
///   gradient with NaN.)
/// - finite gradients whose norm overflows T (two of them near the largest float): they are
///   still clipped correctly, since the norm is computed scaled by the largest magnitude,
///   and the result is +infinity, the norm rounded to T.
template <class Params>
typename Params::value_type clip_by_global_norm(Params& grads, typename Params::value_type max_norm) {
  using T = typename Params::value_type;
  T* g = grads.values().data();
  const std::size_t n = grads.values().size();
  const detail::scaled_norm<T> parts = detail::l2_norm_scaled(g, n);
  if (!std::isfinite(parts.largest) || parts.largest == T(0)) return parts.largest;
  const T norm = parts.norm();
  if (norm > max_norm) {
    // max_norm / norm without forming norm
    const T factor = (max_norm / parts.largest) / parts.root;
    detail::for_each_batch<T>(n, [&](auto tag, std::size_t i) {
      using B = typename decltype(tag)::type;
      (B::load_unaligned(g + i) * factor).store_unaligned(g + i);
    });
  }
  return norm;
}

}  // namespace tapeless::train

#endif
