#ifndef TAPELESS_PRINT_PRINT_HPP
#define TAPELESS_PRINT_PRINT_HPP

#include <charconv>
#include <string>
#include <string_view>

#include "../expr/node.hpp"
#include "../ops/activation.hpp"
#include "../ops/arithmetic.hpp"
#include "../ops/op_traits.hpp"

namespace tapeless {
namespace detail {

// Precedence of a printed expression: a child is parenthesized when its precedence is
// below what its parent needs.
inline constexpr int sum_level = 1;
inline constexpr int product_level = 2;
inline constexpr int sign_level = 3;
inline constexpr int power_level = 4;
inline constexpr int atom_level = 5;

struct printer {
  bool latex;
  std::string out;

  void text(std::string_view s) { out.append(s); }

  void number(rational r) {
    const bool negative = r.num < 0;
    if (negative) text("-");
    const auto magnitude = negative ? -r.num : r.num;
    if (r.den == 1) {
      text(std::to_string(magnitude));
    } else if (latex) {
      text("\\frac{" + std::to_string(magnitude) + "}{" + std::to_string(r.den) + "}");
    } else {
      text(std::to_string(magnitude) + "/" + std::to_string(r.den));
    }
  }

  void number(double v) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    text(std::string_view(buffer, static_cast<std::size_t>(result.ptr - buffer)));
  }

  template <class E>
  void operand(const E& e, int needed) {
    const bool parens = level(e) < needed;
    if (parens) text(latex ? "\\left(" : "(");
    print(e);
    if (parens) text(latex ? "\\right)" : ")");
  }

  // Precedence levels of the expression kinds.
  template <std::intmax_t N, std::intmax_t D>
  int level(const constant<N, D>&) const {
    return N < 0 ? sign_level : (D == 1 || latex ? atom_level : product_level);
  }
  int level(const literal& l) const { return l.value < 0 ? sign_level : atom_level; }
  template <fixed_string Name>
  int level(const variable<Name>&) const { return atom_level; }
  template <class Op, class A>
  int level(const unary<Op, A>&) const { return atom_level; }
  template <class A>
  int level(const unary<neg_op, A>&) const { return sign_level; }
  template <std::intmax_t N, std::intmax_t D, class A>
  int level(const unary<pow_op<N, D>, A>&) const { return power_level; }
  template <class Op, class L, class R>
  int level(const binary<Op, L, R>&) const {
    return latex && std::is_same_v<Op, div_op> ? atom_level : op_traits<Op>::precedence;
  }

  // Printing of the expression kinds.
  template <std::intmax_t N, std::intmax_t D>
  void print(const constant<N, D>&) { number(rational{N, D}); }
  void print(const literal& l) { number(l.value); }
  template <fixed_string Name>
  void print(const variable<Name>&) { text(Name.view()); }

  template <class A>
  void print(const unary<neg_op, A>& e) {
    text("-");
    operand(e.arg, power_level);
  }

  template <std::intmax_t N, std::intmax_t D, class A>
  void print(const unary<pow_op<N, D>, A>& e) {
    if (latex) text("{");
    operand(e.arg, atom_level);
    if (latex) {
      text("}^{");
      number(rational{N, D});
      text("}");
    } else if (N >= 0 && D == 1) {
      text("^");
      number(rational{N, D});
    } else {
      text("^(");
      number(rational{N, D});
      text(")");
    }
  }

  template <class Op, class A>
  void print(const unary<Op, A>& e) {
    if (latex && std::is_same_v<Op, abs_op>) return enclose("\\left|", e.arg, "\\right|");
    if (latex && std::is_same_v<Op, sqrt_op>) return enclose("\\sqrt{", e.arg, "}");
    text(latex ? op_traits<Op>::latex : op_traits<Op>::name);
    if constexpr (requires { op_traits<Op>::parameter; }) {
      if (latex) {
        text("_{");
        number(op_traits<Op>::parameter);
        text("}");
        return enclose("\\left(", e.arg, "\\right)");
      }
      text("(");
      print(e.arg);
      text(", ");
      number(op_traits<Op>::parameter);
      text(")");
    } else {
      enclose(latex ? "\\left(" : "(", e.arg, latex ? "\\right)" : ")");
    }
  }

  template <class Op, class L, class R>
  void print(const binary<Op, L, R>& e) {
    if constexpr (std::is_same_v<Op, div_op>) {
      if (latex) {
        enclose("\\frac{", e.lhs, "}");
        return enclose("{", e.rhs, "}");
      }
    }
    constexpr int p = op_traits<Op>::precedence;
    // a - (b + c) and a / (b * c) need parentheses on the right; + and * do not.
    constexpr bool left_only = std::is_same_v<Op, sub_op> || std::is_same_v<Op, div_op>;
    operand(e.lhs, p);
    text(latex ? op_traits<Op>::latex_symbol : op_traits<Op>::symbol);
    operand(e.rhs, left_only ? p + 1 : p);
  }

  template <class A>
  void enclose(std::string_view open, const A& a, std::string_view close) {
    text(open);
    print(a);
    text(close);
  }
};

}  // namespace detail

/// to_string(f): infix text of an expression, e.g. "2 * x * (1 - tanh(x^2)^2)".
template <class E>
std::string to_string(const E& e) {
  static_assert(expression<E>, "tapeless::to_string(e) requires 'e' to be a tapeless expression");
  detail::printer p{false, {}};
  if constexpr (expression<E>) p.print(e);
  return p.out;
}

/// to_latex(f): LaTeX math-mode source of an expression, e.g. "\tanh\left(x\right)".
template <class E>
std::string to_latex(const E& e) {
  static_assert(expression<E>, "tapeless::to_latex(e) requires 'e' to be a tapeless expression");
  detail::printer p{true, {}};
  if constexpr (expression<E>) p.print(e);
  return p.out;
}

}  // namespace tapeless

#endif
