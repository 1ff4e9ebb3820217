#ifndef TAPELESS_NN_RULES_HPP
#define TAPELESS_NN_RULES_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <boost/mp11/list.hpp>

#include "elementwise.hpp"
#include "nodes.hpp"
#include "plain_kernels.hpp"

namespace tapeless::nn {

/// Where a checked step met the first non-finite value.
struct non_finite_report {
  bool found = false;
  std::size_t node = 0;     ///< index in the network's node list (nn::describe order)
  std::size_t element = 0;  ///< element of that node's values or adjoint
  bool in_backward = false;  ///< in the adjoint dL/dnode rather than the forward value
};

namespace rules {

// The forward and backward rule of every computed node kind, written for an "op": a type
// that knows a node's kind and sizes but not its operands' types. A compiled model calls
// one rule per node, but instantiates one per distinct op (per shape), and these functions
// have short names: g++ mangles the name of every function it compiles, and a name that
// carries the nested type of a deep network costs time growing with the cube of the depth.
//
// Every rule reads and writes through one step_io, whatever its arity:
//   forward(io)    io.y = op(io.in...)
//   backward(io)   io.din[k] (+)= dL/d(operand k), from io.dy = dL/dy
// Layouts as in nn::plain_kernels: a batched node holds Batch samples one after another.

/// The storage one step works on. A fused step (dense_op) also owns the slots of the node
/// it absorbed, `aux` (its values) and `daux` (its adjoint), as scratch for W x + b and the
/// delta.
template <class T>
struct step_io {
  const T* in[3];
  T* din[3];  ///< null where the operand needs no gradient
  T* y;
  T* dy;  ///< changed only by a fused update, which scales the delta in place
  T* aux;
  T* daux;
  T rate;  ///< the learning rate of a step that updates parameters in place (grad::update)
};

/// What a backward rule does with an operand's adjoint: nothing (the operand needs no
/// gradient), store the first contribution, or add to the earlier ones. Known at compile
/// time from the schedule, so adjoints are never zeroed in advance.
/// `update` (a fused training step): the operand is a parameter that no other step reads,
/// and io.din points at the parameter itself; the rule applies w -= rate * dL/dw in place
/// once it no longer needs w, without writing the gradient anywhere.
enum class grad { none, store, add, update };

template <std::size_t Rows, std::size_t Cols, bool Batched>
struct matmul_op {
  template <std::size_t Batch>
  static constexpr std::size_t samples = Batched ? Batch : 1;

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    Kernels::template matmul<Rows, Cols, samples<Batch>>(io.in[0], io.in[1], io.y);
  }
  template <std::size_t Batch, class Kernels, grad GW, grad GX, grad, class T>
  static void backward(const step_io<T>& io) {
    backward_from<Batch, Kernels, GW, GX>(io.in[0], io.in[1], io.dy, io.din[0], io.din[1]);
  }
  /// dL/dW = delta x^T and dL/dx = W^T delta.
  template <std::size_t Batch, class Kernels, grad GW, grad GX, class T>
  static void backward_from(const T* w, const T* x, const T* delta, T* dw, T* dx) {
    if constexpr (GW != grad::none)
      Kernels::template matmul_weight_gradient<Rows, Cols, samples<Batch>>(delta, x, dw, GW == grad::add);
    if constexpr (GX != grad::none)
      Kernels::template matmul_input_gradient<Rows, Cols, samples<Batch>>(w, delta, dx, GX == grad::add);
  }
};

template <class F, std::size_t Size, bool Batched>
struct map_op {
  template <std::size_t Batch>
  static constexpr std::size_t stored = Size * (Batched ? Batch : 1);

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    Kernels::template map<F, stored<Batch>>(io.in[0], io.y);
  }
  template <std::size_t Batch, class Kernels, grad GA, grad, grad, class T>
  static void backward(const step_io<T>& io) {
    if constexpr (GA != grad::none)
      Kernels::template map_gradient<F, stored<Batch>>(io.in[0], io.y, io.dy, io.din[0], GA == grad::add);
  }
};

/// Sets n adjoint values to zero unless the rule adds to earlier contributions.
template <grad G, class T>
void prepare_to_add(T* adjoint, std::size_t n) {
  if constexpr (G == grad::store)
    for (std::size_t i = 0; i < n; ++i) adjoint[i] = T(0);
}

/// F(a, b) elementwise; an operand that is not batched is broadcast over the batch.
template <class F, std::size_t Size, bool ABatched, bool BBatched>
struct map2_op {
  template <std::size_t Batch>
  static constexpr std::size_t samples = ABatched || BBatched ? Batch : 1;
  template <bool OperandBatched>
  static constexpr std::size_t element(std::size_t s, std::size_t i) {
    return OperandBatched ? s * Size + i : i;
  }

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    const T* a = io.in[0];
    const T* b = io.in[1];
    T* y = io.y;
    for (std::size_t s = 0; s < samples<Batch>; ++s)
      for (std::size_t i = 0; i < Size; ++i)
        y[s * Size + i] = binary_rule<F>::value(a[element<ABatched>(s, i)], b[element<BBatched>(s, i)]);
  }
  template <std::size_t Batch, class Kernels, grad GA, grad GB, grad, class T>
  static void backward(const step_io<T>& io) {
    const T *a = io.in[0], *b = io.in[1], *y = io.y, *dy = io.dy;
    T *da = io.din[0], *db = io.din[1];
    prepare_to_add<GA>(da, Size * (ABatched ? Batch : 1));
    prepare_to_add<GB>(db, Size * (BBatched ? Batch : 1));
    for (std::size_t s = 0; s < samples<Batch>; ++s)
      for (std::size_t i = 0; i < Size; ++i) {
        const auto k = s * Size + i;
        const auto ia = element<ABatched>(s, i), ib = element<BBatched>(s, i);
        if constexpr (GA != grad::none) da[ia] += dy[k] * binary_rule<F>::partial_u(a[ia], b[ib], y[k]);
        if constexpr (GB != grad::none) db[ib] += dy[k] * binary_rule<F>::partial_v(a[ia], b[ib], y[k]);
      }
  }
};

/// The sum of each sample's Size elements.
template <std::size_t Size, bool Batched>
struct sum_op {
  template <std::size_t Batch>
  static constexpr std::size_t samples = Batched ? Batch : 1;

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    const T* a = io.in[0];
    T* y = io.y;
    for (std::size_t s = 0; s < samples<Batch>; ++s) {
      T acc = 0;
      for (std::size_t i = 0; i < Size; ++i) acc += a[s * Size + i];
      y[s] = acc;
    }
  }
  template <std::size_t Batch, class Kernels, grad GA, grad, grad, class T>
  static void backward(const step_io<T>& io) {
    const T* dy = io.dy;
    T* da = io.din[0];
    if constexpr (GA != grad::none)
      for (std::size_t s = 0; s < samples<Batch>; ++s)
        for (std::size_t i = 0; i < Size; ++i)
          da[s * Size + i] = (GA == grad::add ? da[s * Size + i] : T(0)) + dy[s];
  }
};

/// log(sum_j e^z_j), with the maximum subtracted so that no exponential overflows.
template <class T>
T log_sum_exp(const T* z, std::size_t n) {
  T m = z[0];
  for (std::size_t j = 1; j < n; ++j) m = z[j] > m ? z[j] : m;
  T s = 0;
  for (std::size_t j = 0; j < n; ++j) s += std::exp(z[j] - m);
  return m + std::log(s);
}

/// Softmax cross-entropy of logits z against a target distribution t, per sample.
template <std::size_t Size>
struct softmax_cross_entropy_op {
  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    const T *z = io.in[0], *t = io.in[1];
    T* y = io.y;
    for (std::size_t s = 0; s < Batch; ++s) {
      const T lse = log_sum_exp(z + s * Size, Size);
      T loss = 0;
      for (std::size_t i = 0; i < Size; ++i) loss += t[s * Size + i] * (lse - z[s * Size + i]);
      y[s] = loss;
    }
  }
  template <std::size_t Batch, class Kernels, grad GZ, grad GT, grad, class T>
  static void backward(const step_io<T>& io) {
    const T *z = io.in[0], *t = io.in[1], *dy = io.dy;
    T* dz = io.din[0];
    static_assert(GT == grad::none, "tapeless::nn::softmax_cross_entropy: gradients with respect to "
                                    "the target distribution are not supported");
    if constexpr (GZ != grad::none)
      for (std::size_t s = 0; s < Batch; ++s) {
        const T lse = log_sum_exp(z + s * Size, Size);
        T mass = 0;  // sum of the targets: 1 for a distribution
        for (std::size_t i = 0; i < Size; ++i) mass += t[s * Size + i];
        for (std::size_t i = 0; i < Size; ++i) {  // softmax(z) sum(t) - t
          const auto k = s * Size + i;
          dz[k] = (GZ == grad::add ? dz[k] : T(0)) + dy[s] * (std::exp(z[k] - lse) * mass - t[k]);
        }
      }
  }
};

/// A whole layer in one step: y = F(W x + b), or W x + b when F is void. Kernels::dense runs
/// the product with the bias and the activation as its epilogue where the SIMD kernels can
/// (else back to back), where separate steps would each pass over the layer's output;
/// the backward step forms the delta dy .* F'(z) once, as the prologue of the weight
/// gradient's product (which also sums it into dL/db and, in a fused step, scales it by
/// -rate), storing it for dL/dx where that is asked for; in a fused step with dL/dx, which
/// reads W before the update, the delta is a pass before both products.
/// Operands: W, x, b. With an activation, io.aux holds z = W x + b (the absorbed node's
/// values, so values_of(W x + b) stays valid).
template <std::size_t Rows, std::size_t Cols, bool XBatched, class F>
struct dense_op {
  template <std::size_t Batch>
  static constexpr std::size_t samples = XBatched ? Batch : 1;
  static constexpr bool activated = !std::is_void_v<F>;

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    T* z = activated ? io.aux : io.y;
    Kernels::template dense<F, Rows, Cols, samples<Batch>>(io.in[0], io.in[1], io.in[2], z, io.y);
  }

  template <std::size_t Batch, class Kernels, grad GW, grad GX, grad GB, class T>
  static void backward(const step_io<T>& io) {
    if constexpr (GW == grad::none || (GW == grad::update) != (GB == grad::update))
      backward_in_passes<Batch, Kernels, GW, GX, GB>(io);
    else if constexpr (GW == grad::update) backward_with_update<Batch, Kernels, GX>(io);
    else weights_then_input<Batch, Kernels, GW, GX, GB>(io);
  }

  /// The weight side first, its product forming the delta as its prologue (stored in the
  /// absorbed node's adjoint slot when the input side reads it after).
  template <std::size_t Batch, class Kernels, grad GW, grad GX, grad GB, class T>
  static void weights_then_input(const step_io<T>& io) {
    constexpr bool keep = activated && GX != grad::none;
    Kernels::template dense_weight_gradient<F, Rows, Cols, samples<Batch>>(
        delta_source<T>{io.dy, io.aux, io.y, T(1), keep ? io.daux : nullptr}, io.in[1], io.din[0],
        GW == grad::add, GB == grad::none ? nullptr : io.din[2], GB == grad::add);
    if constexpr (GX != grad::none)
      Kernels::template matmul_input_gradient<Rows, Cols, samples<Batch>>(
          io.in[0], activated ? io.daux : io.dy, io.din[1], GX == grad::add);
  }

  /// The fused SGD update, after every read of W: the weight side's product adds straight
  /// into W (and the delta's sum into b), its delta scaled by -rate in its prologue; with an
  /// input side, which reads W first, the delta is formed before it.
  template <std::size_t Batch, class Kernels, grad GX, class T>
  static void backward_with_update(const step_io<T>& io) {
    if constexpr (GX == grad::none) {
      update<F, Batch, Kernels>(io, delta_source<T>{io.dy, io.aux, io.y, -io.rate, nullptr});
    } else {
      const T* delta = io.dy;
      if constexpr (activated) {
        Kernels::template map_gradient<F, Rows * samples<Batch>>(io.aux, io.y, io.dy, io.daux,
                                                                 false);
        delta = io.daux;
      }
      Kernels::template matmul_input_gradient<Rows, Cols, samples<Batch>>(
          io.in[0], delta, io.din[1], GX == grad::add);
      update<void, Batch, Kernels>(io, delta_source<T>{delta, nullptr, nullptr, -io.rate, nullptr});
    }
  }

  template <class Activation, std::size_t Batch, class Kernels, class T>
  static void update(const step_io<T>& io, const delta_source<T>& d) {
    Kernels::template dense_weight_gradient<Activation, Rows, Cols, samples<Batch>>(
        d, io.in[1], io.din[0], true, io.din[2], true);
  }

  /// The delta formed in a pass, then dL/db, dL/dW and dL/dx from it (weights not asked for,
  /// or only one of W and b updated in place).
  template <std::size_t Batch, class Kernels, grad GW, grad GX, grad GB, class T>
  static void backward_in_passes(const step_io<T>& io) {
    T* delta = io.dy;
    if constexpr (activated) {
      Kernels::template map_gradient<F, Rows * samples<Batch>>(io.aux, io.y, io.dy, io.daux, false);
      delta = io.daux;
    }
    constexpr grad gw = GW == grad::update ? grad::none : GW, gb = GB == grad::update ? grad::none : GB;
    if constexpr (gb != grad::none) bias_gradient<Batch, gb>(delta, io.din[2]);
    matmul_op<Rows, Cols, XBatched>::template backward_from<Batch, Kernels, gw, GX>(io.in[0], io.in[1], delta,
                                                                                     io.din[0], io.din[1]);
    if constexpr (GW == grad::update || GB == grad::update) {
      for (std::size_t i = 0; i < Rows * samples<Batch>; ++i) delta[i] *= -io.rate;
      if constexpr (GB == grad::update) bias_gradient<Batch, grad::add>(delta, io.din[2]);
      if constexpr (GW == grad::update)
        Kernels::template matmul_weight_gradient<Rows, Cols, samples<Batch>>(delta, io.in[1],
                                                                             io.din[0], true);
    }
  }

  /// dL/db = the delta summed over the samples.
  template <std::size_t Batch, grad GB, class T>
  static void bias_gradient(const T* delta, T* db) {
    for (std::size_t r = 0; r < Rows; ++r) db[r] = GB == grad::add ? db[r] + delta[r] : delta[r];
    for (std::size_t s = 1; s < samples<Batch>; ++s)
      for (std::size_t r = 0; r < Rows; ++r) db[r] += delta[s * Rows + r];
  }
};

/// A loss (Num/Den) sum_i (p_i - t_i)^2 per sample in one step (mse: Num/Den = 1/Size):
/// the difference, its square, the sum and the scale, four steps each way on a few values
/// that a tiny network would otherwise pass through memory one after another.
/// Operands: p, t.
template <std::size_t Size, bool PBatched, bool TBatched, std::intmax_t Num, std::intmax_t Den>
struct squared_error_op {
  using difference = map2_op<minus_fn, Size, PBatched, TBatched>;  // indexes as p - t does
  template <std::size_t Batch>
  static constexpr std::size_t samples = difference::template samples<Batch>;
  template <bool OperandBatched>
  static constexpr std::size_t element(std::size_t s, std::size_t i) {
    return difference::template element<OperandBatched>(s, i);
  }

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>& io) {
    const T *p = io.in[0], *t = io.in[1];
    for (std::size_t s = 0; s < samples<Batch>; ++s) {
      T sum = 0;
      for (std::size_t i = 0; i < Size; ++i) {
        const T e = p[element<PBatched>(s, i)] - t[element<TBatched>(s, i)];
        sum += e * e;
      }
      io.y[s] = T(Num) / T(Den) * sum;
    }
  }
  /// dL/dp = dy 2 Num/Den (p - t) and dL/dt = -dL/dp.
  template <std::size_t Batch, class Kernels, grad GP, grad GT, grad, class T>
  static void backward(const step_io<T>& io) {
    const T *p = io.in[0], *t = io.in[1];
    T *dp = io.din[0], *dt = io.din[1];
    // An operand broadcast over the batch collects every sample's contribution.
    constexpr bool p_sums = !PBatched && samples<Batch> > 1, t_sums = !TBatched && samples<Batch> > 1;
    if constexpr (p_sums) prepare_to_add<GP>(dp, Size);
    if constexpr (t_sums) prepare_to_add<GT>(dt, Size);
    for (std::size_t s = 0; s < samples<Batch>; ++s) {
      const T factor = io.dy[s] * T(2 * Num) / T(Den);
      for (std::size_t i = 0; i < Size; ++i) {
        const auto ip = element<PBatched>(s, i), it = element<TBatched>(s, i);
        const T g = factor * (p[ip] - t[it]);
        if constexpr (GP != grad::none) dp[ip] = (GP == grad::add || p_sums ? dp[ip] : T(0)) + g;
        if constexpr (GT != grad::none) dt[it] = (GT == grad::add || t_sums ? dt[it] : T(0)) - g;
      }
    }
  }
};

/// The step of a node whose work a fused step does.
struct absorbed_op {
  template <std::size_t Batch, class Kernels, class T>
  static void forward(const step_io<T>&) {}
  template <std::size_t Batch, class Kernels, grad, grad, grad, class T>
  static void backward(const step_io<T>&) {}
};

/// The op of a computed node.
template <class N>
struct op_of;
template <class W, class X>
struct op_of<matmul_node<W, X>> {
  using type = matmul_op<W::rows, W::cols, X::batched>;
};
template <class F, class A>
struct op_of<map_node<F, A>> {
  using type = map_op<F, A::size, A::batched>;
};
template <class F, class A, class B>
struct op_of<map2_node<F, A, B>> {
  using type = map2_op<F, A::size, A::batched, B::batched>;
};
template <class A>
struct op_of<sum_node<A>> {
  using type = sum_op<A::size, A::batched>;
};
template <class Z, class T>
struct op_of<softmax_cross_entropy_node<Z, T>> {
  using type = softmax_cross_entropy_op<Z::size>;
};

/// How a node may be fused with the nodes below it (whether it is, the plan decides: an
/// absorbed node must have no other consumer).
enum class fusion { none, affine, activated, squared_error };

/// The pattern a node heads: W x + b (affine) or F(W x + b) (activated), with b a parameter.
/// The fused step's operands are W, x and b; it does the steps of W x (and of W x + b).
template <class N>
struct fusion_of {
  using kind = std::integral_constant<fusion, fusion::none>;
};
template <class W, class X, class B>
  requires(!B::batched)
struct fusion_of<map2_node<plus_fn, matmul_node<W, X>, B>> {
  using kind = std::integral_constant<fusion, fusion::affine>;
  using op = dense_op<W::rows, W::cols, X::batched, void>;
};
template <class F, class W, class X, class B>
  requires(!B::batched)
struct fusion_of<map_node<F, map2_node<plus_fn, matmul_node<W, X>, B>>> {
  using kind = std::integral_constant<fusion, fusion::activated>;
  using op = dense_op<W::rows, W::cols, X::batched, F>;
};

/// The pattern scale(sum((p - t)^2)) of mse, with operands p and t. The fused step does the
/// steps of p - t, its square and the sum.
template <std::intmax_t Num, std::intmax_t Den, class P, class T>
struct fusion_of<map_node<scale_fn<Num, Den>, sum_node<map_node<square_fn, map2_node<minus_fn, P, T>>>>> {
  using kind = std::integral_constant<fusion, fusion::squared_error>;
  using op = squared_error_op<P::size, P::batched, T::batched, Num, Den>;
};

/// The op of a step: the node's own, a fused one, or none when it is absorbed.
template <class N, fusion Applied, bool Absorbed>
struct step_op {
  using type = typename fusion_of<N>::op;
};
template <class N, fusion Applied>
struct step_op<N, Applied, true> {
  using type = absorbed_op;
};
template <class N>
struct step_op<N, fusion::none, false> {
  using type = typename op_of<N>::type;
};

/// Records the first non-finite value of v[0, n) in `report`.
template <class T>
void find_non_finite(const T* v, std::size_t n, std::size_t node, bool in_backward, non_finite_report& report) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) {
      report = {true, node, i, in_backward};
      return;
    }
}

/// Nodes and sizes a checked step looks at: its own values, or its operands' adjoints.
struct checked_nodes {
  std::size_t node[3];
  std::size_t stored[3];
};

/// One forward step; with Check, skipped after a non-finite value and checked after.
template <class Op, std::size_t Batch, class Kernels, bool Check, class T>
void forward_step(const step_io<T>& io, const checked_nodes& self, non_finite_report* report) {
  if constexpr (Check) {
    if (report->found) return;
    Op::template forward<Batch, Kernels>(io);
    if (self.stored[0] > 0) find_non_finite(io.y, self.stored[0], self.node[0], false, *report);
  } else {
    Op::template forward<Batch, Kernels>(io);
    (void)self, (void)report;
  }
}

/// One backward step; with Check, the operands' adjoints are checked after it.
template <class Op, std::size_t Batch, class Kernels, grad GA, grad GB, grad GC, bool Check, class T>
void backward_step(const step_io<T>& io, const checked_nodes& operands, non_finite_report* report) {
  if constexpr (Check) {
    if (report->found) return;
    Op::template backward<Batch, Kernels, GA, GB, GC>(io);
    const grad g[3] = {GA, GB, GC};
    for (int k = 0; k < 3 && !report->found; ++k)
      if (g[k] != grad::none) find_non_finite(io.din[k], operands.stored[k], operands.node[k], true, *report);
  } else {
    Op::template backward<Batch, Kernels, GA, GB, GC>(io);
    (void)operands, (void)report;
  }
}

}  // namespace rules
}  // namespace tapeless::nn

#endif
