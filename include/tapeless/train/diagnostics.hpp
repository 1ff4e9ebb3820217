#ifndef TAPELESS_TRAIN_DIAGNOSTICS_HPP
#define TAPELESS_TRAIN_DIAGNOSTICS_HPP

/// Gradient diagnostics with fixed-size results (no heap): gradient_norms, update_ratios,
/// diagnose and its gradient_report. The text summary is in summary.hpp (std::string).

#include "diagnose.hpp"
#include "gradient_norms.hpp"
#include "update_ratios.hpp"

#endif
