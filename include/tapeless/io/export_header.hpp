#ifndef TAPELESS_IO_EXPORT_HEADER_HPP
#define TAPELESS_IO_EXPORT_HEADER_HPP

#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "detail/file.hpp"
#include "detail/tensor_set_like.hpp"
#include "status.hpp"

namespace tapeless::io {
namespace detail {

constexpr bool is_cpp_keyword(std::string_view s) {
  constexpr std::string_view keywords[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "final", "override",
      "import", "module", "std"};
  for (const auto k : keywords)
    if (k == s) return true;
  return false;
}

constexpr bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// A C++ identifier for a tensor name: "fc1.weight" -> "fc1_weight". Other characters than
/// letters, digits and '_' become '_', runs of '_' collapse to one and a '_' at either end is
/// dropped (identifiers with "__" or "_X" are reserved, and "_rows" is appended); a name
/// that then begins with a digit or is a keyword gets "t_" before it.
inline std::string identifier_of(std::string_view name) {
  std::string id;
  for (const char c : name) {
    const char d = is_identifier_char(c) ? c : '_';
    if (d == '_' && !id.empty() && id.back() == '_') continue;
    id += d;
  }
  if (!id.empty() && id.front() == '_') id.erase(0, 1);
  if (!id.empty() && id.back() == '_') id.pop_back();
  if (id.empty()) return "t";
  if ((id[0] >= '0' && id[0] <= '9') || is_cpp_keyword(id)) id.insert(0, "t_");
  return id;
}

/// True for "model" or "my::model": identifiers joined by "::", none reserved or a keyword.
inline bool valid_namespace(std::string_view ns) {
  if (ns.empty()) return false;
  for (;;) {
    const auto end = ns.find("::");
    const auto part = ns.substr(0, end);
    if (part.empty() || (part[0] >= '0' && part[0] <= '9') || part[0] == '_' || is_cpp_keyword(part) ||
        part.find("__") != std::string_view::npos)
      return false;
    for (const char c : part)
      if (!is_identifier_char(c)) return false;
    if (end == std::string_view::npos) return true;
    ns.remove_prefix(end + 2);
  }
}

/// The shortest decimal that reads back as exactly `v` (std::to_chars), as a C++ literal
/// of type T: "0.1f", "1.0f", "-0.0f", "1e+10" (double).
template <class T>
void append_literal(std::string& out, T v) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  const std::string_view digits(buffer, static_cast<std::size_t>(end - buffer));
  out += digits;
  if (digits.find_first_of(".e") == std::string_view::npos) out += ".0";  // "1f" is no literal
  if constexpr (std::is_same_v<T, float>) out += 'f';
}

template <class Set>
result<std::string> header_text(const Set& params, std::string_view ns) {
  using T = typename Set::value_type;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "tapeless::io::export_header writes float or double tensors");
  result<std::string> r;
  const auto fail = [&](std::string message) {
    r.status = status::failure(error::invalid_argument, "export_header: " + std::move(message));
    return r;
  };
  if (!valid_namespace(ns))
    return fail("'" + std::string(ns) + "' is not a usable namespace name (identifiers joined by ::)");

  // Names first: the identifiers of all tensors and their shape constants must be distinct.
  std::vector<std::string> ids, taken;
  for (std::size_t i = 0; i < Set::count; ++i) {
    ids.push_back(identifier_of(Set::names[i]));
    for (const std::string& id : {ids.back(), ids.back() + "_rows", ids.back() + "_cols"}) {
      for (std::size_t j = 0; j < taken.size(); ++j)
        if (taken[j] == id)
          return fail("tensors '" + std::string(Set::names[i]) + "' and '" + std::string(Set::names[j / 3]) +
                      "' both become the C++ name '" + id + "'");
      taken.push_back(id);
    }
  }

  std::string guard = "TAPELESS_EXPORT_";
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == ':') {  // "a::b" -> "A_B": "__" is reserved in macro names too
      guard += '_';
      ++i;
    } else {
      guard += (ns[i] >= 'a' && ns[i] <= 'z') ? static_cast<char>(ns[i] - 'a' + 'A') : ns[i];
    }
  }
  guard += "_HPP";
  const char* type = std::is_same_v<T, float> ? "float" : "double";

  std::string& out = r.value;
  out += "// Generated by tapeless::io::export_header: the parameters of a model, for a build\n"
         "// that needs them without a file system. Do not edit.\n"
         "// Values are in shortest round-trip form: each reads back as exactly the value saved.\n";
  out += "#ifndef " + guard + "\n#define " + guard + "\n\n#include <cstddef>\n\n";
  out += "namespace " + std::string(ns) + " {\n";
  for (std::size_t i = 0; i < Set::count; ++i) {
    const std::string& id = ids[i];
    const auto rows = std::to_string(Set::rows[i]), cols = std::to_string(Set::cols[i]);
    const std::span<const T> values(params.data() + Set::offsets[i], Set::sizes[i]);
    if (values.empty()) return fail("tensor '" + std::string(Set::names[i]) + "' is empty (a C++ array cannot be)");
    out += "\n// " + std::string(Set::names[i]) + ": " + rows + " x " + cols + ", row-major\n";
    out += "inline constexpr std::size_t " + id + "_rows = " + rows + ";\n";
    out += "inline constexpr std::size_t " + id + "_cols = " + cols + ";\n";
    out += "inline constexpr " + std::string(type) + " " + id + "[" + std::to_string(values.size()) + "] = {";
    for (std::size_t k = 0; k < values.size(); ++k) {
      // A literal cannot spell NaN or infinity: such a model is broken, not exportable.
      if (!std::isfinite(values[k]))
        return fail("tensor '" + std::string(Set::names[i]) + "' element " + std::to_string(k) +
                    " is not finite (NaN or infinity)");
      out += k % 6 == 0 ? "\n    " : " ";
      append_literal(out, values[k]);
      out += ',';
    }
    out += "\n};\n";
  }
  out += "\n}  // namespace " + std::string(ns) + "\n\n#endif\n";
  return r;
}

}  // namespace detail

/// Writes the tensors of `params` as a C++ header for an inference-only build that includes
/// it and needs no file system: per tensor, `inline constexpr float fc1_weight[16] = {...};`
/// with `fc1_weight_rows` and `fc1_weight_cols`, in namespace `namespace_name` ("model" or
/// "my::model"). Names become identifiers ("fc1.weight" -> "fc1_weight"); values are written
/// in shortest round-trip form (std::to_chars) and read back bit for bit. Fails without
/// writing anything on an invalid namespace, two names that become one identifier, or a
/// value that is NaN or infinite.
///
///   io::export_header("weights.hpp", params, "xor_model");
///   // elsewhere: #include "weights.hpp"  ...  xor_model::fc1_weight[0]
template <class Set>
status export_header(std::ostream& out, const Set& params, std::string_view namespace_name) {
  static_assert(detail::tensor_set_like<Set>, "tapeless::io::export_header writes an nn::tensor_set");
  auto text = detail::header_text(params, namespace_name);
  if (!text) return text.status;
  out.write(text.value.data(), static_cast<std::streamsize>(text.value.size()));
  out.flush();
  if (!out) return status::failure(error::cannot_write, "export_header: the stream failed while writing");
  return {};
}

/// The same to a file, replaced atomically (as save_checkpoint does), so that a build never
/// sees a half-written header.
template <class Set>
status export_header(const std::filesystem::path& path, const Set& params, std::string_view namespace_name) {
  static_assert(detail::tensor_set_like<Set>, "tapeless::io::export_header writes an nn::tensor_set");
  auto text = detail::header_text(params, namespace_name);
  if (!text) return text.status;
  status s = detail::write_file_atomically(path, std::as_bytes(std::span(text.value)));
  if (!s) s.message = "export_header(" + detail::quoted(path) + "): " + s.message;
  return s;
}

}  // namespace tapeless::io

#endif
