#ifndef TAPELESS_IO_IDX_HPP
#define TAPELESS_IO_IDX_HPP

// Needs zlib: link with -lz (CMake: ZLIB::ZLIB). Only this header and those that include it
// (idx_images.hpp, idx_labels.hpp) do; the rest of tapeless has no such dependency.

#include <algorithm>
#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <zlib.h>

#include "detail/file.hpp"
#include "status.hpp"

namespace tapeless::io {

/// Element types of the IDX format (the third byte of the magic number).
enum class idx_type : std::uint8_t {
  u8 = 0x08,   ///< unsigned byte: MNIST images and labels
  i8 = 0x09,   ///< signed byte
  i16 = 0x0B,  ///< 16-bit signed integer, big-endian
  i32 = 0x0C,  ///< 32-bit signed integer, big-endian
  f32 = 0x0D,  ///< IEEE-754 float, big-endian
  f64 = 0x0E,  ///< IEEE-754 double, big-endian
};

/// An array read from an IDX file: its dimensions (outermost first) and its elements in
/// row-major order. Unsigned bytes, the common case, are kept as they are in `bytes`; every
/// other type is converted to double in `values`, which holds each of them exactly.
struct idx_array {
  idx_type type = idx_type::u8;
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> bytes;  ///< the elements when type is u8, else empty
  std::vector<double> values;       ///< the elements for every other type, else empty

  std::size_t size() const { return type == idx_type::u8 ? bytes.size() : values.size(); }
  double operator[](std::size_t i) const { return type == idx_type::u8 ? bytes[i] : values[i]; }
};

namespace detail {

constexpr std::size_t idx_element_size(std::uint8_t code) {
  switch (code) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

/// IDX data held in memory.
class memory_source {
 public:
  explicit memory_source(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::size_t read(std::byte* out, std::size_t n) {
    n = std::min(n, bytes_.size());
    if (n > 0) std::memcpy(out, bytes_.data(), n);
    bytes_ = bytes_.subspan(n);
    return n;
  }
  const status& error() const { return error_; }

 private:
  std::span<const std::byte> bytes_;
  status error_;
};

/// IDX data in a file, plain or gzip-compressed: zlib's gzread reads both and tells them
/// apart by the gzip magic bytes 1f 8b.
class gzip_source {
 public:
  explicit gzip_source(const std::filesystem::path& path) : file_(gzopen(path.c_str(), "rb")) {
    if (!file_) error_ = status::failure(error::cannot_open, "cannot open " + quoted(path) + ": " + errno_text(errno));
    else gzbuffer(file_, 1 << 17);
  }
  gzip_source(const gzip_source&) = delete;
  gzip_source& operator=(const gzip_source&) = delete;
  ~gzip_source() {
    if (file_) gzclose(file_);
  }

  std::size_t read(std::byte* out, std::size_t n) {
    std::size_t got = 0;
    while (file_ && error_.ok() && got < n) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
      const int r = gzread(file_, out + got, chunk);
      if (r > 0) got += static_cast<std::size_t>(r);
      if (r < static_cast<int>(chunk)) {  // the end, or an error: ask zlib which
        int code = Z_OK;
        const char* message = gzerror(file_, &code);
        if (code == Z_BUF_ERROR)
          error_ = status::failure(error::truncated, "the gzip stream ends unexpectedly (truncated .gz file)");
        else if (code != Z_OK)
          error_ = status::failure(error::cannot_open, std::string("cannot decompress: ") +
                                                           (code == Z_ERRNO ? errno_text(errno) : message));
        break;
      }
    }
    return got;
  }
  const status& error() const { return error_; }

 private:
  gzFile file_;
  status error_;
};

inline std::string dims_text(const std::vector<std::size_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
  return dims.empty() ? "(scalar)" : s;
}

/// Reads n bytes into the end of `v`, growing it as data arrives rather than by what the
/// header claims, so that a file that lies about its size cannot make us allocate it.
template <class Source>
std::size_t read_growing(Source& source, std::vector<std::uint8_t>& v, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const std::size_t step = std::min<std::size_t>(n - got, std::size_t{1} << 20);
    const std::size_t old = v.size();
    v.resize(old + step);
    const std::size_t r = source.read(reinterpret_cast<std::byte*>(v.data() + old), step);
    got += r;
    if (r < step) {
      v.resize(old + r);
      break;
    }
  }
  return got;
}

template <class Source>
result<idx_array> parse_idx(Source& source) {
  result<idx_array> r;
  std::size_t offset = 0;
  const auto fail = [&](error code, std::string message) {
    // A failure of the source itself (a truncated or corrupt .gz) explains any short read.
    r.status = source.error().ok() ? status::failure(code, std::move(message)) : source.error();
    r.value = {};
    return r;
  };

  std::uint8_t magic[4] = {};
  offset = source.read(reinterpret_cast<std::byte*>(magic), 4);
  if (offset == 0) return fail(error::empty, "empty file: no IDX magic number");
  if (offset < 4) return fail(error::truncated, "truncated at offset " + std::to_string(offset) + ": in the magic number");
  if (magic[0] != 0 || magic[1] != 0)
    return fail(error::not_recognized, "not an IDX file: it does not begin with two zero bytes");
  const std::size_t element_size = idx_element_size(magic[2]);
  if (element_size == 0) {
    static constexpr char hex[] = "0123456789ABCDEF";
    return fail(error::unknown_type, std::string("unknown IDX element type 0x") + hex[magic[2] >> 4] + hex[magic[2] & 15] +
                                         " (known: 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)");
  }
  r.value.type = static_cast<idx_type>(magic[2]);

  // Dimensions: big-endian 32-bit counts; their product times the element size must fit.
  std::size_t count = 1;
  bool overflow = false;
  for (std::uint8_t d = 0; d < magic[3]; ++d) {
    std::uint8_t b[4] = {};
    const std::size_t got = source.read(reinterpret_cast<std::byte*>(b), 4);
    offset += got;
    if (got < 4)
      return fail(error::truncated, "truncated at offset " + std::to_string(offset) + ": the header declares " +
                                        std::to_string(magic[3]) + " dimensions but ends within dimension " +
                                        std::to_string(d + 1));
    const std::size_t n = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
    r.value.dims.push_back(n);
    if (n != 0 && count > SIZE_MAX / n) overflow = true;
    else count *= n;
  }
  if (overflow || count > SIZE_MAX / element_size)
    return fail(error::size_overflow, "dimensions " + dims_text(r.value.dims) + " overflow the size of memory");

  // The data, exactly as much as the dimensions say, and not a byte more.
  const std::size_t need = count * element_size;
  std::vector<std::uint8_t> raw;
  const std::size_t got = read_growing(source, raw, need);
  if (got < need)
    return fail(error::truncated, "truncated at offset " + std::to_string(offset + got) + ": the dimensions " +
                                      dims_text(r.value.dims) + " need " + std::to_string(need) +
                                      " bytes of data after the header, only " + std::to_string(got) + " follow");
  offset += got;
  std::byte extra{};
  if (source.read(&extra, 1) != 0)
    return fail(error::trailing_data, "trailing data after offset " + std::to_string(offset) +
                                          ", where the dimensions " + dims_text(r.value.dims) + " say the data ends");
  if (!source.error().ok()) return fail(source.error().code, source.error().message);

  if (r.value.type == idx_type::u8) {
    r.value.bytes = std::move(raw);
    return r;
  }
  r.value.values.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t v = 0;  // big-endian bits of element i
    for (std::size_t k = 0; k < element_size; ++k) v = (v << 8) | raw[i * element_size + k];
    double& out = r.value.values[i];
    switch (r.value.type) {
      case idx_type::i8: out = static_cast<std::int8_t>(v); break;
      case idx_type::i16: out = static_cast<std::int16_t>(v); break;
      case idx_type::i32: out = static_cast<std::int32_t>(v); break;
      case idx_type::f32: out = std::bit_cast<float>(static_cast<std::uint32_t>(v)); break;
      case idx_type::f64: out = std::bit_cast<double>(v); break;
      case idx_type::u8: break;
    }
  }
  return r;
}

}  // namespace detail

/// Parses an IDX file held in memory (uncompressed): magic 00 00 <type> <number of
/// dimensions>, the dimensions as big-endian 32-bit counts, then the elements, big-endian.
/// Fails with a message on a bad magic, an unknown type, dimensions whose product
/// overflows, data shorter than the dimensions say, or data after it.
///
///   io::result<io::idx_array> a = io::parse_idx(bytes);
///   if (a) use(a.value.dims, a.value.bytes);
inline result<idx_array> parse_idx(std::span<const std::byte> bytes) {
  detail::memory_source source(bytes);
  return detail::parse_idx(source);
}

/// Reads an IDX file, plain or gzip-compressed (as MNIST and Fashion-MNIST are shipped,
/// "train-images-idx3-ubyte.gz"): see parse_idx. Needs zlib (-lz).
///
///   auto labels = io::read_idx("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
///   if (!labels) std::cerr << labels.status.message << '\n';
inline result<idx_array> read_idx(const std::filesystem::path& path) {
  detail::gzip_source source(path);
  result<idx_array> r;
  if (!source.error().ok()) r.status = source.error();
  else r = detail::parse_idx(source);
  if (!r.ok()) r.status.message = "read_idx(" + detail::quoted(path) + "): " + r.status.message;
  return r;
}

}  // namespace tapeless::io

#endif
