#ifndef TAPELESS_DETAIL_RATIONAL_HPP
#define TAPELESS_DETAIL_RATIONAL_HPP

#include <cstdint>
#include <limits>

namespace tapeless::detail {

/// An exact rational number for compile-time constant folding. Always normalized: the
/// denominator is positive and the fraction is reduced. Arithmetic that overflows
/// `std::intmax_t` is not a constant expression, so it stops compilation instead of
/// producing a wrong constant.
struct rational {
  std::intmax_t num = 0;
  std::intmax_t den = 1;
};

constexpr std::intmax_t gcd(std::intmax_t a, std::intmax_t b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const auto t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Never defined: reaching a call during constant evaluation stops compilation with the
// function's name as the message, and works with -fno-exceptions.
void compile_time_constant_overflows_intmax();
void compile_time_constant_has_zero_denominator();

constexpr std::intmax_t checked(bool overflowed, std::intmax_t value) {
  if (overflowed) compile_time_constant_overflows_intmax();
  return value;
}

constexpr std::intmax_t add_checked(std::intmax_t a, std::intmax_t b) {
  std::intmax_t r = 0;
  const bool o = __builtin_add_overflow(a, b, &r);
  return checked(o, r);
}

constexpr std::intmax_t mul_checked(std::intmax_t a, std::intmax_t b) {
  std::intmax_t r = 0;
  const bool o = __builtin_mul_overflow(a, b, &r);
  return checked(o, r);
}

constexpr rational normalize(std::intmax_t num, std::intmax_t den) {
  if (den == 0) compile_time_constant_has_zero_denominator();
  if (den < 0) {
    num = mul_checked(num, -1);
    den = mul_checked(den, -1);
  }
  const auto g = gcd(num, den);
  return g == 0 ? rational{0, 1} : rational{num / g, den / g};
}

constexpr rational operator+(rational a, rational b) {
  return normalize(add_checked(mul_checked(a.num, b.den), mul_checked(b.num, a.den)),
                   mul_checked(a.den, b.den));
}

constexpr rational operator-(rational a) { return {mul_checked(a.num, -1), a.den}; }
constexpr rational operator-(rational a, rational b) { return a + -b; }

constexpr rational operator*(rational a, rational b) {
  return normalize(mul_checked(a.num, b.num), mul_checked(a.den, b.den));
}

constexpr rational operator/(rational a, rational b) {
  return normalize(mul_checked(a.num, b.den), mul_checked(a.den, b.num));
}

constexpr bool operator==(rational a, rational b) { return a.num == b.num && a.den == b.den; }

/// base^exponent for an integer exponent (negative exponents invert).
constexpr rational power(rational base, std::intmax_t exponent) {
  rational result{1, 1};
  const bool invert = exponent < 0;
  for (auto e = invert ? -exponent : exponent; e > 0; --e) result = result * base;
  return invert ? rational{1, 1} / result : result;
}

/// The integer square root of n if n is a perfect square, else -1.
constexpr std::intmax_t exact_sqrt(std::intmax_t n) {
  if (n < 0) return -1;
  std::intmax_t lo = 0;
  std::intmax_t hi = 3037000499;  // the largest root whose square fits in 63 bits
  while (lo < hi) {
    const auto mid = lo + (hi - lo + 1) / 2;
    if (mid * mid <= n) lo = mid;
    else hi = mid - 1;
  }
  return lo * lo == n ? lo : -1;
}

/// The value of a function at a constant, when it is exactly rational (sin(0) = 0), for
/// constant folding; `exact` is false otherwise (sin(1)).
struct folded {
  bool exact = false;
  rational value{};
};

constexpr folded exactly(rational r) { return {true, r}; }
constexpr folded exactly(std::intmax_t n) { return {true, {n, 1}}; }
inline constexpr folded not_exact{};

}  // namespace tapeless::detail

#endif
