#ifndef TAPELESS_TRAIN_UPDATE_RATIOS_HPP
#define TAPELESS_TRAIN_UPDATE_RATIOS_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "detail/l2_norm.hpp"

namespace tapeless::train {

namespace detail {
template <class T>
T ratio(T update, T weight) {
  if (weight == T(0)) return update == T(0) ? T(0) : std::numeric_limits<T>::infinity();
  return update / weight;
}
}  // namespace detail

/// How far one step moved each tensor relative to its size, ||after - before|| / ||before||,
/// in the set's order: about 1e-3 is the usual rule of thumb (Karpathy, CS231n); much
/// smaller and the tensor barely learns, much larger and the rate is too high. A tensor of
/// norm 0 (a bias at its zero start) has ratio 0 if it did not move and +infinity if it did.
///
///   const auto before = params;
///   opt.step(params, grads);
///   const auto ratios = train::update_ratios(before, params);
template <class Set>
std::array<typename Set::value_type, Set::count> update_ratios(const Set& before, const Set& after) {
  using T = typename Set::value_type;
  std::array<T, Set::count> ratios{};
  for (std::size_t i = 0; i < Set::count; ++i) {
    const T* b = before.data() + Set::offsets[i];
    const T* a = after.data() + Set::offsets[i];
    // The norm of the difference, scaled as l2_norm does, without a copy of the tensor.
    T largest = 0;
    for (std::size_t k = 0; k < Set::sizes[i]; ++k) {
      const T d = std::fabs(a[k] - b[k]);
      largest = (d > largest || std::isnan(d)) ? d : largest;
    }
    T update = largest;
    if (std::isfinite(largest) && largest > T(0)) {
      T sum = 0;
      for (std::size_t k = 0; k < Set::sizes[i]; ++k) {
        const T scaled = (a[k] - b[k]) / largest;
        sum += scaled * scaled;
      }
      update = largest * std::sqrt(sum);
    }
    ratios[i] = detail::ratio(update, detail::l2_norm(b, Set::sizes[i]));
  }
  return ratios;
}

/// The same ratio for plain gradient descent before the step is taken:
/// ||rate g|| / ||w||, tensor by tensor.
template <class Set>
std::array<typename Set::value_type, Set::count> update_ratios(const Set& params, const Set& grads,
                                                               typename Set::value_type rate) {
  using T = typename Set::value_type;
  std::array<T, Set::count> ratios{};
  for (std::size_t i = 0; i < Set::count; ++i) {
    const T update = std::fabs(rate) * detail::l2_norm(grads.data() + Set::offsets[i], Set::sizes[i]);
    ratios[i] = detail::ratio(update, detail::l2_norm(params.data() + Set::offsets[i], Set::sizes[i]));
  }
  return ratios;
}

}  // namespace tapeless::train

#endif
