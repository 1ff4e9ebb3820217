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
#include "rules.hpp"
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
// stops at 256 terms, which mp_find on clang hits at 128 layers). The function is only
// declared: it is named in decltype, so nothing is compiled per query.
template <std::size_t I, class T>
struct index_leaf {};
template <class Seq, class L>
struct index_map_impl;
template <std::size_t... I, class... T>
struct index_map_impl<std::index_sequence<I...>, boost::mp11::mp_list<T...>> : index_leaf<I, T>... {};
template <class L>
using index_map = index_map_impl<std::make_index_sequence<boost::mp11::mp_size<L>::value>, L>;
template <class T, std::size_t I>
std::integral_constant<std::size_t, I> index_in(const index_leaf<I, T>*);
/// The index of T in the list L (distinct types): index_of<T, L>.
template <class T, class L>
inline constexpr std::size_t index_of = decltype(index_in<T>(static_cast<const index_map<L>*>(nullptr)))::value;

template <class L>
struct network_loss_check {
  static_assert(node<L>, "tapeless::nn::compile(loss) requires 'loss' to be a network node");
  static_assert(L::size == 1,
                "tapeless::nn::compile(loss): the expression has more than one value per sample, "
                "so it is not a loss; apply one, e.g. mse(y, target<\"t\", size>)");
  static_assert(L::needs_grad, "tapeless::nn::compile(loss): the loss depends on no parameter");
  static constexpr bool value = true;
};

// The schedule of a model as plain constexpr data: for every node where its values live,
// and for every computed node its operands and what its backward rule does with their
// adjoints. The sweeps read it; no function is instantiated per node type.

/// Where a node's values are: a parameter, an input, a target, or the model's workspace.
/// A parameter's adjoint is in the gradients at the same offset; a computed node's in the
/// adjoint workspace at the same offset as its values.
enum class storage { parameters, inputs, targets, workspace };

struct node_plan {
  storage where = storage::workspace;
  std::size_t offset = 0;
  std::size_t stored = 0;  ///< number of values: size, times Batch for a batched node
  bool needs_grad = false;
};

struct step_plan {  ///< a computed node
  std::size_t node = 0;  ///< index in the node list
  std::size_t operand[2] = {0, 0};  ///< a unary node names its operand twice
  rules::grad grad[2] = {rules::grad::none, rules::grad::none};
};

/// A node's entry of the plan, before the layout.
struct node_summary {
  storage where = storage::workspace;
  std::size_t stored = 0;
  bool needs_grad = false;
  std::size_t operands[2] = {0, 0};  ///< a unary node names its operand twice
  bool operand_needs_grad[2] = {false, false};
};

// Facts about node types as types (integral_constant), not as static data members or
// variable templates: g++ gives every instantiated variable a symbol whose mangled name
// carries the node's nested type, which costs time growing with the cube of the depth.
template <std::size_t I>
using index_constant = std::integral_constant<std::size_t, I>;
template <class Map, class Operands>
struct operand_indices {  // leaves
  using first = index_constant<0>;
  using second = index_constant<0>;
  using first_needs_grad = std::false_type;
  using second_needs_grad = std::false_type;
};
template <class Map, class A>
struct operand_indices<Map, boost::mp11::mp_list<A>> {
  using first = decltype(index_in<A>(static_cast<const Map*>(nullptr)));
  using second = first;
  using first_needs_grad = std::bool_constant<A::needs_grad>;
  using second_needs_grad = std::false_type;
};
template <class Map, class A, class B>
struct operand_indices<Map, boost::mp11::mp_list<A, B>> {
  using first = decltype(index_in<A>(static_cast<const Map*>(nullptr)));
  using second = decltype(index_in<B>(static_cast<const Map*>(nullptr)));
  using first_needs_grad = std::bool_constant<A::needs_grad>;
  using second_needs_grad = std::bool_constant<B::needs_grad>;
};

template <class N>
using storage_of = std::integral_constant<storage, is_param<N>::value    ? storage::parameters
                                                  : is_input<N>::value  ? storage::inputs
                                                  : is_target<N>::value ? storage::targets
                                                                        : storage::workspace>;

/// The summaries of all nodes, from their types: class templates and data only, nothing
/// compiled per node.
template <class Nodes, std::size_t Batch>
struct summaries;
template <class... N, std::size_t Batch>
struct summaries<boost::mp11::mp_list<N...>, Batch> {
  using map = index_map<boost::mp11::mp_list<N...>>;
  template <class O>
  using ops = operand_indices<map, typename O::operands>;
  static constexpr std::array<node_summary, sizeof...(N)> value{node_summary{
      storage_of<N>::value,
      N::size * (N::batched ? Batch : 1),
      N::needs_grad,
      {ops<N>::first::value, ops<N>::second::value},
      {ops<N>::first_needs_grad::value, ops<N>::second_needs_grad::value}}...};
};

template <std::size_t Nodes, std::size_t Computed>
struct plan {
  std::array<node_plan, Nodes> nodes{};
  std::array<step_plan, Computed> steps{};
  std::size_t workspace_size = 0;
};

/// Offsets of the parameters, inputs and targets in their sets, in node order.
struct leaf_offsets {
  const std::size_t* of[3];
};

/// Lays out the nodes and decides, walking the computed nodes backwards, which backward
/// rule stores the first contribution to each adjoint and which add to it. The last node
/// is the loss, whose adjoint is seeded.
template <std::size_t Nodes, std::size_t Computed>
constexpr plan<Nodes, Computed> make_plan(const std::array<node_summary, Nodes>& summary, leaf_offsets leaves) {
  plan<Nodes, Computed> p;
  std::size_t leaf_count[3] = {0, 0, 0};
  std::size_t computed = 0;
  for (std::size_t i = 0; i < Nodes; ++i) {
    const node_summary& s = summary[i];
    node_plan& n = p.nodes[i];
    n.where = s.where;
    n.stored = s.stored;
    n.needs_grad = s.needs_grad;
    if (s.where == storage::workspace) {
      n.offset = p.workspace_size;
      p.workspace_size += s.stored;
      p.steps[computed].node = i;
      for (int k = 0; k < 2; ++k) p.steps[computed].operand[k] = s.operands[k];
      ++computed;
    } else {
      const auto kind = static_cast<std::size_t>(s.where);
      n.offset = leaves.of[kind][leaf_count[kind]++];
    }
  }
  std::array<bool, Nodes> written{};
  written[Nodes - 1] = true;
  for (std::size_t c = Computed; c-- > 0;) {
    step_plan& step = p.steps[c];
    for (int k = 0; k < 2; ++k) {
      if (!summary[step.node].operand_needs_grad[k]) continue;
      const std::size_t o = step.operand[k];
      step.grad[k] = written[o] ? rules::grad::add : rules::grad::store;
      written[o] = true;
    }
  }
  return p;
}

}  // namespace detail
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
  T value_and_grad(const parameters& params, const inputs& in, const targets& tgt, gradients& grads) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, {grads.data(), adjoints_.data()}};
    forward_sweep<false>(src, nullptr, computed_ops{});
    backward_sweep<false>(src, nullptr, computed_ops{});
    return loss();
  }

  /// value_and_grad that stops at the first non-finite value (NaN or infinity) and names
  /// the node where it appeared, in the forward or the backward sweep. The node index is
  /// the one of nn::describe(loss), whose names (z1, a1, ...) explain also uses.
  checked_step<T> value_and_grad_checked(const parameters& params, const inputs& in, const targets& tgt,
                                         gradients& grads) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, {grads.data(), adjoints_.data()}};
    non_finite_report report;
    forward_sweep<true>(src, &report, computed_ops{});
    if (report.found) return {T(0), report};
    backward_sweep<true>(src, &report, computed_ops{});
    return {loss(), report};
  }

  /// The loss alone (forward sweep only).
  T value(const parameters& params, const inputs& in, const targets& tgt) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, {nullptr, nullptr}};
    forward_sweep<false>(src, nullptr, computed_ops{});
    return loss();
  }

  /// The forward values of node N for the last sweep (a batched node: Batch samples).
  template <class N>
  std::span<const T> values_of(const N&) const {
    static_assert(detail::is_computed<N>::value && boost::mp11::mp_contains<nodes, N>::value,
                  "tapeless::nn::model::values_of(n): 'n' must be a computed node of this network "
                  "(parameters, inputs and targets are in their own sets)");
    constexpr const detail::node_plan& n = plan.nodes[detail::index_of<N, nodes>];
    return {values_.data() + n.offset, n.stored};
  }

 private:
  using computed = boost::mp11::mp_copy_if<nodes, detail::is_computed>;
  using computed_ops = boost::mp11::mp_transform<rules::op_of_t, computed>;
  static constexpr std::size_t node_count = boost::mp11::mp_size<nodes>::value;
  static constexpr std::size_t computed_count = boost::mp11::mp_size<computed>::value;

  static constexpr auto plan = detail::make_plan<node_count, computed_count>(
      detail::summaries<nodes, Batch>::value,
      detail::leaf_offsets{{parameters::offsets.data(), inputs::offsets.data(), targets::offsets.data()}});

  /// The base pointers of the storages, indexed by detail::storage, and of the adjoints.
  struct sources {
    const T* values[4];
    T* adjoints[2];  ///< gradients, adjoint workspace
  };

  static const T* value_at(const sources& src, std::size_t node) {
    const detail::node_plan& n = plan.nodes[node];
    return src.values[static_cast<std::size_t>(n.where)] + n.offset;
  }
  /// The adjoint of a node that needs one (a parameter or a computed node), else null.
  static T* adjoint_at(const sources& src, std::size_t node) {
    const detail::node_plan& n = plan.nodes[node];
    if (!n.needs_grad) return nullptr;
    return src.adjoints[n.where == detail::storage::parameters ? 0 : 1] + n.offset;
  }
  T* workspace_values(std::size_t step) { return values_.data() + plan.nodes[plan.steps[step].node].offset; }
  static rules::checked_node checked(std::size_t node) { return {node, plan.nodes[node].stored}; }

  // The sweeps expand over the computed nodes' ops in one function: each step is a call of
  // a rule instantiated per op (per shape) with pointers read from the constexpr plan. A
  // braced initializer runs the steps in order and has no 256-term limit (clang's fold
  // expression limit).
  template <bool Check, class... Op>
  void forward_sweep(const sources& src, non_finite_report* report, boost::mp11::mp_list<Op...>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      [[maybe_unused]] const int steps[] = {
          0, (rules::forward_step<Op, Batch, Kernels, Check>(
                  value_at(src, plan.steps[I].operand[0]), value_at(src, plan.steps[I].operand[1]),
                  workspace_values(I), checked(plan.steps[I].node), report),
              0)...};
    }(std::index_sequence_for<Op...>{});
  }

  template <bool Check, class... Op>
  void backward_sweep(const sources& src, non_finite_report* report, boost::mp11::mp_list<Op...>) {
    seed(src);
    using reversed = boost::mp11::mp_reverse<boost::mp11::mp_list<Op...>>;
    constexpr std::size_t last = computed_count - 1;
    [&]<class... R, std::size_t... I>(boost::mp11::mp_list<R...>, std::index_sequence<I...>) {
      [[maybe_unused]] const int steps[] = {
          0, (rules::backward_step<R, Batch, Kernels, plan.steps[last - I].grad[0], plan.steps[last - I].grad[1],
                                   Check>(
                  value_at(src, plan.steps[last - I].operand[0]), value_at(src, plan.steps[last - I].operand[1]),
                  value_at(src, plan.steps[last - I].node), adjoint_at(src, plan.steps[last - I].node),
                  adjoint_at(src, plan.steps[last - I].operand[0]), adjoint_at(src, plan.steps[last - I].operand[1]),
                  checked(plan.steps[last - I].operand[0]), checked(plan.steps[last - I].operand[1]), report),
              0)...};
    }(reversed{}, std::index_sequence_for<Op...>{});
  }

  static constexpr std::size_t loss_count = Loss::batched ? Batch : 1;

  void seed(const sources& src) {
    T* dl = adjoint_at(src, node_count - 1);
    for (std::size_t b = 0; b < loss_count; ++b) dl[b] = T(1) / T(loss_count);
  }

  T loss() const {
    const T* l = values_.data() + plan.nodes[node_count - 1].offset;
    T sum = 0;
    for (std::size_t b = 0; b < loss_count; ++b) sum += l[b];
    return sum / T(loss_count);
  }

  std::array<T, plan.workspace_size> values_{};
  std::array<T, plan.workspace_size> adjoints_{};
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
