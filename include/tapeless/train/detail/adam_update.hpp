#ifndef TAPELESS_TRAIN_DETAIL_ADAM_UPDATE_HPP
#define TAPELESS_TRAIN_DETAIL_ADAM_UPDATE_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "for_each_batch.hpp"

namespace tapeless::train::detail {

/// The Adam update of Kingma & Ba (2015, Algorithm 1) at step t >= 1, shared by adam and
/// adamw, written as the paper and the brief state it:
///   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
///   mhat = m / (1 - b1^t),  vhat = v / (1 - b2^t)
///   w = shrink w - rate mhat / (sqrt(vhat) + eps)
/// with shrink = 1 - rate lambda for adamw's decoupled decay (done in the same pass) and 1
/// for adam (w 1 - u is exactly w - u). (PyTorch computes the same quantity as
/// (rate / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps): equal in exact arithmetic, the
/// last bits may differ.) On batches (for_each_batch.hpp); each "x y + z" above is one
/// simd::fma, rounded once where the target has FMA.
template <class Params, class T>
void adam_update(Params& params, const Params& grads, Params& first, Params& second, std::uint64_t t,
                 T rate, T beta1, T beta2, T epsilon, T shrink = T(1)) {
  const T correction1 = T(1) - std::pow(beta1, static_cast<T>(t));
  const T correction2 = T(1) - std::pow(beta2, static_cast<T>(t));
  const T one_minus_beta1 = T(1) - beta1, one_minus_beta2 = T(1) - beta2;
  T* w = params.values().data();
  const T* g = grads.values().data();
  T* m = first.values().data();
  T* v = second.values().data();
  for_each_batch<T>(params.values().size(), [&](auto tag, std::size_t i) {
    using B = typename decltype(tag)::type;
    const B gi = B::load_unaligned(g + i);
    const B mi = simd::fma(B(beta1), B::load_unaligned(m + i), one_minus_beta1 * gi);
    const B vi = simd::fma(B(beta2), B::load_unaligned(v + i), one_minus_beta2 * gi * gi);
    mi.store_unaligned(m + i);
    vi.store_unaligned(v + i);
    const B m_hat = mi / correction1;
    const B v_hat = vi / correction2;
    const B u = rate * m_hat / (simd::sqrt(v_hat) + epsilon);
    simd::fma(B::load_unaligned(w + i), B(shrink), -u).store_unaligned(w + i);
  });
}

}  // namespace tapeless::train::detail

#endif
