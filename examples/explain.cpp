// What tapeless derived: the chain rule for every parameter of a small network.
//
// Backpropagation is the chain rule, dL/dw = dL/da * da/dz * dz/dw, with the factors that
// several weights share (the deltas) computed once. tapeless derives this factorization at
// compile time; `explain` prints it, and `to_dot` / `to_dot_backward` draw the forward graph
// and the backward graph (render with `dot -Tpng forward.dot -o forward.png`).

#include <cstdio>
#include <fstream>

#include <tapeless/nn.hpp>

namespace nn = tapeless::nn;

// A 4-8-3 classifier: relu hidden layer, softmax cross-entropy on the logits.
constexpr auto x = nn::input<"x", 4>;
constexpr auto t = nn::target<"t", 3>;
constexpr auto loss =
    nn::softmax_cross_entropy(nn::dense<3, "fc2">(nn::relu(nn::dense<8, "fc1">(x))), t);

int main(int argc, char** argv) {
  for (const char* parameter : {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}) {
    const auto e = nn::explain(loss, parameter);
    std::printf("%s\n", e.formula.c_str());
    std::printf("  LaTeX: %s\n\n", e.latex.c_str());
  }
  std::printf("where\n");
  for (const auto& line : nn::explain(loss, "fc1.weight").where) std::printf("  %s\n", line.c_str());

  // With a directory argument, write the two graphs there.
  if (argc > 1) {
    const std::string dir = argv[1];
    std::ofstream(dir + "/forward.dot") << nn::to_dot(loss);
    std::ofstream(dir + "/backward.dot") << nn::to_dot_backward(loss);
    std::printf("\nwrote %s/forward.dot and %s/backward.dot\n", argv[1], argv[1]);
  }
}
