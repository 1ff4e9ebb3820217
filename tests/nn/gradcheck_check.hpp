#ifndef TAPELESS_TESTS_NN_GRADCHECK_CHECK_HPP
#define TAPELESS_TESTS_NN_GRADCHECK_CHECK_HPP

// check(): gradcheck of a loss on random parameters, inputs and targets, for
// gradcheck_nodes.cpp (nodes) and gradcheck_losses.cpp (losses).

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tapeless/nn.hpp>

#include "support.hpp"

namespace tapeless_test {

namespace nn = tapeless::nn;

// A central difference with step h = 1e-6 (1 + |w|) errs by about h^2 |L'''| / 6 ~ 1e-13
// (truncation) plus eps |L| / h ~ 1e-10 (rounding) for the well-scaled losses here, so the
// tolerances are tighter than gradcheck's defaults: a wrong rule errs by O(|dL/dw|), and
// 1e-6 relative catches it even on the small gradients of the first layers of a deep
// sigmoid network.
inline constexpr nn::gradcheck_options strict{.step = 1e-6, .absolute = 1e-9, .relative = 1e-6};

// Ways to fill the targets of a loss.
struct uniform_targets {  // regression targets, and bce targets in [0, 1]
  template <class Set>
  void operator()(Set& set, random_source& random) const {
    fill(set, random, 0.0, 1.0);
  }
};
template <std::size_t Size>
struct one_hot_targets {
  template <class Set>
  void operator()(Set& set, random_source& random) const {
    fill_one_hot<Size>(set, random);
  }
};
/// Soft targets, summing to `mass` per sample (1: a distribution).
template <std::size_t Size>
struct soft_targets {
  double mass = 1.0;
  template <class Set>
  void operator()(Set& set, random_source& random) const {
    fill_distribution<Size>(set, random, mass);
  }
};

struct check_setup {
  std::uint64_t seed = 1;
  double param_scale = 1.0;  ///< parameters uniform in (-scale, scale)
  /// Parameters pushed out of (-away, away): relu and leaky_relu applied to a parameter
  /// directly then stay a finite-difference step away from their kink at 0.
  double away_from_zero = 0.0;
  nn::gradcheck_options options = strict;
};

/// What check() found, asserted by a function that is not a template: the assertions are
/// compiled once rather than once per network, which saves a third of the compile time.
struct check_result {
  nn::gradcheck_report report;
  std::size_t parameter_entries = 0;  ///< the size of the model's parameter set
  double largest_gradient = 0;        ///< max |dL/dw| over the model's own gradient
  double derived_of_worst = 0;        ///< the model's own gradient at the worst entry
  bool restored = false;              ///< parameters unchanged by gradcheck
  bool overwritten = false;           ///< gradients overwritten, not accumulated
};

inline void verify(std::string_view what, std::uint64_t seed, const check_result& r) {
  BOOST_TEST_CONTEXT(what << " (seed " << seed << ")") {
    BOOST_TEST(r.report.passed, "worst entry " << r.report.worst_parameter << "["
                                               << r.report.worst_index << "]: derived "
                                               << r.report.worst_derived << ", finite difference "
                                               << r.report.worst_finite_difference << ", ratio "
                                               << r.report.worst_ratio);
    BOOST_TEST(r.report.entries == r.parameter_entries);
    BOOST_TEST(r.largest_gradient > 1e-6,
               "the gradient is (nearly) zero: the check proves nothing");
    BOOST_TEST(r.report.worst_derived == r.derived_of_worst);
    BOOST_TEST(r.restored, "gradcheck must leave the parameters as it found them");
    BOOST_TEST(r.overwritten, "value_and_grad must overwrite every gradient entry");
  }
}

/// gradcheck of `loss` on a batch of `Batch` random samples. Also checks what gradcheck
/// reports against the model: every entry counted, the worst entry's derivative equal to the
/// model's own gradient, the parameters restored, the gradient not trivially zero, and every
/// gradient entry overwritten by value_and_grad (not accumulated onto what the set held).
template <std::size_t Batch = 3, class Loss, class Targets = uniform_targets>
nn::gradcheck_report check(std::string_view what, const Loss& loss, Targets targets = {},
                           check_setup setup = {}) {
  auto m = nn::compile<Batch, double>(loss);
  using model = decltype(m);
  typename model::parameters params;
  typename model::inputs in;
  typename model::targets tgt;
  random_source random{setup.seed};
  fill(params, random, -setup.param_scale, setup.param_scale);
  for (auto& w : params.values())
    if (std::abs(w) < setup.away_from_zero)
      w = w < 0 ? -setup.away_from_zero : setup.away_from_zero;
  fill(in, random, -1.0, 1.0);
  targets(tgt, random);

  const auto before = params;
  typename model::gradients grads;
  m.value_and_grad(params, in, tgt, grads);
  // value_and_grad overwrites the gradients: a set full of NaN, used twice, ends up equal.
  typename model::gradients dirty;
  for (auto& g : dirty.values()) g = std::numeric_limits<double>::quiet_NaN();
  m.value_and_grad(params, in, tgt, dirty);
  m.value_and_grad(params, in, tgt, dirty);

  check_result r;
  r.report = nn::gradcheck(m, params, in, tgt, setup.options);
  r.parameter_entries = model::parameters::total_size;
  for (double g : grads.values()) r.largest_gradient = std::max(r.largest_gradient, std::abs(g));
  const auto worst = grads.find(r.report.worst_parameter);
  r.derived_of_worst = r.report.worst_index < worst.size() ? worst[r.report.worst_index] : -1e300;
  r.overwritten = true;
  for (std::size_t i = 0; i < model::gradients::total_size; ++i)
    r.overwritten = r.overwritten && dirty.values()[i] == grads.values()[i];
  r.restored = params.values().size() == before.values().size();
  for (std::size_t i = 0; i < model::parameters::total_size; ++i)
    r.restored = r.restored && params.values()[i] == before.values()[i];
  verify(what, setup.seed, r);
  return r.report;
}

// A node N of any size turned into a loss: sum_i N_i r_i for a random input r. The node's
// adjoint is then r, different in every entry and sample, rather than all ones.
template <class N>
constexpr auto probed(const N& n) {
  return nn::sum(nn::hadamard(n, nn::input<"probe", N::size>));
}

}  // namespace tapeless_test

#endif
