// The learning rate: too low, too high, and right.
//
// Gradient descent moves every weight against its gradient, w = w - rate * dL/dw. The rate
// is how far it trusts the gradient, which only describes the loss near the current point:
// - too low, and each step is safe but tiny: after hundreds of steps the loss has barely
//   moved;
// - too high, and a step jumps past the valley floor to a point where the loss is higher
//   than before; the next step jumps back further still, and the loss oscillates or blows
//   up to infinity;
// - in between, the loss falls steadily.
//
// The problem is small on purpose: a 1-16-1 tanh network fits y = sin(pi x) on 64 points of
// [-1, 1], by plain gradient descent on all of them at once, three times from the same
// starting weights with three rates. The losses go to learning_rate.csv and, with gnuplot,
// learning_rate.png, in the directory of --out (default: the current one).
//
//   learning_rate [--out DIR] [--steps 400]
//
// Exits with 1 if the run does not show the lesson: the good rate must cut the loss by 20x,
// the low one end more than 10x above the good one, the high one diverge or oscillate.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <vector>

#include <tapeless/nn.hpp>
#include <tapeless/train.hpp>

#include "support.hpp"

namespace nn = tapeless::nn;
namespace train = tapeless::train;

constexpr auto x = nn::input<"x", 1>;
constexpr auto t = nn::target<"t", 1>;
constexpr auto prediction = nn::dense<1, "out">(nn::tanh(nn::dense<16, "hidden">(x)));
constexpr auto loss = nn::mse(prediction, t);

constexpr std::size_t points = 64;
using model_t = decltype(nn::compile<points>(loss));

/// The loss after every step of gradient descent with `rate`, from `start`; the run stops
/// early if the loss stops being a finite number.
std::vector<double> descend(const model_t::parameters& start, const model_t::inputs& in,
                            const model_t::targets& tgt, float rate, std::size_t steps) {
  model_t model = nn::compile<points>(loss);
  model_t::parameters params = start;
  model_t::gradients grads;
  train::sgd<model_t::parameters> sgd{rate};
  std::vector<double> losses;
  for (std::size_t step = 0; step <= steps; ++step) {
    const double l = model.value_and_grad(params, in, tgt, grads);
    losses.push_back(l);
    if (!std::isfinite(l)) break;
    sgd.step(params, grads);
  }
  return losses;
}

/// How often the loss went up from one step to the next, as a fraction of the steps.
double fraction_of_increases(const std::vector<double>& losses) {
  std::size_t ups = 0;
  for (std::size_t i = 1; i < losses.size(); ++i) ups += losses[i] > losses[i - 1];
  return losses.size() > 1 ? static_cast<double>(ups) / static_cast<double>(losses.size() - 1) : 0;
}

int main(int argc, char** argv) {
  const example::command_line cli(argc, argv);
  const auto steps = static_cast<std::size_t>(cli.number("--steps", 400));

  // The data: 64 evenly spaced points and the curve to fit.
  model_t::inputs in;
  model_t::targets tgt;
  for (std::size_t i = 0; i < points; ++i) {
    const double xi = -1.0 + 2.0 * static_cast<double>(i) / (points - 1);
    in.get<"x">()[i] = static_cast<float>(xi);
    tgt.get<"t">()[i] = static_cast<float>(std::sin(std::numbers::pi * xi));
  }

  // One starting point for all three runs, so that only the rate differs.
  model_t::parameters start;
  train::random rng{3};
  train::xavier_uniform(start, rng);

  struct run {
    const char* name;
    float rate;
    std::vector<double> losses;
  };
  std::vector<run> runs{{"too_low", 0.001f, {}}, {"good", 0.2f, {}}, {"too_high", 3.0f, {}}};
  for (run& r : runs) {
    r.losses = descend(start, in, tgt, r.rate, steps);
    const double last = r.losses.back();
    std::printf("rate %-6g (%-8s): loss %.4f at step 0, %.4f at step %zu; it went up in %.0f%% of the steps\n",
                static_cast<double>(r.rate), r.name, r.losses.front(), last, r.losses.size() - 1,
                100 * fraction_of_increases(r.losses));
  }

  // The curves, one column per rate; a run that blew up has no values after that.
  const auto out = cli.out();
  std::ofstream csv(out / "learning_rate.csv");
  csv << "step";
  for (const run& r : runs) csv << ',' << r.name << "_" << r.rate;
  csv << '\n';
  for (std::size_t step = 0; step <= steps; ++step) {
    csv << step;
    for (const run& r : runs) {
      csv << ',';
      if (step < r.losses.size() && std::isfinite(r.losses[step])) csv << r.losses[step];
    }
    csv << '\n';
  }
  csv.close();
  std::printf("wrote %s\n", (out / "learning_rate.csv").c_str());
  example::plot(out, "learning_rate", R"(set terminal pngcairo size 900,500
set output 'learning_rate.png'
set datafile separator ','
set datafile missing ''
set termoption noenhanced
set title 'Gradient descent on a 1-16-1 tanh network: three learning rates'
set xlabel 'step'
set ylabel 'mean squared error (log scale)'
set logscale y
set yrange [1e-3:1e3]
set key top right
plot 'learning_rate.csv' using 1:2 with lines lw 2 title columnheader(2), \
     '' using 1:3 with lines lw 2 title columnheader(3), \
     '' using 1:4 with lines lw 2 title columnheader(4)
)");

  // The lesson, checked.
  const run &low = runs[0], &good = runs[1], &high = runs[2];
  const double initial = good.losses.front();
  const bool good_converges = good.losses.back() < 0.05 * initial;
  const bool low_crawls = low.losses.back() > 10 * good.losses.back();
  const bool high_fails = !std::isfinite(high.losses.back()) || high.losses.back() > 10 * good.losses.back() ||
                          fraction_of_increases(high.losses) > 0.25;
  std::printf("good rate converges: %s; low rate lags far behind: %s; high rate diverges or oscillates: %s\n",
              good_converges ? "yes" : "NO", low_crawls ? "yes" : "NO", high_fails ? "yes" : "NO");
  return good_converges && low_crawls && high_fails ? 0 : 1;
}
