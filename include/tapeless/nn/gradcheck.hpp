#ifndef TAPELESS_NN_GRADCHECK_HPP
#define TAPELESS_NN_GRADCHECK_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "model.hpp"

namespace tapeless::nn {

/// Tolerances of gradcheck: an entry passes when |fd - grad| <= absolute + relative * max(|fd|, |grad|).
struct gradcheck_options {
  double step = 1e-6;
  double absolute = 1e-7;
  double relative = 1e-5;
};

/// What gradcheck found: the worst parameter entry, relative to its tolerance.
struct gradcheck_report {
  bool passed = true;
  std::size_t entries = 0;          ///< parameter entries checked
  std::string_view worst_parameter;  ///< name of the parameter of the worst entry
  std::size_t worst_index = 0;       ///< index of the worst entry in that parameter
  double worst_derived = 0;          ///< dL/dw derived by the model
  double worst_finite_difference = 0;
  double worst_error = 0;  ///< |fd - derived| of the worst entry
  double worst_ratio = 0;  ///< error / tolerance of the worst entry; passed iff <= 1
};

/// Checks the gradient a model derives against central finite differences, in double:
/// (L(w + h) - L(w - h)) / 2h for every entry w of every parameter. The model must be
/// compiled with T = double (copy float parameters in). The parameters are restored.
template <class Loss, std::size_t Batch, class Kernels>
gradcheck_report gradcheck(model<Loss, Batch, double, Kernels>& m,
                           typename model<Loss, Batch, double, Kernels>::parameters& params,
                           const typename model<Loss, Batch, double, Kernels>::inputs& in,
                           const typename model<Loss, Batch, double, Kernels>::targets& tgt,
                           const gradcheck_options& options = {}) {
  typename model<Loss, Batch, double, Kernels>::gradients grads;
  m.value_and_grad(params, in, tgt, grads);
  gradcheck_report report;
  const auto g = grads.values();
  params.for_each([&](std::string_view name, std::span<double> w) {
    const std::size_t base = static_cast<std::size_t>(w.data() - params.data());
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double saved = w[i];
      const double h = options.step * (1 + std::abs(saved));
      w[i] = saved + h;
      const double up = m.value(params, in, tgt);
      w[i] = saved - h;
      const double down = m.value(params, in, tgt);
      w[i] = saved;
      const double fd = (up - down) / (2 * h);
      const double derived = g[base + i];
      const double error = std::abs(fd - derived);
      const double tolerance =
          options.absolute + options.relative * std::max(std::abs(fd), std::abs(derived));
      const double ratio = error == 0 ? 0.0 : error / tolerance;  // 0 / 0: an exact match
      ++report.entries;
      // NaN (a NaN or infinite derivative or difference) is worse than any number and stays
      // the worst entry once found.
      const bool worse = report.entries == 1 || (!std::isnan(report.worst_ratio) &&
                                                 (std::isnan(ratio) || ratio > report.worst_ratio));
      if (worse) {
        report = {report.passed, report.entries, name, i, derived, fd, error, ratio};
      }
    }
  });
  report.passed = report.worst_ratio <= 1;
  return report;
}

}  // namespace tapeless::nn

#endif
