#ifndef TAPELESS_NN_EXPLAIN_HPP
#define TAPELESS_NN_EXPLAIN_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "describe.hpp"

namespace tapeless::nn {

/// The chain-rule factorization of dL/dw for one parameter w, as tapeless derived it:
/// `formula` in text, e.g. "dL/dfc1.weight = ((fc2.weight^T delta(z2)) .* relu'(z1)) x^T",
/// the same in LaTeX, and the definitions and derivative rules it refers to.
struct explanation {
  std::string formula;
  std::string latex;
  std::vector<std::string> where;  ///< forward definitions and derivative rules used

  /// The formula followed by one "where" line each.
  std::string to_string() const {
    std::string out = formula + "\n";
    for (const auto& line : where) out += "  where " + line + "\n";
    return out;
  }
};

namespace detail {

// Builds the adjoint (delta) of every node as text by reverse accumulation over the
// described graph: delta(n) is the sum, over the consumers c of n, of the local rule of c
// applied to delta(c). The loss is the mean over the batch, so its delta is 1/B.
class adjoint_printer {
 public:
  adjoint_printer(std::vector<node_description> nodes, bool latex)
      : nodes_(std::move(nodes)), latex_(latex), memo_(nodes_.size()), done_(nodes_.size()) {}

  const std::vector<node_description>& nodes() const { return nodes_; }

  /// delta(i) = dL/d(node i), expanded down to the loss.
  std::string delta(std::size_t i) {
    if (done_[i]) return memo_[i];
    std::string sum;
    if (i + 1 == nodes_.size()) sum = nodes_[i].batched ? (latex_ ? "\\frac{1}{B}" : "1/B") : "1";
    for (std::size_t c = i + 1; c < nodes_.size(); ++c)
      for (std::size_t slot = 0; slot < nodes_[c].operands.size(); ++slot)
        if (nodes_[c].operands[slot] == i) {
          const auto term = contribution(c, slot);
          sum = sum.empty() ? term : sum + " + " + term;
        }
    done_[i] = true;
    return memo_[i] = sum;
  }

 private:
  std::string name(std::size_t i) const {
    return latex_ ? latex_name(nodes_[i].name) : nodes_[i].name;
  }
  static std::string paren(const std::string& s) {
    return s.find(' ') == std::string::npos ? s : "(" + s + ")";
  }
  std::string hadamard() const { return latex_ ? " \\odot " : " .* "; }
  std::string transpose() const { return latex_ ? "^{\\top}" : "^T"; }

  /// The share of delta(operand `slot` of node c) that flows through c.
  std::string contribution(std::size_t c, std::size_t slot) {
    const auto& n = nodes_[c];
    const std::string dc = delta(c);
    using kind = node_description::kind;
    switch (n.k) {
      case kind::matmul:
        return slot == 1 ? name(n.operands[0]) + transpose() + " " + paren(dc)
                         : paren(dc) + " " + name(n.operands[1]) + transpose();
      case kind::map:
        return scaled(dc, local_factor(n, 0), n.size == 1);
      case kind::map2:
        return batch_sum(c, slot, scaled(dc, local_factor(n, slot), n.size == 1));
      case kind::sum:
        return dc;
      case kind::softmax_cross_entropy:
        return scaled(dc,
                      latex_ ? "\\operatorname{softmax}(" + name(n.operands[0]) + ") - " + name(n.operands[1])
                             : "softmax(" + name(n.operands[0]) + ") - " + name(n.operands[1]),
                      true);
      default:
        return dc;
    }
  }

  /// d node / d operand: relu'(z1) for named activations, else the derived expression.
  std::string local_factor(const node_description& n, std::size_t slot) const {
    const bool activation = n.k == node_description::kind::map &&
                            (n.function == "relu" || n.function == "tanh" || n.function == "sigmoid" ||
                             n.function == "softplus" || n.function == "leaky_relu" || n.function == "f");
    if (activation) {
      const auto f = latex_ ? "\\operatorname{" + n.function + "}" : n.function;
      return f + "'(" + name(n.operands[0]) + ")";
    }
    return latex_ ? n.partials_latex[slot] : n.partials[slot];
  }

  /// dc times a local factor: elementwise (.*) unless dc is one number per sample.
  std::string scaled(const std::string& dc, const std::string& factor, bool scalar_dc) const {
    if (factor == "1") return dc;
    if (factor == "-1") return cat("-", paren(dc));
    if (dc == "1") return factor;
    return paren(dc) + (scalar_dc ? " " : hadamard()) + paren(factor);
  }

  /// A parameter broadcast over the batch collects its adjoint from every sample.
  std::string batch_sum(std::size_t c, std::size_t slot, const std::string& term) const {
    const auto& operand = nodes_[nodes_[c].operands[slot]];
    if (operand.batched || !nodes_[c].batched) return term;
    return (latex_ ? "\\sum_{\\mathrm{batch}} " : "sum_batch ") + paren(term);
  }

  std::vector<node_description> nodes_;
  bool latex_;
  std::vector<std::string> memo_;
  std::vector<bool> done_;
};

inline std::vector<std::string> where_lines(const std::vector<node_description>& nodes) {
  std::vector<std::string> lines;
  for (const auto& n : nodes) {
    using kind = node_description::kind;
    if (n.k == kind::map || n.k == kind::map2 || n.k == kind::sum ||
        n.k == kind::softmax_cross_entropy)
      lines.push_back(n.name + " = " + n.definition);
  }
  for (const auto& n : nodes)
    if (!n.rule.empty()) {
      bool seen = false;
      for (const auto& l : lines) seen = seen || l == n.rule;
      if (!seen) lines.push_back(n.rule);
    }
  lines.push_back("B = batch size (the loss is the mean over the batch)");
  return lines;
}

}  // namespace detail

/// explain(loss, "fc1.weight"): the chain rule tapeless derived for dL/d(that parameter).
/// An unknown name gives an empty formula.
template <class Loss>
explanation explain(const Loss& loss, std::string_view parameter) {
  auto nodes = describe(loss);
  std::size_t index = nodes.size();
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].k == node_description::kind::param && nodes[i].name == parameter) index = i;
  if (index == nodes.size()) return {};
  detail::adjoint_printer text(nodes, false);
  detail::adjoint_printer latex(nodes, true);
  explanation e;
  e.formula = detail::cat("dL/d", parameter, " = ", text.delta(index));
  e.latex = detail::cat("\\frac{\\partial L}{\\partial ", detail::latex_name(std::string(parameter)), "} = ",
                        latex.delta(index));
  e.where = detail::where_lines(nodes);
  return e;
}

}  // namespace tapeless::nn

#endif
