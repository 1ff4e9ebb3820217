#ifndef TAPELESS_NN_RULES_HPP
#define TAPELESS_NN_RULES_HPP

#include <cmath>
#include <cstddef>

#include "elementwise.hpp"
#include "nodes.hpp"

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
// Every rule has the same signature, whatever its arity (unary ops ignore `b`, `db`):
//   forward(a, b, y)                 y = op(a, b)
//   backward(a, b, y, dy, da, db)    da, db: dL/da, dL/db from dy = dL/dy
// Layouts as in nn::plain_kernels: a batched node holds Batch samples one after another.

/// What a backward rule does with an operand's adjoint: nothing (the operand needs no
/// gradient), store the first contribution, or add to the earlier ones. Known at compile
/// time from the schedule, so adjoints are never zeroed in advance.
enum class grad { none, store, add };

template <std::size_t Rows, std::size_t Cols, bool Batched>
struct matmul_op {
  template <std::size_t Batch>
  static constexpr std::size_t samples = Batched ? Batch : 1;

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const T* w, const T* x, T* y) {
    Kernels::template matmul<Rows, Cols, samples<Batch>>(w, x, y);
  }
  template <std::size_t Batch, class Kernels, grad GW, grad GX, class T>
  static void backward(const T* w, const T* x, const T*, const T* dy, T* dw, T* dx) {
    if constexpr (GW != grad::none)  // dL/dW = delta x^T
      Kernels::template matmul_weight_gradient<Rows, Cols, samples<Batch>>(dy, x, dw, GW == grad::add);
    if constexpr (GX != grad::none)  // dL/dx = W^T delta
      Kernels::template matmul_input_gradient<Rows, Cols, samples<Batch>>(w, dy, dx, GX == grad::add);
  }
};

template <class F, std::size_t Size, bool Batched>
struct map_op {
  template <std::size_t Batch>
  static constexpr std::size_t stored = Size * (Batched ? Batch : 1);

  template <std::size_t Batch, class Kernels, class T>
  static void forward(const T* a, const T*, T* y) {
    Kernels::template map<F, stored<Batch>>(a, y);
  }
  template <std::size_t Batch, class Kernels, grad GA, grad, class T>
  static void backward(const T* a, const T*, const T* y, const T* dy, T* da, T*) {
    if constexpr (GA != grad::none)
      Kernels::template map_gradient<F, stored<Batch>>(a, y, dy, da, GA == grad::add);
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
  static void forward(const T* a, const T* b, T* y) {
    for (std::size_t s = 0; s < samples<Batch>; ++s)
      for (std::size_t i = 0; i < Size; ++i)
        y[s * Size + i] = binary_rule<F>::value(a[element<ABatched>(s, i)], b[element<BBatched>(s, i)]);
  }
  template <std::size_t Batch, class Kernels, grad GA, grad GB, class T>
  static void backward(const T* a, const T* b, const T* y, const T* dy, T* da, T* db) {
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
  static void forward(const T* a, const T*, T* y) {
    for (std::size_t s = 0; s < samples<Batch>; ++s) {
      T acc = 0;
      for (std::size_t i = 0; i < Size; ++i) acc += a[s * Size + i];
      y[s] = acc;
    }
  }
  template <std::size_t Batch, class Kernels, grad GA, grad, class T>
  static void backward(const T*, const T*, const T*, const T* dy, T* da, T*) {
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
  static void forward(const T* z, const T* t, T* y) {
    for (std::size_t s = 0; s < Batch; ++s) {
      const T lse = log_sum_exp(z + s * Size, Size);
      T loss = 0;
      for (std::size_t i = 0; i < Size; ++i) loss += t[s * Size + i] * (lse - z[s * Size + i]);
      y[s] = loss;
    }
  }
  template <std::size_t Batch, class Kernels, grad GZ, grad GT, class T>
  static void backward(const T* z, const T* t, const T*, const T* dy, T* dz, T*) {
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
template <class N>
using op_of_t = typename op_of<N>::type;

/// Records the first non-finite value of v[0, n) in `report`.
template <class T>
void find_non_finite(const T* v, std::size_t n, std::size_t node, bool in_backward, non_finite_report& report) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) {
      report = {true, node, i, in_backward};
      return;
    }
}

/// A node and its size, for the checked step's report.
struct checked_node {
  std::size_t node;
  std::size_t stored;
};

/// One forward step; with Check, skipped after a non-finite value and checked after.
template <class Op, std::size_t Batch, class Kernels, bool Check, class T>
void forward_step(const T* a, const T* b, T* y, checked_node self, non_finite_report* report) {
  if constexpr (Check) {
    if (report->found) return;
    Op::template forward<Batch, Kernels>(a, b, y);
    find_non_finite(y, self.stored, self.node, false, *report);
  } else {
    Op::template forward<Batch, Kernels>(a, b, y);
    (void)self, (void)report;
  }
}

/// One backward step; with Check, the operands' adjoints are checked after it.
template <class Op, std::size_t Batch, class Kernels, grad GA, grad GB, bool Check, class T>
void backward_step(const T* a, const T* b, const T* y, const T* dy, T* da, T* db, checked_node operand_a,
                   checked_node operand_b, non_finite_report* report) {
  if constexpr (Check) {
    if (report->found) return;
    Op::template backward<Batch, Kernels, GA, GB>(a, b, y, dy, da, db);
    if constexpr (GA != grad::none) find_non_finite(da, operand_a.stored, operand_a.node, true, *report);
    if constexpr (GB != grad::none)
      if (!report->found) find_non_finite(db, operand_b.stored, operand_b.node, true, *report);
  } else {
    Op::template backward<Batch, Kernels, GA, GB>(a, b, y, dy, da, db);
    (void)operand_a, (void)operand_b, (void)report;
  }
}

}  // namespace rules
}  // namespace tapeless::nn

#endif
