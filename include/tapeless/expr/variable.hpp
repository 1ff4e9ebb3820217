#ifndef TAPELESS_EXPR_VARIABLE_HPP
#define TAPELESS_EXPR_VARIABLE_HPP

#include <type_traits>

#include "../detail/fixed_string.hpp"
#include "../fwd.hpp"

namespace tapeless {

/// A value bound to the variable `Name` for evaluation; made by `var<"x"> = value`.
template <fixed_string Name, class T>
struct binding {
  T value;
};

/// A variable of a scalar expression, named at compile time. Use `var<"x">`.
template <fixed_string Name>
struct variable {
  static constexpr auto name = Name;

  /// Binds a value for `evaluate`: `evaluate(f, x = 2.0)`. Does not modify the variable.
  template <class T>
    requires(!std::is_base_of_v<variable, std::remove_cvref_t<T>>)
  constexpr binding<Name, std::remove_cvref_t<T>> operator=(T&& value) const {
    return {static_cast<T&&>(value)};
  }
};

/// The variable named `Name`: `constexpr auto x = tapeless::var<"x">;`
template <fixed_string Name>
inline constexpr variable<Name> var{};

}  // namespace tapeless

#endif
