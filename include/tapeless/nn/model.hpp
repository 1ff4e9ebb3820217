#ifndef TAPELESS_NN_MODEL_HPP
#define TAPELESS_NN_MODEL_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "../lower/simd_kernels.hpp"
#include "nodes.hpp"
#include "plain_kernels.hpp"
#include "tensor_set.hpp"

namespace tapeless::nn {
namespace detail {

template <class N>
struct is_input : std::false_type {};
template <fixed_string Name, std::size_t S>
struct is_input<input_node<Name, S>> : std::true_type {};

template <class N>
using is_leaf = std::bool_constant<is_param<N>::value || is_input<N>::value || is_target<N>::value>;

template <class N>
using is_computed = std::bool_constant<!is_leaf<N>::value>;

// Index of a type in a list of distinct types, by overload resolution against one class
// that derives from index_leaf<i, element i> for every element: one instantiation per list
// instead of an is_same per element and query (mp_find), and no fold expression (clang
// stops at 256 terms, which mp_find on clang hits at 128 layers).
template <std::size_t I, class T>
struct index_leaf {};
template <class Seq, class L>
struct index_map_impl;
template <std::size_t... I, class... T>
struct index_map_impl<std::index_sequence<I...>, boost::mp11::mp_list<T...>> : index_leaf<I, T>... {};
template <class L>
using index_map = index_map_impl<std::make_index_sequence<boost::mp11::mp_size<L>::value>, L>;
template <class T, std::size_t I>
constexpr std::size_t index_in(const index_leaf<I, T>*) { return I; }
/// The index of T in the list L (distinct types): index_of<T, L>.
template <class T, class L>
inline constexpr std::size_t index_of = index_in<T>(static_cast<const index_map<L>*>(nullptr));

template <class L>
struct network_loss_check {
  static_assert(node<L>, "tapeless::nn::compile(loss) requires 'loss' to be a network node");
  static_assert(L::size == 1,
                "tapeless::nn::compile(loss): the expression has more than one value per sample, "
                "so it is not a loss; apply one, e.g. mse(y, target<\"t\", size>)");
  static_assert(L::needs_grad, "tapeless::nn::compile(loss): the loss depends on no parameter");
  static constexpr bool value = true;
};

}  // namespace detail

/// Where a checked step met the first non-finite value.
struct non_finite_report {
  bool found = false;
  std::size_t node = 0;     ///< index in the network's node list (nn::describe order)
  std::size_t element = 0;  ///< element of that node's values or adjoint
  bool in_backward = false;  ///< in the adjoint dL/dnode rather than the forward value
};

/// The loss of a checked step and whether it met a non-finite value.
template <class T>
struct checked_step {
  T loss;
  non_finite_report non_finite;
};

/// A loss expression compiled for a batch size and an element type: storage for every
/// forward value and adjoint laid out at compile time in one workspace, a forward sweep and
/// a reverse sweep over the nodes in a fixed order, no tape and no heap.
///
///   auto m = nn::compile<32>(loss);          // batch of 32, float
///   decltype(m)::parameters params;          // named, flat; also gradients, inputs, targets
///   float l = m.value_and_grad(params, inputs, targets, grads);
template <class Loss, std::size_t Batch, class T = float, class Kernels = lower::simd_kernels>
class model {
  static_assert(detail::network_loss_check<Loss>::value);
  static_assert(Batch > 0, "tapeless::nn::compile<Batch>: the batch size must be positive");
  static_assert(std::is_floating_point_v<T>, "tapeless::nn::compile<Batch, T>: T must be float or double");

 public:
  using loss_type = Loss;
  using value_type = T;
  static constexpr std::size_t batch_size = Batch;
  /// All nodes, each after its operands.
  using nodes = typename Loss::nodes;
  using parameters = tensor_set<T, 1, boost::mp11::mp_copy_if<nodes, detail::is_param>>;
  using gradients = parameters;
  using inputs = tensor_set<T, Batch, boost::mp11::mp_copy_if<nodes, detail::is_input>>;
  using targets = tensor_set<T, Batch, boost::mp11::mp_copy_if<nodes, detail::is_target>>;

  /// The loss (mean over the batch) and its gradient with respect to every parameter,
  /// written to `grads` (overwritten, not accumulated).
  T value_and_grad(const parameters& params, const inputs& in, const targets& tgt,
                   gradients& grads) {
    const context ctx{params, in, tgt, &grads, this};
    forward_all(ctx);
    backward_all(ctx);
    return loss_of(ctx);
  }

  /// value_and_grad that stops at the first non-finite value (NaN or infinity) and names
  /// the node where it appeared, in the forward or the backward sweep. The node index is
  /// the one of nn::describe(loss), whose names (z1, a1, ...) explain also uses.
  checked_step<T> value_and_grad_checked(const parameters& params, const inputs& in,
                                         const targets& tgt, gradients& grads) {
    const context ctx{params, in, tgt, &grads, this};
    non_finite_report report;
    forward_all<true>(ctx, &report);
    if (report.found) return {T(0), report};
    backward_all<true>(ctx, &report);
    return {loss_of(ctx), report};
  }

  /// The loss alone (forward sweep only).
  T value(const parameters& params, const inputs& in, const targets& tgt) {
    const context ctx{params, in, tgt, nullptr, this};
    forward_all(ctx);
    return loss_of(ctx);
  }

  /// The forward values of node N for the last sweep (a batched node: Batch samples).
  template <class N>
  std::span<const T> values_of(const N&) const {
    static_assert(detail::is_computed<N>::value && boost::mp11::mp_contains<nodes, N>::value,
                  "tapeless::nn::model::values_of(n): 'n' must be a computed node of this network "
                  "(parameters, inputs and targets are in their own sets)");
    constexpr auto i = computed_index<N>();
    return {values_.data() + value_offsets[i], value_offsets[i + 1] - value_offsets[i]};
  }

 private:
  using computed = boost::mp11::mp_copy_if<nodes, detail::is_computed>;
  static constexpr std::size_t computed_count = boost::mp11::mp_size<computed>::value;

  template <class N>
  static constexpr std::size_t stored_size() {
    return N::size * (N::batched ? Batch : 1);
  }
  static constexpr auto value_offsets = []<class... N>(boost::mp11::mp_list<N...>) {
    std::array<std::size_t, sizeof...(N) + 1> o{};
    const std::array<std::size_t, sizeof...(N)> sizes{stored_size<N>()...};
    for (std::size_t i = 0; i < sizes.size(); ++i) o[i + 1] = o[i] + sizes[i];
    return o;
  }(computed{});
  static constexpr std::size_t workspace_size = value_offsets[computed_count];

  template <class N>
  static constexpr std::size_t computed_index() {
    return detail::index_of<N, computed>;
  }

  struct context {
    const parameters& params;
    const inputs& in;
    const targets& tgt;
    gradients* grads;
    model* self;

    template <class N>
    const T* value(boost::mp11::mp_identity<N> = {}) const {
      if constexpr (detail::is_param<N>::value) return params.data() + param_offset<N>();
      else if constexpr (detail::is_input<N>::value) return in.data() + leaf_offset<inputs, N>;
      else if constexpr (detail::is_target<N>::value) return tgt.data() + leaf_offset<targets, N>;
      else return self->values_.data() + value_offsets[computed_index<N>()];
    }
    template <class N>
    T* mutable_value() const {
      return self->values_.data() + value_offsets[computed_index<N>()];
    }
    /// Whether dL/dN already holds a contribution (then add to it), marking it as written.
    /// Adjoints are not zeroed before a sweep: the first contribution is stored.
    template <class N>
    bool claim() const {
      auto& written = self->written_[detail::index_of<N, nodes>];
      const bool accumulate = written;
      written = true;
      return accumulate;
    }
    /// The adjoint of N, ready to be added to (zeroed on the first contribution).
    template <class N>
    T* accumulating_adjoint() const {
      T* a = adjoint<N>();
      if (!claim<N>())
        for (std::size_t i = 0; i < stored_size<N>(); ++i) a[i] = T(0);
      return a;
    }
    /// The adjoint dL/dN of a node that needs a gradient.
    template <class N>
    T* adjoint() const {
      static_assert(N::needs_grad);
      if constexpr (detail::is_param<N>::value) return grads->data() + param_offset<N>();
      else return self->adjoints_.data() + value_offsets[computed_index<N>()];
    }
  };

  template <class N>
  static constexpr std::size_t param_offset() {
    return parameters::offsets[detail::index_of<N, boost::mp11::mp_copy_if<nodes, detail::is_param>>];
  }
  template <class Set, class N>
  static constexpr std::size_t leaf_offset = Set::offsets[Set::index_of(N::name.view())];

  // The sweeps run over node indices, not over a list of node types: an error inside a
  // rule then prints the index and the node's type, not every node of the network (the
  // parameter pack of mp_for_each: O(layers^2) characters, 1 MB at 32 layers). A braced
  // initializer runs the steps in order and has no 256-term limit (clang's fold limit).
  template <bool Check = false>
  static void forward_all(const context& ctx, non_finite_report* report = nullptr) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      [[maybe_unused]] const int steps[] = {0, (forward_step<Check, I>(ctx, report), 0)...};
    }(std::make_index_sequence<computed_count>{});
  }

  template <bool Check, std::size_t I>
  static void forward_step(const context& ctx, [[maybe_unused]] non_finite_report* report) {
    using N = boost::mp11::mp_at_c<computed, I>;
    if constexpr (Check) {
      if (report->found) return;
      forward(ctx, boost::mp11::mp_identity<N>{});
      check_values<N>(ctx.template value<N>(), *report, false);
    } else {
      forward(ctx, boost::mp11::mp_identity<N>{});
    }
  }

  template <bool Check = false>
  void backward_all(const context& ctx, non_finite_report* report = nullptr) {
    written_.fill(false);
    seed(ctx);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      [[maybe_unused]] const int steps[] = {0, (backward_step<Check, computed_count - 1 - I>(ctx, report), 0)...};
    }(std::make_index_sequence<computed_count>{});
  }

  template <bool Check, std::size_t I>
  static void backward_step(const context& ctx, [[maybe_unused]] non_finite_report* report) {
    using N = boost::mp11::mp_at_c<computed, I>;
    if constexpr (Check) {
      if (report->found) return;
      backward(ctx, boost::mp11::mp_identity<N>{});
      check_operand_adjoints(ctx, boost::mp11::mp_identity<N>{}, *report);
    } else {
      backward(ctx, boost::mp11::mp_identity<N>{});
    }
  }

  template <class N>
  static void check_values(const T* values, non_finite_report& report, bool in_backward) {
    for (std::size_t i = 0; i < stored_size<N>(); ++i)
      if (!std::isfinite(values[i])) {
        report = {true, detail::index_of<N, nodes>, i, in_backward};
        return;
      }
  }

  template <class N>
  static void check_operand_adjoints(const context& ctx, boost::mp11::mp_identity<N>, non_finite_report& report) {
    boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, typename N::operands>>([&](auto o) {
      using O = typename decltype(o)::type;
      if constexpr (O::needs_grad)
        if (!report.found) check_values<O>(ctx.template adjoint<O>(), report, true);
    });
  }

  static constexpr std::size_t loss_count = Loss::batched ? Batch : 1;

  void seed(const context& ctx) {
    T* dl = ctx.template adjoint<Loss>();
    ctx.template claim<Loss>();
    for (std::size_t b = 0; b < loss_count; ++b) dl[b] = T(1) / T(loss_count);
  }

  static T loss_of(const context& ctx) {
    const T* l = ctx.template value<Loss>();
    T sum = 0;
    for (std::size_t b = 0; b < loss_count; ++b) sum += l[b];
    return sum / T(loss_count);
  }

  // Forward rules of the node kinds; the dense loops are the Kernels policy's.

  template <class W, class X>
  static void forward(const context& ctx, boost::mp11::mp_identity<matmul_node<W, X>>) {
    Kernels::template matmul<W::rows, W::cols, X::batched ? Batch : 1>(
        ctx.template value<W>(), ctx.template value<X>(), ctx.template mutable_value<matmul_node<W, X>>());
  }

  template <class F, class A>
  static void forward(const context& ctx, boost::mp11::mp_identity<map_node<F, A>>) {
    Kernels::template map<F, stored_size<A>()>(ctx.template value<A>(),
                                               ctx.template mutable_value<map_node<F, A>>());
  }

  template <class N, class Operand>
  static constexpr std::size_t element(std::size_t b, std::size_t i) {
    return Operand::batched ? b * N::size + i : i;
  }

  template <class F, class A, class B>
  static void forward(const context& ctx, boost::mp11::mp_identity<map2_node<F, A, B>>) {
    using N = map2_node<F, A, B>;
    const T* a = ctx.template value<A>();
    const T* c = ctx.template value<B>();
    T* y = ctx.template mutable_value<N>();
    for (std::size_t b = 0; b < (N::batched ? Batch : 1); ++b)
      for (std::size_t i = 0; i < N::size; ++i)
        y[b * N::size + i] =
            binary_rule<F>::value(a[element<N, A>(b, i)], c[element<N, B>(b, i)]);
  }

  template <class A>
  static void forward(const context& ctx, boost::mp11::mp_identity<sum_node<A>>) {
    const T* a = ctx.template value<A>();
    T* y = ctx.template mutable_value<sum_node<A>>();
    for (std::size_t b = 0; b < (A::batched ? Batch : 1); ++b) {
      T acc = 0;
      for (std::size_t i = 0; i < A::size; ++i) acc += a[b * A::size + i];
      y[b] = acc;
    }
  }

  /// log(sum_j e^z_j), with the maximum subtracted so that no exponential overflows.
  static T log_sum_exp(const T* z, std::size_t n) {
    T m = z[0];
    for (std::size_t j = 1; j < n; ++j) m = z[j] > m ? z[j] : m;
    T s = 0;
    for (std::size_t j = 0; j < n; ++j) s += std::exp(z[j] - m);
    return m + std::log(s);
  }

  template <class Z, class Tg>
  static void forward(const context& ctx, boost::mp11::mp_identity<softmax_cross_entropy_node<Z, Tg>>) {
    const T* z = ctx.template value<Z>();
    const T* t = ctx.template value<Tg>();
    T* y = ctx.template mutable_value<softmax_cross_entropy_node<Z, Tg>>();
    constexpr std::size_t n = Z::size;
    for (std::size_t b = 0; b < Batch; ++b) {
      const T lse = log_sum_exp(z + b * n, n);
      T loss = 0;
      for (std::size_t i = 0; i < n; ++i) loss += t[b * n + i] * (lse - z[b * n + i]);
      y[b] = loss;
    }
  }

  // Backward kernels: from the adjoint of a node, add to the adjoints of its operands that
  // need one (inputs and targets never do).

  template <class W, class X>
  static void backward(const context& ctx, boost::mp11::mp_identity<matmul_node<W, X>>) {
    constexpr std::size_t samples = X::batched ? Batch : 1;
    const T* dy = ctx.template adjoint<matmul_node<W, X>>();
    if constexpr (W::needs_grad)  // dL/dW = delta x^T
      Kernels::template matmul_weight_gradient<W::rows, W::cols, samples>(
          dy, ctx.template value<X>(), ctx.template adjoint<W>(), ctx.template claim<W>());
    if constexpr (X::needs_grad)  // dL/dx = W^T delta
      Kernels::template matmul_input_gradient<W::rows, W::cols, samples>(
          ctx.template value<W>(), dy, ctx.template adjoint<X>(), ctx.template claim<X>());
  }

  template <class F, class A>
  static void backward(const context& ctx, boost::mp11::mp_identity<map_node<F, A>>) {
    if constexpr (A::needs_grad) {
      using N = map_node<F, A>;
      Kernels::template map_gradient<F, stored_size<A>()>(ctx.template value<A>(), ctx.template value<N>(),
                                                          ctx.template adjoint<N>(), ctx.template adjoint<A>(),
                                                          ctx.template claim<A>());
    }
  }

  template <class F, class A, class B>
  static void backward(const context& ctx, boost::mp11::mp_identity<map2_node<F, A, B>>) {
    using N = map2_node<F, A, B>;
    if constexpr (N::needs_grad) {
      const T* a = ctx.template value<A>();
      const T* c = ctx.template value<B>();
      const T* y = ctx.template value<N>();
      const T* dy = ctx.template adjoint<N>();
      T* da = nullptr;
      T* db = nullptr;
      if constexpr (A::needs_grad) da = ctx.template accumulating_adjoint<A>();
      if constexpr (B::needs_grad) db = ctx.template accumulating_adjoint<B>();
      for (std::size_t b = 0; b < (N::batched ? Batch : 1); ++b)
        for (std::size_t i = 0; i < N::size; ++i) {
          const auto k = b * N::size + i;
          const auto ia = element<N, A>(b, i), ib = element<N, B>(b, i);
          if constexpr (A::needs_grad) da[ia] += dy[k] * binary_rule<F>::partial_u(a[ia], c[ib], y[k]);
          if constexpr (B::needs_grad) db[ib] += dy[k] * binary_rule<F>::partial_v(a[ia], c[ib], y[k]);
        }
    }
  }

  template <class A>
  static void backward(const context& ctx, boost::mp11::mp_identity<sum_node<A>>) {
    if constexpr (A::needs_grad) {
      const T* dy = ctx.template adjoint<sum_node<A>>();
      T* da = ctx.template accumulating_adjoint<A>();
      for (std::size_t b = 0; b < (A::batched ? Batch : 1); ++b)
        for (std::size_t i = 0; i < A::size; ++i) da[b * A::size + i] += dy[b];
    }
  }

  template <class Z, class Tg>
  static void backward(const context& ctx, boost::mp11::mp_identity<softmax_cross_entropy_node<Z, Tg>>) {
    static_assert(!Tg::needs_grad, "tapeless::nn::softmax_cross_entropy: gradients with respect to "
                                   "the target distribution are not supported");
    if constexpr (Z::needs_grad) {
      using N = softmax_cross_entropy_node<Z, Tg>;
      const T* z = ctx.template value<Z>();
      const T* t = ctx.template value<Tg>();
      const T* dy = ctx.template adjoint<N>();
      T* dz = ctx.template accumulating_adjoint<Z>();
      constexpr std::size_t n = Z::size;
      for (std::size_t b = 0; b < Batch; ++b) {
        const T lse = log_sum_exp(z + b * n, n);
        T mass = 0;  // sum of the targets: 1 for a distribution
        for (std::size_t i = 0; i < n; ++i) mass += t[b * n + i];
        for (std::size_t i = 0; i < n; ++i)  // softmax(z) sum(t) - t
          dz[b * n + i] += dy[b] * (std::exp(z[b * n + i] - lse) * mass - t[b * n + i]);
      }
    }
  }

  std::array<T, workspace_size> values_{};
  std::array<T, workspace_size> adjoints_{};
  std::array<bool, boost::mp11::mp_size<nodes>::value> written_{};
};

/// Compiles a loss expression for batches of `Batch` samples of element type T, with the
/// given kernels: lower::simd_kernels (the default) or plain_kernels (the reference loops).
template <std::size_t Batch, class T = float, class Kernels = lower::simd_kernels, class Loss>
model<Loss, Batch, T, Kernels> compile(const Loss&) {
  return {};
}

/// One plain gradient-descent step on every parameter: w = w - rate * dL/dw.
template <class Params>
void sgd_step(Params& params, const Params& grads, typename Params::value_type rate) {
  auto w = params.values();
  const auto g = grads.values();
  for (std::size_t i = 0; i < w.size(); ++i) w[i] -= rate * g[i];
}

}  // namespace tapeless::nn

#endif
