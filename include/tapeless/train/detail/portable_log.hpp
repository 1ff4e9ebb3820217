#ifndef TAPELESS_TRAIN_DETAIL_PORTABLE_LOG_HPP
#define TAPELESS_TRAIN_DETAIL_PORTABLE_LOG_HPP

#include <cmath>

namespace tapeless::train::detail {

/// a * b rounded to double on its own: the volatile round trip keeps the compiler from
/// fusing it with the addition that follows into one FMA (which -ffp-contract=fast, GCC's
/// default in the GNU dialects, and FMA hardware would do), so that the sum has the same
/// bits on every platform. std::fma would do too, but newlib's software fma is x * y + z.
inline double product(double a, double b) {
  volatile double p = a * b;
  return p;
}

/// The natural logarithm of a positive, finite, normal double from +, -, *, / alone (and the
/// exact std::frexp), so that its bits do not depend on the platform's libm: random's
/// normal draws need a logarithm that is the same everywhere. Within about 1 ulp of ln x.
///
/// x = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)
/// with s = (m - 1) / (m + 1), |s| <= 0.172, so terms up to s^21 reach below 2^-53.
inline double portable_log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m = m * 2.0;
    e = e - 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // Horner from the highest term: 1/21 + s2 (...), down to 1/3.
  constexpr double coefficients[] = {1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0,
                                     1.0 / 9.0,  1.0 / 7.0,  1.0 / 5.0,  1.0 / 3.0};
  double p = 1.0 / 21.0;
  for (const double c : coefficients) p = c + product(p, s2);
  const double series = s + product(s * s2, p);  // atanh(s), the small correction added last
  // e ln 2 with ln 2 split so that e * ln2_hi is exact for |e| < 2^11.
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x1.62e42feep-1
  constexpr double ln2_lo = 1.90821492927058770002e-10;  // 0x1.a39ef35793c76p-33
  const double de = static_cast<double>(e);
  return product(de, ln2_hi) + (2.0 * series + product(de, ln2_lo));
}

}  // namespace tapeless::train::detail

#endif
