#ifndef TAPELESS_TESTS_NN_SUPPORT_HPP
#define TAPELESS_TESTS_NN_SUPPORT_HPP

// Helpers shared by the tests of tests/nn/: a random source that draws the same numbers with
// every compiler and standard library (std::uniform_real_distribution does not), and ways to
// fill a tensor set.

#include <cstddef>
#include <cstdint>

namespace tapeless_test {

/// splitmix64, and uniform doubles from its top 53 bits.
struct random_source {
  std::uint64_t state;

  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
};

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
