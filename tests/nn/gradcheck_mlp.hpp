#ifndef TAPELESS_TESTS_NN_GRADCHECK_MLP_HPP
#define TAPELESS_TESTS_NN_GRADCHECK_MLP_HPP

// The body of gradcheck_mlp_smooth.cpp and gradcheck_mlp_piecewise.cpp: multilayer
// perceptrons with 1 to 6 hidden layers and a given list of activations, each checked
// against central finite differences. Two files, because 42 networks in one take ~25 s of
// g++ time at -O1.

#include <algorithm>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tapeless/nn.hpp>

#include "support.hpp"

namespace tapeless_test::mlp {

namespace nn = tapeless::nn;

// Tighter than gradcheck's defaults: the difference quotient errs by ~1e-10 here, a wrong
// rule by O(|dL/dw|), and the first layer of a six-layer sigmoid network has gradients of
// ~1e-4.
inline constexpr nn::gradcheck_options strict{.step = 1e-6, .absolute = 1e-9, .relative = 1e-6};

/// What check_network() found; asserted by verify(), which is not a template.
struct check_result {
  nn::gradcheck_report report;
  std::size_t parameter_entries = 0;
  double first_layer_gradient = 0;  ///< max |dL/dw| over the first layer's weight
};

inline void verify(const check_result& r) {
  BOOST_TEST(r.report.passed, "worst entry " << r.report.worst_parameter << "["
                                             << r.report.worst_index << "]: derived "
                                             << r.report.worst_derived << ", finite difference "
                                             << r.report.worst_finite_difference << ", ratio "
                                             << r.report.worst_ratio);
  BOOST_TEST(r.report.entries == r.parameter_entries);
  // The gradient must reach the first layer, or the check of the deep part proves nothing.
  BOOST_TEST(r.first_layer_gradient > 1e-7, "no gradient reaches the first layer");
}

/// gradcheck of `loss` on a batch of 3, parameters and inputs uniform in (-1, 1), targets
/// uniform in (0, 1).
template <class Loss>
void check_network(const Loss& loss, std::uint64_t seed) {
  auto m = nn::compile<3, double>(loss);
  using model = decltype(m);
  typename model::parameters params;
  typename model::inputs in;
  typename model::targets tgt;
  random_source random{seed};
  fill(params, random, -1.0, 1.0);
  fill(in, random, -1.0, 1.0);
  fill(tgt, random, 0.0, 1.0);
  check_result r;
  r.report = nn::gradcheck(m, params, in, tgt, strict);
  r.parameter_entries = model::parameters::total_size;
  typename model::gradients grads;
  m.value_and_grad(params, in, tgt, grads);
  for (double g : grads.template get<"h0.weight">())
    r.first_layer_gradient = std::max(r.first_layer_gradient, std::abs(g));
  verify(r);
}

inline constexpr auto x = nn::input<"x", 3>;
inline constexpr auto t = nn::target<"t", 2>;

/// "h0", "h1", ...: the name of hidden layer I.
template <std::size_t I>
inline constexpr tapeless::fixed_string<3> hidden_name = [] {
  static_assert(I < 10);
  const char text[3] = {'h', static_cast<char>('0' + I), '\0'};
  return tapeless::fixed_string<3>(text);
}();

// 3 inputs, Depth hidden layers of 4 units named h0, h1, ... with activation F, a linear
// output layer of 2, mse. Built one layer per instantiation.
template <std::size_t Layer, std::size_t Depth, class F, class H>
constexpr auto hidden_layers(const H& h) {
  if constexpr (Layer == Depth) return h;
  else return hidden_layers<Layer + 1, Depth, F>(nn::map(nn::dense<4, hidden_name<Layer>>(h), F{}));
}

template <std::size_t Depth, class F>
inline constexpr auto loss = nn::mse(nn::dense<2, "out">(hidden_layers<0, Depth, F>(x)), t);

/// Checks the MLPs of every depth 1..6 with every activation of Activations, an mp_list of
/// elementwise function types; `names` names them in order, for the failure messages.
template <class Activations>
void check_every_depth(const std::string_view* names, std::uint64_t seed) {
  std::size_t a = 0;
  boost::mp11::mp_for_each<Activations>([&](auto f) {
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<6>>([&](auto index) {
      constexpr std::size_t depth = decltype(index)::value + 1;
      BOOST_TEST_CONTEXT(names[a] << ", " << depth << " hidden layers, seed " << seed) {
        check_network(loss<depth, decltype(f)>, seed);
      }
    });
    ++a;
  });
}

}  // namespace tapeless_test::mlp

#endif
