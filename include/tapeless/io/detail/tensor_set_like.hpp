#ifndef TAPELESS_IO_DETAIL_TENSOR_SET_LIKE_HPP
#define TAPELESS_IO_DETAIL_TENSOR_SET_LIKE_HPP

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace tapeless::io::detail {

/// What io needs of an nn::tensor_set (parameters, gradients, inputs, targets, optimizer
/// state): its static layout and its flat storage. A concept rather than the class template
/// itself, so that io does not depend on nn and tests can use any type of that shape.
template <class S>
concept tensor_set_like = requires(S& s, const S& cs) {
  typename S::value_type;
  { S::count } -> std::convertible_to<std::size_t>;
  { S::total_size } -> std::convertible_to<std::size_t>;
  { S::names[0] } -> std::convertible_to<std::string_view>;
  { S::rows[0] } -> std::convertible_to<std::size_t>;
  { S::cols[0] } -> std::convertible_to<std::size_t>;
  { S::sizes[0] } -> std::convertible_to<std::size_t>;
  { S::offsets[0] } -> std::convertible_to<std::size_t>;
  { s.data() } -> std::same_as<typename S::value_type*>;
  { cs.data() } -> std::same_as<const typename S::value_type*>;
};

/// True when every tensor of S holds exactly rows x cols values: a parameter-shaped set, not
/// a batch of inputs or targets (whose tensors hold Batch samples).
template <class S>
constexpr bool unbatched() {
  for (std::size_t i = 0; i < S::count; ++i)
    if (S::sizes[i] != S::rows[i] * S::cols[i]) return false;
  return true;
}

}  // namespace tapeless::io::detail

#endif
