#ifndef TAPELESS_IO_BATCHES_HPP
#define TAPELESS_IO_BATCHES_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/tensor_set_like.hpp"
#include "../train/random.hpp"
#include "status.hpp"

namespace tapeless::io {

/// What a batch_order does with the samples left over when the batch size does not divide
/// their number.
enum class last_batch {
  wrap,  ///< the last batch is completed with the first samples of the epoch's order
  drop,  ///< the leftover samples sit out this epoch (another order takes others next time)
};

/// A shuffled order of `samples` samples for each epoch, cut into batches of `batch_size`,
/// the same for the same seed on every platform: Fisher-Yates driven by train::random
/// (splitmix64; the std distributions are implementation-defined). The order of an epoch
/// depends on the seed and the epoch number only, so a run resumed from a checkpoint at
/// epoch e sees the batches it would have seen.
///
///   io::batch_order order(60000, 32, /*seed=*/1);
///   for (std::uint64_t epoch = 0; epoch < 10; ++epoch) {
///     order.shuffle(epoch);
///     for (std::size_t k = 0; k < order.batch_count(); ++k) io::copy_batch(order, k, {{"x", xs}}, in);
///   }
class batch_order {
 public:
  /// The order of epoch 0; batch_size must be positive.
  batch_order(std::size_t samples, std::size_t batch_size, std::uint64_t seed, last_batch last = last_batch::wrap)
      : batch_size_(batch_size), seed_(seed), last_(last), order_(samples) {
    shuffle(0);
  }

  /// Shuffles into the order of `epoch`, whatever the epochs before.
  void shuffle(std::uint64_t epoch) {
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    train::random rng(seed_ ^ train::random::mix(epoch + 0x5851F42D4C957F2Dull));
    for (std::size_t i = order_.size(); i > 1; --i)  // Fisher-Yates: each permutation equally likely
      std::swap(order_[i - 1], order_[static_cast<std::size_t>(rng.below(i))]);
  }

  std::size_t samples() const { return order_.size(); }
  std::size_t batch_size() const { return batch_size_; }
  std::size_t batch_count() const {
    if (batch_size_ == 0) return 0;
    return last_ == last_batch::wrap ? (order_.size() + batch_size_ - 1) / batch_size_ : order_.size() / batch_size_;
  }
  /// Every sample index exactly once, in the epoch's order.
  std::span<const std::size_t> order() const { return order_; }
  /// The index of the j-th sample of batch k.
  std::size_t sample(std::size_t k, std::size_t j) const { return order_[(k * batch_size_ + j) % order_.size()]; }

 private:
  std::size_t batch_size_;
  std::uint64_t seed_;
  last_batch last_;
  std::vector<std::size_t> order_;
};

/// All samples of one tensor of a data set, one after another: `{"x", images}` where each
/// image takes as many values as the tensor "x" has per sample.
template <class T>
struct samples {
  std::string_view name;
  std::span<const T> values;
};

namespace detail {
template <class Set>
struct batch_of;
template <template <class, std::size_t, class> class Set, class T, std::size_t Batch, class Leaves>
struct batch_of<Set<T, Batch, Leaves>> {
  static constexpr std::size_t value = Batch;
};
}  // namespace detail

/// Copies the samples of batch k of `order` into `set` (a model's `inputs` or `targets`):
/// for each tensor of the set, the source of the same name, sample by sample. Fails, and
/// leaves the set as it was, when a tensor has no source, when a source does not hold
/// samples() samples of the tensor's width, when the batch sizes differ or k is out of range.
///
///   io::copy_batch(order, k, {{"x", images.pixels}}, in);
///   io::copy_batch(order, k, {{"t", targets}}, tgt);
template <class Set>
status copy_batch(const batch_order& order, std::size_t k,
                  std::initializer_list<samples<typename Set::value_type>> sources, Set& set) {
  static_assert(detail::tensor_set_like<Set>, "tapeless::io::copy_batch fills an nn::tensor_set");
  constexpr std::size_t batch = detail::batch_of<Set>::value;
  const auto fail = [](std::string message) {
    return status::failure(error::invalid_argument, "copy_batch: " + std::move(message));
  };
  if (order.batch_size() != batch)
    return fail("the order has batches of " + std::to_string(order.batch_size()) + " samples, the set of " +
                std::to_string(batch));
  if (k >= order.batch_count())
    return fail("batch " + std::to_string(k) + " of " + std::to_string(order.batch_count()));

  // Check every tensor before copying any, so a failure leaves the set untouched.
  std::vector<const samples<typename Set::value_type>*> source_of(Set::count);
  for (std::size_t i = 0; i < Set::count; ++i) {
    for (const auto& s : sources)
      if (s.name == Set::names[i]) source_of[i] = &s;
    if (!source_of[i]) return fail("no samples for the tensor '" + std::string(Set::names[i]) + "'");
    const std::size_t width = Set::sizes[i] / batch;
    if (source_of[i]->values.size() != order.samples() * width)
      return fail("'" + std::string(Set::names[i]) + "' has " + std::to_string(source_of[i]->values.size()) +
                  " values, not " + std::to_string(order.samples()) + " samples of " + std::to_string(width));
  }
  for (std::size_t i = 0; i < Set::count; ++i) {
    const std::size_t width = Set::sizes[i] / batch;
    auto* out = set.data() + Set::offsets[i];
    for (std::size_t j = 0; j < batch; ++j) {
      const auto from = source_of[i]->values.subspan(order.sample(k, j) * width, width);
      std::copy(from.begin(), from.end(), out + j * width);
    }
  }
  return {};
}

}  // namespace tapeless::io

#endif
