#define BOOST_TEST_MODULE nn.tensor_set
#include <boost/test/unit_test.hpp>

// The named tensor sets of a compiled model: parameters, gradients, inputs and targets.
// Shapes are compile-time (get<"name">() returns a span of static extent), names are found
// at run time too, the order is the network's (layer by layer, weight before bias), and a
// fresh set is all zeros.

#include <array>
#include <cstddef>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <tapeless/nn.hpp>
#include <type_traits>
#include <vector>

namespace {

namespace nn = tapeless::nn;

constexpr auto x = nn::input<"x", 3>;
constexpr auto net = nn::dense<2, "fc2">(nn::tanh(nn::dense<4, "fc1">(x)));
constexpr auto loss = nn::mse(net, nn::target<"t", 2>);
using model = nn::model<std::remove_cvref_t<decltype(loss)>, 5, float>;
using params = model::parameters;
using inputs = model::inputs;
using targets = model::targets;

template <class Span>
constexpr std::size_t extent_of = std::remove_cvref_t<Span>::extent;

}  // namespace

BOOST_AUTO_TEST_CASE(compile_gives_the_model_type) {
  static_assert(std::is_same_v<decltype(nn::compile<5>(loss)), model>);
  static_assert(std::is_same_v<model::gradients, model::parameters>);
  static_assert(std::is_same_v<params::value_type, float>);
  static_assert(model::batch_size == 5);
}

BOOST_AUTO_TEST_CASE(get_has_static_extent) {
  params p;
  static_assert(extent_of<decltype(p.get<"fc1.weight">())> == 4 * 3);
  static_assert(extent_of<decltype(p.get<"fc1.bias">())> == 4);
  static_assert(extent_of<decltype(p.get<"fc2.weight">())> == 2 * 4);
  static_assert(extent_of<decltype(p.get<"fc2.bias">())> == 2);
  static_assert(std::is_same_v<decltype(p.get<"fc1.bias">()), std::span<float, 4>>);
  const params& c = p;
  static_assert(std::is_same_v<decltype(c.get<"fc1.bias">()), std::span<const float, 4>>);
  // Batched sets hold the batch: 5 samples of 3 inputs, of 2 targets.
  inputs in;
  targets t;
  static_assert(extent_of<decltype(in.get<"x">())> == 5 * 3);
  static_assert(extent_of<decltype(t.get<"t">())> == 5 * 2);
  static_assert(params::total_size == 12 + 4 + 8 + 2);
  static_assert(inputs::total_size == 15 && targets::total_size == 10);
  static_assert(params::count == 4 && inputs::count == 1 && targets::count == 1);
  // Spans alias the set's storage: what get writes, values and data read.
  p.get<"fc2.weight">()[3] = 7.5f;
  BOOST_TEST(p.values()[12 + 4 + 3] == 7.5f);
  BOOST_TEST(p.data()[12 + 4 + 3] == 7.5f);
  BOOST_TEST(p.get<"fc2.weight">().data() == p.data() + 16);
}

BOOST_AUTO_TEST_CASE(parameters_in_layer_order) {
  constexpr std::array<std::string_view, 4> expected{"fc1.weight", "fc1.bias", "fc2.weight",
                                                     "fc2.bias"};
  static_assert(params::names == expected);
  static_assert(params::offsets == std::array<std::size_t, 5>{0, 12, 16, 24, 26});
  static_assert(params::sizes == std::array<std::size_t, 4>{12, 4, 8, 2});
  static_assert(params::index_of("fc2.weight") == 2);
  static_assert(params::index_of("nope") == params::count);

  // Deeper and with a skip connection, the order is still that of the data path.
  constexpr auto h = nn::relu(nn::dense<4, "a">(x));
  constexpr auto deep = nn::dense<1, "c">(h + nn::tanh(nn::dense<4, "b">(h)));
  using deep_params = decltype(nn::compile<2>(nn::mse(deep, nn::target<"t", 1>)))::parameters;
  static_assert(deep_params::names == std::array<std::string_view, 6>{"a.weight", "a.bias",
                                                                      "b.weight", "b.bias",
                                                                      "c.weight", "c.bias"});
}

BOOST_AUTO_TEST_CASE(for_each_visits_in_order) {
  params p;
  std::vector<std::string> names;
  std::vector<std::size_t> sizes;
  std::vector<const float*> starts;
  p.for_each([&](std::string_view name, std::span<float> values) {
    names.emplace_back(name);
    sizes.push_back(values.size());
    starts.push_back(values.data());
    for (auto& v : values) v = static_cast<float>(names.size());  // tensor k holds k
  });
  BOOST_TEST(
      names == (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}),
      boost::test_tools::per_element());
  BOOST_TEST(sizes == (std::vector<std::size_t>{12, 4, 8, 2}), boost::test_tools::per_element());
  BOOST_TEST(starts[0] == p.data());
  for (std::size_t i = 1; i < starts.size(); ++i)
    BOOST_TEST(starts[i] == starts[i - 1] + sizes[i - 1]);

  // The const overload sees the same, read-only.
  const params& c = p;
  std::size_t visited = 0;
  c.for_each([&](std::string_view name, std::span<const float> values) {
    ++visited;
    BOOST_TEST(name == names[visited - 1]);
    for (float v : values) BOOST_TEST(v == static_cast<float>(visited));
  });
  BOOST_TEST(visited == 4u);
}

BOOST_AUTO_TEST_CASE(find_at_run_time) {
  params p;
  const std::string known = "fc2.bias";  // not a literal: a run-time name
  const auto bias = p.find(known);
  BOOST_TEST(bias.size() == 2u);
  BOOST_TEST(bias.data() == p.get<"fc2.bias">().data());
  bias[1] = 3.0f;
  BOOST_TEST(p.get<"fc2.bias">()[1] == 3.0f);
  BOOST_TEST(p.find("fc1.weight").size() == 12u);
  BOOST_TEST(p.find("fc1.weight").data() == p.data());

  // Unknown names give an empty span, also for near misses and for other sets' names.
  for (std::string_view unknown :
       {"nope", "", "fc1", "fc1.weigh", "fc1.weightx", "FC1.WEIGHT", "x", "t"})
    BOOST_TEST(p.find(unknown).empty(), "'" << unknown << "'");

  inputs in;
  targets t;
  BOOST_TEST(in.find("x").size() == 15u);
  BOOST_TEST(in.find("t").empty());
  BOOST_TEST(t.find("t").size() == 10u);

  // A const set finds read-only views of the same values.
  const params& read_only = p;
  const std::span<const float> view = read_only.find(known);
  BOOST_TEST(view.data() == bias.data());
  BOOST_TEST(view[1] == 3.0f);
  BOOST_TEST(read_only.find("nope").empty());
}

BOOST_AUTO_TEST_CASE(values_cover_everything) {
  params p;
  auto all = p.values();
  static_assert(decltype(all)::extent == params::total_size);
  BOOST_TEST(all.data() == p.data());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<float>(i);
  // Every tensor sees its slice of the flat array.
  std::size_t next = 0;
  p.for_each([&](std::string_view, std::span<float> values) {
    for (float v : values) BOOST_TEST(v == static_cast<float>(next++));
  });
  BOOST_TEST(next == params::total_size);
  BOOST_TEST(p.get<"fc2.bias">()[1] == 25.0f);
}

BOOST_AUTO_TEST_CASE(zero_initialized) {
  // Default-constructed sets are all zeros, also as fresh objects over dirty memory.
  alignas(params) unsigned char raw[sizeof(params)];
  for (auto& b : raw) b = 0xA5;
  const auto* p = new (raw) params;
  for (float v : p->values()) BOOST_TEST(v == 0.0f);
  p->~params();

  inputs in;
  targets t;
  model::gradients g;
  for (float v : in.values()) BOOST_TEST(v == 0.0f);
  for (float v : t.values()) BOOST_TEST(v == 0.0f);
  for (float v : g.values()) BOOST_TEST(v == 0.0f);
}

BOOST_AUTO_TEST_CASE(sets_are_values) {
  // Copies are deep: a snapshot of the parameters does not follow later training.
  params p;
  p.get<"fc1.bias">()[0] = 1.0f;
  const params snapshot = p;
  p.get<"fc1.bias">()[0] = 2.0f;
  BOOST_TEST(snapshot.get<"fc1.bias">()[0] == 1.0f);
  // No hidden storage: a set is exactly its array of values.
  static_assert(sizeof(params) == params::total_size * sizeof(float));
  static_assert(std::is_trivially_copyable_v<params>);
}

BOOST_AUTO_TEST_CASE(several_inputs_and_targets) {
  // Inputs and targets are ordered by first use on the data path; names are unique per set,
  // and an input may share its name with a parameter (they live in different sets).
  constexpr auto a = nn::input<"a", 2>;
  constexpr auto b = nn::input<"b", 3>;
  constexpr auto ya = nn::matmul(nn::param<"b", 1, 2>, a);  // a parameter named like input "b"
  constexpr auto yb = nn::dense<1, "fc">(b);
  constexpr auto two =
      nn::mse(ya, nn::target<"ta", 1>) + nn::bce_with_logits(yb, nn::target<"tb", 1>);
  using m2 = decltype(nn::compile<3, double>(two));
  static_assert(m2::inputs::names == std::array<std::string_view, 2>{"a", "b"});
  static_assert(m2::targets::names == std::array<std::string_view, 2>{"ta", "tb"});
  static_assert(m2::parameters::names ==
                std::array<std::string_view, 3>{"b", "fc.weight", "fc.bias"});
  static_assert(m2::inputs::offsets == std::array<std::size_t, 3>{0, 6, 15});
}
