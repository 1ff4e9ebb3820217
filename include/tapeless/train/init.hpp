#ifndef TAPELESS_TRAIN_INIT_HPP
#define TAPELESS_TRAIN_INIT_HPP

#include <cmath>
#include <cstddef>

#include "detail/tensor_role.hpp"
#include "random.hpp"

/// Weight initialization: the fan-scaled schemes of Glorot (xavier_*), He (he_*) and LeCun
/// (lecun_*), and naive fills (uniform, normal) that ignore the fans, to show why the others
/// exist. They share one rule, so they share this header: every weight gets values of mean 0
/// and variance scale / fan, from a uniform or a normal distribution, and every bias is zero.
///
///   train::random rng{42};
///   train::he_normal(params, rng);   // ReLU network
///
/// Which tensors are weights: "<layer>.weight" always, "<layer>.bias" never, any other
/// tensor when it has more than one column. A weight of shape rows x cols (dense: fan_out x
/// fan_in) has fan_in = cols and fan_out = rows, as in PyTorch. Values are drawn tensor by
/// tensor in the set's order, row-major, one draw each, so the same seed gives the same bits
/// everywhere (see random).
///
/// The variances (PyTorch's torch.nn.init with default arguments; a uniform draw on [-a, a]
/// has variance a^2 / 3):
///   xavier_uniform, xavier_normal   gain^2 * 2 / (fan_in + fan_out)     (Glorot & Bengio 2010)
///   he_uniform, he_normal           2 / fan_in    (He et al. 2015, "fan_in" mode, ReLU gain)
///   lecun_uniform, lecun_normal     1 / fan_in                          (LeCun et al. 1998)
/// The normal schemes draw from the full normal distribution, as PyTorch does (Keras
/// truncates at two standard deviations and rescales).
namespace tapeless::train {

namespace detail {

enum class distribution { uniform, normal };

/// Fills every weight with draws of mean 0 and variance variance(fan_in, fan_out), and every
/// bias with zero.
template <class Params, class Variance>
void variance_scaling(Params& params, random& rng, distribution d, Variance variance) {
  using T = typename Params::value_type;
  T* values = params.data();
  for (std::size_t i = 0; i < Params::count; ++i) {
    T* tensor = values + Params::offsets[i];
    const std::size_t size = Params::sizes[i];
    if (!is_weight<Params>(i)) {
      for (std::size_t k = 0; k < size; ++k) tensor[k] = T(0);
      continue;
    }
    const double var = variance(static_cast<double>(Params::cols[i]), static_cast<double>(Params::rows[i]));
    if (d == distribution::uniform) {
      const double bound = std::sqrt(3.0 * var);
      for (std::size_t k = 0; k < size; ++k) tensor[k] = static_cast<T>(rng.uniform(-bound, bound));
    } else {
      const double stddev = std::sqrt(var);
      for (std::size_t k = 0; k < size; ++k) tensor[k] = static_cast<T>(rng.normal(0.0, stddev));
    }
  }
}

inline auto glorot(double gain) {
  return [gain](double fan_in, double fan_out) { return gain * gain * 2.0 / (fan_in + fan_out); };
}
inline double he(double fan_in, double) { return 2.0 / fan_in; }
inline double lecun(double fan_in, double) { return 1.0 / fan_in; }

}  // namespace detail

/// Glorot uniform: weights from U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)); biases 0.
template <class Params>
void xavier_uniform(Params& params, random& rng, double gain = 1.0) {
  detail::variance_scaling(params, rng, detail::distribution::uniform, detail::glorot(gain));
}

/// Glorot normal: weights from N(0, gain^2 2 / (fan_in + fan_out)); biases 0.
template <class Params>
void xavier_normal(Params& params, random& rng, double gain = 1.0) {
  detail::variance_scaling(params, rng, detail::distribution::normal, detail::glorot(gain));
}

/// He (Kaiming) uniform, fan_in mode: weights from U(-a, a), a = sqrt(6 / fan_in); biases 0.
template <class Params>
void he_uniform(Params& params, random& rng) {
  detail::variance_scaling(params, rng, detail::distribution::uniform, detail::he);
}

/// He (Kaiming) normal, fan_in mode: weights from N(0, 2 / fan_in); biases 0.
template <class Params>
void he_normal(Params& params, random& rng) {
  detail::variance_scaling(params, rng, detail::distribution::normal, detail::he);
}

/// LeCun uniform: weights from U(-a, a), a = sqrt(3 / fan_in); biases 0.
template <class Params>
void lecun_uniform(Params& params, random& rng) {
  detail::variance_scaling(params, rng, detail::distribution::uniform, detail::lecun);
}

/// LeCun normal: weights from N(0, 1 / fan_in); biases 0 (SELU networks).
template <class Params>
void lecun_normal(Params& params, random& rng) {
  detail::variance_scaling(params, rng, detail::distribution::normal, detail::lecun);
}

/// Naive: every value, weights and biases alike, from U(a, b), whatever the layer sizes.
template <class Params>
void uniform(Params& params, typename Params::value_type a, typename Params::value_type b, random& rng) {
  using T = typename Params::value_type;
  for (T& w : params.values()) w = rng.uniform(a, b);
}

/// Naive: every value, weights and biases alike, from N(0, stddev^2), whatever the layer
/// sizes: with stddev = 1 the activations of a wide tanh network saturate and its gradients
/// vanish.
template <class Params>
void normal(Params& params, typename Params::value_type stddev, random& rng) {
  using T = typename Params::value_type;
  for (T& w : params.values()) w = rng.normal(T(0), stddev);
}

}  // namespace tapeless::train

#endif
