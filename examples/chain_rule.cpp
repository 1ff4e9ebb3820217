// The chain rule, derived at compile time.
//
// For h(x) = g(f(x)) the chain rule says h'(x) = g'(f(x)) * f'(x). This program builds a
// few such compositions, asks tapeless for h' (one textbook rule per operation, applied at
// compile time), and shows that it equals the product of the two factors built by hand,
// both symbolically and numerically, with a finite difference as a third opinion.

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

using namespace tapeless;
using namespace tapeless::literals;

constexpr auto x = var<"x">;  // the input of f
constexpr auto u = var<"u">;  // the input of g, where f(x) is plugged in

template <class F, class G>
void show(const char* title, const F& f_of_x, const G& g_of_u, double at) {
  const auto h = substitute(g_of_u, u, f_of_x);                // h(x) = g(f(x))
  const auto dh = d(h, x);                                       // derived by tapeless
  const auto outer = substitute(d(g_of_u, u), u, f_of_x);        // g'(f(x))
  const auto inner = d(f_of_x, x);                               // f'(x)
  const auto by_hand = simplify(outer * inner);                  // g'(f(x)) * f'(x)

  const double step = 1e-6;
  const double central =
      (evaluate(h, x = at + step) - evaluate(h, x = at - step)) / (2 * step);

  std::printf("%s\n", title);
  std::printf("  f(x)            = %s\n", to_string(f_of_x).c_str());
  std::printf("  g(u)            = %s\n", to_string(g_of_u).c_str());
  std::printf("  h(x) = g(f(x))  = %s\n", to_string(h).c_str());
  std::printf("  f'(x)           = %s\n", to_string(inner).c_str());
  std::printf("  g'(u)           = %s\n", to_string(d(g_of_u, u)).c_str());
  std::printf("  h'(x) derived   = %s\n", to_string(dh).c_str());
  std::printf("  g'(f(x)) f'(x)  = %s\n", to_string(by_hand).c_str());
  std::printf("  LaTeX           : h'(x) = %s\n", to_latex(dh).c_str());
  std::printf("  at x = %g: h'(x) = %.12f, g'(f(x)) f'(x) = %.12f, finite difference = %.12f\n",
              at, evaluate(dh, x = at), evaluate(by_hand, x = at), central);
  std::printf("  same expression type: %s\n\n",
              std::is_same_v<decltype(dh), decltype(by_hand)> ? "yes" : "no");
}

int main() {
  show("1. A squashed square: g(u) = tanh(u), f(x) = x^2", x * x, tanh(u), 0.7);
  show("2. A Gaussian bump: g(u) = exp(u), f(x) = -x^2 / 2", -(x * x) / 2_c, exp(u), 1.3);
  show("3. A neuron: g(u) = sigmoid(u), f(x) = 3 x + 1/2", 3_c * x + rational<1, 2>, sigmoid(u),
       -0.4);
  show("4. Three links: g(u) = log(u), f(x) = 1 + sin(x)^2", 1_c + pow<2>(sin(x)), log(u), 0.9);

  // A user-defined activation gets its derivative with no extra code.
  const auto swish = [](const auto& z) { return z * sigmoid(z); };
  show("5. A user-defined function: g(u) = swish(u) = u sigmoid(u), f(x) = 2 x", 2_c * x,
       swish(u), 0.25);
}
