// Peer "adolc": ADOL-C 2.7 operator overloading (adouble, double precision only: ADOL-C has
// no float tape). The loss as a function of all parameters (the independents; inputs and
// targets are constants on the tape) is recorded once per configuration with
// trace_on/trace_off; each step replays that tape with gradient(tag, n, params, grad), a
// forward and a reverse sweep over it, then updates the parameters.

#include <adolc/adolc.h>

#include <memory>

#include "common.hpp"

namespace {

/// Records the loss of C on the problem's batch as tape `tag`. Buffers sized to keep the
/// whole tape in memory (no tape files): about 3 operations per multiply-add of the forward
/// sweep (multiply, add, and the ones around it).
template <class C>
void record(short tag, const bench::problem<C>& prob) {
  const double forward_macs = [] {
    double m = 0;
    for (std::size_t l = 0; l < C::layers; ++l) m += double(C::batch) * C::widths[l] * C::widths[l + 1];
    return m;
  }();
  const double ops = std::min(3.0 * forward_macs + 64.0 * C::batch * 1024 + 65536, 1.0e9);
  trace_on(tag, 0, unsigned(ops), unsigned(std::min(3 * ops, 4.0e9)), unsigned(ops), unsigned(ops));
  std::vector<adouble> p(C::parameter_count);
  for (std::size_t i = 0; i < C::parameter_count; ++i) p[i] <<= prob.params[i];
  adouble loss = 0;
  for (std::size_t s = 0; s < C::batch; ++s) {
    const float* x = prob.x.data() + s * C::inputs;  // constants on the tape
    const float* t = prob.t.data() + s * C::outputs;
    std::vector<adouble> h;
    for (std::size_t l = 0; l < C::layers; ++l) {
      const std::size_t in = C::widths[l], out = C::widths[l + 1];
      std::vector<adouble> z(out);
      for (std::size_t o = 0; o < out; ++o) {
        adouble acc = p[C::bias_offset(l) + o];
        const adouble* row = p.data() + C::weight_offset(l) + o * in;
        if (l == 0)
          for (std::size_t i = 0; i < in; ++i) acc += row[i] * double(x[i]);
        else
          for (std::size_t i = 0; i < in; ++i) acc += row[i] * h[i];
        if (l + 1 < C::layers) z[o] = C::act == bench::activation::tanh ? tanh(acc) : fmax(acc, 0.0);
        else z[o] = acc;
      }
      h = std::move(z);
    }
    if constexpr (C::loss == bench::loss_kind::mse) {
      for (std::size_t k = 0; k < C::outputs; ++k) {
        adouble e = h[k] - double(t[k]);
        loss += e * e;
      }
    } else {  // log-sum-exp; the logits are O(1) here, so no shift is needed
      adouble total = 0;
      for (std::size_t k = 0; k < C::outputs; ++k) total += exp(h[k]);
      const adouble lse = log(total);
      for (std::size_t k = 0; k < C::outputs; ++k)
        if (t[k] != 0) loss += double(t[k]) * (lse - h[k]);
    }
  }
  loss = C::loss == bench::loss_kind::mse ? loss / double(C::outputs * C::batch) : loss / double(C::batch);
  double value = 0;
  loss >>= value;
  trace_off();
}

/// The tape of the configuration being benchmarked: recorded at its first benchmark run,
/// removed when another configuration needs one (the 784-wide tapes take gigabytes).
short current_tag = 0;
const void* current_config = nullptr;

template <class C>
short tape_for(const bench::problem<C>& prob) {
  static const char id = 0;
  if (current_config != &id) {
    if (current_tag != 0) removeTape(current_tag, ADOLC_REMOVE_COMPLETELY);
    current_tag = static_cast<short>(current_tag + 1);
    record<C>(current_tag, prob);
    current_config = &id;
  }
  return current_tag;
}

template <class C>
void adolc_step(benchmark::State& state) {
  const auto prob = bench::make_problem<C>();
  const short tag = tape_for<C>(prob);
  std::vector<double> p(prob.params.begin(), prob.params.end()), g(C::parameter_count);
  // Check: the loss and the gradient at the starting point.
  double loss = 0;
  ::function(tag, 1, int(C::parameter_count), p.data(), &loss);
  gradient(tag, int(C::parameter_count), p.data(), g.data());
  const std::vector<float> gf(g.begin(), g.end());
  if (!bench::matches_reference<C>(state, float(loss), gf)) return;
  double rate = bench::learning_rate;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gradient(tag, int(C::parameter_count), p.data(), g.data()));
    for (std::size_t i = 0; i < C::parameter_count; ++i) p[i] -= rate * g[i];
    rate = -rate;
    benchmark::ClobberMemory();
  }
  bench::set_counters<C>(state);
}

const int registered = [] {
  bench::register_all("adolc", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), adolc_step<C>);
  });
  return 0;
}();

}  // namespace
