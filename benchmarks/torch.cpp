// Peer "libtorch": the same MLP built from raw tensors with requires_grad (the weights in
// the flat layout of common.hpp: Out x In row-major, as torch's linear expects), autograd
// through loss.backward(), and a manual SGD update under NoGradGuard, as an optimizer
// would do it. One intra-op and one inter-op thread.

#include <torch/torch.h>

#include "common.hpp"

namespace {

void single_thread() {
  static const bool once = [] {
    torch::set_num_threads(1);
    try {
      at::set_num_interop_threads(1);  // allowed only before any inter-op work
    } catch (const std::exception&) {
    }
    return true;
  }();
  (void)once;
}

template <class C>
struct torch_net {
  std::vector<torch::Tensor> w, b;
  torch::Tensor x, t, labels;

  void load(const bench::problem<C>& p) {
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    w.clear();
    b.clear();
    for (std::size_t l = 0; l < C::layers; ++l) {
      const auto out = std::int64_t(C::widths[l + 1]), in = std::int64_t(C::widths[l]);
      w.push_back(torch::from_blob(const_cast<float*>(p.params.data() + C::weight_offset(l)), {out, in}, f32)
                      .clone()
                      .requires_grad_(true));
      b.push_back(torch::from_blob(const_cast<float*>(p.params.data() + C::bias_offset(l)), {out}, f32)
                      .clone()
                      .requires_grad_(true));
    }
    x = torch::from_blob(const_cast<float*>(p.x.data()), {std::int64_t(C::batch), std::int64_t(C::inputs)}, f32)
            .clone();
    t = torch::from_blob(const_cast<float*>(p.t.data()), {std::int64_t(C::batch), std::int64_t(C::outputs)}, f32)
            .clone();
    std::vector<std::int64_t> classes(p.labels.begin(), p.labels.end());
    labels = torch::tensor(classes, torch::kInt64);
  }

  /// Forward, loss and backward: the gradients are left in .grad().
  torch::Tensor loss_and_backward() {
    torch::Tensor h = x;
    for (std::size_t l = 0; l < C::layers; ++l) {
      h = torch::nn::functional::linear(h, w[l], b[l]);
      if (l + 1 < C::layers) h = C::act == bench::activation::tanh ? torch::tanh(h) : torch::relu(h);
    }
    torch::Tensor loss = C::loss == bench::loss_kind::mse ? torch::mse_loss(h, t)
                                                          : torch::nn::functional::cross_entropy(h, labels);
    loss.backward();
    return loss;
  }

  float step(float rate) {
    const torch::Tensor loss = loss_and_backward();
    torch::NoGradGuard no_grad;
    for (std::size_t l = 0; l < C::layers; ++l)
      for (auto* p : {&w[l], &b[l]}) {
        p->sub_(p->grad(), rate);
        p->mutable_grad().zero_();
      }
    return loss.item<float>();
  }

  std::vector<float> flat_gradient() {
    std::vector<float> g(C::parameter_count);
    for (std::size_t l = 0; l < C::layers; ++l) {
      const auto gw = w[l].grad().contiguous(), gb = b[l].grad().contiguous();
      std::copy_n(gw.data_ptr<float>(), gw.numel(), g.begin() + C::weight_offset(l));
      std::copy_n(gb.data_ptr<float>(), gb.numel(), g.begin() + C::bias_offset(l));
    }
    return g;
  }
};

template <class C>
void torch_step(benchmark::State& state) {
  single_thread();
  torch_net<C> net;
  const auto problem = bench::make_problem<C>();
  net.load(problem);
  const float loss = net.loss_and_backward().template item<float>();
  if (!bench::matches_reference<C>(state, loss, net.flat_gradient())) return;
  net.load(problem);
  float rate = bench::learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(net.step(rate));
    rate = -rate;
  }
  bench::set_counters<C>(state);
}

const int registered = [] {
  bench::register_all("libtorch", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), torch_step<C>);
  });
  return 0;
}();

}  // namespace
