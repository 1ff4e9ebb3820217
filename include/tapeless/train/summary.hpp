#ifndef TAPELESS_TRAIN_SUMMARY_HPP
#define TAPELESS_TRAIN_SUMMARY_HPP

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "diagnose.hpp"

namespace tapeless::train {

namespace detail {
inline std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", x);
  return buffer;
}
}  // namespace detail

/// A gradient_report as text, for a log or a lesson: one line per tensor (name, gradient
/// norm, the first and last weights marked), then the verdict with its reason. Uses
/// std::string, so it lives apart from the fixed-size diagnostics.
///
///   std::puts(train::summary(train::diagnose(grads)).c_str());
///
///   gradient L2 norms (input side first):
///     fc1.weight  1.2e-07   <- first weight
///     fc1.bias    3.4e-08
///     fc2.weight  0.0213    <- last weight
///     fc2.bias    0.0457
///   vanishing: first/last weight gradient norm ratio 5.63e-06
template <class Params>
std::string summary(const gradient_report<Params>& r, const diagnose_options& options = {}) {
  std::size_t width = 0;
  for (const std::string_view name : Params::names) width = name.size() > width ? name.size() : width;
  std::string text = "gradient L2 norms (input side first):\n";
  for (std::size_t i = 0; i < Params::count; ++i) {
    std::string line = "  ";
    line += Params::names[i];
    line.append(width + 2 - Params::names[i].size(), ' ');
    const std::string n = detail::number(static_cast<double>(r.norms[i]));
    line += n;
    if (i == r.first_weight || i == r.last_weight) {
      line.append(n.size() < 10 ? 10 - n.size() : 1, ' ');
      line += i == r.first_weight && i == r.last_weight ? "<- only weight"
              : i == r.first_weight                    ? "<- first weight"
                                                       : "<- last weight";
    }
    text += line + "\n";
  }
  if (r.non_finite) {
    text += "non-finite: the gradient of " + std::string(Params::names[r.largest]) +
            " is " + detail::number(static_cast<double>(r.norms[r.largest])) +
            " (check the loss, the inputs and the rate; clip_by_global_norm reports it)\n";
  } else if (r.exploding) {
    text += "exploding: the gradient norm of " + std::string(Params::names[r.largest]) + " is " +
            detail::number(static_cast<double>(r.norms[r.largest])) + " > " +
            detail::number(options.exploding_norm) + "\n";
  }
  if (r.vanishing) {
    const double first = static_cast<double>(r.norms[r.first_weight]);
    if (first < options.vanishing_floor)
      text += "vanishing: the first weight's gradient norm " + detail::number(first) + " < " +
              detail::number(options.vanishing_floor) + "\n";
    else
      text += "vanishing: first/last weight gradient norm ratio " +
              detail::number(static_cast<double>(r.ratio)) + " < " +
              detail::number(options.vanishing_ratio) + "\n";
  }
  if (r.healthy()) {
    text += "healthy";
    if (r.first_weight != r.none && r.first_weight != r.last_weight)
      text += ": first/last weight gradient norm ratio " + detail::number(static_cast<double>(r.ratio));
    text += "\n";
  }
  return text;
}

}  // namespace tapeless::train

#endif
