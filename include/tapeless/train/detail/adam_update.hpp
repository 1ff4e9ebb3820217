#ifndef TAPELESS_TRAIN_DETAIL_ADAM_UPDATE_HPP
#define TAPELESS_TRAIN_DETAIL_ADAM_UPDATE_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace tapeless::train::detail {

/// The Adam update of Kingma & Ba (2015, Algorithm 1) at step t >= 1, shared by adam and
/// adamw, written as the paper and the brief state it:
///   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
///   mhat = m / (1 - b1^t),  vhat = v / (1 - b2^t)
///   w = w - rate mhat / (sqrt(vhat) + eps)
/// (PyTorch computes the same quantity as (rate / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t)
/// + eps): equal in exact arithmetic, the last bits may differ.)
template <class Params, class T>
void adam_update(Params& params, const Params& grads, Params& first, Params& second, std::uint64_t t,
                 T rate, T beta1, T beta2, T epsilon) {
  const T correction1 = T(1) - std::pow(beta1, static_cast<T>(t));
  const T correction2 = T(1) - std::pow(beta2, static_cast<T>(t));
  auto w = params.values();
  const auto g = grads.values();
  auto m = first.values();
  auto v = second.values();
  for (std::size_t i = 0; i < w.size(); ++i) {
    m[i] = beta1 * m[i] + (T(1) - beta1) * g[i];
    v[i] = beta2 * v[i] + (T(1) - beta2) * g[i] * g[i];
    const T m_hat = m[i] / correction1;
    const T v_hat = v[i] / correction2;
    w[i] -= rate * m_hat / (std::sqrt(v_hat) + epsilon);
  }
}

}  // namespace tapeless::train::detail

#endif
