#ifndef TAPELESS_EMBEDDED_TINY_MLP_HPP
#define TAPELESS_EMBEDDED_TINY_MLP_HPP

// The network of the embedded builds: 8 inputs, two hidden layers of 32 tanh units, 4
// linear outputs, mean squared error; a batch of 8 samples. Everything lives in static
// storage; nothing here allocates, throws or prints, so the same code runs on a Cortex-M4
// (cortex_m4/) and in a host test built with -fno-exceptions -fno-rtti
// (tests/freestanding/training_step.cpp).

#include <cstddef>
#include <cstdint>

#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn/model.hpp>
#include <tapeless/nn/nodes.hpp>
#include <tapeless/nn/plain_kernels.hpp>

namespace tiny_mlp {

namespace nn = tapeless::nn;

inline constexpr auto x = nn::input<"x", 8>;
inline constexpr auto t = nn::target<"t", 4>;
inline constexpr auto output =
    nn::dense<4, "fc3">(nn::tanh(nn::dense<32, "fc2">(nn::tanh(nn::dense<32, "fc1">(x)))));
inline constexpr auto loss = nn::mse(output, t);

// The default kernels (register-blocked, over the one-lane scalar batch on a Cortex-M), or
// with TINY_MLP_PLAIN_KERNELS the reference loops: the same results, less code.
#if defined(TINY_MLP_PLAIN_KERNELS)
using kernels = nn::plain_kernels;
#else
using kernels = tapeless::lower::simd_kernels;
#endif

inline constexpr std::size_t batch = 8;
using model = decltype(nn::compile<batch, float, kernels>(loss));

/// A value in [-1, 1) from an index and a seed: a cheap integer hash, so that filling the
/// sets needs no random-number code (nor double arithmetic, which is soft-float on a
/// Cortex-M4F).
inline float hashed(std::uint32_t i, std::uint32_t seed) {
  std::uint32_t h = (i + 1) * 0x9e3779b9u ^ seed * 0x85ebca6bu;
  h ^= h >> 16;
  h *= 0x7feb352du;
  h ^= h >> 15;
  return static_cast<float>(h >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

/// Parameters in [-scale, scale): a stand-in for trained weights kept in flash.
inline void fill_parameters(model::parameters& params, float scale, std::uint32_t seed) {
  auto w = params.values();
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = scale * hashed(static_cast<std::uint32_t>(i), seed);
}

/// Inputs in [-1, 1), and targets that are a smooth function of them for the network to
/// learn: t_k = (x_k x_{k+4} + x_{2k mod 8}) / 2.
inline void fill_batch(model::inputs& in, model::targets& tgt, std::uint32_t seed) {
  auto xs = in.values();
  auto ts = tgt.values();
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = hashed(static_cast<std::uint32_t>(i), seed);
  for (std::size_t s = 0; s < batch; ++s)
    for (std::size_t k = 0; k < 4; ++k)
      ts[s * 4 + k] = 0.5f * (xs[s * 8 + k] * xs[s * 8 + k + 4] + xs[s * 8 + (2 * k) % 8]);
}

/// One training step: the loss before the update, and plain gradient descent on every
/// parameter.
inline float train_step(model& m, model::parameters& params, model::gradients& grads,
                        const model::inputs& in, const model::targets& tgt, float rate) {
  const float l = m.value_and_grad(params, in, tgt, grads);
  nn::sgd_step(params, grads, rate);
  return l;
}

}  // namespace tiny_mlp

#endif
