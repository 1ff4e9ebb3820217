#define BOOST_TEST_MODULE io_batches
#include <boost/test/unit_test.hpp>

#include <tapeless/io/batches.hpp>
#include <tapeless/nn.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

namespace io = tapeless::io;
namespace nn = tapeless::nn;

namespace {

std::vector<std::size_t> sorted(std::span<const std::size_t> v) {
  std::vector<std::size_t> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  return s;
}

std::vector<std::size_t> iota(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(same_seed_same_order_every_sample_once) {
  io::batch_order a(1000, 32, 42), b(1000, 32, 42), other(1000, 32, 43);
  BOOST_TEST(std::ranges::equal(a.order(), b.order()));
  BOOST_TEST(!std::ranges::equal(a.order(), other.order()));
  BOOST_TEST(sorted(a.order()) == iota(1000), boost::test_tools::per_element());
  BOOST_TEST(!std::ranges::equal(a.order(), iota(1000)));  // actually shuffled

  const std::vector<std::size_t> epoch0(a.order().begin(), a.order().end());
  a.shuffle(1);
  BOOST_TEST(!std::ranges::equal(a.order(), epoch0));
  BOOST_TEST(sorted(a.order()) == iota(1000), boost::test_tools::per_element());
  // An epoch's order depends on the seed and the epoch only (a resumed run sees the same).
  b.shuffle(5);
  b.shuffle(1);
  BOOST_TEST(std::ranges::equal(a.order(), b.order()));
  a.shuffle(0);
  BOOST_TEST(std::ranges::equal(a.order(), epoch0));
}

BOOST_AUTO_TEST_CASE(batches_cover_the_epoch) {
  io::batch_order even(96, 32, 1);  // divides: each sample exactly once
  BOOST_TEST(even.batch_count() == 3u);
  std::vector<std::size_t> seen;
  for (std::size_t k = 0; k < even.batch_count(); ++k)
    for (std::size_t j = 0; j < 32; ++j) seen.push_back(even.sample(k, j));
  BOOST_TEST(sorted(seen) == iota(96), boost::test_tools::per_element());

  io::batch_order wrap(100, 32, 1);  // 4 batches, the last completed from the start of the order
  BOOST_TEST(wrap.batch_count() == 4u);
  BOOST_TEST(wrap.sample(3, 4) == wrap.order()[0]);
  io::batch_order drop(100, 32, 1, io::last_batch::drop);
  BOOST_TEST(drop.batch_count() == 3u);
  BOOST_TEST(io::batch_order(0, 32, 1).batch_count() == 0u);

  // Fisher-Yates is uniform: each of the 6 orders of 3 samples about equally often.
  std::array<int, 6> counts{};
  io::batch_order small(3, 1, 9);
  for (std::uint64_t e = 0; e < 6000; ++e) {
    small.shuffle(e);
    const auto o = small.order();
    counts[o[0] * 2 + (o[1] > o[2] ? 1 : 0)] += 1;
  }
  for (const int c : counts) BOOST_TEST((c > 850 && c < 1150), c);
}

BOOST_AUTO_TEST_CASE(copy_into_model_inputs_and_targets) {
  constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<8, "fc1">(nn::input<"x", 2>))), nn::target<"t", 1>);
  auto m = nn::compile<4>(loss);
  decltype(m)::inputs in;
  decltype(m)::targets tgt;
  // 10 samples: x = (i, 10 i), t = -i.
  std::vector<float> xs, ts;
  for (int i = 0; i < 10; ++i) {
    xs.insert(xs.end(), {float(i), float(10 * i)});
    ts.push_back(float(-i));
  }
  io::batch_order order(10, 4, 3);
  std::vector<std::size_t> seen;
  for (std::size_t k = 0; k < order.batch_count(); ++k) {
    BOOST_REQUIRE(io::copy_batch(order, k, {{"x", xs}}, in).ok());
    BOOST_REQUIRE(io::copy_batch(order, k, {{"t", ts}}, tgt).ok());
    for (std::size_t j = 0; j < 4; ++j) {
      const auto i = order.sample(k, j);
      BOOST_TEST(in.get<"x">()[2 * j] == float(i));
      BOOST_TEST(in.get<"x">()[2 * j + 1] == float(10 * i));
      BOOST_TEST(tgt.get<"t">()[j] == -float(i));
      seen.push_back(i);
    }
  }
  seen.resize(10);  // the 2 samples that complete the last batch come round again
  BOOST_TEST(sorted(seen) == iota(10), boost::test_tools::per_element());

  // Misuse fails and leaves the set as it was.
  const auto before = in;
  auto st = io::copy_batch(order, 0, {{"y", xs}}, in);
  BOOST_TEST(st.message == "copy_batch: no samples for the tensor 'x'");
  st = io::copy_batch(order, 0, {{"x", std::span(xs).first(19)}}, in);
  BOOST_TEST(st.message == "copy_batch: 'x' has 19 values, not 10 samples of 2");
  st = io::copy_batch(order, 3, {{"x", xs}}, in);
  BOOST_TEST(st.message == "copy_batch: batch 3 of 3");
  st = io::copy_batch(io::batch_order(10, 5, 3), 0, {{"x", xs}}, in);
  BOOST_TEST(st.message == "copy_batch: the order has batches of 5 samples, the set of 4");
  BOOST_TEST(std::ranges::equal(in.values(), before.values()));
}
