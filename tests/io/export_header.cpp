#define BOOST_TEST_MODULE io_export_header
#include <boost/test/unit_test.hpp>

#include <tapeless/io/export_header.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/train/random.hpp>

#include <bit>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "temp_file.hpp"

// How the generated header is tested: it must (1) be valid C++ that an inference-only build
// can include, and (2) hold every value bit for bit.
//  - Golden files: the header generated from a fixed set of awkward values (signed zero,
//    subnormals, extremes, 0.1, a name that starts with a digit) is checked in under
//    data/, compared byte for byte with what export_header writes now, and #included
//    right here, so each of the three test builds (g++, clang, ASan) compiles it with
//    -Werror and compares its constexpr arrays with the set bit for bit. Running a compiler
//    from a test instead would tie the test to the build's compiler and flags.
//    After a deliberate change of the format, regenerate the files with
//      TAPELESS_REGENERATE_GOLDEN=1 ./test_io_export_header
//  - Parsing back: for many random bit patterns, the numbers in the text are read with
//    from_chars and compared bit for bit (the golden files cannot cover to_chars widely).
#include "data/export_header_golden_double.hpp"
#include "data/export_header_golden_float.hpp"

namespace fs = std::filesystem;
namespace io = tapeless::io;
namespace nn = tapeless::nn;
namespace mp = boost::mp11;

namespace {

using golden_float_set =
    nn::tensor_set<float, 1,
                   mp::mp_list<nn::param_node<"fc1.weight", 2, 3>, nn::param_node<"fc1.bias", 3, 1>,
                               nn::param_node<"2nd-layer/w", 1, 2>, nn::param_node<"class", 1, 1>>>;
using golden_double_set = nn::tensor_set<double, 1, mp::mp_list<nn::param_node<"w", 2, 2>>>;

golden_float_set golden_float() {
  golden_float_set s;
  const float v[] = {0.1f,
                     -0.0f,
                     1.0f,
                     std::numeric_limits<float>::min(),
                     std::numeric_limits<float>::denorm_min(),
                     std::numeric_limits<float>::max(),
                     1e10f,
                     -2.5f,
                     std::nextafter(1.0f, 2.0f),
                     3.14159274f,
                     -1e-7f,
                     16777216.0f};
  std::copy(std::begin(v), std::end(v), s.data());
  return s;
}

golden_double_set golden_double() {
  golden_double_set s;
  const double v[] = {0.1, -std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(), 1.0 / 3};
  std::copy(std::begin(v), std::end(v), s.data());
  return s;
}

std::string text_of(const auto& set, std::string_view ns) {
  std::ostringstream out;
  const auto st = io::export_header(out, set, ns);
  BOOST_TEST(st.ok(), st.message);
  return out.str();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const fs::path data_dir = fs::path(__FILE__).parent_path() / "data";

void check_golden(const std::string& text, const fs::path& file) {
  if (std::getenv("TAPELESS_REGENERATE_GOLDEN")) std::ofstream(file, std::ios::binary) << text;
  BOOST_TEST(text == read_text(file), "the header generated now differs from " << file.string());
}

template <class T>
bool bitwise(T a, T b) {
  return std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(a) ==
         std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(b);
}

/// The numbers between "= {" and "};" of the array named `id`, read back with from_chars.
template <class T>
std::vector<T> parse_array(const std::string& text, const std::string& id) {
  std::vector<T> values;
  auto at = text.find(" " + id + "[");
  BOOST_REQUIRE(at != std::string::npos);
  at = text.find('{', at) + 1;
  const auto end = text.find("};", at);
  while (at < end) {
    while (at < end && (text[at] == ' ' || text[at] == '\n' || text[at] == ',')) ++at;
    if (at >= end) break;
    T v{};
    const auto [p, ec] = std::from_chars(text.data() + at, text.data() + end, v);
    BOOST_REQUIRE(ec == std::errc{});
    at = static_cast<std::size_t>(p - text.data());
    if (text[at] == 'f') ++at;
    values.push_back(v);
  }
  return values;
}

}  // namespace

BOOST_AUTO_TEST_CASE(golden_headers_match_and_compile_with_exact_values) {
  check_golden(text_of(golden_float(), "golden::model"), data_dir / "export_header_golden_float.hpp");
  check_golden(text_of(golden_double(), "golden::model64"), data_dir / "export_header_golden_double.hpp");

  static_assert(golden::model::fc1_weight_rows == 2 && golden::model::fc1_weight_cols == 3);
  static_assert(golden::model::fc1_bias_rows == 3 && golden::model::fc1_bias_cols == 1);
  static_assert(std::size(golden::model::t_2nd_layer_w) == 2);
  static_assert(std::is_same_v<decltype(golden::model::t_class), const float[1]>);
  static_assert(std::is_same_v<decltype(golden::model64::w), const double[4]>);
  const auto f = golden_float();
  const float* generated[] = {golden::model::fc1_weight, golden::model::fc1_bias, golden::model::t_2nd_layer_w,
                              golden::model::t_class};
  for (std::size_t i = 0; i < golden_float_set::count; ++i)
    for (std::size_t k = 0; k < golden_float_set::sizes[i]; ++k)
      BOOST_TEST(bitwise(generated[i][k], f.data()[golden_float_set::offsets[i] + k]), "tensor " << i << " value " << k);
  const auto d = golden_double();
  for (std::size_t k = 0; k < 4; ++k) BOOST_TEST(bitwise(golden::model64::w[k], d.data()[k]));
}

BOOST_AUTO_TEST_CASE(random_values_read_back_bit_for_bit) {
  using set = nn::tensor_set<float, 1, mp::mp_list<nn::param_node<"a", 40, 50>>>;
  using set64 = nn::tensor_set<double, 1, mp::mp_list<nn::param_node<"a", 40, 50>>>;
  set s;
  set64 s64;
  tapeless::train::random rng(7);
  for (auto& v : s.values())
    do v = std::bit_cast<float>(static_cast<std::uint32_t>(rng())); while (!std::isfinite(v));
  for (auto& v : s64.values())
    do v = std::bit_cast<double>(rng()); while (!std::isfinite(v));
  const auto back = parse_array<float>(text_of(s, "m"), "a");
  const auto back64 = parse_array<double>(text_of(s64, "m"), "a");
  BOOST_REQUIRE(back.size() == set::total_size);
  BOOST_REQUIRE(back64.size() == set64::total_size);
  for (std::size_t i = 0; i < back.size(); ++i) BOOST_TEST(bitwise(back[i], s.values()[i]), "value " << i);
  for (std::size_t i = 0; i < back64.size(); ++i) BOOST_TEST(bitwise(back64[i], s64.values()[i]), "value " << i);
}

BOOST_AUTO_TEST_CASE(identifiers) {
  using io::detail::identifier_of;
  BOOST_TEST(identifier_of("fc1.weight") == "fc1_weight");
  BOOST_TEST(identifier_of("a..b") == "a_b");  // "__" is reserved
  BOOST_TEST(identifier_of("_Weight_") == "Weight");
  BOOST_TEST(identifier_of("1st") == "t_1st");
  BOOST_TEST(identifier_of("int") == "t_int");
  BOOST_TEST(identifier_of("") == "t");
  BOOST_TEST(identifier_of("..") == "t");
  BOOST_TEST(io::detail::valid_namespace("a::b2"));
  for (const auto bad : {"", "1a", "a::", "::a", "a:b", "class", "a__b", "_a", "std", "a-b"})
    BOOST_TEST(!io::detail::valid_namespace(bad), bad);
}

BOOST_AUTO_TEST_CASE(refusals_write_nothing) {
  std::ostringstream out;
  auto st = io::export_header(out, golden_float(), "not-a-namespace");
  BOOST_TEST((st.code == io::error::invalid_argument));
  BOOST_TEST(st.message.find("'not-a-namespace' is not a usable namespace name") != std::string::npos, st.message);

  using clash = nn::tensor_set<float, 1, mp::mp_list<nn::param_node<"fc.w", 1, 1>, nn::param_node<"fc_w", 1, 1>>>;
  st = io::export_header(out, clash{}, "m");
  BOOST_TEST((st.code == io::error::invalid_argument));
  BOOST_TEST(st.message.find("tensors 'fc_w' and 'fc.w' both become the C++ name 'fc_w'") != std::string::npos,
             st.message);

  auto broken = golden_float();
  broken.get<"fc1.bias">()[1] = std::numeric_limits<float>::quiet_NaN();
  st = io::export_header(out, broken, "m");
  BOOST_TEST((st.code == io::error::invalid_argument));
  BOOST_TEST(st.message.find("tensor 'fc1.bias' element 1 is not finite") != std::string::npos, st.message);
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(to_a_file) {
  const tapeless_test::scratch s;
  BOOST_TEST(io::export_header(s.dir / "w.hpp", golden_float(), "golden::model").ok());
  BOOST_TEST(read_text(s.dir / "w.hpp") == read_text(data_dir / "export_header_golden_float.hpp"));
  BOOST_TEST(!fs::exists(s.dir / "w.hpp.tmp"));
  const auto st = io::export_header(s.dir / "no" / "such" / "dir.hpp", golden_float(), "m");
  BOOST_TEST((st.code == io::error::cannot_write));
  BOOST_TEST(st.message.find("cannot create") != std::string::npos, st.message);
}
