#define BOOST_TEST_MODULE nn.backprop_reference
#include <boost/test/unit_test.hpp>

// The model's loss and gradient compared with backpropagation written out by hand, with
// plain loops, for two-layer networks: 3-5-2 with tanh and softmax cross-entropy, and 3-5-2
// with sigmoid and mean squared error, on a batch of 4. Unlike gradcheck, which differences
// the model's own forward sweep, this also checks the forward sweep, and it checks the
// gradient to rounding error rather than to a finite-difference tolerance.

#include <algorithm>
#include <array>
#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <tapeless/nn.hpp>
#include <tuple>

#include "support.hpp"

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

constexpr std::size_t batch = 4, n_in = 3, n_hidden = 5, n_out = 2;

/// The parameters and data of the hand-written network, in double, laid out as the model
/// lays them out: weights row-major (output x input), samples one after another.
struct reference_net {
  std::array<double, n_hidden * n_in> w1{};
  std::array<double, n_hidden> b1{};
  std::array<double, n_out * n_hidden> w2{};
  std::array<double, n_out> b2{};
  std::array<double, batch * n_in> x{};
  std::array<double, batch * n_out> t{};
};

struct reference_result {
  double loss = 0;
  reference_net grad;  ///< only the parameter members are used
};

enum class hidden_kind { tanh, sigmoid };
enum class loss_kind { softmax_cross_entropy, mse };

/// Loss and gradient of  z = W2 f(W1 x + b1) + b2  with  L = mean over the batch of
/// softmax CE (z, t)  or  mean_i (z_i - t_i)^2, by the textbook reverse sweep.
reference_result backprop(const reference_net& n, hidden_kind hidden, loss_kind kind) {
  reference_result r;
  for (std::size_t s = 0; s < batch; ++s) {
    const double* x = &n.x[s * n_in];
    const double* t = &n.t[s * n_out];
    // Forward.
    double h[n_hidden];
    for (std::size_t j = 0; j < n_hidden; ++j) {
      double a = n.b1[j];
      for (std::size_t i = 0; i < n_in; ++i) a += n.w1[j * n_in + i] * x[i];
      h[j] = hidden == hidden_kind::tanh ? std::tanh(a) : 1 / (1 + std::exp(-a));
    }
    double z[n_out];
    for (std::size_t k = 0; k < n_out; ++k) {
      z[k] = n.b2[k];
      for (std::size_t j = 0; j < n_hidden; ++j) z[k] += n.w2[k * n_hidden + j] * h[j];
    }
    // Loss of the sample and dL/dz (the 1/batch of the mean included).
    double dz[n_out];
    if (kind == loss_kind::softmax_cross_entropy) {
      double top = z[0];
      for (std::size_t k = 1; k < n_out; ++k) top = std::max(top, z[k]);
      double total = 0;
      for (std::size_t k = 0; k < n_out; ++k) total += std::exp(z[k] - top);
      const double log_total = top + std::log(total);
      for (std::size_t k = 0; k < n_out; ++k) {
        r.loss += t[k] * (log_total - z[k]) / batch;
        dz[k] = (std::exp(z[k] - log_total) - t[k]) / batch;  // targets sum to 1
      }
    } else {
      for (std::size_t k = 0; k < n_out; ++k) {
        const double e = z[k] - t[k];
        r.loss += e * e / n_out / batch;
        dz[k] = 2 * e / n_out / batch;
      }
    }
    // Backward.
    double dh[n_hidden] = {};
    for (std::size_t k = 0; k < n_out; ++k) {
      r.grad.b2[k] += dz[k];
      for (std::size_t j = 0; j < n_hidden; ++j) {
        r.grad.w2[k * n_hidden + j] += dz[k] * h[j];
        dh[j] += n.w2[k * n_hidden + j] * dz[k];
      }
    }
    for (std::size_t j = 0; j < n_hidden; ++j) {
      const double slope = hidden == hidden_kind::tanh ? 1 - h[j] * h[j] : h[j] * (1 - h[j]);
      const double da = dh[j] * slope;
      r.grad.b1[j] += da;
      for (std::size_t i = 0; i < n_in; ++i) r.grad.w1[j * n_in + i] += da * x[i];
    }
  }
  return r;
}

reference_net random_net(std::uint64_t seed, loss_kind kind) {
  random_source random{seed};
  reference_net n;
  for (auto& v : n.w1) v = random.uniform(-1.0, 1.0);
  for (auto& v : n.x) v = random.uniform(-1.0, 1.0);
  for (auto& v : n.b1) v = random.uniform(-1.0, 1.0);
  for (auto& v : n.w2) v = random.uniform(-1.0, 1.0);
  for (auto& v : n.b2) v = random.uniform(-1.0, 1.0);
  if (kind == loss_kind::mse) {
    for (auto& v : n.t) v = random.uniform(-1.0, 1.0);
  } else {  // soft targets: a distribution per sample
    for (std::size_t s = 0; s < batch; ++s) {
      const double p = random.uniform(0.0, 1.0);
      n.t[s * n_out] = p;
      n.t[s * n_out + 1] = 1 - p;
    }
  }
  return n;
}

constexpr auto x = nn::input<"x", n_in>;
constexpr auto t = nn::target<"t", n_out>;
constexpr auto tanh_softmax_loss =
    nn::softmax_cross_entropy(nn::dense<n_out, "fc2">(nn::tanh(nn::dense<n_hidden, "fc1">(x))), t);
constexpr auto sigmoid_mse_loss =
    nn::mse(nn::dense<n_out, "fc2">(nn::sigmoid(nn::dense<n_hidden, "fc1">(x))), t);

template <class Dst, class Src>
void copy_into(Dst dst, const Src& src) {
  static_assert(decltype(dst)::extent == std::tuple_size_v<Src>);
  using T = typename decltype(dst)::element_type;
  for (std::size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<T>(src[i]);
}

/// Loads the reference network into the model's sets (converting to the model's type).
template <class Params, class Inputs, class Targets>
void load(const reference_net& n, Params& p, Inputs& in, Targets& tgt) {
  copy_into(p.template get<"fc1.weight">(), n.w1);
  copy_into(p.template get<"fc1.bias">(), n.b1);
  copy_into(p.template get<"fc2.weight">(), n.w2);
  copy_into(p.template get<"fc2.bias">(), n.b2);
  copy_into(in.template get<"x">(), n.x);
  copy_into(tgt.template get<"t">(), n.t);
}

/// |a - b| <= relative max(|a|, |b|) + absolute.
bool close(double a, double b, double relative, double absolute) {
  return std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b)) + absolute;
}

/// Every entry of the model's gradient (of type T) against the reference.
template <class Grads>
void compare_gradients(const Grads& g, const reference_result& ref, double relative,
                       double absolute) {
  const auto compare = [&](const char* name, auto model, const auto& expected) {
    for (std::size_t i = 0; i < expected.size(); ++i)
      BOOST_TEST(close(model[i], expected[i], relative, absolute),
                 name << "[" << i << "]: model " << model[i] << ", reference " << expected[i]);
  };
  compare("fc1.weight", g.template get<"fc1.weight">(), ref.grad.w1);
  compare("fc1.bias", g.template get<"fc1.bias">(), ref.grad.b1);
  compare("fc2.weight", g.template get<"fc2.weight">(), ref.grad.w2);
  compare("fc2.bias", g.template get<"fc2.bias">(), ref.grad.b2);
}

// In double, the model and the reference do the same arithmetic up to the order of a few
// operations (1 - y^2 against 1 - y y, exp(z - lse) against a normalized exponential), so
// they agree to a few ulps: 1e-12 relative, with no absolute slack.
constexpr double double_tolerance = 1e-12;

template <class Kernels, class Loss>
void check_double(const Loss& loss, hidden_kind hidden, loss_kind kind) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      const auto net = random_net(seed, kind);
      const auto ref = backprop(net, hidden, kind);
      auto m = nn::compile<batch, double, Kernels>(loss);
      typename decltype(m)::parameters p;
      typename decltype(m)::gradients g;
      typename decltype(m)::inputs in;
      typename decltype(m)::targets tgt;
      load(net, p, in, tgt);
      const double value = m.value_and_grad(p, in, tgt, g);
      BOOST_TEST(close(value, ref.loss, double_tolerance, 0),
                 "loss: model " << value << ", reference " << ref.loss);
      BOOST_TEST(close(m.value(p, in, tgt), ref.loss, double_tolerance, 0));
      compare_gradients(g, ref, double_tolerance, 0);
    }
  }
}

// A float model against the reference computed in double from the same (float-rounded)
// parameters: the float sweeps round each of a few dozen operations to 6e-8 relative, with
// some cancellation in the sums; 1e-5 relative plus 1e-6 absolute (for entries near 0)
// holds with a margin and still catches any wrong rule or index.
template <class Kernels, class Loss>
void check_float(const Loss& loss, hidden_kind hidden, loss_kind kind) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      auto net = random_net(seed, kind);
      const auto to_float = [](auto& values) {
        for (auto& v : values) v = static_cast<float>(v);
      };
      to_float(net.w1), to_float(net.b1), to_float(net.w2), to_float(net.b2);
      to_float(net.x), to_float(net.t);
      const auto ref = backprop(net, hidden, kind);
      auto m = nn::compile<batch, float, Kernels>(loss);
      typename decltype(m)::parameters p;
      typename decltype(m)::gradients g;
      typename decltype(m)::inputs in;
      typename decltype(m)::targets tgt;
      load(net, p, in, tgt);
      const float value = m.value_and_grad(p, in, tgt, g);
      BOOST_TEST(close(value, ref.loss, 1e-5, 1e-6),
                 "loss: model " << value << ", reference " << ref.loss);
      compare_gradients(g, ref, 1e-5, 1e-6);
    }
  }
}

}  // namespace

// Both kernel policies: the default SIMD kernels and the plain reference loops.
using kernel_policies = boost::mp11::mp_list<tapeless::lower::simd_kernels, nn::plain_kernels>;

BOOST_AUTO_TEST_CASE_TEMPLATE(tanh_softmax_cross_entropy_double, Kernels, kernel_policies) {
  check_double<Kernels>(tanh_softmax_loss, hidden_kind::tanh, loss_kind::softmax_cross_entropy);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sigmoid_mse_double, Kernels, kernel_policies) {
  check_double<Kernels>(sigmoid_mse_loss, hidden_kind::sigmoid, loss_kind::mse);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tanh_softmax_cross_entropy_float, Kernels, kernel_policies) {
  check_float<Kernels>(tanh_softmax_loss, hidden_kind::tanh, loss_kind::softmax_cross_entropy);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sigmoid_mse_float, Kernels, kernel_policies) {
  check_float<Kernels>(sigmoid_mse_loss, hidden_kind::sigmoid, loss_kind::mse);
}

BOOST_AUTO_TEST_CASE(reference_is_not_trivial) {
  // The comparison means something only if the gradients are not all (nearly) zero.
  for (auto kind : {loss_kind::softmax_cross_entropy, loss_kind::mse}) {
    const auto ref = backprop(random_net(1, kind), hidden_kind::tanh, kind);
    double smallest_layer_max = 1;
    for (const double* begin : {ref.grad.w1.data(), ref.grad.w2.data()}) {
      double largest = 0;
      for (std::size_t i = 0; i < 10; ++i) largest = std::max(largest, std::abs(begin[i]));
      smallest_layer_max = std::min(smallest_layer_max, largest);
    }
    BOOST_TEST(smallest_layer_max > 1e-3);
  }
}
