#ifndef TAPELESS_IO_SPLITMIX64_HPP
#define TAPELESS_IO_SPLITMIX64_HPP

#include <cstdint>

namespace tapeless::io {

/// SplitMix64 (Steele, Lea and Flood 2014, as in Vigna's reference code): a tiny PRNG whose
/// stream is fixed by its seed on every platform and standard library, unlike the
/// std::*_distribution classes, whose algorithms are implementation-defined. Shuffled
/// mini-batches are therefore the same everywhere for one seed.
///
///   io::splitmix64 rng{42};
///   std::uint64_t r = rng();           // 64 random bits
///   std::uint64_t die = rng.below(6);  // uniform in [0, 6)
class splitmix64 {
 public:
  constexpr explicit splitmix64(std::uint64_t seed) : state_(seed) {}

  /// The finalizer alone: a bijective mixing of 64 bits, used to derive seeds.
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  constexpr std::uint64_t operator()() {
    state_ += 0x9E3779B97F4A7C15ull;
    return mix(state_);
  }

  /// Uniform in [0, bound) without modulo bias, for bound > 0: draws that fall in the
  /// incomplete last copy of [0, bound) are rejected (at most half of them, usually none).
  constexpr std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = (*this)();
      if (r >= threshold) return r % bound;
    }
  }

 private:
  std::uint64_t state_;
};

}  // namespace tapeless::io

#endif
