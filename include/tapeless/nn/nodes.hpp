#ifndef TAPELESS_NN_NODES_HPP
#define TAPELESS_NN_NODES_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <boost/mp11/list.hpp>

#include "../detail/fixed_string.hpp"
#include "../graph/post_order.hpp"
#include "elementwise.hpp"

namespace tapeless::nn {

// Tensor nodes of a network. Every node is an empty type that records its operands and
// shape: `size` values per sample, `batched` when it depends on the batch (inputs and what
// is computed from them) rather than being shared by all samples (parameters).
// A batched node holds `size` values for each of the batch's samples.
//
// The facts are enumerators, not static data members: g++ gives every static data member of
// an instantiated class a symbol whose mangled name carries the node's nested type, and
// mangling those costs time growing with the cube of a network's depth.

/// An input of `Size` features per sample, named `Name`.
template <fixed_string Name, std::size_t Size>
struct input_node {
  static constexpr auto name = Name;
  enum : std::size_t { size = Size };
  enum : bool { batched = true, needs_grad = false };
  using operands = boost::mp11::mp_list<>;
  using order = graph::post_order<input_node, false>;
  using nodes = typename order::nodes;
};

/// A training target of `Size` values per sample.
template <fixed_string Name, std::size_t Size>
struct target_node {
  static constexpr auto name = Name;
  enum : std::size_t { size = Size };
  enum : bool { batched = true, needs_grad = false };
  using operands = boost::mp11::mp_list<>;
  using order = graph::post_order<target_node, false>;
  using nodes = typename order::nodes;
};

/// A trainable parameter: a Rows x Cols matrix (row-major), or a vector when Cols = 1.
template <fixed_string Name, std::size_t Rows, std::size_t Cols>
struct param_node {
  static constexpr auto name = Name;
  enum : std::size_t { rows = Rows, cols = Cols, size = Rows * Cols };
  enum : bool { batched = false, needs_grad = true };
  using operands = boost::mp11::mp_list<>;
  using order = graph::post_order<param_node, false>;
  using nodes = typename order::nodes;
};

/// W x: a parameter matrix times a vector (per sample, so a matrix product on a batch).
template <class W, class X>
struct matmul_node {
  enum : std::size_t { size = W::rows };
  enum : bool { batched = X::batched, needs_grad = W::needs_grad || X::needs_grad };
  using operands = boost::mp11::mp_list<W, X>;
  // The data path first, so that parameters come in layer order.
  using order = graph::post_order<matmul_node, true, X, W>;
  using nodes = typename order::nodes;
};

/// F applied to every element of A.
template <class F, class A>
struct map_node {
  enum : std::size_t { size = A::size };
  enum : bool { batched = A::batched, needs_grad = A::needs_grad };
  using operands = boost::mp11::mp_list<A>;
  using order = graph::post_order<map_node, false, A>;
  using nodes = typename order::nodes;
};

/// F applied elementwise to A and B of equal size; an operand that is not batched is
/// broadcast over the batch (a bias added to a batch of pre-activations).
template <class F, class A, class B>
struct map2_node {
  enum : std::size_t { size = A::size };
  enum : bool { batched = A::batched || B::batched, needs_grad = A::needs_grad || B::needs_grad };
  using operands = boost::mp11::mp_list<A, B>;
  using order = graph::post_order<map2_node, false, A, B>;
  using nodes = typename order::nodes;
};

/// The sum of the elements of each sample: size 1.
template <class A>
struct sum_node {
  enum : std::size_t { size = 1 };
  enum : bool { batched = A::batched, needs_grad = A::needs_grad };
  using operands = boost::mp11::mp_list<A>;
  using order = graph::post_order<sum_node, false, A>;
  using nodes = typename order::nodes;
};

/// Softmax cross-entropy of logits Z against a target distribution T, per sample:
/// log(sum_j e^z_j) - sum_i t_i z_i, computed with the maximum subtracted (log-sum-exp).
template <class Z, class T>
struct softmax_cross_entropy_node {
  enum : std::size_t { size = 1 };
  enum : bool { batched = true, needs_grad = Z::needs_grad || T::needs_grad };
  using operands = boost::mp11::mp_list<Z, T>;
  using order = graph::post_order<softmax_cross_entropy_node, false, Z, T>;
  using nodes = typename order::nodes;
};

namespace detail {
template <class N>
struct is_node : std::false_type {};
template <fixed_string Name, std::size_t S>
struct is_node<input_node<Name, S>> : std::true_type {};
template <fixed_string Name, std::size_t S>
struct is_node<target_node<Name, S>> : std::true_type {};
template <fixed_string Name, std::size_t R, std::size_t C>
struct is_node<param_node<Name, R, C>> : std::true_type {};
template <class W, class X>
struct is_node<matmul_node<W, X>> : std::true_type {};
template <class F, class A>
struct is_node<map_node<F, A>> : std::true_type {};
template <class F, class A, class B>
struct is_node<map2_node<F, A, B>> : std::true_type {};
template <class A>
struct is_node<sum_node<A>> : std::true_type {};
template <class Z, class T>
struct is_node<softmax_cross_entropy_node<Z, T>> : std::true_type {};

template <class N>
struct is_param : std::false_type {};
template <fixed_string Name, std::size_t R, std::size_t C>
struct is_param<param_node<Name, R, C>> : std::true_type {};

template <class N>
struct is_target : std::false_type {};
template <fixed_string Name, std::size_t S>
struct is_target<target_node<Name, S>> : std::true_type {};

template <std::size_t N, std::size_t M>
constexpr fixed_string<N + M - 1> concat(const fixed_string<N>& a, const char (&b)[M]) {
  char text[N + M - 1]{};
  for (std::size_t i = 0; i + 1 < N; ++i) text[i] = a.data[i];
  for (std::size_t i = 0; i < M; ++i) text[N - 1 + i] = b[i];
  return fixed_string<N + M - 1>(text);
}

// Shape checks. The template arguments of the failing check name the operation and the
// two sizes, so the compiler's "in instantiation of" line reads like
//   sizes_must_match<matmul_columns_vs_input_size, 16, 8>.
struct matmul_columns_vs_input_size {};
struct elementwise_operand_sizes {};
struct logits_vs_target_size {};
struct prediction_vs_target_size {};

template <class Operation, std::size_t Left, std::size_t Right>
struct sizes_must_match {
  static_assert(Left == Right,
                "tapeless::nn: shape mismatch; the operation and the two sizes are the "
                "template arguments of sizes_must_match<operation, left, right>");
  static constexpr bool value = Left == Right;
};
}  // namespace detail

/// A tensor node of a network.
template <class N>
concept node = detail::is_node<std::remove_cvref_t<N>>::value;

/// The input named `Name` with `Size` features per sample: `input<"x", 784>`.
template <fixed_string Name, std::size_t Size>
inline constexpr input_node<Name, Size> input{};

/// The target named `Name` with `Size` values per sample: `target<"label", 10>`.
template <fixed_string Name, std::size_t Size>
inline constexpr target_node<Name, Size> target{};

/// The parameter named `Name`, Rows x Cols (Cols = 1: a vector): `param<"fc1.weight", 128, 784>`.
template <fixed_string Name, std::size_t Rows, std::size_t Cols = 1>
inline constexpr param_node<Name, Rows, Cols> param{};

/// W x for a parameter matrix W of Rows x Cols and a node x of size Cols.
template <class W, class X>
  requires node<X>
constexpr auto matmul(const W&, const X&) {
  static_assert(detail::is_param<W>::value,
                "tapeless::nn::matmul(W, x) requires 'W' to be a parameter: param<\"name\", rows, cols>");
  if constexpr (detail::is_param<W>::value) {
    static_assert(detail::sizes_must_match<detail::matmul_columns_vs_input_size, W::cols, X::size>::value);
  }
  return matmul_node<W, X>{};
}

/// F applied to every element: map(x, [](auto u) { return u * sigmoid(u); }).
template <class A, class F>
  requires node<A>
constexpr auto map(const A&, const F&) {
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "tapeless::nn::map(x, f) requires 'f' to be a stateless function object "
                "(a lambda without captures)");
  return map_node<F, A>{};
}

/// F applied elementwise to two nodes of equal size (one may be a broadcast parameter).
template <class A, class B, class F>
  requires node<A> && node<B>
constexpr auto map2(const A&, const B&, const F&) {
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "tapeless::nn::map2(a, b, f) requires 'f' to be a stateless function object");
  static_assert(detail::sizes_must_match<detail::elementwise_operand_sizes, A::size, B::size>::value);
  return map2_node<F, A, B>{};
}

template <node A, node B>
constexpr auto operator+(const A& a, const B& b) { return map2(a, b, plus_fn{}); }
template <node A, node B>
constexpr auto operator-(const A& a, const B& b) { return map2(a, b, minus_fn{}); }
/// Elementwise (Hadamard) product.
template <node A, node B>
constexpr auto hadamard(const A& a, const B& b) { return map2(a, b, times_fn{}); }

/// Every element times the exact constant Num/Den.
template <std::intmax_t Num, std::intmax_t Den = 1, node A>
constexpr auto scale(const A& a) {
  constexpr auto c = tapeless::detail::normalize(Num, Den);
  return map(a, scale_fn<c.num, c.den>{});
}

// The builders below name the node type they return rather than call one another: g++
// mangles the name of every function template it instantiates, even one only evaluated at
// compile time, and each name carries the operand's nested type, as long as the network is
// deep. One call per layer instead of three takes a third of a deep network's compile time.

template <node A>
constexpr auto identity(const A&) { return map_node<identity_fn, A>{}; }
template <node A>
constexpr auto relu(const A&) { return map_node<relu_fn, A>{}; }
template <node A>
constexpr auto tanh(const A&) { return map_node<tanh_fn, A>{}; }
template <node A>
constexpr auto sigmoid(const A&) { return map_node<sigmoid_fn, A>{}; }
template <node A>
constexpr auto softplus(const A&) { return map_node<softplus_fn, A>{}; }
template <std::intmax_t Num = 1, std::intmax_t Den = 100, node A>
constexpr auto leaky_relu(const A&) {
  constexpr auto c = tapeless::detail::normalize(Num, Den);
  return map_node<leaky_relu_fn<c.num, c.den>, A>{};
}

/// Sum of the elements of each sample.
template <node A>
constexpr auto sum(const A&) { return sum_node<A>{}; }

namespace detail {
template <class A>
using mean_node = map_node<scale_fn<1, static_cast<std::intmax_t>(A::size)>, sum_node<A>>;
}

/// Mean of the elements of each sample.
template <node A>
constexpr auto mean(const A&) { return detail::mean_node<A>{}; }

/// A fully connected layer: W x + b with parameters "<Name>.weight" (Out x in) and
/// "<Name>.bias" (Out).
template <std::size_t Out, fixed_string Name, node X>
constexpr auto dense(const X&) {
  constexpr auto weight = detail::concat(Name, ".weight");
  constexpr auto bias = detail::concat(Name, ".bias");
  return map2_node<plus_fn, matmul_node<param_node<weight, Out, X::size>, X>, param_node<bias, Out, 1>>{};
}

/// Mean squared error per sample: mean((p - t)^2) over the sample's elements.
template <node P, node T>
constexpr auto mse(const P&, const T&) {
  static_assert(detail::sizes_must_match<detail::prediction_vs_target_size, P::size, T::size>::value);
  return detail::mean_node<map_node<square_fn, map2_node<minus_fn, P, T>>>{};
}

/// Binary cross-entropy of logits z against targets t in [0, 1], per sample the mean over
/// elements; evaluated as softplus(z) - z t, which neither overflows nor loses precision.
template <node Z, node T>
constexpr auto bce_with_logits(const Z&, const T&) {
  static_assert(detail::sizes_must_match<detail::prediction_vs_target_size, Z::size, T::size>::value);
  return detail::mean_node<map2_node<bce_with_logits_fn, Z, T>>{};
}

/// Softmax cross-entropy of logits z against a target distribution t (one-hot or soft),
/// per sample. Its gradient with respect to z is softmax(z) sum(t) - t.
template <node Z, node T>
constexpr auto softmax_cross_entropy(const Z&, const T&) {
  static_assert(detail::sizes_must_match<detail::logits_vs_target_size, Z::size, T::size>::value);
  static_assert(Z::batched, "tapeless::nn::softmax_cross_entropy(z, t): 'z' must depend on an input");
  static_assert(T::batched, "tapeless::nn::softmax_cross_entropy(z, t): 't' must hold one "
                            "distribution per sample (a target, or computed from inputs)");
  return softmax_cross_entropy_node<Z, T>{};
}

/// The L2 penalty lambda * sum(w^2) of a parameter, lambda = Num/Den; add it to a loss.
template <std::intmax_t Num, std::intmax_t Den, class P>
constexpr auto l2_penalty(const P& p) {
  static_assert(detail::is_param<P>::value,
                "tapeless::nn::l2_penalty<Num, Den>(w) requires 'w' to be a parameter");
  return scale<Num, Den>(sum(map(p, square_fn{})));
}

}  // namespace tapeless::nn

#endif
