#ifndef TAPELESS_TRAIN_DETAIL_TENSOR_ROLE_HPP
#define TAPELESS_TRAIN_DETAIL_TENSOR_ROLE_HPP

#include <cstddef>
#include <string_view>

namespace tapeless::train::detail {

/// Whether tensor i of a parameter set is a weight matrix (initialized from its fans, watched
/// by the gradient diagnostics) rather than a bias. By name first, since a dense layer over
/// one input feature has a weight of one column: "<layer>.weight" is a weight and
/// "<layer>.bias" a bias whatever their shapes; any other tensor is a weight when it has more
/// than one column.
template <class Params>
constexpr bool is_weight(std::size_t i) {
  const std::string_view name = Params::names[i];
  if (name.ends_with(".weight")) return true;
  if (name.ends_with(".bias")) return false;
  return Params::cols[i] > 1;
}

}  // namespace tapeless::train::detail

#endif
