// Peer "eigen": backpropagation written by hand with Eigen 3.4 matrices. Fixed-size
// matrices for the tiny and small networks, dynamic ones for the 784-wide networks (as a
// user would write them: fixed sizes that large do not fit the stack and unroll badly).
// Samples are columns (column-major, so the batch has the sample-major layout of common.hpp);
// weights are column-major Out x In. Activations use Eigen's vectorized tanh and max.

#include <Eigen/Core>

#include <algorithm>
#include <tuple>
#include <utility>

#include "common.hpp"

namespace {

template <class C>
constexpr bool fixed_sizes = C::inputs < 784;

template <class C, std::size_t R, std::size_t Cols>
using matrix = std::conditional_t<fixed_sizes<C>, Eigen::Matrix<float, int(R), int(Cols)>,
                                  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
template <class C, std::size_t R>
using vector = std::conditional_t<fixed_sizes<C>, Eigen::Matrix<float, int(R), 1>,
                                  Eigen::Matrix<float, Eigen::Dynamic, 1>>;

/// A matrix of the given shape: fixed-size ones take no sizes (for a 1 x 1 or 2 x 1 fixed
/// matrix, sizes would be read as coefficients).
template <class M>
M sized(Eigen::Index rows, Eigen::Index cols) {
  if constexpr (M::SizeAtCompileTime == Eigen::Dynamic) return M(rows, cols);
  else return M();
}

template <class C, std::size_t L>
struct layer {
  static constexpr std::size_t In = C::widths[L], Out = C::widths[L + 1], B = C::batch;
  matrix<C, Out, In> w = sized<matrix<C, Out, In>>(Out, In), dw = w;
  vector<C, Out> b = sized<vector<C, Out>>(Out, 1), db = b;
  matrix<C, Out, B> a = sized<matrix<C, Out, B>>(Out, B);  ///< output (after the activation, but for the last layer)
  matrix<C, Out, B> dz = a;                                 ///< dL/d(pre-activation)
};

template <class C, class = std::make_index_sequence<C::layers>>
struct eigen_net;

template <class C, std::size_t... L>
struct eigen_net<C, std::index_sequence<L...>> {
  static constexpr std::size_t B = C::batch, layers = C::layers;
  std::tuple<layer<C, L>...> net;
  matrix<C, C::inputs, B> x = sized<matrix<C, C::inputs, B>>(C::inputs, B);
  matrix<C, C::outputs, B> t = sized<matrix<C, C::outputs, B>>(C::outputs, B);

  template <std::size_t K>
  auto& at() { return std::get<K>(net); }

  template <std::size_t K>
  const auto& input_of() {
    if constexpr (K == 0) return x;
    else return at<K - 1>().a;
  }

  template <std::size_t K>
  void forward() {
    auto& l = at<K>();
    l.a.noalias() = l.w * input_of<K>();
    l.a.colwise() += l.b;
    if constexpr (K + 1 < layers) {
      if constexpr (C::act == bench::activation::tanh) l.a = l.a.array().tanh();
      else l.a = l.a.array().max(0.0f);
    }
  }

  float loss_and_delta() {
    auto& last = at<layers - 1>();
    if constexpr (C::loss == bench::loss_kind::mse) {
      last.dz = last.a - t;
      const float loss = last.dz.squaredNorm() / float(C::outputs * B);
      last.dz *= 2.0f / float(C::outputs * B);
      return loss;
    } else {
      float loss = 0;
      for (Eigen::Index s = 0; s < Eigen::Index(B); ++s) {
        const auto z = last.a.col(s);
        const float top = z.maxCoeff();
        const auto e = (z.array() - top).exp();
        const float total = e.sum();
        const float lse = top + std::log(total);
        loss += (t.col(s).array() * (lse - z.array())).sum();
        last.dz.col(s) = ((z.array() - lse).exp() - t.col(s).array()) / float(B);
      }
      return loss / float(B);
    }
  }

  template <std::size_t K>
  void backward(float rate) {
    auto& l = at<K>();
    if constexpr (K > 0) {  // with the old weights
      auto& below = at<K - 1>();
      below.dz.noalias() = l.w.transpose() * l.dz;
      if constexpr (C::act == bench::activation::tanh)
        below.dz.array() *= 1.0f - below.a.array().square();
      else
        below.dz.array() *= (below.a.array() > 0.0f).template cast<float>();
    }
    l.dw.noalias() = l.dz * input_of<K>().transpose();
    l.db = l.dz.rowwise().sum();
    l.w -= rate * l.dw;
    l.b -= rate * l.db;
  }

  float step(float rate) {
    (forward<L>(), ...);
    const float loss = loss_and_delta();
    [&]<std::size_t... R>(std::index_sequence<R...>) { (backward<layers - 1 - R>(rate), ...); }(
        std::make_index_sequence<layers>{});
    return loss;
  }

  void load(const bench::problem<C>& p) {
    ((at<L>().w = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          p.params.data() + C::weight_offset(L), C::widths[L + 1], C::widths[L]),
      at<L>().b = Eigen::Map<const Eigen::VectorXf>(p.params.data() + C::bias_offset(L), C::widths[L + 1])),
     ...);
    x = Eigen::Map<const Eigen::MatrixXf>(p.x.data(), C::inputs, B);
    t = Eigen::Map<const Eigen::MatrixXf>(p.t.data(), C::outputs, B);
  }

  // The biases are copied as plain floats: Eigen's packet loop storing a fixed-size vector
  // into a dynamic Map is dead code for 4 floats, but g++ 12 warns (-Warray-bounds) once
  // make_problem's code lets it inline this function.
  std::vector<float> flat_gradient() {
    std::vector<float> g(C::parameter_count);
    ((Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          g.data() + C::weight_offset(L), C::widths[L + 1], C::widths[L]) = at<L>().dw,
      std::copy_n(at<L>().db.data(), C::widths[L + 1], g.data() + C::bias_offset(L))),
     ...);
    return g;
  }
};

template <class C>
void eigen_step(benchmark::State& state) {
  static eigen_net<C> net;
  bench::check_then_time<C>(state, net, [] { return net.flat_gradient(); });
}

const int registered = [] {
  bench::register_all("eigen", []<class C>(const std::string& name) {
    benchmark::RegisterBenchmark(name.c_str(), eigen_step<C>);
  });
  return 0;
}();

}  // namespace
