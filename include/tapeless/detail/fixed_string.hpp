#ifndef TAPELESS_DETAIL_FIXED_STRING_HPP
#define TAPELESS_DETAIL_FIXED_STRING_HPP

#include <cstddef>
#include <string_view>

namespace tapeless {

/// A string usable as a template argument: `var<"x">` names a variable by `fixed_string`.
template <std::size_t N>
struct fixed_string {
  char data[N]{};

  constexpr fixed_string(const char (&text)[N]) {  // NOLINT: implicit by design
    for (std::size_t i = 0; i < N; ++i) data[i] = text[i];
  }

  constexpr std::string_view view() const { return {data, N - 1}; }
  static constexpr std::size_t size() { return N - 1; }
};

namespace detail {

/// Three-way comparison of two compile-time strings, used to order variables canonically.
template <std::size_t N, std::size_t M>
constexpr int compare(const fixed_string<N>& a, const fixed_string<M>& b) {
  const auto x = a.view();
  const auto y = b.view();
  return x < y ? -1 : (y < x ? 1 : 0);
}

}  // namespace detail
}  // namespace tapeless

#endif
