#ifndef TAPELESS_TRAIN_CLIP_BY_GLOBAL_NORM_HPP
#define TAPELESS_TRAIN_CLIP_BY_GLOBAL_NORM_HPP

#include <cmath>
#include <limits>

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
  auto g = grads.values();
  T largest = 0;
  bool infinite = false;
  for (const T x : g) {
    if (std::isnan(x)) return std::numeric_limits<T>::quiet_NaN();
    if (std::isinf(x)) infinite = true;
    else if (std::fabs(x) > largest) largest = std::fabs(x);
  }
  if (infinite) return std::numeric_limits<T>::infinity();
  if (largest == T(0)) return T(0);
  // sum((x / largest)^2) lies in [1, size]: no overflow, no underflow of what matters. (A
  // division, not a product with 1 / largest, which overflows for a subnormal largest.)
  T sum = 0;
  for (const T x : g) {
    const T scaled = x / largest;
    sum += scaled * scaled;
  }
  const T root = std::sqrt(sum);
  const T norm = largest * root;
  if (norm > max_norm) {
    const T factor = (max_norm / largest) / root;  // max_norm / norm without forming norm
    for (T& x : g) x *= factor;
  }
  return norm;
}

}  // namespace tapeless::train

#endif
