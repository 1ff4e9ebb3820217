// libFuzzer target: io::deserialize_checkpoint on arbitrary bytes. Built and run by
// fuzz/run.sh. Properties checked beyond "no crash, no sanitizer report":
//  - a failed load leaves the sets bit for bit as they were, and says why;
//  - a successful load re-serializes to exactly the input (the format is canonical);
//  - the same with an optimizer (Adam: two state sets and a step count) among the parts.
// Each input is tried as it is and "resealed" (file size and both CRC-32s recomputed), so
// that mutations also reach the checks behind the checksums.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/train/adam.hpp>

namespace io = tapeless::io;
namespace nn = tapeless::nn;

namespace {

constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<3, "fc1">(nn::input<"x", 2>))), nn::target<"t", 1>);
using params = decltype(nn::compile<1>(loss))::parameters;
using params64 = decltype(nn::compile<1, double>(loss))::parameters;

template <class... Sets>
void check(std::span<const std::byte> bytes, Sets&... sets) {
  ((std::memset(sets.data(), 0x5A, sizeof(typename Sets::value_type) * Sets::total_size)), ...);
  const auto before = std::vector<std::vector<std::byte>>{
      std::vector<std::byte>(reinterpret_cast<const std::byte*>(sets.data()),
                             reinterpret_cast<const std::byte*>(sets.data() + Sets::total_size))...};
  const io::status s = io::deserialize_checkpoint(bytes, sets...);
  if (!s.ok()) {
    std::size_t i = 0;
    bool untouched = true;
    ((untouched = untouched && std::memcmp(sets.data(), before[i].data(), before[i].size()) == 0, ++i), ...);
    if (!untouched || s.message.empty()) std::abort();
    return;
  }
  const auto again = io::serialize_checkpoint(sets...);
  if (again.size() != bytes.size() || std::memcmp(again.data(), bytes.data(), bytes.size()) != 0) std::abort();
}

/// The same properties with an optimizer among the parts: its state and step count are
/// compared through a serialization taken before the load.
void check_with_optimizer(std::span<const std::byte> bytes) {
  params p;
  tapeless::train::adam<params> opt;
  std::memset(p.data(), 0x5A, sizeof(float) * params::total_size);
  opt.for_each_state([](std::string_view, params& s) { std::memset(s.data(), 0x3C, sizeof(float) * params::total_size); });
  opt.set_steps(0x5A5A5A5A);
  const auto before = io::serialize_checkpoint(p, opt);
  const io::status s = io::deserialize_checkpoint(bytes, p, opt);
  const auto after = io::serialize_checkpoint(p, opt);
  if (!s.ok() && (after != before || s.message.empty())) std::abort();
  if (s.ok() && (after.size() != bytes.size() || std::memcmp(after.data(), bytes.data(), bytes.size()) != 0))
    std::abort();
}

void check_all(std::span<const std::byte> bytes) {
  params p, m;
  params64 d;
  check(bytes, p);
  check(bytes, p, m);
  check(bytes, d);
  check_with_optimizer(bytes);
}

void put(std::vector<std::byte>& b, std::size_t at, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<std::byte>(v >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  check_all(bytes);
  if (size >= io::checkpoint_format::header_size + 4) {
    std::vector<std::byte> sealed(bytes.begin(), bytes.end());
    put(sealed, 16, sealed.size(), 8);
    put(sealed, 24, io::crc32(std::span(sealed).first(24)), 4);
    put(sealed, sealed.size() - 4, io::crc32(std::span(sealed).first(sealed.size() - 4)), 4);
    check_all(sealed);
  }
  return 0;
}
