#ifndef TAPELESS_IO_STATUS_HPP
#define TAPELESS_IO_STATUS_HPP

#include <string>
#include <string_view>
#include <utility>

namespace tapeless::io {

/// What went wrong in a tapeless::io function; `none` means nothing did.
enum class error {
  none,
  cannot_open,            ///< the file could not be opened or read
  cannot_write,           ///< the file could not be written, flushed or renamed into place
  truncated,              ///< the data ends before its own header says it should
  trailing_data,          ///< bytes after the end the header announces
  not_recognized,         ///< wrong magic number: not a file of the expected format
  unsupported_version,    ///< a format version this build does not read
  checksum_mismatch,      ///< the stored CRC-32 does not match the contents
  malformed,              ///< inconsistent structure (a corrupt or crafted file)
  element_type_mismatch,  ///< float64 data for a float32 model, or the converse
  architecture_mismatch,  ///< other tensor names or shapes than the model's
  unknown_type,           ///< an element type code the format does not define
  size_overflow,          ///< sizes whose product does not fit in memory sizes
  not_a_number,           ///< a text field that is not a number
  ragged_row,             ///< a row with another number of fields than the first
  empty,                  ///< no data at all
  invalid_argument,       ///< the caller's arguments do not fit together
};

/// The name of an error code, as written in the enumeration: "checksum_mismatch".
constexpr std::string_view error_name(error e) {
  switch (e) {
    case error::none: return "none";
    case error::cannot_open: return "cannot_open";
    case error::cannot_write: return "cannot_write";
    case error::truncated: return "truncated";
    case error::trailing_data: return "trailing_data";
    case error::not_recognized: return "not_recognized";
    case error::unsupported_version: return "unsupported_version";
    case error::checksum_mismatch: return "checksum_mismatch";
    case error::malformed: return "malformed";
    case error::element_type_mismatch: return "element_type_mismatch";
    case error::architecture_mismatch: return "architecture_mismatch";
    case error::unknown_type: return "unknown_type";
    case error::size_overflow: return "size_overflow";
    case error::not_a_number: return "not_a_number";
    case error::ragged_row: return "ragged_row";
    case error::empty: return "empty";
    case error::invalid_argument: return "invalid_argument";
  }
  return "unknown";
}

/// The outcome of an io operation: an error code for programs and a message for people that
/// names what was wrong and where ("truncated at offset 52 ..."). Errors are values, not
/// exceptions, so that io works in builds with -fno-exceptions.
///
///   if (auto s = io::load_checkpoint("model.ckpt", params); !s) std::cerr << s.message;
struct status {
  io::error code = io::error::none;
  std::string message;

  bool ok() const { return code == io::error::none; }
  explicit operator bool() const { return ok(); }

  static status failure(io::error code, std::string message) { return {code, std::move(message)}; }
};

/// A value together with the status of the operation that produced it; the value is
/// meaningful only when the status is ok.
template <class T>
struct result {
  T value{};
  io::status status;

  bool ok() const { return status.ok(); }
  explicit operator bool() const { return ok(); }
};

}  // namespace tapeless::io

#endif
