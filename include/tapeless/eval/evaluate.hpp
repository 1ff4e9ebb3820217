#ifndef TAPELESS_EVAL_EVALUATE_HPP
#define TAPELESS_EVAL_EVALUATE_HPP

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <boost/hana/core/is_a.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>

#include "../expr/node.hpp"
#include "../math/scalar.hpp"
#include "../ops/op_traits.hpp"
#include "../simplify/order.hpp"

namespace tapeless {
namespace detail {

template <class B>
struct is_binding : std::false_type {};
template <fixed_string Name, class T>
struct is_binding<binding<Name, T>> : std::true_type {};

template <fixed_string Name, fixed_string Bound, class T>
constexpr bool binds(tag<binding<Bound, T>>) {
  return compare(Name, Bound) == 0;
}

/// How many of the bindings Bs bind the variable Name, and the index of the last one.
template <fixed_string Name, class... Bs>
struct lookup {
  static constexpr std::array<bool, sizeof...(Bs)> matches{binds<Name>(tag<Bs>{})...};
  static constexpr std::size_t count() {
    std::size_t n = 0;
    for (bool m : matches) n += m ? 1 : 0;
    return n;
  }
  static constexpr std::size_t index() {
    std::size_t i = 0;
    for (std::size_t k = 0; k < matches.size(); ++k)
      if (matches[k]) i = k;
    return i;
  }
};

template <class T, class... Bs>
struct evaluator {
  const std::tuple<const Bs&...> bindings;

  template <std::intmax_t N, std::intmax_t D>
  T operator()(const constant<N, D>&) const {
    using S = typename math<T>::scalar_type;
    return T(static_cast<S>(static_cast<double>(N) / static_cast<double>(D)));
  }

  T operator()(const literal& l) const {
    return T(static_cast<typename math<T>::scalar_type>(l.value));
  }

  template <fixed_string Name>
  T operator()(const variable<Name>&) const {
    using found = lookup<Name, Bs...>;
    static_assert(found::count() != 0,
                  "tapeless::evaluate: the expression uses a variable that is not bound; "
                  "bind it as an argument `var<\"name\"> = value` (its name is in the "
                  "'variable<...>' of this instantiation)");
    static_assert(found::count() < 2, "tapeless::evaluate: a variable is bound more than once");
    if constexpr (found::count() == 0) return T{};
    else return T(std::get<found::index()>(bindings).value);
  }

  template <class Op, class A>
  T operator()(const unary<Op, A>& e) const {
    return op_traits<Op>::apply((*this)(e.arg));
  }

  template <class Op, class L, class R>
  T operator()(const binary<Op, L, R>& e) const {
    return op_traits<Op>::apply((*this)(e.lhs), (*this)(e.rhs));
  }
};

template <class... Bs>
struct value_type_of {
  using type = std::common_type_t<std::remove_cvref_t<decltype(Bs::value)>...>;
};
template <>
struct value_type_of<> {
  using type = double;
};

}  // namespace detail

/// evaluate(f, x = 1.0, y = 2.0): the value of expression `f` with its variables bound.
/// The value type is the common type of the bound values: `float`, `double` or an
/// `xsimd::batch` (include <tapeless/simd/batch.hpp>); `double` if nothing is bound.
/// A `hana::tuple` of expressions (a gradient) gives a `hana::tuple` of values.
/// Every variable of `f` must be bound exactly once, or compilation stops.
struct evaluate_t {
  template <class F, class... Bs>
  auto operator()(const F& f, const Bs&... bindings) const {
    static_assert((detail::is_binding<Bs>::value && ...),
                  "tapeless::evaluate(f, bindings...) takes bindings written `var<\"x\"> = value`");
    if constexpr (!(detail::is_binding<Bs>::value && ...)) {
      return 0.0;  // placeholder after the failed static_assert
    } else if constexpr (boost::hana::is_a<boost::hana::tuple_tag, F>) {
      return boost::hana::transform(f, [&](const auto& e) { return (*this)(e, bindings...); });
    } else {
      static_assert(operand<F>, "tapeless::evaluate(f, ...) requires 'f' to be a tapeless expression");
      if constexpr (operand<F>) {
        using T = typename detail::value_type_of<Bs...>::type;
        // Checks the value type even when f needs no function of it (x * x with an int).
        static_assert(sizeof(math<T>) > 0);
        const detail::evaluator<T, Bs...> eval{{bindings...}};
        return eval(detail::as_expr(f));
      } else {
        return 0.0;  // placeholder after the failed static_assert
      }
    }
  }
};
inline constexpr evaluate_t evaluate{};

}  // namespace tapeless

#endif
