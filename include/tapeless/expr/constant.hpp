#ifndef TAPELESS_EXPR_CONSTANT_HPP
#define TAPELESS_EXPR_CONSTANT_HPP

#include <cstdint>

#include "../detail/rational.hpp"
#include "../fwd.hpp"

namespace tapeless {

/// An exact compile-time constant Num/Den. Only normalized forms exist (reduced, positive
/// denominator) so that equal constants are the same type.
template <std::intmax_t Num, std::intmax_t Den>
struct constant {
  static_assert(Den > 0, "tapeless::constant<Num, Den> requires a positive denominator");
  static_assert(detail::gcd(Num, Den) == 1,
                "tapeless::constant<Num, Den> must be reduced; use tapeless::rational<Num, Den>");
  static constexpr detail::rational value{Num, Den};
};

namespace detail {
template <rational R>
using constant_of = constant<R.num, R.den>;
}

/// The exact constant Num/Den, reduced: `rational<1, 2> * x`.
template <std::intmax_t Num, std::intmax_t Den = 1>
inline constexpr detail::constant_of<detail::normalize(Num, Den)> rational{};

namespace detail {
void literal_suffix_c_takes_a_decimal_integer();

constexpr std::intmax_t parse_integer(const char* digits) {
  std::intmax_t value = 0;
  for (; *digits != '\0'; ++digits) {
    if (*digits == '\'') continue;
    if (*digits < '0' || *digits > '9') literal_suffix_c_takes_a_decimal_integer();
    value = add_checked(mul_checked(value, 10), *digits - '0');
  }
  return value;
}
}  // namespace detail

namespace literals {
/// A compile-time integer constant: `3_c * x`, `pow<2>(x) + 1_c`.
template <char... Digits>
constexpr auto operator""_c() {
  constexpr char digits[] = {Digits..., '\0'};
  return constant<detail::parse_integer(digits), 1>{};
}
}  // namespace literals

}  // namespace tapeless

#endif
