#ifndef TAPELESS_NN_DOT_HPP
#define TAPELESS_NN_DOT_HPP

#include <cstddef>
#include <string>

#include "describe.hpp"

namespace tapeless::nn {
namespace detail {

inline std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

inline std::string dot_shape(const node_description& n) {
  if (n.k == node_description::kind::param)
    return n.cols == 1 ? cat("[", std::to_string(n.rows), "]")
                       : cat("[", std::to_string(n.rows), " x ", std::to_string(n.cols), "]");
  return cat("[", std::to_string(n.size), n.batched ? " x B]" : "]");
}

inline std::string dot_label(const node_description& n) {
  using kind = node_description::kind;
  std::string what;
  switch (n.k) {
    case kind::input: what = "input"; break;
    case kind::target: what = "target"; break;
    case kind::param: what = "parameter"; break;
    default: what = n.definition;
  }
  return dot_escape(n.name) + "\\n" + dot_escape((n.k == kind::matmul ? "" : what + " ") + dot_shape(n));
}

inline const char* dot_shape_style(const node_description& n) {
  using kind = node_description::kind;
  if (n.k == kind::param) return "shape=box, style=filled, fillcolor=\"#ffe8a8\"";
  if (n.k == kind::input || n.k == kind::target) return "shape=box, style=filled, fillcolor=\"#d8e8ff\"";
  return "shape=ellipse";
}

}  // namespace detail

/// The forward graph of a network in Graphviz dot: one node per tensor node, an edge from
/// every operand to its consumer. `dot -Tpng` draws it.
template <class Loss>
std::string to_dot(const Loss& loss) {
  const auto nodes = describe(loss);
  std::string out = "digraph forward {\n  rankdir=BT;\n";
  for (std::size_t i = 0; i < nodes.size(); ++i)
    out += detail::cat("  n", std::to_string(i), " [label=\"", detail::dot_label(nodes[i]), "\", ",
                       detail::dot_shape_style(nodes[i]), "];\n");
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (auto o : nodes[i].operands)
      out += detail::cat("  n", std::to_string(o), " -> n", std::to_string(i), ";\n");
  return out + "}\n";
}

/// The backward graph tapeless derived, in Graphviz dot: one node per adjoint
/// delta(n) = dL/dn, an edge from delta(consumer) to delta(operand) for every operand that
/// needs a gradient, labelled with the local rule applied (W^T, .* relu'(z1), x^T, ...).
template <class Loss>
std::string to_dot_backward(const Loss& loss) {
  const auto nodes = describe(loss);
  std::string out = "digraph backward {\n  rankdir=TB;\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].needs_grad) continue;
    const auto label = nodes[i].k == node_description::kind::param ? "dL/d" + nodes[i].name
                                                                   : "delta(" + nodes[i].name + ")";
    out += detail::cat("  d", std::to_string(i), " [label=\"", detail::dot_escape(label), "\", ",
                       detail::dot_shape_style(nodes[i]), "];\n");
  }
  using kind = node_description::kind;
  for (std::size_t c = 0; c < nodes.size(); ++c) {
    const auto& n = nodes[c];
    for (std::size_t slot = 0; slot < n.operands.size(); ++slot) {
      const auto o = n.operands[slot];
      if (!nodes[o].needs_grad) continue;
      std::string rule;
      if (n.k == kind::matmul) rule = slot == 1 ? nodes[n.operands[0]].name + "^T" : "* " + nodes[n.operands[1]].name + "^T";
      else if ((n.k == kind::map || n.k == kind::map2) && n.partials[slot] == "1") rule = "pass-through";
      else if (n.k == kind::map || n.k == kind::map2) rule = ".* " + n.partials[slot];
      else if (n.k == kind::softmax_cross_entropy) rule = "softmax(" + nodes[n.operands[0]].name + ") - " + nodes[n.operands[1]].name;
      else rule = "broadcast";
      if (n.k == kind::map2 && !nodes[o].batched && n.batched) rule += ", sum over batch";
      out += detail::cat("  d", std::to_string(c), " -> d", std::to_string(o), " [label=\"",
                         detail::dot_escape(rule), "\"];\n");
    }
  }
  return out + "}\n";
}

}  // namespace tapeless::nn

#endif
