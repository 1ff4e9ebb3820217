#ifndef TAPELESS_NN_DESCRIBE_HPP
#define TAPELESS_NN_DESCRIBE_HPP

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include "../print/print.hpp"
#include "nodes.hpp"

namespace tapeless::nn {

/// One node of a network as introspection sees it (run time, for printing only).
struct node_description {
  enum class kind { input, target, param, matmul, map, map2, sum, softmax_cross_entropy };
  kind k;
  std::string name;                   ///< printed name: parameter/input name, or z1, a1, ...
  std::string definition;             ///< forward rule, e.g. "relu(z1)"
  std::vector<std::size_t> operands;  ///< indices of the operand nodes
  std::string function;               ///< map, map2: the function's name ("relu", "f")
  std::string rule;                   ///< map, map2: the derived rule, e.g. "relu'(u) = heaviside(u)"
  std::vector<std::string> partials;  ///< map, map2: derivative by each operand, names filled in
  std::vector<std::string> partials_latex;
  bool needs_grad = false;
  bool batched = false;
  std::size_t size = 0;
  std::size_t rows = 0, cols = 0;  ///< param
};

namespace detail {

/// Replaces the identifiers `from[i]` of a printed expression by `to[i]`.
inline std::string rename(std::string_view text, const std::vector<std::string>& from,
                          const std::vector<std::string>& to) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const bool starts = std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_';
    if (!starts) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
    std::string word(text.substr(i, j - i));
    for (std::size_t k = 0; k < from.size(); ++k)
      if (word == from[k]) word = to[k];
    out += word;
    i = j;
  }
  return out;
}

/// The pieces appended in order. Building strings by appending, not with
/// "literal" + temporary, avoids a false -Wrestrict of g++ 12 at -O3 (GCC bug 105329).
template <class... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string out;
  (out.append(std::string_view(pieces)), ...);
  return out;
}

/// "z1" from 'z' and 1.
inline std::string numbered(char prefix, int n) {
  std::string name(1, prefix);
  name += std::to_string(n);
  return name;
}

/// z1 -> z_{1}; fc1.weight -> \mathrm{fc1.weight}; a matmul "W x" -> both parts.
inline std::string latex_name(const std::string& name) {
  const auto space = name.find(' ');
  if (space != std::string::npos)
    return latex_name(name.substr(0, space)) + " " + latex_name(name.substr(space + 1));
  const bool short_name = name.size() >= 2 && name.size() <= 3 && std::isalpha(static_cast<unsigned char>(name[0])) &&
                          std::isdigit(static_cast<unsigned char>(name[1]));
  if (short_name) return name.substr(0, 1) + "_{" + name.substr(1) + "}";
  if (name.size() == 1) return name;
  return "\\mathrm{" + name + "}";
}

template <class F>
std::string function_name() {
  if constexpr (std::is_same_v<F, relu_fn>) return "relu";
  else if constexpr (std::is_same_v<F, tanh_fn>) return "tanh";
  else if constexpr (std::is_same_v<F, sigmoid_fn>) return "sigmoid";
  else if constexpr (std::is_same_v<F, softplus_fn>) return "softplus";
  else if constexpr (std::is_same_v<F, identity_fn>) return "identity";
  else if constexpr (std::is_same_v<F, square_fn>) return "square";
  else if constexpr (std::is_same_v<F, plus_fn>) return "plus";
  else if constexpr (std::is_same_v<F, minus_fn>) return "minus";
  else if constexpr (std::is_same_v<F, times_fn>) return "times";
  else if constexpr (std::is_same_v<F, bce_with_logits_fn>) return "bce";
  else if constexpr (requires { F::is_leaky_relu; }) return "leaky_relu";
  else if constexpr (requires { F::is_scale; }) return "scale";
  else return "f";
}

struct describer {
  std::vector<node_description> nodes;
  int next_z = 1, next_a = 1, next_s = 1;

  template <class Nodes, class N>
  std::size_t index() const {
    return boost::mp11::mp_find<Nodes, N>::value;
  }
  const std::string& name_of(std::size_t i) const { return nodes[i].name; }

  template <class Nodes, class N>
  void add(boost::mp11::mp_identity<N>) {
    node_description d{};
    d.needs_grad = N::needs_grad;
    d.batched = N::batched;
    d.size = N::size;
    fill<Nodes>(d, boost::mp11::mp_identity<N>{});
    nodes.push_back(std::move(d));
  }

  template <class Nodes, fixed_string Name, std::size_t S>
  void fill(node_description& d, boost::mp11::mp_identity<input_node<Name, S>>) {
    d.k = node_description::kind::input;
    d.name = std::string(Name.view());
  }
  template <class Nodes, fixed_string Name, std::size_t S>
  void fill(node_description& d, boost::mp11::mp_identity<target_node<Name, S>>) {
    d.k = node_description::kind::target;
    d.name = std::string(Name.view());
  }
  template <class Nodes, fixed_string Name, std::size_t R, std::size_t C>
  void fill(node_description& d, boost::mp11::mp_identity<param_node<Name, R, C>>) {
    d.k = node_description::kind::param;
    d.name = std::string(Name.view());
    d.rows = R;
    d.cols = C;
  }
  template <class Nodes, class W, class X>
  void fill(node_description& d, boost::mp11::mp_identity<matmul_node<W, X>>) {
    d.k = node_description::kind::matmul;
    d.operands = {index<Nodes, W>(), index<Nodes, X>()};
    d.name = name_of(d.operands[0]) + " " + name_of(d.operands[1]);
    d.definition = d.name;
  }
  template <class Nodes, class F, class A>
  void fill(node_description& d, boost::mp11::mp_identity<map_node<F, A>>) {
    d.k = node_description::kind::map;
    d.operands = {index<Nodes, A>()};
    d.name = numbered('a', next_a++);
    d.function = function_name<F>();
    const auto& a = name_of(d.operands[0]);
    d.definition = rename(to_string(unary_rule<F>::value_expr()), {"u"}, {a});
    const auto derivative = to_string(unary_rule<F>::derivative_expr());
    d.rule = d.function + "'(u) = " + derivative;
    if (derivative.find('y') != std::string::npos) d.rule += "  with y = " + d.function + "(u)";
    d.partials = {rename(derivative, {"u", "y"}, {a, d.name})};
    d.partials_latex = {
        rename(to_latex(unary_rule<F>::derivative_expr()), {"u", "y"}, {latex_name(a), latex_name(d.name)})};
  }
  template <class Nodes, class F, class A, class B>
  void fill(node_description& d, boost::mp11::mp_identity<map2_node<F, A, B>>) {
    d.k = node_description::kind::map2;
    d.operands = {index<Nodes, A>(), index<Nodes, B>()};
    d.name = numbered('z', next_z++);
    d.function = function_name<F>();
    const std::vector<std::string> from{"u", "v", "y"};
    const std::vector<std::string> to{name_of(d.operands[0]), name_of(d.operands[1]), d.name};
    d.definition = rename(to_string(binary_rule<F>::value_expr()), from, to);
    d.partials = {rename(to_string(binary_rule<F>::partial_expr(u_var)), from, to),
                  rename(to_string(binary_rule<F>::partial_expr(v_var)), from, to)};
    const std::vector<std::string> to_latex_names{latex_name(to[0]), latex_name(to[1]), latex_name(to[2])};
    d.partials_latex = {rename(to_latex(binary_rule<F>::partial_expr(u_var)), from, to_latex_names),
                        rename(to_latex(binary_rule<F>::partial_expr(v_var)), from, to_latex_names)};
  }
  template <class Nodes, class A>
  void fill(node_description& d, boost::mp11::mp_identity<sum_node<A>>) {
    d.k = node_description::kind::sum;
    d.operands = {index<Nodes, A>()};
    d.name = numbered('s', next_s++);
    d.definition = "sum(" + name_of(d.operands[0]) + ")";
  }
  template <class Nodes, class Z, class T>
  void fill(node_description& d, boost::mp11::mp_identity<softmax_cross_entropy_node<Z, T>>) {
    d.k = node_description::kind::softmax_cross_entropy;
    d.operands = {index<Nodes, Z>(), index<Nodes, T>()};
    d.name = "ce";
    d.definition = "log(sum(exp(" + name_of(d.operands[0]) + "))) - " + name_of(d.operands[1]) +
                   " . " + name_of(d.operands[0]);
  }
};

}  // namespace detail

/// The nodes of a network, each after its operands, described for printing.
template <class Loss>
std::vector<node_description> describe(const Loss&) {
  using nodes = typename Loss::nodes;
  detail::describer d;
  boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, nodes>>(
      [&](auto n) { d.template add<nodes>(n); });
  return std::move(d.nodes);
}

}  // namespace tapeless::nn

#endif
