#ifndef TAPELESS_TRAIN_RANDOM_HPP
#define TAPELESS_TRAIN_RANDOM_HPP

#include <cmath>
#include <concepts>
#include <cstdint>
#include <type_traits>

#include "detail/portable_log.hpp"

namespace tapeless::train {

/// A seeded random generator whose every draw is the same, bit for bit, on every compiler,
/// standard library and platform: what makes an initialization or a shuffled run
/// reproducible. (The std distributions are implementation-defined, so
/// std::normal_distribution<float> over std::mt19937 differs between libstdc++ and libc++.)
///
///   train::random rng{42};
///   std::uint64_t bits = rng.next();          // splitmix64
///   std::uint64_t die = rng.below(6);         // uniform in [0, 6)
///   float u = rng.uniform(-1.0f, 1.0f);       // in [a, b)
///   double z = rng.normal(0.0, 1.0);          // Marsaglia's polar method
///
/// The integers are splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; Vigna's reference splitmix64.c): 64 bits of state, a Weyl
/// sequence through a bijective mixer. Seed 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
/// 0x06c45d188009454f, ...
///
/// The real-valued draws are computed in double from +, -, *, / and sqrt (all correctly
/// rounded under IEEE 754) and a logarithm written out here, never from libm's log or cos,
/// whose last bits differ between libraries; a float draw is the double one rounded. No
/// product is left where the compiler could fuse it with an addition into an FMA (see
/// detail::product), so -ffp-contract=fast and FMA hardware change nothing. They are
/// reproducible wherever double is IEEE binary64 without excess precision (not x87 code,
/// FLT_EVAL_METHOD == 0) and the compiler keeps IEEE semantics (no -ffast-math).
class random {
 public:
  using result_type = std::uint64_t;

  constexpr explicit random(std::uint64_t seed = 0) : state_(seed) {}

  /// The next 64 random bits (splitmix64).
  constexpr std::uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ULL); }

  /// splitmix64's finalizer alone: a bijective mixing of 64 bits, to derive seeds (one per
  /// epoch, say) that share no structure.
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, bound) without modulo bias, for bound > 0: draws that fall in the
  /// incomplete last copy of [0, bound) are rejected (at most half of them, usually none).
  constexpr std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % bound;
    }
  }
  /// UniformRandomBitGenerator, so that std::shuffle and friends accept it too.
  constexpr std::uint64_t operator()() { return next(); }
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return ~std::uint64_t(0); }

  /// A double in [0, 1): the top 53 bits of next(), so every value is a multiple of 2^-53.
  constexpr double canonical() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// A uniform draw from [a, b), a + (b - a) u with u = canonical(), in double, rounded to T
  /// (so a float draw may round up to b).
  template <std::floating_point T>
  T uniform(T a, std::type_identity_t<T> b) {
    const double width = static_cast<double>(b) - static_cast<double>(a);
    return static_cast<T>(static_cast<double>(a) + detail::product(width, canonical()));
  }

  /// A normal draw of mean `mean` and standard deviation `stddev` by Marsaglia's polar
  /// method: (u, v) uniform in the unit disc (by rejection), then u f and v f with
  /// f = sqrt(-2 ln(s) / s), s = u^2 + v^2, are two independent standard normal draws; the
  /// second is kept for the next call.
  template <std::floating_point T>
  T normal(T mean, std::type_identity_t<T> stddev) {
    double z = 0;
    if (has_spare_) {
      z = spare_;
      has_spare_ = false;
    } else {
      double u = 0, v = 0, s = 0;
      do {
        u = 2.0 * canonical() - 1.0;  // exact: fused or not, the same bits
        v = 2.0 * canonical() - 1.0;
        s = detail::product(u, u) + detail::product(v, v);
      } while (s >= 1.0 || s == 0.0);
      const double f = std::sqrt(-2.0 * detail::portable_log(s) / s);
      z = u * f;
      spare_ = v * f;
      has_spare_ = true;
    }
    return static_cast<T>(static_cast<double>(mean) + detail::product(static_cast<double>(stddev), z));
  }

  /// The whole state, to save and restore a generator mid-sequence.
  struct state_type {
    std::uint64_t counter;
    double spare;
    bool has_spare;
  };
  constexpr state_type state() const { return {state_, spare_, has_spare_}; }
  constexpr void set_state(const state_type& s) {
    state_ = s.counter;
    spare_ = s.spare;
    has_spare_ = s.has_spare;
  }

 private:
  std::uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace tapeless::train

#endif
