#ifndef TAPELESS_TESTS_NN_SUPPORT_HPP
#define TAPELESS_TESTS_NN_SUPPORT_HPP

// Helpers shared by the tests of tests/nn/: a random source that draws the same numbers with
// every compiler and standard library (std::uniform_real_distribution does not), and ways to
// fill a tensor set.

#include <cstddef>

#include <tapeless/train/random.hpp>

namespace tapeless_test {

/// The library's own seeded generator (splitmix64; next() and uniform(lo, hi) in [lo, hi)).
using random_source = tapeless::train::random;

/// Every value of a tensor set uniform in [lo, hi).
template <class Set>
void fill(Set& set, random_source& random, double lo, double hi) {
  using T = typename Set::value_type;
  for (auto& v : set.values()) v = static_cast<T>(random.uniform(lo, hi));
}

/// Soft targets: every sample of Size values positive and summing to `mass` (1: a
/// distribution).
template <std::size_t Size, class Set>
void fill_distribution(Set& set, random_source& random, double mass = 1.0) {
  using T = typename Set::value_type;
  auto v = set.values();
  for (std::size_t s = 0; s < v.size() / Size; ++s) {
    double draws[Size];
    double total = 0;
    for (std::size_t i = 0; i < Size; ++i) total += draws[i] = random.uniform(0.05, 1.0);
    for (std::size_t i = 0; i < Size; ++i)
      v[s * Size + i] = static_cast<T>(draws[i] * mass / total);
  }
}

/// Every sample of Size values a one-hot vector.
template <std::size_t Size, class Set>
void fill_one_hot(Set& set, random_source& random) {
  auto v = set.values();
  for (auto& t : v) t = 0;
  for (std::size_t s = 0; s < v.size() / Size; ++s)
    v[s * Size + static_cast<std::size_t>(random.next() % Size)] = 1;
}

}  // namespace tapeless_test

#endif
