#define BOOST_TEST_MODULE io_checkpoint
#include <boost/test/unit_test.hpp>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/train.hpp>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_file.hpp"

namespace fs = std::filesystem;
namespace io = tapeless::io;
namespace nn = tapeless::nn;
using tapeless_test::scratch;
using tapeless_test::write_file;

namespace {

constexpr auto x = nn::input<"x", 2>;
constexpr auto t = nn::target<"t", 1>;
constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(x))), t);
constexpr auto wider = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<16, "fc1">(x))), t);
constexpr auto renamed = nn::mse(nn::dense<1, "out">(nn::tanh(nn::dense<8, "hidden">(x))), t);

using params = decltype(nn::compile<4>(loss))::parameters;
using params64 = decltype(nn::compile<4, double>(loss))::parameters;
using wider_params = decltype(nn::compile<4>(wider))::parameters;
using renamed_params = decltype(nn::compile<4>(renamed))::parameters;

template <class Set>
Set random_set(std::uint64_t seed) {
  Set s;
  tapeless::train::random rng(seed);
  for (auto& v : s.values()) v = static_cast<typename Set::value_type>(static_cast<double>(rng() >> 11) * 0x1p-53 * 2 - 1);
  return s;
}

template <class Set>
bool bitwise_equal(const Set& a, const Set& b) {
  return std::memcmp(a.data(), b.data(), sizeof(typename Set::value_type) * Set::total_size) == 0;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::uint32_t le32(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint32_t>(b[at + static_cast<std::size_t>(i)]);
  return v;
}
std::uint64_t le64(const std::vector<std::byte>& b, std::size_t at) {
  return le32(b, at) | (std::uint64_t{le32(b, at + 4)} << 32);
}
void put32(std::vector<std::byte>& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::byte>(v >> (8 * i));
}
/// Recomputes both checksums after an edit, so that a test reaches the check behind them.
void reseal(std::vector<std::byte>& b) {
  put32(b, 24, io::crc32(std::span(b).first(24)));
  put32(b, b.size() - 4, io::crc32(std::span(b).first(b.size() - 4)));
}

}  // namespace

BOOST_AUTO_TEST_CASE(crc32_and_fnv1a_known_values) {
  const std::string_view check = "123456789";
  BOOST_TEST(io::crc32(std::as_bytes(std::span(check))) == 0xCBF43926u);
  BOOST_TEST(io::crc32(std::as_bytes(std::span(check)).last(4), io::crc32(std::as_bytes(std::span(check)).first(5))) ==
             0xCBF43926u);
  BOOST_TEST(io::crc32({}) == 0u);
  BOOST_TEST(io::fnv1a_64{}.value() == 0xcbf29ce484222325ull);
  BOOST_TEST(io::fnv1a_64{}.add_byte('a').value() == 0xaf63dc4c8601ec8cull);
  static_assert(io::fnv1a_64{}.add("ab").add("c").value() != io::fnv1a_64{}.add("a").add("bc").value());
}

BOOST_AUTO_TEST_CASE(round_trip_float_with_extra_sets) {
  scratch s;
  const auto p = random_set<params>(1), m = random_set<params>(2), v = random_set<params>(3);
  BOOST_REQUIRE(io::save_checkpoint(s.dir / "a.ckpt", p, m, v));
  params q, qm, qv;
  const auto st = io::load_checkpoint(s.dir / "a.ckpt", q, qm, qv);
  BOOST_TEST(st.ok(), st.message);
  BOOST_TEST(bitwise_equal(p, q));
  BOOST_TEST(bitwise_equal(m, qm));
  BOOST_TEST(bitwise_equal(v, qv));
  BOOST_TEST(!fs::exists(s.dir / "a.ckpt.tmp"));
}

BOOST_AUTO_TEST_CASE(round_trip_double_and_special_values) {
  scratch s;
  auto p = random_set<params64>(4);
  p.values()[0] = -0.0;
  p.values()[1] = std::numeric_limits<double>::denorm_min();
  p.values()[2] = std::numeric_limits<double>::infinity();
  p.values()[3] = std::bit_cast<double>(0x7FF8000000000123ull);  // a NaN with a payload
  BOOST_REQUIRE(io::save_checkpoint(s.dir / "d.ckpt", p));
  params64 q;
  BOOST_TEST(io::load_checkpoint(s.dir / "d.ckpt", q).ok());
  BOOST_TEST(bitwise_equal(p, q));
}

BOOST_AUTO_TEST_CASE(layout_is_little_endian_and_documented) {
  const auto p = random_set<params>(5);
  const auto b = io::serialize_checkpoint(p);
  // header, fingerprint, set count, tensor count, step-count count, final CRC
  std::size_t expected = 28 + 8 + 4 + 4 + 4 + 4;
  for (std::size_t i = 0; i < params::count; ++i) expected += 4 + params::names[i].size() + 16;
  expected += 4 * params::total_size;
  BOOST_TEST(b.size() == expected);
  BOOST_TEST(std::string(reinterpret_cast<const char*>(b.data()), 8) == "TPLSCKPT");
  BOOST_TEST(le32(b, 8) == 2u);
  BOOST_TEST(le32(b, 12) == io::checkpoint_format::float32);
  BOOST_TEST(le64(b, 16) == b.size());
  BOOST_TEST(le32(b, 24) == io::crc32(std::span(b).first(24)));
  BOOST_TEST(le64(b, 28) == io::checkpoint_fingerprint<params>);
  BOOST_TEST(le32(b, 36) == 1u);
  BOOST_TEST(le32(b, 40) == params::count);
  BOOST_TEST(le32(b, 44) == params::names[0].size());
  BOOST_TEST(le32(b, b.size() - 8 - 4 * params::total_size) == 0u);  // no optimizer, no step count
  BOOST_TEST(le32(b, b.size() - 4) == io::crc32(std::span(b).first(b.size() - 4)));
  // The first value, after the tensor list: IEEE bits, least significant byte first.
  BOOST_TEST(le32(b, b.size() - 4 - 4 * params::total_size) == std::bit_cast<std::uint32_t>(p.values()[0]));
  static_assert(io::checkpoint_fingerprint<params> != io::checkpoint_fingerprint<wider_params>);
  static_assert(io::checkpoint_fingerprint<params> != io::checkpoint_fingerprint<renamed_params>);
  static_assert(io::checkpoint_fingerprint<params> != io::checkpoint_fingerprint<params, params>);
}

BOOST_AUTO_TEST_CASE(truncated_anywhere_is_reported_and_harmless) {
  scratch s;
  const auto b = io::serialize_checkpoint(random_set<params>(6));
  const auto before = random_set<params>(7);
  for (std::size_t n = 0; n < b.size(); n += (n < 48 ? 1 : 7)) {
    auto q = before;
    const auto st = io::deserialize_checkpoint(std::span(b).first(n), q);
    BOOST_TEST((st.code == io::error::truncated), "length " << n << ": " << st.message);
    BOOST_TEST(contains(st.message, "truncated at offset " + std::to_string(n)), st.message);
    BOOST_TEST(bitwise_equal(q, before), "length " << n);
  }
  // The same through a file.
  write_file(s.dir / "t.ckpt", std::span(b).first(b.size() / 2));
  auto q = before;
  const auto st = io::load_checkpoint(s.dir / "t.ckpt", q);
  BOOST_TEST((st.code == io::error::truncated));
  BOOST_TEST(contains(st.message, "load_checkpoint('" + (s.dir / "t.ckpt").string() + "'): truncated at offset " +
                                      std::to_string(b.size() / 2)),
             st.message);
  BOOST_TEST(bitwise_equal(q, before));
}

BOOST_AUTO_TEST_CASE(flipped_bytes_are_reported_and_harmless) {
  const auto b = io::serialize_checkpoint(random_set<params>(8));
  const auto before = random_set<params>(9);
  for (std::size_t at = 0; at < b.size(); at += (at < 48 ? 1 : 5)) {
    for (const auto mask : {std::byte{0x01}, std::byte{0x80}, std::byte{0xFF}}) {
      auto c = b;
      c[at] ^= mask;
      auto q = before;
      const auto st = io::deserialize_checkpoint(c, q);
      const auto expected = at < 8 ? io::error::not_recognized : io::error::checksum_mismatch;
      BOOST_TEST((st.code == expected), "byte " << at << ": " << st.message);
      BOOST_TEST(contains(st.message, at < 8 ? "not a tapeless checkpoint" : "checksum mismatch"), st.message);
      BOOST_TEST(bitwise_equal(q, before), "byte " << at);
    }
  }
}

BOOST_AUTO_TEST_CASE(other_architecture_is_named) {
  const auto b = io::serialize_checkpoint(random_set<params>(10));
  const auto wide_before = random_set<wider_params>(11);
  auto wide = wide_before;
  auto st = io::deserialize_checkpoint(b, wide);
  BOOST_TEST((st.code == io::error::architecture_mismatch), st.message);
  BOOST_TEST(contains(st.message, "different architecture: the file has 'fc1.weight' 8x2 where the model has "
                                  "'fc1.weight' 16x2"),
             st.message);
  BOOST_TEST(contains(st.message, "file: fc1.weight 8x2, fc1.bias 8x1, fc2.weight 1x8, fc2.bias 1x1"), st.message);
  BOOST_TEST(contains(st.message, "model: fc1.weight 16x2, fc1.bias 16x1, fc2.weight 1x16, fc2.bias 1x1"), st.message);
  BOOST_TEST(bitwise_equal(wide, wide_before));

  renamed_params r;
  st = io::deserialize_checkpoint(b, r);
  BOOST_TEST((st.code == io::error::architecture_mismatch));
  BOOST_TEST(contains(st.message, "'hidden.weight' 8x2"), st.message);

  // Another number of sets: the parameters alone where optimizer state is expected too.
  params p, m;
  const auto before = p;
  st = io::deserialize_checkpoint(b, p, m);
  BOOST_TEST((st.code == io::error::architecture_mismatch));
  BOOST_TEST(contains(st.message, "the file holds 1 tensor sets where 2 are loaded"), st.message);
  BOOST_TEST(bitwise_equal(p, before));
}

BOOST_AUTO_TEST_CASE(other_element_type_is_named) {
  const auto b32 = io::serialize_checkpoint(random_set<params>(12));
  const auto b64 = io::serialize_checkpoint(random_set<params64>(13));
  const auto p64_before = random_set<params64>(14);
  auto p64 = p64_before;
  auto st = io::deserialize_checkpoint(b32, p64);
  BOOST_TEST((st.code == io::error::element_type_mismatch));
  BOOST_TEST(contains(st.message, "element type float32 in the file, but the model's is float64"), st.message);
  BOOST_TEST(bitwise_equal(p64, p64_before));
  const auto p32_before = random_set<params>(15);
  auto p32 = p32_before;
  st = io::deserialize_checkpoint(b64, p32);
  BOOST_TEST((st.code == io::error::element_type_mismatch));
  BOOST_TEST(contains(st.message, "element type float64 in the file, but the model's is float32"), st.message);
  BOOST_TEST(bitwise_equal(p32, p32_before));
}

BOOST_AUTO_TEST_CASE(missing_file_foreign_file_trailing_data_and_versions) {
  scratch s;
  const auto before = random_set<params>(16);
  auto p = before;
  auto st = io::load_checkpoint(s.dir / "missing.ckpt", p);
  BOOST_TEST((st.code == io::error::cannot_open));
  BOOST_TEST(contains(st.message, "cannot open '" + (s.dir / "missing.ckpt").string() + "': No such file"), st.message);

  std::ofstream(s.dir / "notes.txt") << "these are not the weights you are looking for\n";
  st = io::load_checkpoint(s.dir / "notes.txt", p);
  BOOST_TEST((st.code == io::error::not_recognized));
  BOOST_TEST(contains(st.message, "not a tapeless checkpoint"), st.message);

  auto b = io::serialize_checkpoint(random_set<params>(17));
  auto longer = b;
  longer.resize(b.size() + 3);
  st = io::deserialize_checkpoint(longer, p);
  BOOST_TEST((st.code == io::error::trailing_data));
  BOOST_TEST(contains(st.message, "3 bytes of trailing data after offset " + std::to_string(b.size())), st.message);

  put32(b, 8, 3);
  reseal(b);
  st = io::deserialize_checkpoint(b, p);
  BOOST_TEST((st.code == io::error::unsupported_version));
  BOOST_TEST(contains(st.message, "format version 3, but this build reads version 2"), st.message);
  BOOST_TEST(bitwise_equal(p, before));

  // Version 1 (no step counts) is refused with the reason.
  put32(b, 8, 1);
  reseal(b);
  st = io::deserialize_checkpoint(b, p);
  BOOST_TEST((st.code == io::error::unsupported_version));
  BOOST_TEST(contains(st.message, "format version 1, but this build reads version 2 (version 1 did not "
                                  "store the optimizer's step count"),
             st.message);
  BOOST_TEST(bitwise_equal(p, before));
}

BOOST_AUTO_TEST_CASE(malformed_but_sealed_structure_is_refused) {
  // A file with valid checksums but a lying tensor list: only a crafted file does this.
  const auto before = random_set<params>(18);
  auto b = io::serialize_checkpoint(before);
  put32(b, 44, 0xFFFFFFF0u);  // the first name's length
  reseal(b);
  auto p = before;
  const auto st = io::deserialize_checkpoint(b, p);
  BOOST_TEST((st.code == io::error::malformed), st.message);
  BOOST_TEST(bitwise_equal(p, before));
}

BOOST_AUTO_TEST_CASE(saving_is_atomic) {
  scratch s;
  const auto path = s.dir / "model.ckpt";
  const auto old_params = random_set<params>(19), new_params = random_set<params>(20);
  BOOST_REQUIRE(io::save_checkpoint(path, old_params));

  // The temporary cannot be created (a directory is in the way): the old checkpoint stays.
  fs::create_directory(s.dir / "model.ckpt.tmp");
  auto st = io::save_checkpoint(path, new_params);
  BOOST_TEST((st.code == io::error::cannot_write));
  BOOST_TEST(contains(st.message, "cannot create '" + (s.dir / "model.ckpt.tmp").string() + "'"), st.message);
  BOOST_TEST(contains(st.message, "is unchanged"), st.message);
  params q;
  BOOST_TEST(io::load_checkpoint(path, q).ok());
  BOOST_TEST(bitwise_equal(q, old_params));
  fs::remove(s.dir / "model.ckpt.tmp");

  // Garbage left at "<path>.tmp" by an earlier crash is simply replaced.
  std::ofstream(s.dir / "model.ckpt.tmp") << "half a checkpoint";
  BOOST_TEST(io::save_checkpoint(path, new_params).ok());
  BOOST_TEST(io::load_checkpoint(path, q).ok());
  BOOST_TEST(bitwise_equal(q, new_params));
  BOOST_TEST(!fs::exists(s.dir / "model.ckpt.tmp"));

  // The rename fails (the target is a non-empty directory): it stays, and no temporary is left.
  fs::create_directories(s.dir / "taken" / "inside");
  st = io::save_checkpoint(s.dir / "taken", new_params);
  BOOST_TEST((st.code == io::error::cannot_write));
  BOOST_TEST(contains(st.message, "cannot rename"), st.message);
  BOOST_TEST(fs::is_directory(s.dir / "taken" / "inside"));
  BOOST_TEST(!fs::exists(s.dir / "taken.tmp"));
}

namespace {

/// A few steps of the test network on fixed random batches: what a checkpoint must be able
/// to interrupt and resume.
struct trainer {
  decltype(nn::compile<4>(loss)) model;
  decltype(nn::compile<4>(loss))::inputs inputs;
  decltype(nn::compile<4>(loss))::targets targets;
  params grads;

  /// Step `step` sees batch `step` whatever happened before, as a seeded batch order does.
  template <class Optimizer>
  void run(params& p, Optimizer& opt, int from, int to) {
    for (int step = from; step < to; ++step) {
      tapeless::train::random rng(static_cast<std::uint64_t>(step));
      for (auto& v : inputs.values()) v = rng.uniform(-1.0f, 1.0f);
      for (auto& v : targets.values()) v = rng.uniform(-1.0f, 1.0f);
      model.value_and_grad(p, inputs, targets, grads);
      opt.step(p, grads);
    }
  }
};

/// Trains `total` steps without interruption, and again saving (parameters, optimizer) after
/// `cut` steps and continuing in a fresh optimizer loaded from the file: both must agree
/// bit for bit, parameters and optimizer state.
template <class Optimizer>
void check_resume_is_exact(const fs::path& file, Optimizer fresh, int cut, int total) {
  trainer t;
  params straight = random_set<params>(30);
  params resumed = straight;
  Optimizer a = fresh, b = fresh;
  t.run(straight, a, 0, total);

  t.run(resumed, b, 0, cut);
  BOOST_REQUIRE(io::save_checkpoint(file, resumed, b).ok());
  params loaded = random_set<params>(31);
  Optimizer c = fresh;
  const auto st = io::load_checkpoint(file, loaded, c);
  BOOST_REQUIRE_MESSAGE(st.ok(), st.message);
  BOOST_TEST(c.steps() == static_cast<std::uint64_t>(cut));
  t.run(loaded, c, cut, total);

  BOOST_TEST(bitwise_equal(loaded, straight));
  BOOST_TEST(c.steps() == a.steps());
  std::vector<params> state_a, state_c;
  a.for_each_state([&](std::string_view, const params& s) { state_a.push_back(s); });
  c.for_each_state([&](std::string_view, const params& s) { state_c.push_back(s); });
  BOOST_REQUIRE(state_a.size() == state_c.size());
  for (std::size_t k = 0; k < state_a.size(); ++k) BOOST_TEST(bitwise_equal(state_a[k], state_c[k]), "state " << k);
}

}  // namespace

BOOST_AUTO_TEST_CASE(resumed_training_is_bit_identical) {
  scratch s;
  namespace train = tapeless::train;
  check_resume_is_exact(s.dir / "adam.ckpt", train::adam<params>({.rate = 0.05}), 7, 20);
  check_resume_is_exact(s.dir / "adamw.ckpt", train::adamw<params>({.rate = 0.05, .weight_decay = 0.1}), 7, 20);
  check_resume_is_exact(s.dir / "nesterov.ckpt", train::momentum<params>({.rate = 0.05, .nesterov = true}), 7, 20);
  check_resume_is_exact(s.dir / "sgd.ckpt", train::sgd<params>(0.05f), 7, 20);
}

BOOST_AUTO_TEST_CASE(adam_needs_its_step_count_to_resume) {
  // The reason the format stores it: the same moments with the count restarted at 0 take
  // other steps (the bias correction 1 - beta^t starts over), so the run diverges from the
  // uninterrupted one.
  trainer t;
  params straight = random_set<params>(32), restarted = straight;
  tapeless::train::adam<params> a({.rate = 0.05}), b({.rate = 0.05});
  t.run(straight, a, 0, 12);
  t.run(restarted, b, 0, 6);
  b.set_steps(0);
  t.run(restarted, b, 6, 12);
  BOOST_TEST(!bitwise_equal(straight, restarted));
}

BOOST_AUTO_TEST_CASE(step_counts_must_match_what_is_loaded) {
  tapeless::train::adam<params> adam;
  trainer t;
  params p = random_set<params>(33);
  t.run(p, adam, 0, 3);

  // Saved as bare sets (no step count), loaded into an optimizer: refused, nothing written.
  const auto bare = io::serialize_checkpoint(p, adam.first_moment(), adam.second_moment());
  params q = random_set<params>(34);
  const params q_before = q;
  tapeless::train::adam<params> other;
  auto st = io::deserialize_checkpoint(bare, q, other);
  BOOST_TEST((st.code == io::error::architecture_mismatch), st.message);
  BOOST_TEST(contains(st.message, "the file holds the step counts of 0 optimizers where 1 are loaded"), st.message);
  BOOST_TEST(bitwise_equal(q, q_before));
  BOOST_TEST(other.steps() == 0u);

  // And the converse.
  const auto with_optimizer = io::serialize_checkpoint(p, adam);
  params m, v;
  st = io::deserialize_checkpoint(with_optimizer, q, m, v);
  BOOST_TEST((st.code == io::error::architecture_mismatch), st.message);
  BOOST_TEST(contains(st.message, "the file holds the step counts of 1 optimizers where 0 are loaded"), st.message);
  BOOST_TEST(bitwise_equal(q, q_before));

  // Another optimizer (momentum: one state set where Adam has two): its sets do not match.
  tapeless::train::momentum<params> mom;
  st = io::deserialize_checkpoint(with_optimizer, q, mom);
  BOOST_TEST((st.code == io::error::architecture_mismatch), st.message);
  BOOST_TEST(contains(st.message, "the file holds 3 tensor sets where 2 are loaded"), st.message);

  // The step count sits after the tensor list, before the values: offset documented.
  const std::size_t values = params::total_size * 3 * 4;
  BOOST_TEST(le32(with_optimizer, with_optimizer.size() - 4 - values - 12) == 1u);
  BOOST_TEST(le64(with_optimizer, with_optimizer.size() - 4 - values - 8) == 3u);
}
