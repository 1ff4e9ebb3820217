// Peer "openblas": backpropagation written by hand around OpenBLAS's cblas_sgemm (Debian's
// serial OpenBLAS, set to one thread), the code a user writes when the layers are wide
// enough for BLAS. Registered for the 784-wide networks only: on the tiny and small ones a
// BLAS call costs more than the whole product, and the loops and Eigen peers stand there.
// Layouts as in common.hpp: W row-major Out x In, batches sample-major (B x In), so
//   forward         Z  = X W^T      (B x Out)
//   input gradient  dX = dZ W       (B x In), before the update
//   weight gradient dW = dZ^T X     (Out x In)
// (at batch 1 sgemv, sgemv with the transpose and sger, as BLAS users write a single
// sample: OpenBLAS 0.3.21 runs a one-row sgemm about 10x slower than sgemv), and the bias,
// activation, loss and update are plain loops.

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "common.hpp"

namespace {

template <class C>
struct blas_net {
  static constexpr std::size_t B = C::batch, layers = C::layers;
  std::vector<float> params = std::vector<float>(C::parameter_count);
  std::vector<float> grad = std::vector<float>(C::parameter_count);  ///< same layout as params
  std::vector<float> x, t;
  std::vector<std::vector<float>> a, dz;  ///< per layer: output (activated but the last), its delta

  blas_net() {
    for (std::size_t l = 0; l < layers; ++l) {
      a.emplace_back(B * C::widths[l + 1]);
      dz.emplace_back(B * C::widths[l + 1]);
    }
  }

  const float* input_of(std::size_t l) const { return l == 0 ? x.data() : a[l - 1].data(); }
  float* weight(std::size_t l) { return params.data() + C::weight_offset(l); }
  float* bias(std::size_t l) { return params.data() + C::bias_offset(l); }

  void forward(std::size_t l) {
    const int in = int(C::widths[l]), out = int(C::widths[l + 1]);
    float* z = a[l].data();
    if constexpr (B == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, out, in, 1.0f, weight(l), in, input_of(l), 1, 0.0f, z, 1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(B), out, in, 1.0f, input_of(l), in, weight(l), in,
                  0.0f, z, out);
    const float* b = bias(l);
    const bool hidden = l + 1 < layers;
    for (std::size_t s = 0; s < B; ++s)
      for (int j = 0; j < out; ++j) {
        float& v = z[s * std::size_t(out) + std::size_t(j)];
        v += b[j];
        if (hidden) v = C::act == bench::activation::tanh ? std::tanh(v) : std::max(v, 0.0f);
      }
  }

  float loss_and_delta() {
    const std::size_t out = C::outputs;
    const float* y = a[layers - 1].data();
    float* d = dz[layers - 1].data();
    float loss = 0;
    if constexpr (C::loss == bench::loss_kind::mse) {
      for (std::size_t i = 0; i < B * out; ++i) {
        const float e = y[i] - t[i];
        loss += e * e;
        d[i] = 2.0f * e / float(B * out);
      }
      return loss / float(B * out);
    } else {
      for (std::size_t s = 0; s < B; ++s) {
        const float* z = y + s * out;
        const float top = *std::max_element(z, z + out);
        float total = 0;
        for (std::size_t j = 0; j < out; ++j) total += std::exp(z[j] - top);
        const float lse = top + std::log(total);
        for (std::size_t j = 0; j < out; ++j) {
          loss += t[s * out + j] * (lse - z[j]);
          d[s * out + j] = (std::exp(z[j] - lse) - t[s * out + j]) / float(B);
        }
      }
      return loss / float(B);
    }
  }

  void backward(std::size_t l, float rate) {
    const int in = int(C::widths[l]), out = int(C::widths[l + 1]);
    const float* d = dz[l].data();
    float* dw = grad.data() + C::weight_offset(l);
    float* db = grad.data() + C::bias_offset(l);
    if constexpr (B == 1) {
      std::fill(dw, dw + in * out, 0.0f);
      cblas_sger(CblasRowMajor, out, in, 1.0f, d, 1, input_of(l), 1, dw, in);
    } else {
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, int(B), 1.0f, d, out, input_of(l), in, 0.0f,
                  dw, in);
    }
    std::fill(db, db + out, 0.0f);
    for (std::size_t s = 0; s < B; ++s)
      for (int j = 0; j < out; ++j) db[j] += d[s * std::size_t(out) + std::size_t(j)];
    if (l > 0) {  // with the old weights
      float* below = dz[l - 1].data();
      if constexpr (B == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, out, in, 1.0f, weight(l), in, d, 1, 0.0f, below, 1);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(B), in, out, 1.0f, d, out, weight(l), in, 0.0f,
                    below, in);
      const float* y = a[l - 1].data();
      for (std::size_t i = 0; i < B * std::size_t(in); ++i)
        below[i] *= C::act == bench::activation::tanh ? 1.0f - y[i] * y[i] : (y[i] > 0.0f ? 1.0f : 0.0f);
    }
    cblas_saxpy(in * out, -rate, dw, 1, weight(l), 1);
    cblas_saxpy(out, -rate, db, 1, bias(l), 1);
  }

  float step(float rate) {
    for (std::size_t l = 0; l < layers; ++l) forward(l);
    const float loss = loss_and_delta();
    for (std::size_t l = layers; l-- > 0;) backward(l, rate);
    return loss;
  }

  void load(const bench::problem<C>& p) {
    params = p.params;
    x = p.x;
    t = p.t;
  }
};

template <class C>
void openblas_step(benchmark::State& state) {
  openblas_set_num_threads(1);
  static blas_net<C> net;
  bench::check_then_time<C>(state, net, [] { return std::span<const float>(net.grad); });
}

const int registered = [] {
  bench::register_all("openblas", []<class C>(const std::string& name) {
    if constexpr (C::inputs == 784) benchmark::RegisterBenchmark(name.c_str(), openblas_step<C>);
  });
  return 0;
}();

}  // namespace
