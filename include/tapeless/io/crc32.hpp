#ifndef TAPELESS_IO_CRC32_HPP
#define TAPELESS_IO_CRC32_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tapeless::io {
namespace detail {

// The reflected table of the IEEE 802.3 polynomial (zlib's, PNG's, gzip's), computed at
// compile time so that checkpoints need no zlib.
inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}();

}  // namespace detail

/// CRC-32 (IEEE, as zlib's crc32) of `bytes`, continuing from `crc`, the CRC-32 of the bytes
/// before them (0 for none), so that crc32(b, crc32(a)) == crc32(a followed by b).
///
///   std::uint32_t c = io::crc32(std::as_bytes(std::span(text)));  // "123456789": 0xCBF43926
constexpr std::uint32_t crc32(std::span<const std::byte> bytes, std::uint32_t crc = 0) {
  crc = ~crc;
  for (const std::byte b : bytes)
    crc = detail::crc32_table[(crc ^ static_cast<std::uint32_t>(b)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace tapeless::io

#endif
