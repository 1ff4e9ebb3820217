// Exploding gradients, and clipping by global norm.
//
// The mirror image of vanishing gradients: when every layer multiplies the signal by more
// than 1, a deep network's output, its loss and its gradients grow geometrically with depth.
// Here eight ReLU layers get weights of standard deviation 0.5 whatever their width (He
// initialization would use sqrt(2 / 32) = 0.25): each layer multiplies the size of the
// signal by about 0.5 sqrt(32 / 2) = 2, so the output is some 2^8 = 256 times too large, the
// loss in the thousands and the gradient norm in the tens of thousands. One
// gradient-descent step of such a gradient throws the weights so far that the next loss is
// astronomical, and the one after overflows: infinite, then NaN.
//
// Clipping rescales the whole gradient, when its global L2 norm (over all parameters at
// once) is above a threshold, down to that threshold: the direction of the step is kept,
// its length bounded. The same network, from the same weights, with the same rate, then
// takes steps of bounded length and its loss stays finite and comes down.
//
// Both runs are written to exploding_gradients.csv (loss and gradient norm per step) and,
// with gnuplot, exploding_gradients.png, in the directory of --out (default: current one).
//
//   exploding_gradients [--out DIR] [--steps 200] [--weight-std 0.5]
//
// Exits with 1 if the lesson does not show: without clipping the loss must stop being
// finite; with clipping it must stay finite and end below where it started.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <vector>

#include <tapeless/nn.hpp>
#include <tapeless/train.hpp>

#include "support.hpp"

namespace nn = tapeless::nn;
namespace train = tapeless::train;

constexpr auto x = nn::input<"x", 16>;
constexpr auto t = nn::target<"t", 1>;
constexpr auto h1 = nn::relu(nn::dense<32, "layer1">(x));
constexpr auto h2 = nn::relu(nn::dense<32, "layer2">(h1));
constexpr auto h3 = nn::relu(nn::dense<32, "layer3">(h2));
constexpr auto h4 = nn::relu(nn::dense<32, "layer4">(h3));
constexpr auto h5 = nn::relu(nn::dense<32, "layer5">(h4));
constexpr auto h6 = nn::relu(nn::dense<32, "layer6">(h5));
constexpr auto h7 = nn::relu(nn::dense<32, "layer7">(h6));
constexpr auto loss = nn::mse(nn::dense<1, "layer8">(h7), t);

constexpr std::size_t batch = 32;
using model_t = decltype(nn::compile<batch>(loss));

/// The loss and the global gradient norm (before clipping) of every step.
struct history {
  std::vector<double> loss;
  std::vector<double> gradient_norm;
};

/// Gradient descent from `start`; with max_norm > 0 the gradient is clipped to that global
/// norm before each step. Stops at the first loss that is not a finite number.
history descend(const model_t::parameters& start, const model_t::inputs& in, const model_t::targets& tgt,
                std::size_t steps, float max_norm) {
  model_t model = nn::compile<batch>(loss);
  model_t::parameters params = start;
  model_t::gradients grads;
  train::sgd<model_t::parameters> sgd{0.01f};
  history h;
  for (std::size_t step = 0; step < steps; ++step) {
    const float l = model.value_and_grad(params, in, tgt, grads);
    // clip_by_global_norm returns the norm it found; with an infinite threshold it only measures.
    const float norm = train::clip_by_global_norm(grads, max_norm > 0 ? max_norm : INFINITY);
    h.loss.push_back(l);
    h.gradient_norm.push_back(norm);
    if (!std::isfinite(l) || !std::isfinite(norm)) break;
    sgd.step(params, grads);
  }
  return h;
}

void print(const char* name, const history& h) {
  std::printf("%s\n  step     loss          gradient norm\n", name);
  for (std::size_t s = 0; s < h.loss.size(); ++s)
    if (s < 6 || s + 1 == h.loss.size() || s % 50 == 0)
      std::printf("  %4zu  %12.4g  %12.4g\n", s, h.loss[s], h.gradient_norm[s]);
}

int main(int argc, char** argv) {
  const example::command_line cli(argc, argv);
  const auto steps = static_cast<std::size_t>(cli.number("--steps", 200));

  // A regression task: the target is the mean of the 16 inputs.
  model_t::inputs in;
  model_t::targets tgt;
  train::random rng{5};
  for (float& v : in.values()) v = rng.normal(0.0f, 1.0f);
  for (std::size_t s = 0; s < batch; ++s) {
    float sum = 0;
    for (std::size_t i = 0; i < 16; ++i) sum += in.get<"x">()[s * 16 + i];
    tgt.get<"t">()[s] = sum / 16;
  }

  // Too large: every weight and bias N(0, 0.5^2), whatever the layer's width.
  model_t::parameters start;
  train::normal(start, static_cast<float>(cli.number("--weight-std", 0.5)), rng);

  const history plain = descend(start, in, tgt, steps, 0);
  const history clipped = descend(start, in, tgt, steps, 1.0f);
  print("without clipping:", plain);
  print("clipped to global norm 1:", clipped);

  const auto out = cli.out();
  std::ofstream csv(out / "exploding_gradients.csv");
  csv << "step,loss,gradient_norm,clipped_loss,clipped_gradient_norm\n";
  for (std::size_t s = 0; s < steps; ++s) {
    csv << s;
    for (const history* h : {&plain, &clipped}) {
      const bool finite = s < h->loss.size() && std::isfinite(h->loss[s]) && std::isfinite(h->gradient_norm[s]);
      if (finite) csv << ',' << h->loss[s] << ',' << h->gradient_norm[s];
      else csv << ",,";
    }
    csv << '\n';
  }
  csv.close();
  std::printf("wrote %s\n", (out / "exploding_gradients.csv").c_str());
  example::plot(out, "exploding_gradients", R"(set terminal pngcairo size 1100,420
set output 'exploding_gradients.png'
set datafile separator ','
set datafile missing ''
set termoption noenhanced
set multiplot layout 1,2 title '8 ReLU layers with N(0, 0.5^2) weights, gradient descent at rate 0.01'
set xlabel 'step'
set logscale y
set key top right
set title 'loss (mean squared error)'
plot 'exploding_gradients.csv' using 1:2 with linespoints pt 7 ps 0.5 title 'no clipping (then infinite)', \
     '' using 1:4 with lines lw 2 title 'clipped to global norm 1'
set title 'global gradient norm, before clipping'
plot 'exploding_gradients.csv' using 1:3 with linespoints pt 7 ps 0.5 title 'no clipping (then infinite)', \
     '' using 1:5 with lines lw 2 title 'clipped to global norm 1'
unset multiplot
)");

  const bool plain_blows_up = !std::isfinite(plain.loss.back()) || !std::isfinite(plain.gradient_norm.back());
  const bool clipped_finite = clipped.loss.size() == steps && std::isfinite(clipped.loss.back());
  const bool clipped_learns = clipped_finite && clipped.loss.back() < clipped.loss.front();
  std::printf("without clipping the loss blows up (step %zu): %s; with clipping it stays finite: %s, "
              "and falls from %.4g to %.4g: %s\n",
              plain.loss.size() - 1, plain_blows_up ? "yes" : "NO", clipped_finite ? "yes" : "NO",
              clipped.loss.front(), clipped.loss.back(), clipped_learns ? "yes" : "NO");
  return plain_blows_up && clipped_learns ? 0 : 1;
}
