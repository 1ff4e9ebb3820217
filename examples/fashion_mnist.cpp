// Fashion-MNIST: a 784-256-128-10 ReLU network learns to tell ten kinds of clothing apart
// (T-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot) from
// 60 000 grey 28x28 images, and is then scored on 10 000 images it never saw.
//
// The recipe is the textbook one, each ingredient from <tapeless/train.hpp> or <tapeless/io>:
// - He initialization: weights of variance 2 / fan_in keep the size of ReLU activations
//   the same from layer to layer (see vanishing_gradients.cpp for what happens otherwise);
// - Adam: a step per weight scaled by running averages of its gradient and squared gradient;
// - mini-batches of 64 images in a new shuffled order every epoch;
// - a learning rate that falls along half a cosine to zero by the last step, so the last
//   epochs settle into a minimum instead of bouncing around it;
// - softmax cross-entropy on the ten outputs (the logits): the loss whose gradient
//   tapeless derives at compile time is softmax(z) - t.
//
// Data: Debian's dataset-fashion-mnist package (scripts/install-deps.sh --data) puts the
// files under /usr/share/datasets/fashion-mnist.
//
//   fashion_mnist [--epochs 15] [--rate 0.001] [--train-limit N] [--test-limit N]
//                 [--data DIR] [--out DIR] [--min-accuracy 0.89] [--seed 1]
//
// Writes DIR/fashion_mnist.csv (loss and accuracy per epoch) and, with gnuplot,
// DIR/fashion_mnist.png. Exits with 0 when the test accuracy reaches --min-accuracy, 1 when
// it does not, 77 when the data set is not installed (CTest then reports the test skipped).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <tapeless/io/batches.hpp>
#include <tapeless/io/idx_images.hpp>
#include <tapeless/io/idx_labels.hpp>
#include <tapeless/io/one_hot.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/train.hpp>

#include "support.hpp"

namespace fs = std::filesystem;
namespace io = tapeless::io;
namespace nn = tapeless::nn;
namespace train = tapeless::train;

// The network: 784 pixels -> 256 ReLU units -> 128 ReLU units -> 10 logits.
constexpr auto x = nn::input<"x", 784>;
constexpr auto t = nn::target<"t", 10>;
constexpr auto h1 = nn::relu(nn::dense<256, "fc1">(x));
constexpr auto h2 = nn::relu(nn::dense<128, "fc2">(h1));
constexpr auto logits = nn::dense<10, "fc3">(h2);
constexpr auto loss = nn::softmax_cross_entropy(logits, t);

constexpr std::size_t batch = 64;
constexpr std::size_t classes = 10;
using model_t = decltype(nn::compile<batch>(loss));

// Parameters, gradients, Adam's two moments and the workspace take a few MB: static
// storage rather than the stack.
static model_t model = nn::compile<batch>(loss);
static model_t::parameters params;
static model_t::gradients grads;
static model_t::inputs inputs;
static model_t::targets targets;
static train::adam<model_t::parameters> adam;

/// One split of the data set: images (pixels in [0, 1]), labels and one-hot targets.
struct split {
  io::image_set images;
  std::vector<std::size_t> labels;
  std::vector<float> one_hot;

  std::size_t size() const { return labels.size(); }
};

/// Reads the images and labels of `name` ("train" or "t10k") from `dir`, keeping the first
/// `limit` samples; the status says what failed.
io::status read_split(const fs::path& dir, const std::string& name, std::size_t limit, split& out) {
  auto i = io::read_idx_images(dir / (name + "-images-idx3-ubyte.gz"));
  if (!i) return i.status;
  auto l = io::read_idx_labels(dir / (name + "-labels-idx1-ubyte.gz"));
  if (!l) return l.status;
  const std::size_t n = std::min({limit, i.value.count, l.value.size()});
  i.value.count = n;
  i.value.pixels.resize(n * i.value.features());
  l.value.resize(n);
  auto targets = io::one_hot(std::span<const std::size_t>(l.value), classes);
  if (!targets) return targets.status;
  out = {std::move(i.value), std::move(l.value), std::move(targets.value)};
  return {};
}

/// The class with the largest logit.
std::size_t predicted_class(std::span<const float> logits_of_sample) {
  return static_cast<std::size_t>(std::max_element(logits_of_sample.begin(), logits_of_sample.end()) -
                                  logits_of_sample.begin());
}

/// Cross-entropy of one sample: log(sum_j e^z_j) - z_label, with the largest logit
/// subtracted first so that no exponential overflows.
double cross_entropy(std::span<const float> z, std::size_t label) {
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (const float v : z) sum += std::exp(static_cast<double>(v) - top);
  return top + std::log(sum) - static_cast<double>(z[label]);
}

struct score {
  double loss = 0;
  double accuracy = 0;
};

/// Loss and accuracy on a whole split, batch by batch (forward sweep only). The last batch is
/// filled up with the first samples, which are not counted twice.
score evaluate(const split& data) {
  const std::size_t n = data.size(), width = data.images.features();
  score s;
  for (std::size_t first = 0; first < n; first += batch) {
    for (std::size_t j = 0; j < batch; ++j) {
      const std::size_t sample = (first + j) % n;
      std::copy_n(data.images.pixels.begin() + static_cast<std::ptrdiff_t>(sample * width), width,
                  inputs.get<"x">().begin() + static_cast<std::ptrdiff_t>(j * width));
    }
    model.value(params, inputs, targets);
    const auto z = model.values_of(logits);
    for (std::size_t j = 0; j < batch && first + j < n; ++j) {
      const auto row = z.subspan(j * classes, classes);
      s.loss += cross_entropy(row, data.labels[first + j]);
      s.accuracy += predicted_class(row) == data.labels[first + j] ? 1 : 0;
    }
  }
  s.loss /= static_cast<double>(n);
  s.accuracy /= static_cast<double>(n);
  return s;
}

/// "epoch  3/15 [##########----------]  468/937  611 steps/s  loss 0.3412  accuracy 87.6%",
/// redrawn in place on a terminal; printed once, when the epoch ends, into a log.
void progress(std::size_t epoch, std::size_t epochs, std::size_t step, std::size_t steps, double steps_per_second,
              double mean_loss, double accuracy) {
  static const bool terminal = ::isatty(::fileno(stdout)) != 0;
  const bool done = step == steps;
  if (!terminal && !done) return;
  constexpr std::size_t width = 20;
  const std::size_t filled = steps ? step * width / steps : width;
  char bar[width + 1] = {};
  for (std::size_t i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '-';
  std::printf("%sepoch %2zu/%zu [%s] %4zu/%zu  %4.0f steps/s  loss %.4f  accuracy %5.2f%%", terminal ? "\r" : "",
              epoch, epochs, bar, step, steps, steps_per_second, mean_loss, 100 * accuracy);
  if (done) std::printf("\n");
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  const example::command_line cli(argc, argv);
  const auto epochs = static_cast<std::size_t>(cli.number("--epochs", 15));
  const double rate = cli.number("--rate", 1e-3);
  const double min_accuracy = cli.number("--min-accuracy", 0.89);
  const auto seed = static_cast<std::uint64_t>(cli.number("--seed", 1));
  const fs::path data_dir = cli.text("--data", "/usr/share/datasets/fashion-mnist");
  const fs::path out = cli.out();

  // 1. The data. A missing data set is not an error of this program: say how to get it.
  const fs::path train_images = data_dir / "train-images-idx3-ubyte.gz";
  if (!fs::exists(train_images)) {
    std::fprintf(stderr,
                 "fashion_mnist: %s not found.\n"
                 "Install the data set (Debian package dataset-fashion-mnist) with\n"
                 "  scripts/install-deps.sh --data\n"
                 "or point --data at a directory holding the four *-ubyte.gz files.\n",
                 train_images.c_str());
    return 77;
  }
  split train_set, test_set;
  const auto train_limit = static_cast<std::size_t>(cli.number("--train-limit", 1e9));
  const auto test_limit = static_cast<std::size_t>(cli.number("--test-limit", 1e9));
  io::status status = read_split(data_dir, "train", train_limit, train_set);
  if (status) status = read_split(data_dir, "t10k", test_limit, test_set);
  if (!status) {
    std::fprintf(stderr, "fashion_mnist: %s\n", status.message.c_str());
    return 1;
  }
  std::printf("Fashion-MNIST: %zu training images, %zu test images of %zux%zu pixels\n", train_set.size(),
              test_set.size(), train_set.images.rows, train_set.images.cols);

  // 2. The starting point: He-normal weights, zero biases, the same for the same seed.
  train::random rng{seed};
  train::he_normal(params, rng);

  // 3. Training: every epoch visits the images in a new order, 64 at a time.
  io::batch_order order(train_set.size(), batch, seed);
  const std::size_t steps_per_epoch = order.batch_count();
  const train::cosine<double> schedule{rate, epochs * steps_per_epoch};
  std::ofstream csv(out / "fashion_mnist.csv");
  csv << "epoch,train_loss,train_accuracy,test_loss,test_accuracy,training_seconds\n";
  std::printf("784-256-128-10 ReLU, Adam (rate %g, cosine decay), batch %zu, %zu epochs of %zu steps\n", rate,
              batch, epochs, steps_per_epoch);

  // Wall time is what a user waits; CPU time is what the training costs, whatever else the
  // machine is doing.
  using clock = std::chrono::steady_clock;
  double training_seconds = 0, training_cpu_seconds = 0;
  score test;
  for (std::size_t epoch = 1; epoch <= epochs; ++epoch) {
    order.shuffle(epoch);
    const auto start = clock::now();
    const std::clock_t cpu_start = std::clock();
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t k = 0; k < steps_per_epoch; ++k) {
      io::copy_batch(order, k, {{"x", train_set.images.pixels}}, inputs);
      io::copy_batch(order, k, {{"t", train_set.one_hot}}, targets);
      adam.set_rate(static_cast<float>(schedule(adam.steps())));
      loss_sum += static_cast<double>(model.value_and_grad(params, inputs, targets, grads));
      adam.step(params, grads);

      // Running accuracy, from the logits of the forward sweep just done.
      const auto z = model.values_of(logits);
      for (std::size_t j = 0; j < batch; ++j)
        correct += predicted_class(z.subspan(j * classes, classes)) == train_set.labels[order.sample(k, j)];
      if ((k + 1) % 16 == 0 || k + 1 == steps_per_epoch) {
        const double seconds = std::chrono::duration<double>(clock::now() - start).count();
        progress(epoch, epochs, k + 1, steps_per_epoch, static_cast<double>(k + 1) / seconds,
                 loss_sum / static_cast<double>(k + 1), static_cast<double>(correct) / static_cast<double>((k + 1) * batch));
      }
    }
    training_seconds += std::chrono::duration<double>(clock::now() - start).count();
    training_cpu_seconds += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    test = evaluate(test_set);  // not timed: it is measuring, not training
    std::printf("           test loss %.4f  test accuracy %5.2f%%\n", test.loss, 100 * test.accuracy);
    csv << epoch << ',' << loss_sum / static_cast<double>(steps_per_epoch) << ','
        << static_cast<double>(correct) / static_cast<double>(steps_per_epoch * batch) << ',' << test.loss << ','
        << test.accuracy << ',' << training_seconds << '\n';
  }
  csv.close();

  std::printf("\ntest accuracy %.2f%% after %zu epochs; training took %.1f s (%.1f s of CPU time), %.0f steps/s\n",
              100 * test.accuracy, epochs, training_seconds, training_cpu_seconds,
              static_cast<double>(epochs * steps_per_epoch) / training_seconds);
  std::printf("wrote %s\n", (out / "fashion_mnist.csv").c_str());

  // 4. The curves: loss and accuracy per epoch, on the training batches and on the test set.
  example::plot(out, "fashion_mnist", R"(set terminal pngcairo size 1100,420
set output 'fashion_mnist.png'
set datafile separator ','
set multiplot layout 1,2 title 'Fashion-MNIST, 784-256-128-10 ReLU, Adam'
set xlabel 'epoch'
set xrange [0:*]
set key top right
set title 'cross-entropy loss'
plot 'fashion_mnist.csv' using 1:2 with linespoints title 'training batches', \
     '' using 1:4 with linespoints title 'test set'
set key bottom right
set title 'accuracy (%)'
plot 'fashion_mnist.csv' using 1:(100*$3) with linespoints title 'training batches', \
     '' using 1:(100*$5) with linespoints title 'test set'
unset multiplot
)");

  if (test.accuracy < min_accuracy) {
    std::printf("test accuracy %.2f%% is below the %.2f%% asked for\n", 100 * test.accuracy, 100 * min_accuracy);
    return 1;
  }
  return 0;
}
