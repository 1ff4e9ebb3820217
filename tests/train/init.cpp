#define BOOST_TEST_MODULE train.init
#include <boost/test/unit_test.hpp>

// Every initialization scheme on a set with a 512 x 512 and a 128 x 512 weight: the mean
// and the variance of each weight within 4 standard errors of the scheme's values (the
// seed is fixed, so a pass is deterministic; 4 SE leaves a correct scheme far from the
// edge, while a wrong fan or factor is off by tens or hundreds of SE at these sizes), the
// bounds of the uniform ones, the share within one standard deviation for the normal ones,
// biases zero, and the bits: the same for the same seed, different for another.

#include <algorithm>
#include <boost/mp11/list.hpp>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <tapeless/nn/nodes.hpp>
#include <tapeless/nn/tensor_set.hpp>
#include <tapeless/train/init.hpp>

namespace {
namespace nn = tapeless::nn;
namespace train = tapeless::train;

template <class T>
using params_t = nn::tensor_set<T, 1,
                                boost::mp11::mp_list<nn::param_node<"fc1.weight", 512, 512>, nn::param_node<"fc1.bias", 512, 1>,
                                                     nn::param_node<"fc2.weight", 128, 512>, nn::param_node<"fc2.bias", 128, 1>,
                                                     nn::param_node<"one.weight", 64, 1>,  // dense over 1 feature
                                                     nn::param_node<"embed", 16, 8>,       // a matrix: a weight
                                                     nn::param_node<"scale", 4, 1>>>;      // a vector: zero
using P = params_t<float>;

// Large sets live in static storage, not on the stack.
P a, b, c;
params_t<double> d;

enum class kind { uniform, normal };
struct scheme {
  const char* name;
  kind k;
  void (*apply)(P&, train::random&);
  void (*apply_double)(params_t<double>&, train::random&);
  double (*variance)(double fan_in, double fan_out);
};

const scheme schemes[] = {
    {"xavier_uniform", kind::uniform, [](P& p, train::random& r) { train::xavier_uniform(p, r); },
     [](params_t<double>& p, train::random& r) { train::xavier_uniform(p, r); },
     [](double i, double o) { return 2 / (i + o); }},
    {"xavier_normal", kind::normal, [](P& p, train::random& r) { train::xavier_normal(p, r); },
     [](params_t<double>& p, train::random& r) { train::xavier_normal(p, r); },
     [](double i, double o) { return 2 / (i + o); }},
    {"xavier_uniform gain 2", kind::uniform, [](P& p, train::random& r) { train::xavier_uniform(p, r, 2.0); },
     [](params_t<double>& p, train::random& r) { train::xavier_uniform(p, r, 2.0); },
     [](double i, double o) { return 4 * 2 / (i + o); }},
    {"he_uniform", kind::uniform, [](P& p, train::random& r) { train::he_uniform(p, r); },
     [](params_t<double>& p, train::random& r) { train::he_uniform(p, r); }, [](double i, double) { return 2 / i; }},
    {"he_normal", kind::normal, [](P& p, train::random& r) { train::he_normal(p, r); },
     [](params_t<double>& p, train::random& r) { train::he_normal(p, r); }, [](double i, double) { return 2 / i; }},
    {"lecun_uniform", kind::uniform, [](P& p, train::random& r) { train::lecun_uniform(p, r); },
     [](params_t<double>& p, train::random& r) { train::lecun_uniform(p, r); }, [](double i, double) { return 1 / i; }},
    {"lecun_normal", kind::normal, [](P& p, train::random& r) { train::lecun_normal(p, r); },
     [](params_t<double>& p, train::random& r) { train::lecun_normal(p, r); }, [](double i, double) { return 1 / i; }},
};

void fill(P& p, float v) {
  for (float& x : p.values()) x = v;
}

/// Mean, mean square (the variance about the known mean 0), largest magnitude and the share
/// within one standard deviation of a tensor.
struct moments {
  double mean = 0, square = 0, largest = 0, inside = 0;
};
moments moments_of(std::span<const float> t, double sigma) {
  moments m;
  for (const float x : t) {
    m.mean += x;
    m.square += double(x) * x;
    m.largest = std::max(m.largest, std::fabs(double(x)));
    m.inside += std::fabs(x) < sigma ? 1 : 0;
  }
  const double n = static_cast<double>(t.size());
  m.mean /= n;
  m.square /= n;
  m.inside /= n;
  return m;
}

void check_weight(const scheme& s, std::string_view name, std::span<const float> t, double fan_in, double fan_out) {
  const double n = static_cast<double>(t.size());
  const double var = s.variance(fan_in, fan_out), sigma = std::sqrt(var);
  const moments m = moments_of(t, sigma);
  BOOST_TEST(std::fabs(m.mean) < 4 * sigma / std::sqrt(n), s.name << " " << name << " mean " << m.mean);
  // Var(w^2) = mu4 - sigma^4: 2 sigma^4 (normal), 4/5 sigma^4 (uniform).
  const double excess = s.k == kind::normal ? 2.0 : 0.8;
  BOOST_TEST(std::fabs(m.square - var) < 4 * std::sqrt(excess / n) * var,
             s.name << " " << name << " variance " << m.square << " vs " << var);
  if (s.k == kind::uniform) {
    const double bound = std::sqrt(3 * var);
    BOOST_TEST(m.largest <= static_cast<float>(bound), s.name << " " << name);
    BOOST_TEST(m.largest > 0.999 * bound, s.name << " " << name);
  } else {
    const double p = std::erf(1 / std::sqrt(2.0));  // 0.6827
    BOOST_TEST(std::fabs(m.inside - p) < 4 * std::sqrt(p * (1 - p) / n), s.name << " " << name << " " << m.inside);
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(schemes_statistics_and_zero_biases) {
  for (const scheme& s : schemes) {
    fill(a, 7.0f);  // so that zeroed biases are seen to be written
    train::random rng{1234};
    s.apply(a, rng);
    check_weight(s, "fc1.weight", a.get<"fc1.weight">(), 512, 512);
    check_weight(s, "fc2.weight", a.get<"fc2.weight">(), 512, 128);  // fan_in = cols, fan_out = rows
    for (const float x : a.get<"fc1.bias">()) BOOST_TEST(x == 0.0f);
    for (const float x : a.get<"fc2.bias">()) BOOST_TEST(x == 0.0f);
    for (const float x : a.get<"scale">()) BOOST_TEST(x == 0.0f);
    // A weight of one column is still a weight (fan_in 1): drawn, not zeroed.
    const auto one = a.get<"one.weight">();
    BOOST_TEST(std::count(one.begin(), one.end(), 0.0f) == 0);
    const double bound_one = std::sqrt(3 * s.variance(1, 64));
    if (s.k == kind::uniform)
      for (const float x : one) BOOST_TEST(std::fabs(x) <= static_cast<float>(bound_one));
    const auto embed = a.get<"embed">();
    BOOST_TEST(std::count(embed.begin(), embed.end(), 0.0f) == 0);
  }
}

BOOST_AUTO_TEST_CASE(same_seed_same_bits_other_seed_other) {
  for (const scheme& s : schemes) {
    train::random r1{99}, r2{99}, r3{100};
    s.apply(a, r1);
    fill(b, -1.0f);
    s.apply(b, r2);
    s.apply(c, r3);
    BOOST_TEST(std::memcmp(a.data(), b.data(), sizeof(float) * P::total_size) == 0, s.name);
    BOOST_TEST(std::memcmp(a.data(), c.data(), sizeof(float) * P::total_size) != 0, s.name);
    // Weights differ almost everywhere with another seed.
    std::size_t same = 0;
    const auto w1 = a.get<"fc1.weight">(), w3 = c.get<"fc1.weight">();
    for (std::size_t i = 0; i < w1.size(); ++i) same += w1[i] == w3[i];
    BOOST_TEST(same < w1.size() / 100, s.name);
  }
}

BOOST_AUTO_TEST_CASE(float_values_are_the_double_ones_rounded) {
  // Draws are made in double and rounded: a float model and a double model initialized from
  // one seed agree to float precision.
  for (const scheme& s : schemes) {
    train::random r1{5}, r2{5};
    s.apply(a, r1);
    s.apply_double(d, r2);
    bool equal = true;
    for (std::size_t i = 0; i < P::total_size; ++i) equal = equal && a.values()[i] == static_cast<float>(d.values()[i]);
    BOOST_TEST(equal, s.name);
  }
}

BOOST_AUTO_TEST_CASE(naive_uniform_fills_everything) {
  train::random rng{8};
  train::uniform(a, -0.5f, 1.5f, rng);
  // Every value, biases too, from U(-0.5, 1.5): mean 0.5, variance 4/12.
  const auto all = a.values();
  const double n = static_cast<double>(all.size()), var = 4.0 / 12;
  double mean = 0, square = 0;
  std::size_t outside = 0;
  for (const float x : all) {
    outside += x < -0.5f || x > 1.5f;
    mean += x;
  }
  BOOST_TEST(outside == 0u);
  mean /= n;
  for (const float x : all) square += (x - 0.5) * (x - 0.5);
  square /= n;
  BOOST_TEST(std::fabs(mean - 0.5) < 4 * std::sqrt(var / n));
  BOOST_TEST(std::fabs(square - var) < 4 * std::sqrt(0.8 / n) * var);
  BOOST_TEST(std::count(a.get<"fc1.bias">().begin(), a.get<"fc1.bias">().end(), 0.0f) == 0);
}

BOOST_AUTO_TEST_CASE(naive_normal_fills_everything) {
  train::random rng{9};
  train::normal(a, 1.0f, rng);
  const moments m = moments_of(a.values(), 1.0);
  const double n = static_cast<double>(P::total_size);
  BOOST_TEST(std::fabs(m.mean) < 4 / std::sqrt(n));
  BOOST_TEST(std::fabs(m.square - 1) < 4 * std::sqrt(2 / n));
  BOOST_TEST(std::count(a.get<"fc2.bias">().begin(), a.get<"fc2.bias">().end(), 0.0f) == 0);

  train::random r1{9};
  train::normal(b, 1.0f, r1);
  BOOST_TEST(std::memcmp(a.data(), b.data(), sizeof(float) * P::total_size) == 0);
}
