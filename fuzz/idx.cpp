// libFuzzer target: io::parse_idx on arbitrary bytes (the in-memory parser that read_idx
// feeds from zlib). Built and run by fuzz/run.sh. Beyond "no crash": a success holds
// exactly the elements its dimensions say, and the input is exactly header + data.

#include <cstdint>
#include <cstdlib>
#include <span>

#include <tapeless/io/idx.hpp>

namespace io = tapeless::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = io::parse_idx(std::as_bytes(std::span(data, size)));
  if (!r.ok()) {
    if (r.status.message.empty() || !r.value.dims.empty()) std::abort();
    return 0;
  }
  std::size_t count = 1;
  for (const auto d : r.value.dims) count *= d;
  if (r.value.size() != count) std::abort();
  const std::size_t element = io::detail::idx_element_size(static_cast<std::uint8_t>(r.value.type));
  if (size != 4 + 4 * r.value.dims.size() + count * element) std::abort();
  return 0;
}
