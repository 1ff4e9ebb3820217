// The body of train.update_lanes and train.update_lanes_scalar (the same checks, built with
// simd::batch = xsimd's batch and with TAPELESS_SCALAR_SIMD, the one-lane batch).
//
// The optimizers, clipping and norms run their loops on simd::batch with a scalar remainder
// (train/detail/for_each_batch.hpp). On sets of 1, 7, 8, 9 and 33 elements (no whole batch,
// batches and a remainder, whole batches only, for 2 to 16 lanes), float and double:
// - three steps of every optimizer match the published rule, computed in long double, to
//   rounding (1e-6 for float, 1e-14 for double, relative to max(1, |value|), as
//   optimizers.cpp), parameters and state;
// - the set of n elements ends exactly where n sets of one element (the scalar path alone)
//   end: every lane computes what the remainder computes, bit for bit;
// - clip_by_value clamps exactly and keeps a NaN in any lane; the norms and
//   clip_by_global_norm match long double, and a NaN or an infinity at any position is
//   reported (NaN first).
// Both programs checking against the same references, the vectorized build and the scalar
// one agree with each other.

#include <array>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tapeless/nn/nodes.hpp>
#include <tapeless/nn/tensor_set.hpp>
#include <tapeless/train/clipping.hpp>
#include <tapeless/train/gradient_norms.hpp>
#include <tapeless/train/optimizers.hpp>
#include <type_traits>
#include <vector>

namespace {

namespace nn = tapeless::nn;
namespace train = tapeless::train;
namespace mp = boost::mp11;
using ld = long double;

template <class T, std::size_t N>
using set_t = nn::tensor_set<T, 1, mp::mp_list<nn::param_node<"w", N, 1>>>;
/// Two tensors, the second starting where no batch boundary falls, for the per-tensor norms.
template <class T, std::size_t N>
using pair_t = nn::tensor_set<T, 1, mp::mp_list<nn::param_node<"a.weight", N, 1>, nn::param_node<"a.bias", 5, 1>>>;

using sizes = mp::mp_list_c<std::size_t, 1, 7, 8, 9, 33>;
using types = mp::mp_list<float, double>;

template <class T>
constexpr ld tolerance = std::is_same_v<T, float> ? 1e-6L : 1e-14L;

template <class T>
ld as_held(double x) {
  return static_cast<ld>(static_cast<T>(x));
}

/// Parameters in [-1, 1], gradients of mixed signs and scales with zeros, step t = 0, 1, 2.
inline double initial(std::size_t i) { return static_cast<double>(static_cast<int>((i * 37) % 17) - 8) / 8.0; }
inline double gradient(std::size_t i, int t) {
  return static_cast<double>(static_cast<int>((i * 13 + 5 * static_cast<std::size_t>(t)) % 11) - 5) / 4.0 *
         (t == 1 ? 0.01 : 1.0);
}

template <class Set>
Set filled(double (*f)(std::size_t, int), int t, std::size_t first = 0) {
  Set s;
  for (std::size_t i = 0; i < Set::total_size; ++i) s.values()[i] = static_cast<typename Set::value_type>(f(first + i, t));
  return s;
}
inline double initial_at(std::size_t i, int) { return initial(i); }

void check_close(ld got, ld want, ld tol, const char* what, std::size_t n, std::size_t i) {
  const ld scale = std::fabs(want) > 1 ? std::fabs(want) : 1;
  BOOST_TEST(std::fabs(got - want) <= tol * scale, what << " n=" << n << " element " << i << ": "
                                                        << static_cast<double>(got) << " vs "
                                                        << static_cast<double>(want));
}

/// Lane (or remainder of a longer set) against the scalar path alone, to rounding: a few
/// units in the last place of max(1, |value|). Not bit for bit: the scalar batch's fma is
/// a * b + c, which g++ (-ffp-contract=fast) contracts into one FMA instruction or not,
/// around one product or the other, depending on the surrounding code; xsimd's is the
/// instruction itself.
template <class T>
void check_same(T lanes, T scalar, const char* what, std::size_t n, std::size_t i) {
  const T scale = std::fabs(scalar) > 1 ? std::fabs(scalar) : 1;
  BOOST_TEST(std::fabs(lanes - scalar) <= 4 * std::numeric_limits<T>::epsilon() * scale,
             what << " n=" << n << " element " << i << ": lanes " << lanes << ", scalar path " << scalar);
}

/// The published rules in long double, over n elements, with the hyperparameters as held.
struct reference {
  enum kind { sgd, momentum, nesterov, adam, adamw } k = sgd;
  ld rate = 0, mu = 0, b1 = 0, b2 = 0, eps = 0, decay = 0;
  std::vector<ld> w{}, m{}, v{};  // v: momentum's velocity or Adam's second moment
  void step(const std::vector<ld>& g, int t) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      switch (k) {
        case sgd: w[i] -= rate * g[i]; break;
        case momentum:
        case nesterov:
          v[i] = mu * v[i] + g[i];
          w[i] -= rate * (k == nesterov ? g[i] + mu * v[i] : v[i]);
          break;
        case adam:
        case adamw: {
          if (k == adamw) w[i] -= rate * decay * w[i];
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          const ld m_hat = m[i] / (1 - std::pow(b1, static_cast<ld>(t)));
          const ld v_hat = v[i] / (1 - std::pow(b2, static_cast<ld>(t)));
          w[i] -= rate * m_hat / (std::sqrt(v_hat) + eps);
          break;
        }
      }
    }
  }
};

/// The optimizer's state sets (velocity, or both moments) as one list, for comparisons.
template <class Optimizer, class Set>
std::vector<const Set*> state_of(const Optimizer& o) {
  std::vector<const Set*> sets;
  o.for_each_state([&](auto, const Set& s) { sets.push_back(&s); });
  return sets;
}

/// Three steps of `make()` on a set of N elements, of N optimizers on one element each, and
/// of the reference; compares all three.
template <class T, std::size_t N, class Make>
void check_optimizer(Make make, reference ref, const char* what) {
  using S = set_t<T, N>;
  using one = set_t<T, 1>;
  auto params = filled<S>(initial_at, 0);
  auto opt = make(S{});
  std::vector<one> singles(N);
  std::vector<decltype(make(one{}))> single_opts;
  for (std::size_t i = 0; i < N; ++i) {
    singles[i] = filled<one>(initial_at, 0, i);
    single_opts.push_back(make(one{}));
  }
  ref.w.assign(N, 0);
  ref.m.assign(N, 0);
  ref.v.assign(N, 0);
  for (std::size_t i = 0; i < N; ++i) ref.w[i] = params.values()[i];
  for (int t = 0; t < 3; ++t) {
    const auto grads = filled<S>(gradient, t);
    opt.step(params, grads);
    for (std::size_t i = 0; i < N; ++i) single_opts[i].step(singles[i], filled<one>(gradient, t, i));
    std::vector<ld> g(N);
    for (std::size_t i = 0; i < N; ++i) g[i] = grads.values()[i];
    ref.step(g, t + 1);

    const auto state = state_of<decltype(opt), S>(opt);
    for (std::size_t i = 0; i < N; ++i) {
      check_close(params.values()[i], ref.w[i], tolerance<T>, what, N, i);
      check_same(params.values()[i], singles[i].values()[0], what, N, i);
      const auto single_state = state_of<decltype(single_opts[i]), one>(single_opts[i]);
      for (std::size_t s = 0; s < state.size(); ++s) {
        check_same(state[s]->values()[i], single_state[s]->values()[0], what, N, i);
        const ld want = ref.k == reference::momentum || ref.k == reference::nesterov ? ref.v[i]
                        : s == 0                                                     ? ref.m[i]
                                                                                     : ref.v[i];
        check_close(state[s]->values()[i], want, tolerance<T>, what, N, i);
      }
    }
  }
}

template <class T, std::size_t N>
void check_optimizers() {
  check_optimizer<T, N>([](auto s) { return train::sgd<decltype(s)>{static_cast<T>(0.1)}; },
                        {.k = reference::sgd, .rate = as_held<T>(0.1)}, "sgd");
  for (const bool nesterov : {false, true}) {
    check_optimizer<T, N>(
        [&](auto s) { return train::momentum<decltype(s)>({.rate = 0.05, .momentum = 0.9, .nesterov = nesterov}); },
        {.k = nesterov ? reference::nesterov : reference::momentum, .rate = as_held<T>(0.05), .mu = as_held<T>(0.9)},
        nesterov ? "nesterov" : "momentum");
  }
  check_optimizer<T, N>([](auto s) { return train::adam<decltype(s)>({.rate = 0.1, .beta2 = 0.99}); },
                        {.k = reference::adam, .rate = as_held<T>(0.1), .b1 = as_held<T>(0.9), .b2 = as_held<T>(0.99),
                         .eps = as_held<T>(1e-8)},
                        "adam");
  check_optimizer<T, N>(
      [](auto s) { return train::adamw<decltype(s)>({.rate = 0.1, .epsilon = 1e-3, .weight_decay = 0.3}); },
      {.k = reference::adamw, .rate = as_held<T>(0.1), .b1 = as_held<T>(0.9), .b2 = as_held<T>(0.999),
       .eps = as_held<T>(1e-3), .decay = as_held<T>(0.3)},
      "adamw");
}

template <class T, std::size_t N>
void check_clipping() {
  using S = set_t<T, N>;
  const T c = static_cast<T>(0.6);
  // clip_by_value: exact, with a NaN at each position in turn.
  for (std::size_t nan_at = 0; nan_at <= N; ++nan_at) {  // N: no NaN
    auto g = filled<S>(gradient, 0);
    if (nan_at < N) g.values()[nan_at] = std::numeric_limits<T>::quiet_NaN();
    const auto before = g;
    train::clip_by_value(g, c);
    for (std::size_t i = 0; i < N; ++i) {
      const T x = before.values()[i];
      if (i == nan_at) BOOST_TEST(std::isnan(g.values()[i]));
      else BOOST_TEST(g.values()[i] == (x > c ? c : x < -c ? -c : x), "clip_by_value n=" << N << " element " << i);
    }
  }
  // The norms and clip_by_global_norm against long double.
  const auto pair = filled<pair_t<T, N>>(gradient, 2);
  const auto norms = train::gradient_norms(pair);
  for (std::size_t k = 0; k < 2; ++k) {
    ld sum = 0;
    for (std::size_t i = 0; i < pair_t<T, N>::sizes[k]; ++i) {
      const ld x = pair.values()[pair_t<T, N>::offsets[k] + i];
      sum += x * x;
    }
    check_close(norms[k], std::sqrt(sum), tolerance<T>, "gradient_norms", N, k);
  }
  auto g = filled<S>(gradient, 0);
  const auto before = g;
  ld sum = 0;
  for (const T x : before.values()) sum += static_cast<ld>(x) * x;
  const ld norm = std::sqrt(sum);
  const T max_norm = static_cast<T>(0.5);
  check_close(train::clip_by_global_norm(g, max_norm), norm, tolerance<T>, "clip_by_global_norm", N, 0);
  for (std::size_t i = 0; i < N; ++i) {
    const ld want = norm > max_norm ? before.values()[i] * (max_norm / norm) : before.values()[i];
    check_close(g.values()[i], want, tolerance<T>, "clip_by_global_norm", N, i);
  }
  // A NaN or an infinity in any lane or in the remainder is reported, NaN first, and the
  // gradients stay as they were.
  for (std::size_t at = 0; at < N; ++at) {
    for (const int what : {0, 1, 2}) {  // NaN, +infinity, -infinity with a NaN after it
      auto h = filled<S>(gradient, 0);
      h.values()[at] = what == 0 ? std::numeric_limits<T>::quiet_NaN() : (what == 1 ? 1 : -1) * std::numeric_limits<T>::infinity();
      if (what == 2 && at + 1 < N) h.values()[at + 1] = std::numeric_limits<T>::quiet_NaN();
      const auto h0 = h;
      const T got = train::clip_by_global_norm(h, max_norm);
      const bool nan = what == 0 || (what == 2 && at + 1 < N);
      BOOST_TEST((nan ? std::isnan(got) : got == std::numeric_limits<T>::infinity()), "n=" << N << " at " << at);
      BOOST_TEST((nan ? std::isnan(train::gradient_norms(h)[0]) : std::isinf(train::gradient_norms(h)[0])));
      for (std::size_t i = 0; i < N; ++i)
        BOOST_TEST((std::isnan(h.values()[i]) ? std::isnan(h0.values()[i]) : h.values()[i] == h0.values()[i]));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(optimizers_on_batches_and_remainders, T, types) {
  mp::mp_for_each<sizes>([](auto n) { check_optimizers<T, decltype(n)::value>(); });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(clipping_and_norms_on_batches_and_remainders, T, types) {
  mp::mp_for_each<sizes>([](auto n) { check_clipping<T, decltype(n)::value>(); });
}

BOOST_AUTO_TEST_CASE(the_intended_batch) {
  BOOST_TEST_MESSAGE("simd::batch<float> has " << tapeless::simd::batch<float>::size << " lanes");
#if defined(TAPELESS_SCALAR_SIMD)
  BOOST_TEST(!tapeless::simd::uses_xsimd);
#else
  BOOST_TEST(tapeless::simd::uses_xsimd == static_cast<bool>(TAPELESS_SIMD_HAS_XSIMD));
#endif
}
