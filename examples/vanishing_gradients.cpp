// Vanishing gradients: why deep sigmoid networks would not train, and what fixed it.
//
// Backpropagation multiplies, layer by layer from the loss towards the input, the adjoint by
// the transposed weights and by the derivative of the activation:
//   delta_{k-1} = (W_k^T delta_k) .* f'(z_{k-1}).
// The sigmoid's derivative is at most 1/4 (at 0) and near 0 once a unit saturates. With
// weights drawn without regard to the layer sizes, each layer shrinks the signal by a
// roughly constant factor, so after ten layers the first weights receive a gradient orders
// of magnitude below the last ones: they hardly learn.
//
// ReLU's derivative is 1 wherever a unit is active, and He initialization (weights of
// variance 2 / fan_in) makes each layer keep the size of the signal, forward and backward;
// the gradient reaches the first layer at the same order of magnitude as the last.
//
// The same 10-layer network (16 inputs, nine hidden layers of 32 units, one output, mean
// squared error) is built twice, once with sigmoids and naive N(0, 0.1^2) weights ("small
// random numbers", the same for every layer), once with
// ReLUs and He-normal weights; the L2 norm of the gradient of every layer's weight matrix is
// printed and written to vanishing_gradients.csv and, with gnuplot, vanishing_gradients.png
// in the directory of --out (default: the current one).
//
// Exits with 1 if the lesson does not show: train::diagnose must flag the sigmoid network
// as vanishing (first / last weight gradient norm below 1e-3) and not the ReLU network.

#include <array>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>

#include <tapeless/nn.hpp>
#include <tapeless/train.hpp>

#include "support.hpp"

namespace nn = tapeless::nn;
namespace train = tapeless::train;

constexpr auto x = nn::input<"x", 16>;
constexpr auto t = nn::target<"t", 1>;

/// Ten dense layers with `activation` between them.
constexpr auto ten_layers(auto activation) {
  const auto h1 = activation(nn::dense<32, "layer1">(x));
  const auto h2 = activation(nn::dense<32, "layer2">(h1));
  const auto h3 = activation(nn::dense<32, "layer3">(h2));
  const auto h4 = activation(nn::dense<32, "layer4">(h3));
  const auto h5 = activation(nn::dense<32, "layer5">(h4));
  const auto h6 = activation(nn::dense<32, "layer6">(h5));
  const auto h7 = activation(nn::dense<32, "layer7">(h6));
  const auto h8 = activation(nn::dense<32, "layer8">(h7));
  const auto h9 = activation(nn::dense<32, "layer9">(h8));
  return nn::mse(nn::dense<1, "layer10">(h9), t);
}

constexpr auto sigmoid_loss = ten_layers([](auto z) { return nn::sigmoid(z); });
constexpr auto relu_loss = ten_layers([](auto z) { return nn::relu(z); });

constexpr std::size_t batch = 64;
constexpr std::size_t layers = 10;

/// The gradient of one batch at the initial weights, as train::diagnose reads it.
template <class Loss, class Init>
auto gradient_report(const Loss& loss, Init initialize) {
  auto model = nn::compile<batch>(loss);
  using model_t = decltype(model);
  typename model_t::parameters params;
  typename model_t::gradients grads;
  typename model_t::inputs in;
  typename model_t::targets tgt;
  train::random rng{11};
  initialize(params, rng);
  for (float& v : in.values()) v = rng.normal(0.0f, 1.0f);  // the same data for both networks
  for (float& v : tgt.values()) v = rng.uniform(-1.0f, 1.0f);
  model.value_and_grad(params, in, tgt, grads);
  return train::diagnose(grads);
}

/// The weight-gradient norms of a report, layer 1 (input side) first.
template <class Report>
std::array<double, layers> weight_norms(const Report& report) {
  std::array<double, layers> norms{};
  std::size_t layer = 0;
  for (std::size_t i = 0; i < Report::count; ++i)
    if (Report::is_weight(i) && layer < layers) norms[layer++] = static_cast<double>(report.norms[i]);
  return norms;
}

/// The last line of a train::summary: its verdict.
std::string verdict(const std::string& summary) {
  const std::size_t end = summary.find_last_not_of('\n');
  return summary.substr(summary.find_last_of('\n', end) + 1);
}

int main(int argc, char** argv) {
  const example::command_line cli(argc, argv);

  const auto sigmoid = gradient_report(sigmoid_loss, [](auto& p, train::random& rng) { train::normal(p, 0.1f, rng); });
  const auto relu = gradient_report(relu_loss, [](auto& p, train::random& rng) { train::he_normal(p, rng); });
  const auto sigmoid_norms = weight_norms(sigmoid), relu_norms = weight_norms(relu);

  std::printf("L2 norm of dL/dW per layer (layer 1 is next to the input)\n");
  std::printf("layer   sigmoid, naive N(0, 0.1^2)   ReLU, He normal\n");
  for (std::size_t k = 0; k < layers; ++k)
    std::printf("%5zu   %26.3e   %15.3e\n", k + 1, sigmoid_norms[k], relu_norms[k]);
  std::printf("first / last layer: sigmoid %.2e, ReLU %.2e\n\n", static_cast<double>(sigmoid.ratio),
              static_cast<double>(relu.ratio));
  std::printf("train::diagnose, sigmoid network: %s", verdict(train::summary(sigmoid)).c_str());
  std::printf("train::diagnose, ReLU network:    %s\n", verdict(train::summary(relu)).c_str());

  const auto out = cli.out();
  std::ofstream csv(out / "vanishing_gradients.csv");
  csv << "layer,sigmoid_naive,relu_he\n";
  for (std::size_t k = 0; k < layers; ++k) csv << k + 1 << ',' << sigmoid_norms[k] << ',' << relu_norms[k] << '\n';
  csv.close();
  std::printf("wrote %s\n", (out / "vanishing_gradients.csv").c_str());
  example::plot(out, "vanishing_gradients", R"(set terminal pngcairo size 900,500
set output 'vanishing_gradients.png'
set datafile separator ','
set termoption noenhanced
set title 'Gradient norm of each weight matrix of a 10-layer network, at initialization'
set xlabel 'layer (1 = next to the input)'
set ylabel 'L2 norm of dL/dW (log scale)'
set logscale y
set xtics 1
set key bottom right
plot 'vanishing_gradients.csv' using 1:2 with linespoints lw 2 title 'sigmoid, naive N(0, 0.1^2) weights', \
     '' using 1:3 with linespoints lw 2 title 'ReLU, He-normal weights'
)");

  const bool shown = sigmoid.vanishing && !relu.vanishing && !relu.exploding;
  std::printf("sigmoid gradients vanish: %s; ReLU + He gradients do not: %s\n", sigmoid.vanishing ? "yes" : "NO",
              !relu.vanishing && !relu.exploding ? "yes" : "NO");
  return shown ? 0 : 1;
}
