#ifndef TAPELESS_IO_IDX_LABELS_HPP
#define TAPELESS_IO_IDX_LABELS_HPP

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "idx.hpp"
#include "status.hpp"

namespace tapeless::io {

/// Class indices from a one-dimensional IDX array of integers (MNIST's "idx1-ubyte").
/// Negative or fractional values are refused.
inline result<std::vector<std::size_t>> to_labels(const idx_array& a) {
  result<std::vector<std::size_t>> r;
  const bool integral = a.type == idx_type::u8 || a.type == idx_type::i8 || a.type == idx_type::i16 ||
                        a.type == idx_type::i32;
  if (!integral || a.dims.size() != 1) {
    r.status = status::failure(error::invalid_argument,
                               "expected integers with 1 dimension, found " + std::to_string(a.dims.size()) +
                                   " dimensions of type code " + std::to_string(static_cast<int>(a.type)));
    return r;
  }
  r.value.resize(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] < 0) {
      r.status = status::failure(error::invalid_argument, "label " + std::to_string(i) + " is negative");
      r.value.clear();
      return r;
    }
    r.value[i] = static_cast<std::size_t>(a[i]);
  }
  return r;
}

/// Reads class indices from an IDX file (plain or .gz) of one dimension. Needs zlib (-lz).
/// Pair with one_hot for a softmax target.
///
///   auto labels = io::read_idx_labels(dir / "train-labels-idx1-ubyte.gz");  // 60000 indices
inline result<std::vector<std::size_t>> read_idx_labels(const std::filesystem::path& path) {
  auto a = read_idx(path);
  if (!a) return {{}, a.status};
  auto r = to_labels(a.value);
  if (!r) r.status.message = "read_idx_labels(" + detail::quoted(path) + "): " + r.status.message;
  return r;
}

}  // namespace tapeless::io

#endif
