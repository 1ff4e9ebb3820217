#ifndef TAPELESS_IO_CHECKPOINT_HPP
#define TAPELESS_IO_CHECKPOINT_HPP

#include <algorithm>
#include <array>
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

// Checkpoint file format, version 2. Every integer is little-endian, every value IEEE-754
// little-endian, whatever the host.
//
//   offset  size  field
//        0     8  magic "TPLSCKPT"
//        8     4  format version (2)
//       12     4  element type: 1 = float32, 2 = float64
//       16     8  size of the whole file in bytes, the final checksum included
//       24     4  CRC-32 of bytes 0..23 (the header above)
//       28     8  architecture fingerprint: FNV-1a 64 of the set count, then of every set:
//                 its tensor count and every tensor's name, rows and cols (see fnv1a_64)
//       36     4  number of sets S (the parameters, then e.g. optimizer state)
//                 S times: tensor count n, then n times: name length (4), name bytes,
//                 rows (8), cols (8)
//                 number of step counts K (one per optimizer saved) (4), then K times the
//                 optimizer's steps() (8)
//                 the values of every tensor of every set, in that order, rows x cols each
//     end-4    4  CRC-32 of everything before it
//
// The file size and the header's own checksum go beyond a bare magic + checksum so that a
// loader can tell a truncated file (shorter than its trusted header says) from a corrupted
// one (right size, wrong checksum) and say which.
//
// Version 1 had no step counts, so a resumed Adam restarted its bias correction at step 1.
// It is refused with a message saying so, not read: a file restored without its count would
// resume differently from the run that wrote it.

namespace tapeless::io {

/// Constants of the checkpoint format.
struct checkpoint_format {
  static constexpr std::string_view magic = "TPLSCKPT";
  static constexpr std::uint32_t version = 2;
  static constexpr std::uint32_t float32 = 1;
  static constexpr std::uint32_t float64 = 2;
  static constexpr std::size_t header_size = 28;  ///< magic, version, type, file size, header CRC
};

namespace detail {

/// The static layout of one tensor set, as a checkpoint describes it: names and shapes.
struct set_layout {
  std::span<const std::string_view> names;
  std::span<const std::size_t> rows;
  std::span<const std::size_t> cols;
  std::size_t total_size = 0;
};

template <class S>
constexpr set_layout layout_of() {
  return {S::names, S::rows, S::cols, S::total_size};
}

/// FNV-1a 64 of the set count, then of every set: its tensor count and every tensor's name,
/// rows and cols.
constexpr std::uint64_t fingerprint_of(std::span<const set_layout> sets) {
  fnv1a_64 h;
  h.add(static_cast<std::uint64_t>(sets.size()));
  for (const set_layout& s : sets) {
    h.add(static_cast<std::uint64_t>(s.names.size()));
    for (std::size_t i = 0; i < s.names.size(); ++i)
      h.add(s.names[i]).add(static_cast<std::uint64_t>(s.rows[i])).add(static_cast<std::uint64_t>(s.cols[i]));
  }
  return h.value();
}

}  // namespace detail

/// The architecture fingerprint that a checkpoint of these sets carries (an optimizer's
/// state sets count as sets of its parameters' kind).
template <class... Sets>
inline constexpr std::uint64_t checkpoint_fingerprint =
    detail::fingerprint_of(std::array<detail::set_layout, sizeof...(Sets)>{detail::layout_of<Sets>()...});

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

/// What a checkpoint needs of an optimizer (train::sgd, momentum, adam, adamw): its state
/// sets, through for_each_state(f), and the count of steps taken, which Adam's bias
/// correction depends on.
template <class O>
concept optimizer_like = requires(O& o, const O& co, std::uint64_t n) {
  typename O::parameters;
  requires tensor_set_like<typename O::parameters>;
  { co.steps() } -> std::convertible_to<std::uint64_t>;
  o.set_steps(n);
};

/// The kind of tensor set a part of a checkpoint holds: a set itself, or an optimizer's
/// state (sets like its parameters).
template <class Part>
struct set_of {
  using type = Part;
};
template <optimizer_like Part>
struct set_of<Part> {
  using type = typename Part::parameters;
};

/// The static requirements on the parts of a checkpoint, in one place for save and load.
template <class... Parts>
struct checkpoint_parts_check {
  static_assert(sizeof...(Parts) > 0, "tapeless::io checkpoints need at least one tensor set");
  static_assert(((tensor_set_like<Parts> || optimizer_like<Parts>) && ...),
                "tapeless::io checkpoints hold nn::tensor_set objects (a model's parameters, "
                "or optimizer state of the same kind) and train:: optimizers");
  using value_type = typename set_of<std::tuple_element_t<0, std::tuple<Parts...>>>::type::value_type;
  static_assert((std::is_same_v<typename set_of<Parts>::type::value_type, value_type> && ...),
                "tapeless::io checkpoints: every set must have the same element type");
  static_assert((unbatched<typename set_of<Parts>::type>() && ...),
                "tapeless::io checkpoints hold parameter-shaped sets (rows x cols values per "
                "tensor), not batches of inputs or targets");
  static constexpr bool value = true;
};

/// The parts of a checkpoint flattened: every set (an optimizer's state sets in the order of
/// its for_each_state) with its values, and every optimizer's step count. Value is const T
/// to save, T to load.
template <class Value>
struct flat_parts {
  std::vector<set_layout> sets;
  std::vector<Value*> values;         ///< one per set
  std::vector<std::uint64_t> steps;   ///< one per optimizer
};

template <class Value, class Part>
void flatten(flat_parts<Value>& f, Part& part) {
  if constexpr (optimizer_like<std::remove_const_t<Part>>) {
    part.for_each_state([&](std::string_view, auto& set) { flatten(f, set); });
    f.steps.push_back(part.steps());
  } else {
    f.sets.push_back(layout_of<std::remove_const_t<Part>>());
    f.values.push_back(part.data());
  }
}

template <class Value, class... Parts>
flat_parts<Value> flatten_all(Parts&... parts) {
  flat_parts<Value> f;
  (flatten(f, parts), ...);
  return f;
}

/// One tensor as a checkpoint describes it.
struct tensor_description {
  std::size_t set;
  std::string_view name;
  std::uint64_t rows;
  std::uint64_t cols;

  bool operator==(const tensor_description&) const = default;
};

inline std::vector<tensor_description> describe_sets(std::span<const set_layout> sets) {
  std::vector<tensor_description> d;
  for (std::size_t set = 0; set < sets.size(); ++set)
    for (std::size_t i = 0; i < sets[set].names.size(); ++i)
      d.push_back({set, sets[set].names[i], sets[set].rows[i], sets[set].cols[i]});
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
  std::vector<std::uint64_t> steps;  ///< one step count per optimizer saved
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
    return fail(error::unsupported_version,
                "format version " + to_string(version) + ", but this build reads version " +
                    to_string(checkpoint_format::version) +
                    (version == 1 ? " (version 1 did not store the optimizer's step count, so the "
                                    "run could not resume exactly; save it again with this build)"
                                  : ""));
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
  std::uint32_t step_count = 0;
  if (!b.u32(step_count)) return malformed("the step counts run past the end");
  for (std::uint32_t k = 0; k < step_count; ++k) {
    std::uint64_t steps = 0;
    if (!b.u64(steps)) return malformed("the step counts run past the end");
    c.steps.push_back(steps);
  }
  if (data_size != b.remaining())
    return malformed("the tensors take " + std::to_string(data_size) + " bytes but " +
                     std::to_string(b.remaining()) + " follow their list");
  c.data_offset = b.offset();
  return r;
}

/// Whether a checkpoint's contents fit the parts: element type, names and shapes, then the
/// number of optimizers.
template <class T, class Value>
status check_fits(const checkpoint_contents& c, const flat_parts<Value>& parts) {
  constexpr std::uint32_t tag = element_tag<T>();
  if (c.element_tag != tag)
    return status::failure(error::element_type_mismatch,
                           "element type " + std::string(element_type_name(c.element_tag)) +
                               " in the file, but the model's is " + std::string(element_type_name(tag)));
  const auto model = describe_sets(parts.sets);
  std::vector<std::size_t> model_counts;
  for (const set_layout& s : parts.sets) model_counts.push_back(s.names.size());
  const std::uint64_t fingerprint = fingerprint_of(parts.sets);
  if (!(c.tensors == model && c.counts == model_counts && c.fingerprint == fingerprint))
    return status::failure(error::architecture_mismatch,
                           "different architecture: " + first_difference(c.tensors, c.counts, model, model_counts) +
                               "; file: " + describe_list(c.tensors) + "; model: " + describe_list(model) +
                               "; fingerprints " + hex64(c.fingerprint) + " (file) and " + hex64(fingerprint) +
                               " (model)");
  if (c.steps.size() != parts.steps.size())
    return status::failure(error::architecture_mismatch,
                           "the file holds the step counts of " + std::to_string(c.steps.size()) +
                               " optimizers where " + std::to_string(parts.steps.size()) +
                               " are loaded (load the parts that were saved: an optimizer, not its "
                               "state sets alone, or the converse)");
  return {};
}

template <class Part>
void restore_steps(Part& part, std::span<const std::uint64_t> steps, std::size_t& next) {
  if constexpr (optimizer_like<Part>) part.set_steps(steps[next++]);
}

}  // namespace detail


/// The bytes of a checkpoint of `parts`: the parameters, then any further sets of the same
/// element type, and optimizers, each of which stands for its state sets (for_each_state)
/// and its step count, in the format described at the top of this header. save_checkpoint
/// writes them to a file.
///
///   std::vector<std::byte> bytes = io::serialize_checkpoint(params, adam);
template <class... Parts>
std::vector<std::byte> serialize_checkpoint(const Parts&... parts) {
  static_assert(detail::checkpoint_parts_check<Parts...>::value);
  using T = typename detail::checkpoint_parts_check<Parts...>::value_type;
  const auto flat = detail::flatten_all<const T>(parts...);

  std::size_t value_count = 0;
  for (const auto& s : flat.sets) value_count += s.total_size;
  detail::byte_writer w;
  w.reserve(64 + value_count * sizeof(T));
  w.text(checkpoint_format::magic);
  w.u32(checkpoint_format::version);
  w.u32(detail::element_tag<T>());
  w.u64(0);  // file size, patched below
  w.u32(0);  // header checksum, patched below
  w.u64(detail::fingerprint_of(flat.sets));
  w.u32(static_cast<std::uint32_t>(flat.sets.size()));
  for (const auto& s : flat.sets) {
    w.u32(static_cast<std::uint32_t>(s.names.size()));
    for (std::size_t i = 0; i < s.names.size(); ++i) {
      w.u32(static_cast<std::uint32_t>(s.names[i].size()));
      w.text(s.names[i]);
      w.u64(s.rows[i]);
      w.u64(s.cols[i]);
    }
  }
  w.u32(static_cast<std::uint32_t>(flat.steps.size()));
  for (const std::uint64_t steps : flat.steps) w.u64(steps);
  for (std::size_t k = 0; k < flat.sets.size(); ++k)
    for (std::size_t i = 0; i < flat.sets[k].total_size; ++i) w.real(flat.values[k][i]);

  w.patch_u64(16, w.size() + 4);
  w.patch_u32(24, crc32(std::span(w.bytes()).first(24)));
  w.u32(crc32(w.bytes()));
  return std::move(w.bytes());
}

/// Loads a checkpoint held in memory into `parts`, which must be of the same kinds, in the
/// same order, as when it was saved; an optimizer gets back its state and its step count.
/// Everything is validated first: magic, version, sizes, checksums, element type,
/// architecture (tensor names and shapes) and number of optimizers. On any failure the
/// status says which check failed and where, and the parts are left untouched.
///
///   io::status s = io::deserialize_checkpoint(bytes, params, adam);
template <class... Parts>
status deserialize_checkpoint(std::span<const std::byte> bytes, Parts&... parts) {
  static_assert(detail::checkpoint_parts_check<Parts...>::value);
  using T = typename detail::checkpoint_parts_check<Parts...>::value_type;
  if (status s = detail::check_envelope(bytes); !s) return s;
  const auto contents = detail::read_contents(bytes);
  if (!contents) return contents.status;
  const auto flat = detail::flatten_all<T>(parts...);
  if (status s = detail::check_fits<T>(contents.value, flat); !s) return s;

  // Everything checked: only now are the parts written.
  const detail::byte_reader data(bytes);
  std::size_t offset = contents.value.data_offset;
  for (std::size_t k = 0; k < flat.sets.size(); ++k)
    for (std::size_t i = 0; i < flat.sets[k].total_size; ++i, offset += sizeof(T))
      flat.values[k][i] = data.real_at<T>(offset);
  std::size_t next_steps = 0;
  (detail::restore_steps(parts, contents.value.steps, next_steps), ...);
  return {};
}

/// Saves `parts` (the parameters, then optionally further sets and optimizers, as
/// serialize_checkpoint takes them) to `path`, atomically: the checkpoint is written to
/// "<path>.tmp", flushed to the disk and renamed over `path`, so a crash or a full disk
/// during the save never destroys the previous checkpoint.
///
///   if (auto s = io::save_checkpoint("run/model.ckpt", params, adam); !s) std::cerr << s.message << '\n';
template <class... Parts>
status save_checkpoint(const std::filesystem::path& path, const Parts&... parts) {
  const auto bytes = serialize_checkpoint(parts...);
  status s = detail::write_file_atomically(path, bytes);
  if (!s) s.message = "save_checkpoint(" + detail::quoted(path) + "): " + s.message;
  return s;
}

/// Loads the checkpoint at `path` into `parts` (the same kinds, in the same order, as
/// saved). Nothing is written to them unless every check passes; the status names the failed
/// check otherwise (cannot open, truncated at offset N, checksum mismatch, not a tapeless
/// checkpoint, element type, different architecture with both tensor lists, number of
/// optimizers).
///
///   decltype(m)::parameters params;
///   train::adam<decltype(m)::parameters> adam;
///   if (auto s = io::load_checkpoint("run/model.ckpt", params, adam); !s) std::cerr << s.message << '\n';
template <class... Parts>
status load_checkpoint(const std::filesystem::path& path, Parts&... parts) {
  static_assert(detail::checkpoint_parts_check<Parts...>::value);
  auto file = detail::read_file(path);
  status s = file.ok() ? deserialize_checkpoint(std::span<const std::byte>(file.value), parts...) : file.status;
  if (!s) s.message = "load_checkpoint(" + detail::quoted(path) + "): " + s.message;
  return s;
}

}  // namespace tapeless::io

#endif
