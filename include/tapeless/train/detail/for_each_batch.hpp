#ifndef TAPELESS_TRAIN_DETAIL_FOR_EACH_BATCH_HPP
#define TAPELESS_TRAIN_DETAIL_FOR_EACH_BATCH_HPP

#include <cstddef>
#include <type_traits>

#include "../../simd/batch.hpp"

namespace tapeless::train::detail {

/// The batch an optimizer's loops use for T: simd::batch<T> for float and double (xsimd's on
/// SIMD targets), the one-lane scalar batch for any other T.
template <class T>
using update_batch = std::conditional_t<std::is_same_v<T, float> || std::is_same_v<T, double>,
                                        simd::batch<T>, simd::scalar_batch<T>>;

/// Calls f(std::type_identity<B>{}, i) over [0, n): B = update_batch<T> at i = 0, B::size,
/// ... while a whole batch fits, then B = simd::scalar_batch<T> at each remaining i. The
/// update is written once, on batches, so the remainder computes with the same operations as
/// the lanes. The loops of the optimizers are written this way rather than left to the
/// compiler, which keeps a loop with std::sqrt scalar (it may set errno) unless the program
/// is built with -fno-math-errno.
///
///   for_each_batch<T>(n, [&](auto tag, std::size_t i) {
///     using B = typename decltype(tag)::type;
///     (B::load_unaligned(w + i) - rate * B::load_unaligned(g + i)).store_unaligned(w + i);
///   });
template <class T, class F>
inline void for_each_batch(std::size_t n, F&& f) {
  using B = update_batch<T>;
  // Bounds computed first: with n known, g++ then sees the remainder's trip count (instead
  // of warning that a remainder loop starting at n, after an exact main loop, would wrap).
  const std::size_t whole = n / B::size * B::size;
  for (std::size_t i = 0; i < whole; i += B::size) f(std::type_identity<B>{}, i);
  for (std::size_t i = whole; i < n; ++i) f(std::type_identity<simd::scalar_batch<T>>{}, i);
}

}  // namespace tapeless::train::detail

#endif
