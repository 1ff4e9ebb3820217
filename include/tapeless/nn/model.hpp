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

// The pointers of a step are read from the constexpr plan; inlined into the sweep, they fold
// to constants. A compiler that keeps the helper out of line reads the plan at run time on
// every step, which doubles the time of a step of a tiny network.
#if defined(__GNUC__) || defined(__clang__)
#define TAPELESS_STEP_INLINE inline __attribute__((always_inline))
#else
#define TAPELESS_STEP_INLINE inline
#endif

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
  bool written = true;  ///< false for a product a fused step never writes out
  bool updated_in_step = false;  ///< a parameter a fused training step updates in place
};

inline constexpr std::size_t no_node = static_cast<std::size_t>(-1);

struct step_plan {  ///< a computed node
  std::size_t node = 0;  ///< index in the node list
  std::array<std::size_t, 3> operand{};  ///< unused slots repeat the first operand
  std::array<rules::grad, 3> grad{rules::grad::none, rules::grad::none, rules::grad::none};
  rules::fusion applied = rules::fusion::none;
  bool absorbed = false;  ///< a fused step later in the sweep does this node's work
  std::size_t aux = no_node;  ///< the absorbed node whose slots a fused step uses
};

/// Operand indices and gradient needs, padded to three slots with the first operand.
struct operand_slots {
  std::array<std::size_t, 3> index{};
  std::array<bool, 3> needs_grad{};
  std::size_t count = 0;
};
/// A node's entry of the plan, before the layout.
struct node_summary {
  storage where = storage::workspace;
  std::size_t stored = 0;
  bool needs_grad = false;
  operand_slots own;  ///< its operands
  rules::fusion fusion = rules::fusion::none;  ///< the pattern it heads, if any
  operand_slots fused;  ///< the fused step's operands (W, x, b)
  operand_slots absorbed;  ///< the nodes the fused step absorbs (no gradients)
};

template <class N>
using storage_of = std::integral_constant<storage, is_param<N>::value    ? storage::parameters
                                                  : is_input<N>::value  ? storage::inputs
                                                  : is_target<N>::value ? storage::targets
                                                                        : storage::workspace>;

/// Slots with the given operand positions, padded to three with the first, and whether
/// each operand needs a gradient.
template <std::size_t Nodes>
constexpr operand_slots slots_of(const std::array<node_summary, Nodes>& s, std::size_t count, std::size_t a,
                                 std::size_t b = 0, std::size_t c = 0) {
  operand_slots o{{a, count > 1 ? b : a, count > 2 ? c : a}, {}, count};
  for (std::size_t k = 0; k < count; ++k) o.needs_grad[k] = s[o.index[k]].needs_grad;
  return o;
}

/// The operand slots of every node, and of the fused step that a pattern heads:
///   affine:        map2(+, W x, b)              -> operands W, x, b; absorbs W x
///   activated:     map(f, map2(+, W x, b))      -> operands W, x, b; absorbs W x and W x + b
///   squared_error: scale(sum(square(p - t)))    -> operands p, t; absorbs p - t, its square
///                                                  and their sum
template <std::size_t Nodes>
constexpr std::array<node_summary, Nodes> with_slots(std::array<node_summary, Nodes> s) {
  for (auto& n : s) n.own = slots_of(s, n.own.count, n.own.index[0], n.own.index[1]);
  for (std::size_t i = 0; i < Nodes; ++i) {
    node_summary& n = s[i];
    if (n.fusion == rules::fusion::none) continue;
    if (n.fusion == rules::fusion::squared_error) {
      const std::size_t sum = n.own.index[0], square = s[sum].own.index[0], difference = s[square].own.index[0];
      n.fused = slots_of(s, 2, s[difference].own.index[0], s[difference].own.index[1]);
      n.absorbed = slots_of(s, 3, difference, square, sum);
      continue;
    }
    const std::size_t sum = n.fusion == rules::fusion::activated ? n.own.index[0] : i;
    const std::size_t product = s[sum].own.index[0];
    n.fused = slots_of(s, 3, s[product].own.index[0], s[product].own.index[1], s[sum].own.index[1]);
    n.absorbed = n.fusion == rules::fusion::activated ? slots_of(s, 2, product, sum) : slots_of(s, 1, product);
  }
  return s;
}

/// The nodes whose orders are prefixes of the network's: the loss, the operand it visits
/// first, that one's, and so on. Their recorded operand positions hold in the network's
/// order; for a chain of layers these are all computed nodes.
template <std::size_t Nodes>
constexpr std::array<bool, Nodes> prefix_chain(const std::array<std::size_t, Nodes>& prefix) {
  std::array<bool, Nodes> on{};
  for (std::size_t p = Nodes - 1; p != graph::detail::absent; p = prefix[p]) on[p] = true;
  return on;
}

/// A node's operand positions in the network's order: those its own order recorded, or,
/// off the prefix chain (a branch merged into another), looked up.
template <class Map, class N, bool Recorded>
struct operand_positions {
  enum : std::size_t { first = N::order::first, second = N::order::second };
};
template <class Map, class N>
struct operand_positions<Map, N, false> {
  using operands = typename N::operands;
  enum : std::size_t {
    first = graph::detail::position<boost::mp11::mp_front<operands>, Map>::value,
    second = graph::detail::position<boost::mp11::mp_back<operands>, Map>::value
  };
};

/// The operand positions of node N, whose recorded ones hold when it is on the prefix chain.
template <class Map, class N, bool OnChain>
using positions_of = operand_positions<Map, N, OnChain || is_leaf<N>::value>;

/// Which nodes of a list are on its prefix chain, as an array.
template <class Nodes>
struct prefix_chain_of;
template <class... N>
struct prefix_chain_of<boost::mp11::mp_list<N...>> {
  static constexpr std::array<bool, sizeof...(N)> value = prefix_chain<sizeof...(N)>({N::order::prefix...});
};
/// The same flags as a sequence of template arguments. Not the array as one template
/// argument: g++ 12 handed one network the flags of another network of as many nodes, read
/// from such an argument.
template <class Nodes, class Seq = std::make_index_sequence<boost::mp11::mp_size<Nodes>::value>>
struct chain_sequence;
template <class Nodes, std::size_t... I>
struct chain_sequence<Nodes, std::index_sequence<I...>> {
  using type = std::integer_sequence<bool, prefix_chain_of<Nodes>::value[I]...>;
};

/// The summaries of all nodes, from their types and the operand positions their orders
/// recorded: class templates and data only, nothing compiled per node type.
/// The expansion over the nodes names only template parameters: a member of this class
/// named in it makes g++ copy and hash the class's packs of all nodes for every node, a
/// time and memory square in the node count. Sizes are multiplied as size_t: on an
/// enumerator, `*` would try the expression operator templates of namespace tapeless.
template <class Nodes, std::size_t Batch, class Chain = typename chain_sequence<Nodes>::type,
          class Map = graph::detail::index_map<Nodes>,
          class Seq = std::make_index_sequence<boost::mp11::mp_size<Nodes>::value>>
struct summaries;
template <class... N, std::size_t Batch, bool... OnChain, class Map, std::size_t... I>
struct summaries<boost::mp11::mp_list<N...>, Batch, std::integer_sequence<bool, OnChain...>, Map,
                 std::index_sequence<I...>> {
  static constexpr std::array<node_summary, sizeof...(N)> value = with_slots(std::array<node_summary, sizeof...(N)>{
      node_summary{storage_of<N>::value, std::size_t{N::size} * (N::batched ? Batch : 1), N::needs_grad,
                   operand_slots{{positions_of<Map, N, OnChain>::first, positions_of<Map, N, OnChain>::second,
                                  positions_of<Map, N, OnChain>::first},
                                 {},
                                 boost::mp11::mp_size<typename N::operands>::value},
                   rules::fusion_of<N>::kind::value, {}, {}}...});
};

template <std::size_t Nodes, std::size_t Computed>
struct plan {
  std::array<node_plan, Nodes> nodes{};
  std::array<step_plan, Computed> steps{};
  std::array<std::size_t, Nodes> step_of{};  ///< a computed node's step
  std::size_t workspace_size = 0;
};

/// Offsets of the parameters, inputs and targets in their sets, in node order.
struct leaf_offsets {
  const std::size_t* of[3];
};

template <std::size_t Nodes, std::size_t Computed>
constexpr void lay_out(plan<Nodes, Computed>& p, const std::array<node_summary, Nodes>& summary,
                       leaf_offsets leaves) {
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
      p.step_of[i] = computed;
      p.steps[computed].node = i;
      p.steps[computed].operand = s.own.index;
      ++computed;
    } else {
      const auto kind = static_cast<std::size_t>(s.where);
      n.offset = leaves.of[kind][leaf_count[kind]++];
    }
  }
}

/// Fuses a layer W x + b (and its activation) into one step where the nodes it absorbs have
/// no other consumer; walks backwards so that the widest pattern wins.
template <std::size_t Nodes, std::size_t Computed>
constexpr void fuse(plan<Nodes, Computed>& p, const std::array<node_summary, Nodes>& summary) {
  std::array<std::size_t, Nodes> consumers{};
  for (std::size_t c = 0; c < Computed; ++c)
    for (std::size_t k = 0; k < summary[p.steps[c].node].own.count; ++k) ++consumers[p.steps[c].operand[k]];
  for (std::size_t c = Computed; c-- > 0;) {
    step_plan& step = p.steps[c];
    const node_summary& s = summary[step.node];
    if (step.absorbed || s.fusion == rules::fusion::none) continue;
    bool free = true;
    for (std::size_t k = 0; k < s.absorbed.count; ++k) {
      const std::size_t a = s.absorbed.index[k];
      free = free && consumers[a] == 1 && !p.steps[p.step_of[a]].absorbed;
    }
    if (!free) continue;
    step.applied = s.fusion;
    step.operand = s.fused.index;
    for (std::size_t k = 0; k < s.absorbed.count; ++k) p.steps[p.step_of[s.absorbed.index[k]]].absorbed = true;
    if (s.fusion == rules::fusion::activated) step.aux = s.absorbed.index[1];  // W x + b, kept
    for (std::size_t k = 0; k < s.absorbed.count; ++k)  // the others are never written out
      if (s.absorbed.index[k] != step.aux) p.nodes[s.absorbed.index[k]].written = false;
  }
}

/// Decides, walking the steps backwards, which backward rule stores the first contribution
/// to each adjoint and which add to it. The last node is the loss, whose adjoint is seeded.
template <std::size_t Nodes, std::size_t Computed>
constexpr void assign_gradients(plan<Nodes, Computed>& p, const std::array<node_summary, Nodes>& summary) {
  std::array<bool, Nodes> written{};
  written[Nodes - 1] = true;
  for (std::size_t c = Computed; c-- > 0;) {
    step_plan& step = p.steps[c];
    if (step.absorbed) continue;
    const node_summary& s = summary[step.node];
    const operand_slots& operands = step.applied == rules::fusion::none ? s.own : s.fused;
    for (std::size_t k = 0; k < operands.count; ++k) {
      if (!operands.needs_grad[k]) continue;
      const std::size_t o = step.operand[k];
      step.grad[k] = written[o] ? rules::grad::add : rules::grad::store;
      written[o] = true;
    }
  }
}

/// How many steps read each node (a fused step: its W, x and b).
template <std::size_t Nodes, std::size_t Computed>
constexpr std::array<std::size_t, Nodes> readers_of(const plan<Nodes, Computed>& p,
                                                    const std::array<node_summary, Nodes>& summary) {
  std::array<std::size_t, Nodes> readers{};
  for (const step_plan& step : p.steps) {
    if (step.absorbed) continue;
    const std::size_t count = (step.applied == rules::fusion::none ? summary[step.node].own : summary[step.node].fused).count;
    for (std::size_t k = 0; k < count; ++k) ++readers[step.operand[k]];
  }
  return readers;
}

/// Whether a training step updates operand k of a step in place: the weight (k = 0) or bias
/// (k = 2) of a fused layer, read by no other step, so that its gradient is this step's alone
/// and nothing reads it after the update.
template <std::size_t Nodes, std::size_t Computed>
constexpr bool updates_in_place(const plan<Nodes, Computed>& p, const std::array<std::size_t, Nodes>& readers,
                                const step_plan& step, std::size_t k) {
  const std::size_t o = step.operand[k];
  const bool layer = step.applied == rules::fusion::affine || step.applied == rules::fusion::activated;
  return !step.absorbed && layer && (k == 0 || k == 2) &&
         p.nodes[o].where == storage::parameters && readers[o] == 1 && step.grad[k] == rules::grad::store;
}

/// A fused training step's plan from the fused sweep's: grad::update where a layer updates
/// a parameter in place. The other parameters' gradients (tied weights, a penalty's
/// operands, a shared bias, unfused products) still go to a buffer and are applied after
/// the sweep.
template <std::size_t Nodes, std::size_t Computed>
constexpr void assign_updates(plan<Nodes, Computed>& p, const std::array<node_summary, Nodes>& summary) {
  const auto readers = readers_of(p, summary);
  for (step_plan& step : p.steps)
    for (std::size_t k = 0; k < 3; ++k)
      if (updates_in_place(p, readers, step, k)) {
        step.grad[k] = rules::grad::update;
        p.nodes[step.operand[k]].updated_in_step = true;
      }
}

/// Whether a training step updates some parameter after its sweep, from a buffer.
template <std::size_t Nodes, std::size_t Computed>
constexpr bool updates_after_sweep(const plan<Nodes, Computed>& p, const std::array<node_summary, Nodes>& summary) {
  const auto readers = readers_of(p, summary);
  std::size_t in_place = 0, parameters = 0;
  for (const step_plan& step : p.steps)
    for (std::size_t k = 0; k < 3; ++k) in_place += updates_in_place(p, readers, step, k) ? 1 : 0;
  for (const node_plan& n : p.nodes) parameters += n.where == storage::parameters ? 1 : 0;
  return in_place < parameters;
}

/// Which sweep a plan is for: gradients (fused layers), a checked step (every node its own
/// step), or a fused training step (gradients and updates).
enum class sweep { gradients, checked, update };

/// The schedule: layout, fusion (unless `fused` is false) and gradient flow.
template <std::size_t Nodes, std::size_t Computed>
constexpr plan<Nodes, Computed> make_plan(const std::array<node_summary, Nodes>& summary, leaf_offsets leaves,
                                          bool fused) {
  plan<Nodes, Computed> p;
  lay_out(p, summary, leaves);
  if (fused) fuse(p, summary);
  assign_gradients(p, summary);
  return p;
}

/// A step's code: its op, and what its backward rule does with each operand's adjoint.
template <class Op, rules::grad G0, rules::grad G1, rules::grad G2>
struct step_code {};

/// What a sweep reads: the storages' base pointers and the plan. Unrolled into the sweep of
/// a small network, every pointer a step computes from it folds to a constant; the step loop
/// of a deep network computes them at run time.
template <class T>
struct sweep_args {
  const T* values[4];  ///< indexed by storage
  T* gradients;        ///< null for a forward sweep alone
  T* updated;          ///< the parameters, in a fused training step; else null
  T rate;              ///< its learning rate
  T* workspace;
  T* adjoints;
  const node_plan* nodes;
  const step_plan* steps;
  std::size_t step_count;
  non_finite_report* report;
};

// The helpers take the node plan apart from the arguments: an unrolled sweep passes the
// constexpr plan itself, so that its entries fold even where -Os keeps the sweep out of line.
template <class T>
TAPELESS_STEP_INLINE const T* value_at(const sweep_args<T>& a, const node_plan* nodes, std::size_t node) {
  return a.values[static_cast<std::size_t>(nodes[node].where)] + nodes[node].offset;
}
/// The adjoint of a node that needs one (a parameter or a computed node), else null.
template <class T>
TAPELESS_STEP_INLINE T* adjoint_at(const sweep_args<T>& a, const node_plan* nodes, std::size_t node) {
  const node_plan& n = nodes[node];
  if (!n.needs_grad) return nullptr;
  return (n.where == storage::parameters ? a.gradients : a.adjoints) + n.offset;
}
/// Where a step's backward rule writes operand k's gradient: its adjoint, or, for an update
/// in place, the parameter itself.
template <class T>
TAPELESS_STEP_INLINE T* operand_adjoint(const sweep_args<T>& a, const node_plan* nodes, const step_plan& s,
                                        std::size_t k) {
  if (s.grad[k] == rules::grad::none) return nullptr;
  if (s.grad[k] == rules::grad::update) return a.updated + nodes[s.operand[k]].offset;
  return adjoint_at(a, nodes, s.operand[k]);
}
/// The pointers of a step; written out rather than looped, so that -Os folds every pointer
/// of an unrolled sweep to a constant and keeps no plan in the binary.
template <class T>
TAPELESS_STEP_INLINE rules::step_io<T> step_pointers(const sweep_args<T>& a, const node_plan* nodes, const step_plan& s,
                                                     bool backward) {
  rules::step_io<T> io{};
  io.in[0] = value_at(a, nodes, s.operand[0]);
  io.in[1] = value_at(a, nodes, s.operand[1]);
  io.in[2] = value_at(a, nodes, s.operand[2]);
  io.y = a.workspace + nodes[s.node].offset;
  if (s.aux != no_node) io.aux = a.workspace + nodes[s.aux].offset;
  if (!backward) return io;
  io.din[0] = operand_adjoint(a, nodes, s, 0);
  io.din[1] = operand_adjoint(a, nodes, s, 1);
  io.din[2] = operand_adjoint(a, nodes, s, 2);
  io.dy = adjoint_at(a, nodes, s.node);
  io.rate = a.rate;
  if (s.aux != no_node) io.daux = a.adjoints + nodes[s.aux].offset;
  return io;
}
/// What a checked step looks at: its own values (forward), or its operands' adjoints.
TAPELESS_STEP_INLINE rules::checked_nodes step_checked(const node_plan* nodes, const step_plan& s, bool backward) {
  if (!backward) return {{s.node, 0, 0}, {s.absorbed ? 0 : nodes[s.node].stored, 0, 0}};
  return {{s.operand[0], s.operand[1], s.operand[2]},
          {nodes[s.operand[0]].stored, nodes[s.operand[1]].stored, nodes[s.operand[2]].stored}};
}

template <class Code, std::size_t Batch, class Kernels, bool Check, class T>
struct code_entry;
template <class Op, rules::grad G0, rules::grad G1, rules::grad G2, std::size_t Batch, class Kernels, bool Check,
          class T>
struct code_entry<step_code<Op, G0, G1, G2>, Batch, Kernels, Check, T> {
  static constexpr auto forward = &rules::forward_step<Op, Batch, Kernels, Check, T>;
  static constexpr auto backward = &rules::backward_step<Op, Batch, Kernels, G0, G1, G2, Check, T>;
};

// A deep network runs its steps in a loop over the plan, through a table of the steps'
// rules (one function per op and gradient flow, not per step). Unrolled, every step would be
// code in functions named with the network's whole nested type, and g++ mangles such names
// in time growing faster than the square of the depth. A step of the loop costs a table
// load and an indirect call, little next to a layer's products.
template <class Codes, std::size_t Batch, class Kernels, bool Check, class T>
struct step_loop;
template <class... C, std::size_t Batch, class Kernels, bool Check, class T>
struct step_loop<boost::mp11::mp_list<C...>, Batch, Kernels, Check, T> {
  static void forward(const sweep_args<T>& a) {
    static constexpr decltype(&rules::forward_step<rules::absorbed_op, Batch, Kernels, Check, T>) table[] = {
        code_entry<C, Batch, Kernels, Check, T>::forward...};
    for (std::size_t i = 0; i < a.step_count; ++i)
      if (!a.steps[i].absorbed) table[i](step_pointers(a, a.nodes, a.steps[i], false), step_checked(a.nodes, a.steps[i], false), a.report);
  }
  static void backward(const sweep_args<T>& a) {
    static constexpr decltype(&rules::backward_step<rules::absorbed_op, Batch, Kernels, rules::grad::none,
                                                    rules::grad::none, rules::grad::none, Check, T>) table[] = {
        code_entry<C, Batch, Kernels, Check, T>::backward...};
    for (std::size_t i = a.step_count; i-- > 0;)
      if (!a.steps[i].absorbed) table[i](step_pointers(a, a.nodes, a.steps[i], true), step_checked(a.nodes, a.steps[i], true), a.report);
  }
};

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
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, grads.data()};
    forward<sweep::gradients>(src, nullptr);
    backward<sweep::gradients>(src, nullptr);
    return loss();
  }

  /// One fused training step: the loss (mean over the batch, before the update) and plain
  /// gradient descent, w -= rate * dL/dw, on every parameter. The same as value_and_grad then
  /// sgd_step up to float rounding, but a fused layer updates its weight and bias in its
  /// own backward step, with the weight gradient's product adding straight into W, and no
  /// gradient is written out. For the gradients themselves, use value_and_grad.
  T value_and_step(parameters& params, const inputs& in, const targets& tgt, T rate) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, update_buffer_.data(), params.data(),
                      rate};
    forward<sweep::update>(src, nullptr);
    backward<sweep::update>(src, nullptr);
    if constexpr (updates_after) update_after_sweep(params.data(), rate);
    return loss();
  }

  /// value_and_grad that stops at the first non-finite value (NaN or infinity) and names
  /// the node where it appeared, in the forward or the backward sweep. The node index is
  /// the one of nn::describe(loss), whose names (z1, a1, ...) explain also uses. It runs
  /// every node as a step of its own (no fused layers), so that it can name each one.
  checked_step<T> value_and_grad_checked(const parameters& params, const inputs& in, const targets& tgt,
                                         gradients& grads) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, grads.data()};
    non_finite_report report;
    forward<sweep::checked>(src, &report);
    if (report.found) return {T(0), report};
    backward<sweep::checked>(src, &report);
    return {loss(), report};
  }

  /// The loss alone (forward sweep only).
  T value(const parameters& params, const inputs& in, const targets& tgt) {
    const sources src{{params.data(), in.data(), tgt.data(), values_.data()}, nullptr};
    forward<sweep::gradients>(src, nullptr);
    return loss();
  }

  /// The forward values of node N for the last sweep (a batched node: Batch samples).
  template <class N>
  std::span<const T> values_of(const N&) const {
    static_assert(detail::is_computed<N>::value && boost::mp11::mp_contains<nodes, N>::value,
                  "tapeless::nn::model::values_of(n): 'n' must be a computed node of this network "
                  "(parameters, inputs and targets are in their own sets)");
    constexpr const detail::node_plan& n = fused_plan.nodes[graph::index_of<N, nodes>];
    static_assert(n.written, "tapeless::nn::model::values_of(n): 'n' is not written out by the fused step "
                             "that computes it: a product W x, which its layer's fused step adds the bias to "
                             "in place (ask for the layer's W x + b instead), or a part of mse (p - t, its "
                             "square or their sum; ask for the loss or the prediction)");
    return {values_.data() + n.offset, n.stored};
  }

 private:
  using computed = boost::mp11::mp_copy_if<nodes, detail::is_computed>;
  static constexpr std::size_t node_count = boost::mp11::mp_size<nodes>::value;
  static constexpr std::size_t computed_count = boost::mp11::mp_size<computed>::value;

  using sweep = detail::sweep;
  static constexpr auto make(bool fused) {
    return detail::make_plan<node_count, computed_count>(
        detail::summaries<nodes, Batch>::value,
        detail::leaf_offsets{{parameters::offsets.data(), inputs::offsets.data(), targets::offsets.data()}}, fused);
  }
  static constexpr auto fused_plan = make(true);
  /// The checked step's plan: a template, so that only a model that runs it computes it.
  template <int = 0>
  static constexpr auto checked_plan = make(false);
  /// A training step's plan: a template, so that only a model that trains with
  /// value_and_step computes it.
  template <int = 0>
  static constexpr auto update_plan = [] {
    auto p = fused_plan;
    detail::assign_updates(p, detail::summaries<nodes, Batch>::value);
    return p;
  }();

 public:
  /// The number of steps a sweep runs: one per computed node, except that a layer
  /// W x + b, with its activation, is one fused step when nothing else reads W x or W x + b.
  static constexpr std::size_t step_count = [] {
    std::size_t n = 0;
    for (const auto& step : fused_plan.steps) n += step.absorbed ? 0 : 1;
    return n;
  }();

  /// Whether the sweeps run their steps unrolled, every pointer a constant (a network of up
  /// to 32 computed nodes: a step of a tiny network takes nanoseconds), or in a loop over the
  /// plan (deeper networks: their compile time would grow faster than the square of depth).
  static constexpr bool unrolled = computed_count <= 32;

  /// Whether value_and_step updates some parameters after its sweep, from a buffer the
  /// model holds: a tied weight, a penalized weight, a shared bias or an unfused product,
  /// whose gradient is a sum or not a fused layer's. The others it updates in place.
  static constexpr bool updates_after = detail::updates_after_sweep(fused_plan, detail::summaries<nodes, Batch>::value);

 private:
  /// The checked step runs the unfused plan; all plans lay out storage alike.
  template <sweep S>
  static constexpr const auto& schedule() {
    if constexpr (S == sweep::checked) return checked_plan<>;
    else if constexpr (S == sweep::update) return update_plan<>;
    else return fused_plan;
  }
  template <sweep S>
  static constexpr bool checked = S == sweep::checked;

  /// The op of every step, in order.
  template <sweep S, class Nodes = computed, class Seq = std::make_index_sequence<computed_count>>
  struct ops_impl;
  template <sweep S, class... N, std::size_t... I>
  struct ops_impl<S, boost::mp11::mp_list<N...>, std::index_sequence<I...>> {
    using type = boost::mp11::mp_list<
        typename rules::step_op<N, schedule<S>().steps[I].applied, schedule<S>().steps[I].absorbed>::type...>;
  };
  /// A training step's ops are the fused sweep's; only their gradient flows differ.
  template <sweep S>
  using ops = typename ops_impl<S == sweep::update ? sweep::gradients : S>::type;

  /// The code of every step, in order.
  template <sweep S, class Ops = ops<S>, class Seq = std::make_index_sequence<computed_count>>
  struct codes_impl;
  template <sweep S, class... Op, std::size_t... I>
  struct codes_impl<S, boost::mp11::mp_list<Op...>, std::index_sequence<I...>> {
    using type = boost::mp11::mp_list<detail::step_code<Op, schedule<S>().steps[I].grad[0],
                                                        schedule<S>().steps[I].grad[1],
                                                        schedule<S>().steps[I].grad[2]>...>;
  };
  template <sweep S>
  using codes = typename codes_impl<S>::type;

  /// The base pointers of the storages, indexed by detail::storage, and of the gradients;
  /// in a training step also the parameters to update and the rate.
  struct sources {
    const T* values[4];
    T* gradients;  ///< null for a forward sweep alone
    T* updated = nullptr;
    T rate = T(0);
  };

  // Inlined into every entry point: a sweep called from two of them (value_and_grad and
  // value_and_step) stays out of line otherwise, and a tiny network's step then takes
  // 70 ns instead of 40.
  template <sweep S>
  TAPELESS_STEP_INLINE void forward(const sources& src, non_finite_report* report) {
    constexpr sweep s = S == sweep::update ? sweep::gradients : S;  // the same forward steps
    const detail::sweep_args<T> args = arguments<s>(src, report);
    if constexpr (unrolled) forward_sweep<s>(args, ops<s>{});
    else detail::step_loop<codes<s>, Batch, Kernels, checked<s>, T>::forward(args);
  }
  template <sweep S>
  TAPELESS_STEP_INLINE void backward(const sources& src, non_finite_report* report) {
    const detail::sweep_args<T> args = arguments<S>(src, report);
    T* dl = detail::adjoint_at(args, fused_plan.nodes.data(), node_count - 1);  // the seed: the loss is the mean over the batch
    for (std::size_t b = 0; b < loss_count; ++b) dl[b] = T(1) / T(loss_count);
    if constexpr (unrolled) backward_sweep<S>(args, ops<S>{});
    else detail::step_loop<codes<S>, Batch, Kernels, checked<S>, T>::backward(args);
  }
  template <sweep S>
  TAPELESS_STEP_INLINE detail::sweep_args<T> arguments(const sources& src, non_finite_report* report) {
    return {{src.values[0], src.values[1], src.values[2], src.values[3]},
            src.gradients,
            src.updated,
            src.rate,
            values_.data(),
            adjoints_.data(),
            // An unrolled sweep reads the plan as a constant; taking its address here would
            // keep it in the binary.
            unrolled ? nullptr : schedule<S>().nodes.data(),
            unrolled ? nullptr : schedule<S>().steps.data(),
            computed_count,
            report};
  }

  /// The update of the parameters a training step's sweep did not update in place.
  void update_after_sweep(T* params, T rate) const {
    for (std::size_t i = 0; i < node_count; ++i) {
      const detail::node_plan& n = update_plan<>.nodes[i];
      if (n.where != detail::storage::parameters || n.updated_in_step) continue;
      for (std::size_t j = n.offset; j < n.offset + n.stored; ++j) params[j] -= rate * update_buffer_[j];
    }
  }

  // The sweeps expand over the steps' ops in one function: each step is a call of a rule
  // instantiated per op (per shape) with pointers read from the constexpr plan. A braced
  // initializer runs the steps in order and has no 256-term limit (clang's fold limit).
  template <sweep S, class... Op>
  void forward_sweep(const detail::sweep_args<T>& args, boost::mp11::mp_list<Op...>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      constexpr const auto& plan = schedule<S>();
      [[maybe_unused]] const int done[] = {
          0, (rules::forward_step<Op, Batch, Kernels, checked<S>>(
                  detail::step_pointers(args, plan.nodes.data(), plan.steps[I], false),
                  detail::step_checked(plan.nodes.data(), plan.steps[I], false), args.report),
              0)...};
    }(std::index_sequence_for<Op...>{});
  }

  template <sweep S, class... Op>
  void backward_sweep(const detail::sweep_args<T>& args, boost::mp11::mp_list<Op...>) {
    using reversed = boost::mp11::mp_reverse<boost::mp11::mp_list<Op...>>;
    constexpr std::size_t last = computed_count - 1;
    constexpr const auto& steps = schedule<S>().steps;
    constexpr const detail::node_plan* nodes = schedule<S>().nodes.data();
    [&]<class... R, std::size_t... I>(boost::mp11::mp_list<R...>, std::index_sequence<I...>) {
      [[maybe_unused]] const int done[] = {
          0, (rules::backward_step<R, Batch, Kernels, steps[last - I].grad[0], steps[last - I].grad[1],
                                   steps[last - I].grad[2], checked<S>>(
                  detail::step_pointers(args, nodes, steps[last - I], true),
                  detail::step_checked(nodes, steps[last - I], true), args.report),
              0)...};
    }(reversed{}, std::index_sequence_for<Op...>{});
  }

  static constexpr std::size_t loss_count = Loss::batched ? Batch : 1;

  T loss() const {
    const T* l = values_.data() + fused_plan.nodes[node_count - 1].offset;
    T sum = 0;
    for (std::size_t b = 0; b < loss_count; ++b) sum += l[b];
    return sum / T(loss_count);
  }

  std::array<T, fused_plan.workspace_size> values_{};
  std::array<T, fused_plan.workspace_size> adjoints_{};
  /// The gradients of the parameters a training step updates after its sweep (tied
  /// weights, a penalty's operands, unfused products); empty when there are none.
  std::array<T, updates_after ? parameters::total_size : 0> update_buffer_{};
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
