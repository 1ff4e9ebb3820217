#ifndef TAPELESS_NN_TENSOR_SET_HPP
#define TAPELESS_NN_TENSOR_SET_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include <boost/mp11/list.hpp>

#include "../detail/fixed_string.hpp"

namespace tapeless::nn {

namespace detail {
template <class Leaf>
constexpr std::size_t shape_of(int dimension) {
  if constexpr (requires { Leaf::rows; }) return dimension == 0 ? Leaf::rows : Leaf::cols;
  else return dimension == 0 ? static_cast<std::size_t>(Leaf::size) : 1;
}
}  // namespace detail

/// Named tensors of compile-time shapes in one flat, zero-initialized array: the parameters
/// of a model, their gradients, or a batch of inputs or targets. `Leaves` lists the leaf
/// nodes; a batched leaf holds `Batch` samples one after another.
template <class T, std::size_t Batch, class Leaves>
class tensor_set;

template <class T, std::size_t Batch, class... Leaves>
class tensor_set<T, Batch, boost::mp11::mp_list<Leaves...>> {
 public:
  using value_type = T;
  static constexpr std::size_t count = sizeof...(Leaves);
  static constexpr std::array<std::string_view, count> names{Leaves::name.view()...};
  static constexpr std::array<std::size_t, count> sizes{
      (std::size_t{Leaves::size} * (Leaves::batched ? Batch : 1))...};  // size_t: no operator templates tried
  /// Rows and columns of each tensor: a parameter's shape; size x 1 for inputs and targets.
  static constexpr std::array<std::size_t, count> rows{detail::shape_of<Leaves>(0)...};
  static constexpr std::array<std::size_t, count> cols{detail::shape_of<Leaves>(1)...};
  static constexpr std::array<std::size_t, count + 1> offsets = [] {
    std::array<std::size_t, count + 1> o{};
    for (std::size_t i = 0; i < count; ++i) o[i + 1] = o[i] + sizes[i];
    return o;
  }();
  static constexpr std::size_t total_size = offsets[count];

  static_assert(
      [] {  // sorted, not all pairs: clang's constexpr step limit stops all pairs at ~500 names
        auto sorted = names;
        std::sort(sorted.begin(), sorted.end());
        return std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
      }(),
      "tapeless::nn: two different tensors share one name (a parameter declared twice with "
      "different shapes?)");

  /// Index of the tensor named `name`, or `count` if there is none.
  static constexpr std::size_t index_of(std::string_view name) {
    for (std::size_t i = 0; i < count; ++i)
      if (names[i] == name) return i;
    return count;
  }

  /// The tensor named Name: `params.get<"fc1.weight">()`. An unknown name does not compile.
  template <fixed_string Name>
  auto get() {
    constexpr auto i = index_checked<Name>();
    return std::span<T, sizes[i]>(storage_.data() + offsets[i], sizes[i]);
  }
  template <fixed_string Name>
  auto get() const {
    constexpr auto i = index_checked<Name>();
    return std::span<const T, sizes[i]>(storage_.data() + offsets[i], sizes[i]);
  }

  /// The tensor named `name` at run time; empty if there is no such tensor.
  std::span<T> find(std::string_view name) {
    const auto i = index_of(name);
    return i == count ? std::span<T>{} : std::span<T>(storage_.data() + offsets[i], sizes[i]);
  }
  std::span<const T> find(std::string_view name) const {
    const auto i = index_of(name);
    return i == count ? std::span<const T>{} : std::span<const T>(storage_.data() + offsets[i], sizes[i]);
  }

  /// Calls f(name, values) for every tensor, in the network's order.
  template <class F>
  void for_each(F&& f) {
    for (std::size_t i = 0; i < count; ++i)
      f(names[i], std::span<T>(storage_.data() + offsets[i], sizes[i]));
  }
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < count; ++i)
      f(names[i], std::span<const T>(storage_.data() + offsets[i], sizes[i]));
  }

  /// All values, one tensor after another: what an optimizer updates in one loop.
  std::span<T, total_size> values() { return storage_; }
  std::span<const T, total_size> values() const { return storage_; }

  T* data() { return storage_.data(); }
  const T* data() const { return storage_.data(); }

 private:
  template <fixed_string Name>
  static constexpr std::size_t index_checked() {
    constexpr auto i = index_of(Name.view());
    static_assert(i < count, "tapeless::nn: no tensor of this name in the set (see the name in "
                             "the instantiation of get<Name>)");
    return i < count ? i : 0;
  }

  std::array<T, total_size> storage_{};
};

}  // namespace tapeless::nn

#endif
