// A candidate network representation, measured for compile time only: builders that take
// and return a value (a flat array of node descriptors) instead of nesting types. The type
// of a network is net<N>; nothing in it grows with the depth but N. It computes no
// gradient; flat_builders.sh times building a width-16 tanh chain and handing it to a
// class template as a template argument, as a model would take it.
//
// Descriptors hold no character arrays: with a char[16] name in each, g++ 12 took 136 s for
// 128 layers (clang 2.8 s). A name is a pointer to a static fixed_string object instead.
#include <array>
#include <cstddef>

#include <tapeless/detail/fixed_string.hpp>

namespace flat {

enum class kind : unsigned char { input, param, matmul, map, map2 };

struct desc {
  kind k{};
  unsigned short size = 0, rows = 0, cols = 0;
  bool batched = false;
  unsigned short a = 0, b = 0, fn = 0;  ///< operand positions, function index
  const char* name = nullptr;
};

template <std::size_t N>
struct net {
  std::array<desc, N> n{};
};

template <std::size_t N, std::size_t M>
constexpr net<N + M> append(const net<N>& g, const std::array<desc, M>& extra) {
  net<N + M> r{};
  for (std::size_t i = 0; i < N; ++i) r.n[i] = g.n[i];
  for (std::size_t i = 0; i < M; ++i) r.n[N + i] = extra[i];
  return r;
}

template <tapeless::fixed_string S>
inline constexpr auto stored = S;

constexpr desc param(const char* name, unsigned short rows, unsigned short cols) {
  return {kind::param, static_cast<unsigned short>(rows * cols), rows, cols, false, 0, 0, 0, name};
}

template <std::size_t N, std::size_t M>
constexpr tapeless::fixed_string<N + M - 1> concat(const tapeless::fixed_string<N>& a, const char (&b)[M]) {
  char text[N + M - 1]{};
  for (std::size_t i = 0; i + 1 < N; ++i) text[i] = a.data[i];
  for (std::size_t i = 0; i < M; ++i) text[N - 1 + i] = b[i];
  return tapeless::fixed_string<N + M - 1>(text);
}

template <std::size_t Out, tapeless::fixed_string Name, std::size_t N>
constexpr net<N + 4> dense(const net<N>& x) {
  const auto in = x.n[N - 1].size;
  const auto at = static_cast<unsigned short>(N);
  return append(x, std::array<desc, 4>{param(stored<concat(Name, ".weight")>.data, Out, in),
                                       desc{kind::matmul, Out, 0, 0, true, at, static_cast<unsigned short>(N - 1)},
                                       param(stored<concat(Name, ".bias")>.data, Out, 1),
                                       desc{kind::map2, Out, 0, 0, true, static_cast<unsigned short>(at + 1),
                                            static_cast<unsigned short>(at + 2)}});
}

template <std::size_t N>
constexpr net<N + 1> tanh(const net<N>& x) {
  return append(x, std::array<desc, 1>{desc{kind::map, x.n[N - 1].size, 0, 0, true, static_cast<unsigned short>(N - 1), 0, 1}});
}

template <unsigned short Size>
inline constexpr net<1> input{{desc{kind::input, Size, Size, 1, true}}};

template <auto Net>
struct model {
  static constexpr std::size_t nodes = Net.n.size();
  static constexpr auto sizes = [] {
    std::array<std::size_t, nodes> s{};
    for (std::size_t i = 0; i < nodes; ++i) s[i] = Net.n[i].size;
    return s;
  }();
};

}  // namespace flat
