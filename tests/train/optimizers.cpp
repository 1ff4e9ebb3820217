#define BOOST_TEST_MODULE train.optimizers
#include <boost/test/unit_test.hpp>

// The first three steps of every optimizer against its published update rule, computed
// again here with plain loops in long double on a small parameter set, for float and
// double parameters, with a different gradient at each step. The reference reads the
// hyperparameters as the optimizer holds them (rounded to T), so what remains is rounding:
// within 1e-6 (float) and 1e-14 (double) of max(1, |value|).

#include <array>
#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tapeless/nn/nodes.hpp>
#include <tapeless/nn/tensor_set.hpp>
#include <tapeless/train/optimizers.hpp>
#include <type_traits>
#include <vector>

namespace {

namespace nn = tapeless::nn;
namespace train = tapeless::train;

template <class T>
using params_t = nn::tensor_set<T, 1,
                                boost::mp11::mp_list<nn::param_node<"fc1.weight", 2, 3>, nn::param_node<"fc1.bias", 2, 1>,
                                                     nn::param_node<"fc2.weight", 1, 2>, nn::param_node<"fc2.bias", 1, 1>>>;
constexpr std::size_t n = 11;
static_assert(params_t<float>::total_size == n);

using ld = long double;
using values = std::array<ld, n>;

constexpr values initial{0.5L, -0.25L, 1.0L, -1.5L, 0.75L, 0.125L, 0.1L, -0.2L, 1.25L, -0.6L, 0.05L};
// Three different gradients, with a zero and mixed signs and scales.
constexpr std::array<values, 3> gradients{{
    {0.3L, -1.2L, 0.0L, 2.5L, -0.01L, 0.7L, -0.4L, 0.05L, 1.1L, -3.0L, 0.2L},
    {-0.1L, -0.8L, 0.0L, 1.5L, 0.02L, 0.6L, 0.4L, -0.05L, 0.9L, -2.0L, -0.2L},
    {0.2L, 0.4L, 0.0L, -0.5L, 0.03L, 0.5L, -0.3L, 0.01L, 0.7L, 1.0L, 0.1L},
}};

template <class T>
constexpr ld tolerance = std::is_same_v<T, float> ? 1e-6L : 1e-14L;

template <class T>
ld as_held(double x) {
  return static_cast<ld>(static_cast<T>(x));
}

template <class T>
params_t<T> make(const values& v) {
  params_t<T> p;
  for (std::size_t i = 0; i < n; ++i) p.values()[i] = static_cast<T>(v[i]);
  return p;
}

template <class T>
void check_close(const params_t<T>& got, const values& want, const char* what, int step) {
  for (std::size_t i = 0; i < n; ++i) {
    const ld g = got.values()[i];
    const ld w = want[i];
    const ld scale = std::fabs(w) > 1 ? std::fabs(w) : 1;
    BOOST_TEST(std::fabs(g - w) <= tolerance<T> * scale, what << " step " << step << " element " << i << ": "
                                                                << static_cast<double>(g) << " vs "
                                                                << static_cast<double>(w));
  }
}

/// Runs three steps of Optimizer and, after each, compares the parameters (and the state,
/// through `check_state`) with `reference`, which advances its own copy by one step.
template <class T, class Optimizer, class Reference>
void run_three_steps(Optimizer& opt, Reference reference, const char* what) {
  auto params = make<T>(initial);
  values w = initial;
  for (int t = 0; t < 3; ++t) {
    const auto grads = make<T>(gradients[t]);
    // The reference reads the gradients as T holds them.
    values g{};
    for (std::size_t i = 0; i < n; ++i) g[i] = grads.values()[i];
    opt.step(params, grads);
    reference(w, g, t + 1, opt);
    check_close<T>(params, w, what, t + 1);
    BOOST_TEST(opt.steps() == static_cast<std::uint64_t>(t + 1));
  }
}

}  // namespace

using types = boost::mp11::mp_list<float, double>;

BOOST_AUTO_TEST_CASE_TEMPLATE(sgd_matches_formula, T, types) {
  train::sgd<params_t<T>> opt{static_cast<T>(0.1)};
  const ld rate = as_held<T>(0.1);
  run_three_steps<T>(opt, [&](values& w, const values& g, int, auto&) {
    for (std::size_t i = 0; i < n; ++i) w[i] = w[i] - rate * g[i];  // w = w - lr g
  }, "sgd");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(momentum_matches_formula, T, types) {
  for (const bool nesterov : {false, true}) {
    train::momentum<params_t<T>> opt({.rate = 0.05, .momentum = 0.9, .nesterov = nesterov});
    const ld rate = as_held<T>(0.05), mu = as_held<T>(0.9);
    values v{};
    run_three_steps<T>(opt, [&](values& w, const values& g, int, auto& o) {
      for (std::size_t i = 0; i < n; ++i) {
        v[i] = mu * v[i] + g[i];                   // v = mu v + g
        if (nesterov) w[i] = w[i] - rate * (g[i] + mu * v[i]);  // w = w - lr (g + mu v)
        else w[i] = w[i] - rate * v[i];            // w = w - lr v
      }
      for (std::size_t i = 0; i < n; ++i) {
        const ld got = o.velocity().values()[i];
        BOOST_TEST(std::fabs(got - v[i]) <= tolerance<T> * (std::fabs(v[i]) > 1 ? std::fabs(v[i]) : 1));
      }
    }, nesterov ? "nesterov" : "momentum");
  }
}

namespace {
/// Kingma & Ba, Algorithm 1, written out: the reference step of adam and (after the decay)
/// adamw.
struct adam_reference {
  ld rate, b1, b2, eps;
  values m{}, v{};
  void operator()(values& w, const values& g, int t) {
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      ld b1t = 1, b2t = 1;
      for (int k = 0; k < t; ++k) {  // b^t by repeated products
        b1t *= b1;
        b2t *= b2;
      }
      const ld m_hat = m[i] / (1 - b1t);
      const ld v_hat = v[i] / (1 - b2t);
      w[i] = w[i] - rate * m_hat / (std::sqrt(v_hat) + eps);
    }
  }
  template <class T, class Optimizer>
  void check_state(const Optimizer& o) const {
    for (std::size_t i = 0; i < n; ++i) {
      BOOST_TEST(std::fabs(o.first_moment().values()[i] - m[i]) <= tolerance<T> * (1 + std::fabs(m[i])));
      BOOST_TEST(std::fabs(o.second_moment().values()[i] - v[i]) <= tolerance<T> * (1 + std::fabs(v[i])));
    }
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(adam_matches_formula, T, types) {
  // A large rate, so that the steps move the parameters well beyond the tolerance.
  train::adam<params_t<T>> opt({.rate = 0.1, .beta1 = 0.9, .beta2 = 0.999, .epsilon = 1e-8});
  adam_reference ref{as_held<T>(0.1), as_held<T>(0.9), as_held<T>(0.999), as_held<T>(1e-8)};
  run_three_steps<T>(opt, [&](values& w, const values& g, int t, auto& o) {
    ref(w, g, t);
    ref.check_state<T>(o);
  }, "adam");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adam_other_betas, T, types) {
  train::adam<params_t<T>> opt({.rate = 0.03, .beta1 = 0.5, .beta2 = 0.75, .epsilon = 1e-3});
  adam_reference ref{as_held<T>(0.03), as_held<T>(0.5), as_held<T>(0.75), as_held<T>(1e-3)};
  run_three_steps<T>(opt, [&](values& w, const values& g, int t, auto&) { ref(w, g, t); }, "adam (0.5, 0.75)");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adamw_matches_formula, T, types) {
  train::adamw<params_t<T>> opt({.rate = 0.1, .beta1 = 0.9, .beta2 = 0.999, .epsilon = 1e-8, .weight_decay = 0.2});
  adam_reference ref{as_held<T>(0.1), as_held<T>(0.9), as_held<T>(0.999), as_held<T>(1e-8)};
  const ld decay = as_held<T>(0.2);
  run_three_steps<T>(opt, [&](values& w, const values& g, int t, auto& o) {
    for (std::size_t i = 0; i < n; ++i) w[i] = w[i] - ref.rate * decay * w[i];  // decoupled decay
    ref(w, g, t);
    ref.check_state<T>(o);
  }, "adamw");
}

BOOST_AUTO_TEST_CASE(adamw_without_decay_is_adam) {
  train::adamw<params_t<double>> a({.rate = 0.1, .weight_decay = 0});
  train::adam<params_t<double>> b({.rate = 0.1});
  auto p = make<double>(initial), q = make<double>(initial);
  for (const auto& g : gradients) {
    a.step(p, make<double>(g));
    b.step(q, make<double>(g));
  }
  for (std::size_t i = 0; i < n; ++i) BOOST_TEST(p.values()[i] == q.values()[i]);
}

BOOST_AUTO_TEST_CASE(set_rate_takes_effect_on_the_next_step) {
  // A scheduled rate: momentum's step is rate * v with the rate of that step.
  train::momentum<params_t<double>> opt({.rate = 0.1, .momentum = 0.5});
  auto p = make<double>(initial);
  opt.step(p, make<double>(gradients[0]));
  opt.set_rate(0.01);
  BOOST_TEST(opt.rate() == 0.01);
  const auto before = p;
  opt.step(p, make<double>(gradients[1]));
  for (std::size_t i = 0; i < n; ++i) {
    const double v = 0.5 * static_cast<double>(gradients[0][i]) + static_cast<double>(gradients[1][i]);
    BOOST_TEST(std::fabs(p.values()[i] - (before.values()[i] - 0.01 * v)) <= 1e-15);
  }
}

BOOST_AUTO_TEST_CASE(state_for_checkpoints) {
  using P = params_t<float>;
  train::adam<P> a({.rate = 0.1});
  auto p = make<float>(initial);
  a.step(p, make<float>(gradients[0]));
  a.step(p, make<float>(gradients[1]));

  // Save through for_each_state, restore into a fresh optimizer, and both continue alike.
  std::vector<std::string_view> names;
  std::vector<P> saved;
  a.for_each_state([&](std::string_view name, const P& set) {
    names.push_back(name);
    saved.push_back(set);
  });
  BOOST_TEST(names.size() == 2u);
  BOOST_TEST(names[0] == "first_moment");
  BOOST_TEST(names[1] == "second_moment");

  train::adam<P> b({.rate = 0.1});
  std::size_t k = 0;
  b.for_each_state([&](std::string_view, P& set) { set = saved[k++]; });
  b.set_steps(a.steps());
  auto q = p;
  a.step(p, make<float>(gradients[2]));
  b.step(q, make<float>(gradients[2]));
  for (std::size_t i = 0; i < n; ++i) BOOST_TEST(p.values()[i] == q.values()[i]);

  train::momentum<P> m;
  int count = 0;
  m.for_each_state([&](std::string_view name, P&) {
    BOOST_TEST(name == "velocity");
    ++count;
  });
  train::sgd<P> s{0.1f};
  s.for_each_state([&](std::string_view, P&) { ++count; });
  BOOST_TEST(count == 1);

  a.reset();
  BOOST_TEST(a.steps() == 0u);
  for (const float x : a.first_moment().values()) BOOST_TEST(x == 0.0f);
}

BOOST_AUTO_TEST_CASE(state_is_sized_at_compile_time) {
  // No heap: the optimizer is the parameter-sized sets and a few scalars.
  using P = params_t<float>;
  static_assert(sizeof(train::adam<P>) >= 2 * sizeof(P));
  static_assert(sizeof(train::adam<P>) <= 2 * sizeof(P) + 64);
  static_assert(sizeof(train::momentum<P>) <= sizeof(P) + 32);
  static_assert(sizeof(train::sgd<P>) <= 16);
  BOOST_TEST(true);
}
