#ifndef TAPELESS_IO_DETAIL_BYTES_HPP
#define TAPELESS_IO_DETAIL_BYTES_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

// Explicit little-endian encoding, byte by byte, so that files are the same on every host
// whatever its byte order (a memcpy of the values would not be).

namespace tapeless::io::detail {

/// Appends little-endian integers, IEEE-754 values and raw bytes to a growing buffer.
class byte_writer {
 public:
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  template <class T>
  void real(T v) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
    if constexpr (std::is_same_v<T, float>) le(std::bit_cast<std::uint32_t>(v), 4);
    else le(std::bit_cast<std::uint64_t>(v), 8);
  }
  void text(std::string_view s) {
    for (const char c : s) bytes_.push_back(static_cast<std::byte>(c));
  }
  void reserve(std::size_t n) { bytes_.reserve(n); }
  std::size_t size() const { return bytes_.size(); }
  std::vector<std::byte>& bytes() { return bytes_; }

  /// Overwrites 4 bytes at `offset` (a field known only once everything is written).
  void patch_u32(std::size_t offset, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_[offset + i] = static_cast<std::byte>(v >> (8 * i));
  }
  void patch_u64(std::size_t offset, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_[offset + i] = static_cast<std::byte>(v >> (8 * i));
  }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<std::byte>(v >> (8 * i)));
  }
  std::vector<std::byte> bytes_;
};

/// Reads little-endian or big-endian fields from a byte span with bounds checks: a read past
/// the end fails and leaves the position at the end of the data that was there, which is
/// the offset a "truncated at offset N" message reports.
class byte_reader {
 public:
  explicit byte_reader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

  bool u32(std::uint32_t& v) { return le(v, 4); }
  bool u64(std::uint64_t& v) { return le(v, 8); }
  bool u8(std::uint8_t& v) {
    if (remaining() < 1) return fail();
    v = static_cast<std::uint8_t>(bytes_[offset_++]);
    return true;
  }
  bool u32_big_endian(std::uint32_t& v) {
    if (remaining() < 4) return fail();
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint32_t>(bytes_[offset_++]);
    return true;
  }
  /// The next n bytes as text (a view into the data).
  bool text(std::size_t n, std::string_view& s) {
    if (remaining() < n) return fail();
    s = {reinterpret_cast<const char*>(bytes_.data() + offset_), n};
    offset_ += n;
    return true;
  }
  bool skip(std::size_t n) {
    if (remaining() < n) return fail();
    offset_ += n;
    return true;
  }
  template <class T>
  T real_at(std::size_t offset) const {
    if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(static_cast<std::uint32_t>(le_at(offset, 4)));
    else return std::bit_cast<double>(le_at(offset, 8));
  }

 private:
  template <class U>
  bool le(U& v, int n) {
    if (remaining() < static_cast<std::size_t>(n)) return fail();
    v = static_cast<U>(le_at(offset_, n));
    offset_ += static_cast<std::size_t>(n);
    return true;
  }
  std::uint64_t le_at(std::size_t offset, int n) const {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<std::uint64_t>(bytes_[offset + static_cast<std::size_t>(i)]);
    return v;
  }
  bool fail() {
    offset_ = bytes_.size();
    return false;
  }

  std::span<const std::byte> bytes_;
  std::size_t offset_ = 0;
};

/// "0x" and 16 hexadecimal digits.
inline std::string hex64(std::uint64_t v) {
  std::string s = "0x0000000000000000";
  for (int i = 0; i < 16; ++i) s[17 - static_cast<std::size_t>(i)] = "0123456789abcdef"[(v >> (4 * i)) & 0xF];
  return s;
}

/// Text from a file, safe to print in a message: other bytes than printable ASCII become
/// '?', and at most `limit` characters are kept.
inline std::string printable(std::string_view s, std::size_t limit = 64) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i)
    out += (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
  if (s.size() > limit) out += "...";
  return out;
}

}  // namespace tapeless::io::detail

#endif
