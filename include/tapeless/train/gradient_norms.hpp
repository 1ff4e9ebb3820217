#ifndef TAPELESS_TRAIN_GRADIENT_NORMS_HPP
#define TAPELESS_TRAIN_GRADIENT_NORMS_HPP

#include <array>
#include <cstddef>

#include "detail/l2_norm.hpp"

namespace tapeless::train {

/// The L2 norm of every tensor of a set, in the set's order (names in Set::names): for a
/// gradient set, how strongly the loss pulls on each weight matrix and bias. NaN for a
/// tensor holding a NaN, +infinity for one holding an infinity.
///
///   const auto norms = train::gradient_norms(grads);   // std::array<float, count>
///   // norms[i] belongs to decltype(grads)::names[i]
template <class Set>
std::array<typename Set::value_type, Set::count> gradient_norms(const Set& set) {
  std::array<typename Set::value_type, Set::count> norms{};
  for (std::size_t i = 0; i < Set::count; ++i)
    norms[i] = detail::l2_norm(set.data() + Set::offsets[i], Set::sizes[i]);
  return norms;
}

}  // namespace tapeless::train

#endif
