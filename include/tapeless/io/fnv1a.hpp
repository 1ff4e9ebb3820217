#ifndef TAPELESS_IO_FNV1A_HPP
#define TAPELESS_IO_FNV1A_HPP

#include <cstdint>
#include <string_view>

namespace tapeless::io {

/// The 64-bit FNV-1a hash, fed byte by byte at compile time or at run time: the architecture
/// fingerprint of a checkpoint. Integers are fed as 8 little-endian bytes and strings with
/// their length first, so that ("ab", "c") and ("a", "bc") hash differently.
///
///   constexpr auto h = io::fnv1a_64{}.add("fc1.weight").add(8).add(2).value();
class fnv1a_64 {
 public:
  static constexpr std::uint64_t offset_basis = 14695981039346656037ull;
  static constexpr std::uint64_t prime = 1099511628211ull;

  constexpr fnv1a_64& add_byte(std::uint8_t b) {
    hash_ = (hash_ ^ b) * prime;
    return *this;
  }
  constexpr fnv1a_64& add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) add_byte(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  constexpr fnv1a_64& add(std::string_view s) {
    add(static_cast<std::uint64_t>(s.size()));
    for (const char c : s) add_byte(static_cast<std::uint8_t>(c));
    return *this;
  }
  constexpr std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = offset_basis;
};

}  // namespace tapeless::io

#endif
