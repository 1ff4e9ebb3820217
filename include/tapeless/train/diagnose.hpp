#ifndef TAPELESS_TRAIN_DIAGNOSE_HPP
#define TAPELESS_TRAIN_DIAGNOSE_HPP

#include <array>
#include <cmath>
#include <cstddef>

#include "detail/tensor_role.hpp"
#include "gradient_norms.hpp"

namespace tapeless::train {

/// Thresholds of diagnose. Heuristics, not laws: the right values depend on the loss's scale
/// and the network's depth, so tune them on a run known to be healthy.
struct diagnose_options {
  /// Vanishing when the first weight's norm is below ratio * the last weight's norm...
  double vanishing_ratio = 1e-3;
  /// ...or below this floor, whatever the last one's.
  double vanishing_floor = 1e-8;
  /// Exploding when any tensor's norm is above this (or is not finite).
  double exploding_norm = 1e3;
};

/// What diagnose found in one set of gradients. Fixed size: one norm per tensor.
template <class Params>
struct gradient_report {
  using value_type = typename Params::value_type;
  static constexpr std::size_t count = Params::count;
  static constexpr std::size_t none = count;

  std::array<value_type, count> norms{};  ///< L2 norm of each gradient, names in Params::names
  std::size_t first_weight = none;  ///< the weight nearest the input (first in the set), or none
  std::size_t last_weight = none;   ///< the weight nearest the loss (last in the set), or none
  value_type ratio = 0;             ///< norms[first_weight] / norms[last_weight] (0 if undefined)
  bool vanishing = false;           ///< the first weight's gradient collapsed (see options)
  bool exploding = false;           ///< some norm above exploding_norm, or not finite
  bool non_finite = false;          ///< some gradient is NaN or infinite
  std::size_t largest = none;       ///< the tensor of largest norm (a non-finite one first)

  constexpr bool healthy() const { return !vanishing && !exploding; }

  static constexpr bool is_weight(std::size_t i) { return detail::is_weight<Params>(i); }
};

/// Reads the gradient norms of a parameter set and flags the two classic failures:
/// - vanishing: the gradient of the weights nearest the input is a vanishing fraction of the
///   one nearest the output (each layer of saturated sigmoids multiplies the backward signal
///   by at most 1/4), or is below an absolute floor. Weights are found as init does
///   ("<layer>.weight", or matrices), and "nearest the input" is the set's order, the
///   network's order. A converged network has small gradients everywhere: read the floor
///   together with the loss.
/// - exploding: some gradient norm is above a threshold, or NaN or infinite (non_finite).
///
///   const auto report = train::diagnose(grads);
///   if (!report.healthy()) std::puts(train::summary(report).c_str());   // summary.hpp
template <class Params>
gradient_report<Params> diagnose(const Params& grads, const diagnose_options& options = {}) {
  using T = typename Params::value_type;
  gradient_report<Params> r;
  r.norms = gradient_norms(grads);
  for (std::size_t i = 0; i < Params::count; ++i) {
    const T n = r.norms[i];
    if (!std::isfinite(n)) {
      r.non_finite = true;
      if (r.largest == r.none || std::isfinite(r.norms[r.largest])) r.largest = i;
    } else if (r.largest == r.none || n > r.norms[r.largest]) {
      r.largest = i;
    }
    if (!(n <= static_cast<T>(options.exploding_norm))) r.exploding = true;  // NaN too
    if (detail::is_weight<Params>(i)) {
      if (r.first_weight == r.none) r.first_weight = i;
      r.last_weight = i;
    }
  }
  if (r.first_weight != r.none && !r.non_finite) {
    const T first = r.norms[r.first_weight], last = r.norms[r.last_weight];
    r.ratio = last > T(0) ? first / last : T(0);
    const bool below_floor = first < static_cast<T>(options.vanishing_floor);
    const bool collapsed = r.first_weight != r.last_weight && first < static_cast<T>(options.vanishing_ratio) * last;
    r.vanishing = below_floor || collapsed;
  }
  return r;
}

}  // namespace tapeless::train

#endif
