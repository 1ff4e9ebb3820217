#ifndef TAPELESS_IO_ONE_HOT_HPP
#define TAPELESS_IO_ONE_HOT_HPP

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "status.hpp"

namespace tapeless::io {

/// One-hot rows for class indices: labels.size() rows of `classes` values, 1 in the column of
/// the label and 0 elsewhere, one row after another, as a softmax cross-entropy target
/// takes them. Fails on a label that is not below `classes`.
///
///   auto targets = io::one_hot(labels.value, 10);  // {3} -> {0,0,0,1,0,0,0,0,0,0}
template <class T = float>
result<std::vector<T>> one_hot(std::span<const std::size_t> labels, std::size_t classes) {
  result<std::vector<T>> r;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= classes) {
      r.status = status::failure(error::invalid_argument, "one_hot: label " + std::to_string(i) + " is " +
                                                              std::to_string(labels[i]) + ", not below the " +
                                                              std::to_string(classes) + " classes");
      return r;
    }
  r.value.assign(labels.size() * classes, T(0));
  for (std::size_t i = 0; i < labels.size(); ++i) r.value[i * classes + labels[i]] = T(1);
  return r;
}

}  // namespace tapeless::io

#endif
