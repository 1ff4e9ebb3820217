#define BOOST_TEST_MODULE lower_simd_kernels
#include <array>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>
#include <tapeless/lower/simd_kernels.hpp>
#include <tapeless/nn.hpp>
#include <vector>

// The SIMD kernels must agree with the plain reference loops within float rounding, for
// sizes that fill whole tiles and for every kind of remainder (rows, columns, samples).

namespace nn = tapeless::nn;
using simd = tapeless::lower::simd_kernels;
using plain = nn::plain_kernels;

namespace {

template <std::size_t N>
std::array<float, N> random_values(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::array<float, N> a{};
  for (auto& v : a) v = u(rng);
  return a;
}

std::vector<float> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> a(n);
  for (auto& v : a) v = u(rng);
  return a;
}

// Float sums of K products of magnitude <= 1, added in another order, differ by at most
// about K eps times the sum of the magnitudes (<= K): 4 K^2 eps is a safe bound.
template <std::size_t N>
void check_close(const std::array<float, N>& a, const std::array<float, N>& b, std::size_t terms) {
  const float bound = static_cast<float>(terms) * 4 * 1.2e-7f * static_cast<float>(terms);
  for (std::size_t i = 0; i < N; ++i) BOOST_TEST(std::abs(a[i] - b[i]) <= bound, "at " << i);
}

// Entries where two float sums of the same K terms differ by more than rounding allows:
// each is within K eps sum|terms| of the exact sum, so they are within 2 K eps sum|terms|
// of each other (`magnitude` holds sum|terms| per entry). A term dropped, doubled or taken
// from the wrong index misses this bound by orders of magnitude.
std::size_t mismatches(const std::vector<float>& a, const std::vector<float>& b,
                       const std::vector<double>& magnitude, std::size_t terms) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double bound = 2.0 * double(terms + 1) * 0x1p-23 * magnitude[i] + 1e-30;
    if (!(std::abs(double(a[i]) - double(b[i])) <= bound)) ++bad;
  }
  return bad;
}

/// The three products of one kernel policy at one shape, as plain function pointers: the
/// checks below are ordinary functions, so that each shape costs only the instantiation
/// of the kernels (compile time).
struct products {
  std::size_t rows, cols, samples;
  void (*forward)(const float* w, const float* x, float* y);
  void (*weight_gradient)(const float* dy, const float* x, float* dw, bool accumulate);
  void (*input_gradient)(const float* w, const float* dy, float* dx, bool accumulate);
};

template <class Kernels, std::size_t Rows, std::size_t Cols, std::size_t Samples>
constexpr products products_of{
    Rows,
    Cols,
    Samples,
    &Kernels::template matmul<Rows, Cols, Samples, float>,
    &Kernels::template matmul_weight_gradient<Rows, Cols, Samples, float>,
    &Kernels::template matmul_input_gradient<Rows, Cols, Samples, float>};

/// Each product of `fast` against `reference` on one shape, with the output overwritten
/// and accumulated into (the reference accumulates into a copy of the same starting values).
void check_products(const products& fast, const products& reference) {
  const std::size_t rows = fast.rows, cols = fast.cols, samples = fast.samples;
  const auto w = random_vector(rows * cols, 1);
  const auto x = random_vector(samples * cols, 2);
  const auto dy = random_vector(samples * rows, 3);
  BOOST_TEST_CONTEXT("Rows " << rows << ", Cols " << cols << ", Samples " << samples) {
    {
      std::vector<float> y_fast(samples * rows, 7.0f), y_reference(samples * rows);
      std::vector<double> magnitude(samples * rows);
      for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t c = 0; c < cols; ++c)
            magnitude[s * rows + r] += std::abs(double(w[r * cols + c]) * x[s * cols + c]);
      fast.forward(w.data(), x.data(), y_fast.data());
      reference.forward(w.data(), x.data(), y_reference.data());
      BOOST_TEST(mismatches(y_fast, y_reference, magnitude, cols) == 0u, "forward");
    }
    for (const bool accumulate : {false, true}) {
      const auto old_w = random_vector(rows * cols, 4);
      std::vector<float> dw_fast = old_w, dw_reference(rows * cols);
      std::vector<double> magnitude(rows * cols);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
          if (accumulate) dw_reference[r * cols + c] = old_w[r * cols + c];
          magnitude[r * cols + c] = accumulate ? std::abs(double(old_w[r * cols + c])) : 0.0;
          for (std::size_t s = 0; s < samples; ++s)
            magnitude[r * cols + c] += std::abs(double(dy[s * rows + r]) * x[s * cols + c]);
        }
      fast.weight_gradient(dy.data(), x.data(), dw_fast.data(), accumulate);
      reference.weight_gradient(dy.data(), x.data(), dw_reference.data(), true);
      BOOST_TEST(mismatches(dw_fast, dw_reference, magnitude, samples + 1) == 0u,
                 "weight gradient, accumulate " << accumulate);

      const auto old_x = random_vector(samples * cols, 5);
      std::vector<float> dx_fast = old_x, dx_reference(samples * cols);
      std::vector<double> dx_magnitude(samples * cols);
      for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t c = 0; c < cols; ++c) {
          if (accumulate) dx_reference[s * cols + c] = old_x[s * cols + c];
          dx_magnitude[s * cols + c] = accumulate ? std::abs(double(old_x[s * cols + c])) : 0.0;
          for (std::size_t r = 0; r < rows; ++r)
            dx_magnitude[s * cols + c] += std::abs(double(w[r * cols + c]) * dy[s * rows + r]);
        }
      fast.input_gradient(w.data(), dy.data(), dx_fast.data(), accumulate);
      reference.input_gradient(w.data(), dy.data(), dx_reference.data(), true);
      BOOST_TEST(mismatches(dx_fast, dx_reference, dx_magnitude, rows + 1) == 0u,
                 "input gradient, accumulate " << accumulate);
    }
  }
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
void check_products() {
  check_products(products_of<simd, Rows, Cols, Samples>, products_of<plain, Rows, Cols, Samples>);
}

/// check_products for every Samples of the list.
template <std::size_t Rows, std::size_t Cols, std::size_t... Samples>
void check_batches() {
  (check_products<Rows, Cols, Samples>(), ...);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_check_sees_one_wrong_term) {
  // A sum of 300 terms with one term left out must fail the bound of mismatches().
  const auto a = random_vector(300, 11);
  const auto b = random_vector(300, 12);
  double magnitude = 0;
  float all = 0, but_one = 0;
  for (std::size_t k = 0; k < 300; ++k) {
    magnitude += std::abs(double(a[k]) * b[k]);
    all += a[k] * b[k];
    if (k != 137) but_one += a[k] * b[k];
  }
  BOOST_TEST(mismatches({all}, {but_one}, {magnitude}, 300) == 1u);
  BOOST_TEST(mismatches({all}, {all}, {magnitude}, 300) == 0u);
}

BOOST_AUTO_TEST_CASE(products_on_whole_tiles) {
  // Rows, Cols and Samples multiples of the 6 x 16 tile and of a vector.
  check_batches<48, 64, 48>();
  check_batches<12, 32, 96>();
}

BOOST_AUTO_TEST_CASE(products_with_remainders) {
  // Every batch against rows and columns that leave remainders of tile rows (6), of the
  // panel (2 vectors) and of a vector: forward products that pack W (Samples >= Rows), that
  // pack X (Samples < Rows), dot products (few samples or rows), plain loops (Cols < lanes).
  check_batches<1, 1, 1, 2, 3, 5>();
  check_batches<3, 5, 1, 2, 3, 5, 17>();
  check_batches<7, 37, 1, 2, 3, 5, 17, 64>();
  check_batches<10, 128, 1, 3, 5, 17, 64>();
  check_batches<13, 100, 1, 2, 5, 17, 64>();
  check_batches<17, 24, 3, 5, 17, 64>();
  check_batches<40, 24, 8, 9, 17, 33>();  // forward products that pack X
  check_batches<32, 8, 1, 4, 32>();
  check_batches<4, 32, 1, 4, 32>();
  check_batches<8, 2, 1, 4>();
  check_batches<1, 8, 1, 4>();
  check_batches<2, 16, 1, 3, 4, 5>();  // input gradients of <= 8 rows x samples: vector loops
}

BOOST_AUTO_TEST_CASE(products_deeper_than_one_block) {
  // More than a block along the common dimension of each product: Cols (forward, blocks
  // of at most 1024), Samples (weight gradient, 256), Rows (input gradient, 256) are cut
  // into blocks that add up.
  check_products<19, 784, 3>();
  check_products<19, 784, 23>();
  check_products<7, 300, 261>();
  check_products<263, 40, 9>();
  check_products<19, 1100, 23>();  // forward that packs W
  check_products<30, 1100, 9>();   // forward that packs X
}

BOOST_AUTO_TEST_CASE(products_with_rows_a_multiple_of_1_kib_apart) {
  // Rows of X (weight gradient) and of W (input gradient) 256 or 1024 floats apart are
  // copied panel by panel instead of read in place; 261 samples: two blocks of depth. The
  // input gradient packs dY when its rows are 256 floats apart.
  check_batches<13, 256, 3, 17, 64>();
  check_products<7, 1024, 261>();
  check_products<256, 40, 9>();
}

BOOST_AUTO_TEST_CASE(weight_gradient_with_packed_dy_in_blocks) {
  // The weight gradient packs dY^T, all rows for a block of at most 256 samples, into a
  // stack buffer of 128 KiB, or as many rows as fit: 600 rows, 300 samples: blocks of 150
  // samples and of 216, 216 and 168 rows; 1031 rows, 64 samples: 510, 510 and 11 rows.
  check_products<600, 17, 300>();
  check_products<1031, 9, 64>();
}

namespace {

/// A dense forward step (z = W x + b, y = F(z)) of the SIMD kernels against the plain loops,
/// through function pointers as products_of.
struct dense_step {
  std::size_t rows, cols, samples;
  bool activated;
  void (*fast)(const float* w, const float* x, const float* b, float* z, float* y);
  void (*reference)(const float* w, const float* x, const float* b, float* z, float* y);
  void (*activation)(const float* z, float* y);  ///< the plain map of F, or null
};

template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples>
dense_step dense_step_of() {
  constexpr bool activated = !std::is_void_v<F>;
  void (*activation)(const float*, float*) = nullptr;
  if constexpr (activated) activation = &plain::map<F, Rows * Samples, float>;
  return {Rows, Cols, Samples, activated, &simd::dense<F, Rows, Cols, Samples, float>,
          &plain::dense<F, Rows, Cols, Samples, float>, activation};
}

/// z within rounding of the plain loops' z (sums of Cols products and the bias), and y the
/// activation of that z: the plain map of F applied to the z the SIMD step stored, within a
/// few ulp (xsimd's exp-based functions and tapeless's tanh differ from the C library's by
/// at most 5 ulp). Without an activation, y is left alone.
void check_dense(const dense_step& step) {
  const std::size_t rows = step.rows, cols = step.cols, samples = step.samples, n = rows * samples;
  const auto w = random_vector(rows * cols, 21);
  const auto x = random_vector(samples * cols, 22);
  const auto b = random_vector(rows, 23);
  std::vector<float> z_fast(n, 7.0f), y_fast(n, 7.0f), z_reference(n), y_reference(n);
  std::vector<double> magnitude(n);
  for (std::size_t s = 0; s < samples; ++s)
    for (std::size_t r = 0; r < rows; ++r) {
      magnitude[s * rows + r] = std::abs(double(b[r]));
      for (std::size_t c = 0; c < cols; ++c)
        magnitude[s * rows + r] += std::abs(double(w[r * cols + c]) * x[s * cols + c]);
    }
  step.fast(w.data(), x.data(), b.data(), z_fast.data(), y_fast.data());
  step.reference(w.data(), x.data(), b.data(), z_reference.data(), y_reference.data());
  BOOST_TEST_CONTEXT("Rows " << rows << ", Cols " << cols << ", Samples " << samples << ", activated "
                             << step.activated) {
    BOOST_TEST(mismatches(z_fast, z_reference, magnitude, cols + 1) == 0u, "z = W x + b");
    std::vector<float> f_of_z(n, 7.0f);
    if (step.activated) step.activation(z_fast.data(), f_of_z.data());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
      bad += std::abs(y_fast[i] - f_of_z[i]) <= 8 * 0x1p-23f * std::abs(f_of_z[i]) + 1e-30f ? 0 : 1;
    BOOST_TEST(bad == 0u, "y = F(z)");
  }
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
void check_dense_activations() {
  check_dense(dense_step_of<void, Rows, Cols, Samples>());
  check_dense(dense_step_of<nn::tanh_fn, Rows, Cols, Samples>());
  check_dense(dense_step_of<nn::relu_fn, Rows, Cols, Samples>());
  check_dense(dense_step_of<nn::sigmoid_fn, Rows, Cols, Samples>());
}

/// The weight side of a dense layer's backward step at one shape and activation, through
/// both kernel sets (function pointers, as for the products above).
struct weight_side {
  std::size_t rows, cols, samples;
  void (*fast)(const nn::delta_source<float>&, const float*, float*, bool, float*, bool);
  void (*reference)(const nn::delta_source<float>&, const float*, float*, bool, float*, bool);
  void (*activation)(const float* z, float* y);  ///< null: none
  void (*activation_gradient)(const float* z, const float* y, const float* dy, float* dz, bool);
};

template <class F, std::size_t Rows, std::size_t Cols, std::size_t Samples>
weight_side weight_side_of() {
  weight_side w{Rows,
                Cols,
                Samples,
                &simd::dense_weight_gradient<F, Rows, Cols, Samples, float>,
                &plain::dense_weight_gradient<F, Rows, Cols, Samples, float>,
                nullptr,
                nullptr};
  if constexpr (!std::is_void_v<F>) {
    w.activation = &plain::map<F, Rows * Samples, float>;
    w.activation_gradient = &plain::map_gradient<F, Rows * Samples, float>;
  }
  return w;
}

/// Both kernel sets against the passes they replace: the delta by plain map_gradient and a
/// scale, dW by plain matmul_weight_gradient, db by a sum over the samples. The delta that
/// the kernels store must be that delta (within 4 ulp: F' is evaluated on vectors), dW and
/// db the same sums within rounding; with store and db null, dW alone.
void check_weight_side(const weight_side& k, float scale, bool accumulate, bool outputs) {
  const std::size_t rows = k.rows, cols = k.cols, samples = k.samples, n = rows * samples;
  const auto dy = random_vector(n, 31), z = random_vector(n, 32),
             x = random_vector(samples * cols, 33);
  const auto old_w = random_vector(rows * cols, 34), old_b = random_vector(rows, 35);
  std::vector<float> y(n), delta(dy);
  if (k.activation) {
    k.activation(z.data(), y.data());
    k.activation_gradient(z.data(), y.data(), dy.data(), delta.data(), false);
  }
  for (float& v : delta) v *= scale;
  std::vector<float> dw_expected = old_w, db_expected(rows);
  std::vector<double> dw_magnitude(rows * cols), db_magnitude(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    if (accumulate) db_expected[r] = old_b[r];
    else
      for (std::size_t c = 0; c < cols; ++c) dw_expected[r * cols + c] = 0;
    db_magnitude[r] = std::abs(double(db_expected[r]));
    for (std::size_t c = 0; c < cols; ++c)
      dw_magnitude[r * cols + c] = std::abs(double(dw_expected[r * cols + c]));
    for (std::size_t s = 0; s < samples; ++s) {
      const float d = delta[s * rows + r];
      db_expected[r] += d;
      db_magnitude[r] += std::abs(double(d));
      for (std::size_t c = 0; c < cols; ++c) {
        dw_expected[r * cols + c] += d * x[s * cols + c];
        dw_magnitude[r * cols + c] += std::abs(double(d) * x[s * cols + c]);
      }
    }
  }
  for (const auto kernel : {k.fast, k.reference}) {
    std::vector<float> dw = old_w, db = old_b, stored(n, 7.0f);
    const nn::delta_source<float> source{dy.data(), z.data(), y.data(), scale,
                                         outputs ? stored.data() : nullptr};
    kernel(source, x.data(), dw.data(), accumulate, outputs ? db.data() : nullptr, accumulate);
    BOOST_TEST_CONTEXT("Rows " << rows << ", Cols " << cols << ", Samples " << samples
                               << ", activated " << bool(k.activation) << ", accumulate "
                               << accumulate << ", outputs " << outputs << ", kernels "
                               << (kernel == k.fast ? "simd" : "plain")) {
      BOOST_TEST(mismatches(dw, dw_expected, dw_magnitude, samples + 1) == 0u, "dW");
      if (outputs) {
        BOOST_TEST(mismatches(db, db_expected, db_magnitude, samples + 1) == 0u, "db");
        std::size_t bad = 0;
        for (std::size_t i = 0; i < n; ++i)
          bad +=
              std::abs(stored[i] - delta[i]) <= 4 * 0x1p-23f * std::abs(delta[i]) + 1e-30f ? 0 : 1;
        BOOST_TEST(bad == 0u, "stored delta");
      } else {
        BOOST_TEST(db == old_b, "db untouched");
        BOOST_TEST(stored == std::vector<float>(n, 7.0f), "nothing stored");
      }
    }
  }
}

template <std::size_t Rows, std::size_t Cols, std::size_t Samples>
void check_weight_sides() {
  for (const weight_side& k : {weight_side_of<void, Rows, Cols, Samples>(),
                               weight_side_of<nn::tanh_fn, Rows, Cols, Samples>(),
                               weight_side_of<nn::relu_fn, Rows, Cols, Samples>()}) {
    check_weight_side(k, 1.0f, false, true);
    check_weight_side(k, -0.37f, true, true);
    check_weight_side(k, -0.37f, true, false);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(dense_forward_with_the_bias_in_the_epilogue) {
  // Every path of simd_kernels::dense: rows shorter than a vector, dot products and the
  // product with the samples as the tile's columns (the bias added after the product); the
  // product with the features as the tile's columns (the bias in its epilogue: a vector of
  // bias per tile column, partial vectors at 10 and 17 features; 1100 deep: two blocks of
  // depth, the epilogue on the second only). The activation is in the same epilogue where
  // the bias is, else a pass over z; either way y must be the plain map of the z stored.
  check_dense_activations<5, 3, 17>();
  check_dense_activations<13, 100, 2>();
  check_dense_activations<7, 37, 64>();
  check_dense_activations<48, 64, 48>();
  check_dense_activations<10, 128, 64>();
  check_dense_activations<17, 24, 33>();
  check_dense_activations<40, 24, 9>();
  check_dense_activations<19, 1100, 23>();
  check_dense_activations<30, 1100, 9>();
}

BOOST_AUTO_TEST_CASE(dense_weight_side_with_the_delta_as_prologue) {
  // Rows shorter than a vector (a delta pass and plain loops; at 300 x 5 x 40 in blocks of
  // 13 samples and a last of 1), one tile row and partial vectors, whole tiles, remainders
  // of rows and samples, two blocks of samples (depth) and, at 300 x 20 x 300, two blocks of
  // packed rows.
  check_weight_sides<5, 3, 17>();
  check_weight_sides<300, 5, 40>();
  check_weight_sides<13, 100, 2>();
  check_weight_sides<48, 64, 48>();
  check_weight_sides<17, 24, 33>();
  check_weight_sides<7, 40, 300>();
  check_weight_sides<300, 20, 300>();
}

namespace {

/// map and map_gradient of F on N values against the plain loops.
template <class F, std::size_t N>
void check_maps() {
  const auto a = random_values<N>(6);
  const auto dy = random_values<N>(7);
  std::array<float, N> y_simd{}, y_plain{};
  simd::map<F, N>(a.data(), y_simd.data());
  plain::map<F, N>(a.data(), y_plain.data());
  check_close(y_simd, y_plain, 4);
  auto da_simd = random_values<N>(8);
  auto da_plain = da_simd;
  simd::map_gradient<F, N>(a.data(), y_plain.data(), dy.data(), da_simd.data(), true);
  plain::map_gradient<F, N>(a.data(), y_plain.data(), dy.data(), da_plain.data(), true);
  check_close(da_simd, da_plain, 4);
}

}  // namespace

BOOST_AUTO_TEST_CASE(elementwise_maps) {
  // 37 values: whole vectors, then the tail in the target's narrower vectors (AVX-512: 8
  // and 4 lanes; AVX: 4) and single values; 8 values: no whole vector with AVX-512.
  check_maps<nn::tanh_fn, 37>();
  check_maps<nn::sigmoid_fn, 37>();
  check_maps<nn::relu_fn, 37>();
  check_maps<nn::tanh_fn, 8>();
}

BOOST_AUTO_TEST_CASE(whole_training_step_matches_plain_loops) {
  constexpr auto x = nn::input<"x", 37>;
  constexpr auto t = nn::target<"t", 3>;
  constexpr auto loss = nn::softmax_cross_entropy(
      nn::dense<3, "c">(nn::sigmoid(nn::dense<19, "b">(nn::relu(nn::dense<33, "a">(x))))), t);
  auto fast = nn::compile<7, float, simd>(loss);
  auto reference = nn::compile<7, float, plain>(loss);
  using model_t = decltype(fast);
  static_assert(std::is_same_v<model_t::parameters, decltype(reference)::parameters>);

  model_t::parameters params;
  model_t::inputs inputs;
  model_t::targets targets;
  const auto w = random_values<model_t::parameters::total_size>(9);
  std::copy(w.begin(), w.end(), params.values().begin());
  const auto in = random_values<model_t::inputs::total_size>(10);
  std::copy(in.begin(), in.end(), inputs.values().begin());
  for (std::size_t s = 0; s < 7; ++s) targets.values()[s * 3 + s % 3] = 1.0f;

  model_t::gradients g_fast, g_reference;
  const float l_fast = fast.value_and_grad(params, inputs, targets, g_fast);
  const float l_reference = reference.value_and_grad(params, inputs, targets, g_reference);
  BOOST_TEST(l_fast == l_reference, boost::test_tools::tolerance(1e-5f));

  // Gradients agree to float rounding relative to the gradient's overall scale.
  double norm = 0;
  for (float g : g_reference.values()) norm = std::max(norm, static_cast<double>(std::abs(g)));
  for (std::size_t i = 0; i < model_t::parameters::total_size; ++i)
    BOOST_TEST(std::abs(g_fast.values()[i] - g_reference.values()[i]) <= 1e-5 * norm,
               "entry " << i);
}
