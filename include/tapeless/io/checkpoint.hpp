#ifndef TAPELESS_IO_CHECKPOINT_HPP
#define TAPELESS_IO_CHECKPOINT_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "crc32.hpp"
#include "detail/bytes.hpp"
#include "detail/file.hpp"
#include "detail/tensor_set_like.hpp"
#include "fnv1a.hpp"
#include "status.hpp"

// Checkpoint file format, version 1. Every integer is little-endian, every value IEEE-754
// little-endian, whatever the host.
//
//   offset  size  field
//        0     8  magic "TPLSCKPT"
//        8     4  format version (1)
//       12     4  element type: 1 = float32, 2 = float64
//       16     8  size of the whole file in bytes, the final checksum included
//       24     4  CRC-32 of bytes 0..23 (the header above)
//       28     8  architecture fingerprint: FNV-1a 64 of the set count, then of every set:
//                 its tensor count and every tensor's name, rows and cols (see fnv1a_64)
//       36     4  number of sets S (the parameters, then e.g. optimizer state)
//                 S times: tensor count n, then n times: name length (4), name bytes,
//                 rows (8), cols (8)
//                 the values of every tensor of every set, in that order, rows x cols each
//     end-4    4  CRC-32 of everything before it
//
// The file size and the header's own checksum go beyond a bare magic + checksum so that a
// loader can tell a truncated file (shorter than its trusted header says) from a corrupted
// one (right size, wrong checksum) and say which.

namespace tapeless::io {

/// Constants of the checkpoint format.
struct checkpoint_format {
  static constexpr std::string_view magic = "TPLSCKPT";
  static constexpr std::uint32_t version = 1;
  static constexpr std::uint32_t float32 = 1;
  static constexpr std::uint32_t float64 = 2;
  static constexpr std::size_t header_size = 28;  ///< magic, version, type, file size, header CRC
};

/// The architecture fingerprint that a checkpoint of these sets carries.
template <class... Sets>
inline constexpr std::uint64_t checkpoint_fingerprint = [] {
  fnv1a_64 h;
  h.add(static_cast<std::uint64_t>(sizeof...(Sets)));
  const auto add = [&]<class S>(std::type_identity<S>) {
    h.add(static_cast<std::uint64_t>(S::count));
    for (std::size_t i = 0; i < S::count; ++i)
      h.add(S::names[i]).add(static_cast<std::uint64_t>(S::rows[i])).add(static_cast<std::uint64_t>(S::cols[i]));
  };
  (add(std::type_identity<Sets>{}), ...);
  return h.value();
}();

namespace detail {

template <class T>
constexpr std::uint32_t element_tag() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "tapeless::io checkpoints hold float or double tensors");
  return std::is_same_v<T, float> ? checkpoint_format::float32 : checkpoint_format::float64;
}

constexpr std::string_view element_type_name(std::uint32_t tag) {
  return tag == checkpoint_format::float32 ? "float32" : tag == checkpoint_format::float64 ? "float64" : "unknown";
}

/// The static requirements on the sets of a checkpoint, in one place for save and load.
template <class... Sets>
struct checkpoint_sets_check {
  static_assert(sizeof...(Sets) > 0, "tapeless::io checkpoints need at least one tensor set");
  static_assert((tensor_set_like<Sets> && ...),
                "tapeless::io checkpoints hold nn::tensor_set objects (a model's parameters, "
                "or optimizer state of the same kind)");
  using value_type = typename std::tuple_element_t<0, std::tuple<Sets...>>::value_type;
  static_assert((std::is_same_v<typename Sets::value_type, value_type> && ...),
                "tapeless::io checkpoints: every set must have the same element type");
  static_assert((unbatched<Sets>() && ...),
                "tapeless::io checkpoints hold parameter-shaped sets (rows x cols values per "
                "tensor), not batches of inputs or targets");
  static constexpr bool value = true;
};

/// One tensor as a checkpoint describes it.
struct tensor_description {
  std::size_t set;
  std::string_view name;
  std::uint64_t rows;
  std::uint64_t cols;

  bool operator==(const tensor_description&) const = default;
};

template <class... Sets>
std::vector<tensor_description> describe_sets() {
  std::vector<tensor_description> d;
  std::size_t set = 0;
  const auto add = [&]<class S>(std::type_identity<S>) {
    for (std::size_t i = 0; i < S::count; ++i) d.push_back({set, S::names[i], S::rows[i], S::cols[i]});
    ++set;
  };
  (add(std::type_identity<Sets>{}), ...);
  return d;
}

/// "fc1.weight 8x2, fc1.bias 8x1 | m.fc1.weight 8x2": at most `limit` tensors.
inline std::string describe_list(const std::vector<tensor_description>& d, std::size_t limit = 24) {
  std::string s;
  for (std::size_t i = 0; i < d.size() && i < limit; ++i) {
    if (i > 0) s += d[i].set != d[i - 1].set ? " | " : ", ";
    s += printable(d[i].name) + " " + std::to_string(d[i].rows) + "x" + std::to_string(d[i].cols);
  }
  if (d.size() > limit) s += ", ... (" + std::to_string(d.size()) + " tensors)";
  return d.empty() ? "(no tensors)" : s;
}

inline std::string describe_one(const tensor_description& d) {
  return "'" + printable(d.name) + "' " + std::to_string(d.rows) + "x" + std::to_string(d.cols);
}

/// The first difference between the tensors a file holds and those the model expects.
inline std::string first_difference(const std::vector<tensor_description>& file,
                                    const std::vector<std::size_t>& file_counts,
                                    const std::vector<tensor_description>& model,
                                    const std::vector<std::size_t>& model_counts) {
  if (file_counts.size() != model_counts.size())
    return "the file holds " + std::to_string(file_counts.size()) + " tensor sets where " +
           std::to_string(model_counts.size()) + " are loaded";
  for (std::size_t s = 0; s < file_counts.size(); ++s)
    if (file_counts[s] != model_counts[s])
      return "set " + std::to_string(s) + " holds " + std::to_string(file_counts[s]) +
             " tensors in the file and " + std::to_string(model_counts[s]) + " in the model";
  for (std::size_t i = 0; i < file.size(); ++i)
    if (!(file[i] == model[i]))
      return "the file has " + describe_one(file[i]) + " where the model has " + describe_one(model[i]) +
             " (set " + std::to_string(file[i].set) + ")";
  return "the tensors agree but the fingerprint does not";
}

/// What the tensor list of a checkpoint says, with its data located.
struct checkpoint_contents {
  std::uint32_t element_tag = 0;
  std::uint64_t fingerprint = 0;
  std::vector<std::size_t> counts;  ///< tensors per set
  std::vector<tensor_description> tensors;
  std::size_t data_offset = 0;
};

/// The checks that need no model: magic, header (and its checksum), version, length, and
/// the checksum of the whole. Ordered so that the message names the actual fault: a file
/// shorter than its trusted header says is truncated, one of the right length with a wrong
/// checksum is corrupt.
inline status check_envelope(std::span<const std::byte> bytes) {
  using std::to_string;
  const std::size_t size = bytes.size();
  const auto fail = [](error code, std::string message) { return status::failure(code, std::move(message)); };
  const auto truncated = [&](const std::string& why) {
    return fail(error::truncated, "truncated at offset " + to_string(size) + ": " + why);
  };

  const std::string_view magic = checkpoint_format::magic;
  byte_reader r(bytes);
  std::string_view head;
  r.text(std::min(size, magic.size()), head);
  if (head != magic.substr(0, head.size()))
    return fail(error::not_recognized, "not a tapeless checkpoint: it does not begin with \"TPLSCKPT\"");
  if (size < checkpoint_format::header_size)
    return truncated("the header alone takes " + to_string(checkpoint_format::header_size) + " bytes");

  std::uint32_t version = 0, tag = 0, header_crc = 0;
  std::uint64_t file_size = 0;
  r.u32(version);
  r.u32(tag);
  r.u64(file_size);
  r.u32(header_crc);
  if (const auto actual = crc32(bytes.first(24)); header_crc != actual)
    return fail(error::checksum_mismatch, "checksum mismatch in the header (stored " + hex64(header_crc) +
                                              ", computed " + hex64(actual) + "): the file is corrupt");
  if (version != checkpoint_format::version)
    return fail(error::unsupported_version, "format version " + to_string(version) +
                                                ", but this build reads version " +
                                                to_string(checkpoint_format::version));
  if (size < file_size) return truncated("the header says the file has " + to_string(file_size) + " bytes");
  if (size > file_size)
    return fail(error::trailing_data, to_string(size - file_size) + " bytes of trailing data after offset " +
                                          to_string(file_size) + ", where the checkpoint ends");
  if (size < checkpoint_format::header_size + 16)  // fingerprint, set count, final checksum
    return fail(error::malformed, "the header says the file has " + to_string(file_size) +
                                      " bytes, too few for a checkpoint");

  byte_reader tail(bytes.last(4));
  std::uint32_t stored = 0;
  tail.u32(stored);
  if (const auto actual = crc32(bytes.first(size - 4)); stored != actual)
    return fail(error::checksum_mismatch, "checksum mismatch (stored " + hex64(stored) + ", computed " +
                                              hex64(actual) + "): the file is corrupt");
  return {};
}

/// The tensor list of a checkpoint whose envelope checked out. The checksums hold, so a
/// failure here means a file that save_checkpoint did not write.
inline result<checkpoint_contents> read_contents(std::span<const std::byte> bytes) {
  result<checkpoint_contents> r;
  checkpoint_contents& c = r.value;
  byte_reader b(bytes.first(bytes.size() - 4));
  const auto malformed = [&](const std::string& why) {
    r.status = status::failure(error::malformed, "malformed checkpoint at offset " + std::to_string(b.offset()) +
                                                     ": " + why);
    return r;
  };
  b.skip(12);
  b.u32(c.element_tag);
  if (c.element_tag != checkpoint_format::float32 && c.element_tag != checkpoint_format::float64) {
    r.status = status::failure(error::unknown_type, "element type code " + std::to_string(c.element_tag) +
                                                        " is neither float32 (1) nor float64 (2)");
    return r;
  }
  const std::uint64_t element_size = c.element_tag == checkpoint_format::float32 ? 4 : 8;
  std::uint32_t set_count = 0;
  b.skip(checkpoint_format::header_size - 16);
  b.u64(c.fingerprint);
  b.u32(set_count);
  std::uint64_t data_size = 0;
  for (std::uint32_t s = 0; s < set_count; ++s) {
    std::uint32_t n = 0;
    if (!b.u32(n)) return malformed("the tensor list runs past the end");
    c.counts.push_back(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      tensor_description d{s, {}, 0, 0};
      std::uint32_t length = 0;
      if (!b.u32(length) || !b.text(length, d.name) || !b.u64(d.rows) || !b.u64(d.cols))
        return malformed("the tensor list runs past the end");
      // rows * cols * element size, and the running total, must not overflow.
      const std::uint64_t limit = ~std::uint64_t{0} / element_size;
      if (d.cols != 0 && d.rows > limit / d.cols) return malformed("tensor '" + printable(d.name) + "' is too large");
      const std::uint64_t tensor_bytes = d.rows * d.cols * element_size;
      if (tensor_bytes > ~std::uint64_t{0} - data_size) return malformed("the tensors are too large");
      data_size += tensor_bytes;
      c.tensors.push_back(d);
    }
  }
  if (data_size != b.remaining())
    return malformed("the tensors take " + std::to_string(data_size) + " bytes but " +
                     std::to_string(b.remaining()) + " follow their list");
  c.data_offset = b.offset();
  return r;
}

/// Whether a checkpoint's contents fit the sets: element type, then names and shapes.
template <class... Sets>
status check_fits(const checkpoint_contents& c) {
  constexpr std::uint32_t tag = element_tag<typename checkpoint_sets_check<Sets...>::value_type>();
  if (c.element_tag != tag)
    return status::failure(error::element_type_mismatch,
                           "element type " + std::string(element_type_name(c.element_tag)) +
                               " in the file, but the model's is " + std::string(element_type_name(tag)));
  const auto model = describe_sets<Sets...>();
  const std::vector<std::size_t> model_counts{Sets::count...};
  constexpr std::uint64_t fingerprint = checkpoint_fingerprint<Sets...>;
  if (c.tensors == model && c.counts == model_counts && c.fingerprint == fingerprint) return {};
  return status::failure(error::architecture_mismatch,
                         "different architecture: " + first_difference(c.tensors, c.counts, model, model_counts) +
                             "; file: " + describe_list(c.tensors) + "; model: " + describe_list(model) +
                             "; fingerprints " + hex64(c.fingerprint) + " (file) and " + hex64(fingerprint) +
                             " (model)");
}

}  // namespace detail


/// The bytes of a checkpoint of `sets` (the parameters, then any further sets of the same
/// element type, such as optimizer state), in the format described at the top of this
/// header. save_checkpoint writes them to a file.
///
///   std::vector<std::byte> bytes = io::serialize_checkpoint(params, adam_m, adam_v);
template <class... Sets>
std::vector<std::byte> serialize_checkpoint(const Sets&... sets) {
  static_assert(detail::checkpoint_sets_check<Sets...>::value);
  using T = typename detail::checkpoint_sets_check<Sets...>::value_type;

  detail::byte_writer w;
  w.reserve(64 + ((Sets::total_size * sizeof(T)) + ...));
  w.text(checkpoint_format::magic);
  w.u32(checkpoint_format::version);
  w.u32(detail::element_tag<T>());
  w.u64(0);  // file size, patched below
  w.u32(0);  // header checksum, patched below
  w.u64(checkpoint_fingerprint<Sets...>);
  w.u32(static_cast<std::uint32_t>(sizeof...(Sets)));
  const auto describe = [&]<class S>(const S&) {
    w.u32(static_cast<std::uint32_t>(S::count));
    for (std::size_t i = 0; i < S::count; ++i) {
      w.u32(static_cast<std::uint32_t>(S::names[i].size()));
      w.text(S::names[i]);
      w.u64(S::rows[i]);
      w.u64(S::cols[i]);
    }
  };
  (describe(sets), ...);
  const auto values = [&]<class S>(const S& s) {
    for (std::size_t i = 0; i < S::total_size; ++i) w.real(s.data()[i]);
  };
  (values(sets), ...);

  w.patch_u64(16, w.size() + 4);
  w.patch_u32(24, crc32(std::span(w.bytes()).first(24)));
  w.u32(crc32(w.bytes()));
  return std::move(w.bytes());
}

/// Loads a checkpoint held in memory into `sets`, which must be of the same kinds, in the
/// same order, as when it was saved. Everything is validated first: magic, version, sizes,
/// checksums, element type and architecture (tensor names and shapes). On any failure the
/// status says which check failed and where, and the sets are left untouched.
///
///   io::status s = io::deserialize_checkpoint(bytes, params);
template <class... Sets>
status deserialize_checkpoint(std::span<const std::byte> bytes, Sets&... sets) {
  static_assert(detail::checkpoint_sets_check<Sets...>::value);
  using T = typename detail::checkpoint_sets_check<Sets...>::value_type;
  if (status s = detail::check_envelope(bytes); !s) return s;
  const auto contents = detail::read_contents(bytes);
  if (!contents) return contents.status;
  if (status s = detail::check_fits<Sets...>(contents.value); !s) return s;

  // Everything checked: only now are the sets written.
  const detail::byte_reader data(bytes);
  std::size_t offset = contents.value.data_offset;
  const auto load = [&](auto& set) {
    for (std::size_t i = 0; i < set.total_size; ++i, offset += sizeof(T)) set.data()[i] = data.real_at<T>(offset);
  };
  (load(sets), ...);
  return {};
}

/// Saves `sets` (the parameters, then optionally further sets such as optimizer state) to
/// `path`, atomically: the checkpoint is written to "<path>.tmp", flushed to the disk and
/// renamed over `path`, so a crash or a full disk during the save never destroys the
/// previous checkpoint.
///
///   if (auto s = io::save_checkpoint("run/model.ckpt", params); !s) std::cerr << s.message << '\n';
template <class... Sets>
status save_checkpoint(const std::filesystem::path& path, const Sets&... sets) {
  const auto bytes = serialize_checkpoint(sets...);
  status s = detail::write_file_atomically(path, bytes);
  if (!s) s.message = "save_checkpoint(" + detail::quoted(path) + "): " + s.message;
  return s;
}

/// Loads the checkpoint at `path` into `sets` (the same kinds, in the same order, as saved).
/// Nothing is written to the sets unless every check passes; the status names the failed
/// check otherwise (cannot open, truncated at offset N, checksum mismatch, not a tapeless
/// checkpoint, element type, different architecture with both tensor lists).
///
///   decltype(m)::parameters params;
///   if (auto s = io::load_checkpoint("run/model.ckpt", params); !s) std::cerr << s.message << '\n';
template <class... Sets>
status load_checkpoint(const std::filesystem::path& path, Sets&... sets) {
  static_assert(detail::checkpoint_sets_check<Sets...>::value);
  auto file = detail::read_file(path);
  status s = file.ok() ? deserialize_checkpoint(std::span<const std::byte>(file.value), sets...) : file.status;
  if (!s) s.message = "load_checkpoint(" + detail::quoted(path) + "): " + s.message;
  return s;
}

}  // namespace tapeless::io

#endif
