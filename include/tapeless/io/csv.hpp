#ifndef TAPELESS_IO_CSV_HPP
#define TAPELESS_IO_CSV_HPP

#include <charconv>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "detail/bytes.hpp"
#include "detail/file.hpp"
#include "status.hpp"

namespace tapeless::io {

/// How parse_csv and read_csv read a table.
struct csv_options {
  bool header = false;    ///< the first line names the columns
  char delimiter = ',';   ///< ';' and '\t' are common too
};

/// A table of numbers: `rows` x `cols` values, row after row, and the column names when the
/// text had a header line.
struct csv_table {
  std::vector<std::string> columns;  ///< from the header line; empty without one
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  ///< rows x cols, row-major

  double at(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
};

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// A field without its surrounding blanks and double quotes, as spreadsheets write them.
inline std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

/// Splits a line at the delimiter (no quoted delimiters: the fields are numbers).
inline void split(std::string_view line, char delimiter, std::vector<std::string_view>& fields) {
  fields.clear();
  for (;;) {
    const auto end = line.find(delimiter);
    fields.push_back(line.substr(0, end));
    if (end == std::string_view::npos) return;
    line.remove_prefix(end + 1);
  }
}

/// The whole of `field` as a double, or false: from_chars is locale-independent (a ',' in
/// a German locale never becomes a decimal point) and exact.
inline bool parse_number(std::string_view field, double& value, bool& out_of_range) {
  if (!field.empty() && field.front() == '+') field.remove_prefix(1);  // from_chars refuses '+'
  if (field.empty() || field.front() == '+' || field.front() == ' ') return false;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  out_of_range = ec == std::errc::result_out_of_range;
  return ec == std::errc{} && end == field.data() + field.size();
}

}  // namespace detail

/// Parses comma-separated numbers (or another delimiter) into a table: one row per line,
/// blank lines skipped, "\r\n" line ends, blanks around fields and double quotes around a
/// field allowed. Fails with the line and column of the first field that is not a number,
/// of the first row with another number of fields, or when there is no data at all.
///
///   auto t = io::parse_csv("x,y\n1,2\n3,4\n", {.header = true});
///   // t.value.columns == {"x", "y"}, t.value.at(1, 0) == 3
inline result<csv_table> parse_csv(std::string_view text, const csv_options& options = {}) {
  result<csv_table> r;
  csv_table& table = r.value;
  const auto fail = [&](error code, std::string message) {
    r.status = status::failure(code, std::move(message));
    r.value = {};
    return r;
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark

  std::vector<std::string_view> fields;
  std::size_t line_number = 0, first_line = 0;
  bool header_pending = options.header;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (detail::trim(line).empty()) continue;

    detail::split(line, options.delimiter, fields);
    if (first_line == 0) {
      first_line = line_number;
      table.cols = fields.size();
    } else if (fields.size() != table.cols) {
      return fail(error::ragged_row, "line " + std::to_string(line_number) + " has " + std::to_string(fields.size()) +
                                         " fields, but line " + std::to_string(first_line) + " has " +
                                         std::to_string(table.cols));
    }
    if (header_pending) {
      for (const auto f : fields) table.columns.emplace_back(detail::unquote(f));
      header_pending = false;
      continue;
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string_view field = detail::unquote(fields[c]);
      double value = 0;
      bool out_of_range = false;
      if (!detail::parse_number(field, value, out_of_range)) {
        std::string where = "line " + std::to_string(line_number) + ", column " + std::to_string(c + 1);
        if (!table.columns.empty()) where += " ('" + detail::printable(table.columns[c]) + "')";
        return fail(error::not_a_number, where + ": " +
                                             (field.empty() ? std::string("empty field, not a number")
                                                            : "'" + detail::printable(field) + "' " +
                                                                  (out_of_range ? "is out of the range of double"
                                                                                : "is not a number")));
      }
      table.values.push_back(value);
    }
    ++table.rows;
  }
  if (table.rows == 0)
    return fail(error::empty, first_line == 0 ? "no data: the text is empty or blank"
                                              : "no data rows after the header on line " + std::to_string(first_line));
  return r;
}

/// Reads a file of comma-separated numbers: see parse_csv.
///
///   auto t = io::read_csv("data.csv", {.header = true});
///   if (!t) std::cerr << t.status.message << '\n';  // "read_csv('data.csv'): line 7, column 2 ('y'): 'n/a' is not a number"
inline result<csv_table> read_csv(const std::filesystem::path& path, const csv_options& options = {}) {
  auto file = detail::read_file(path);
  result<csv_table> r;
  if (!file) r.status = file.status;
  else r = parse_csv(std::string_view(reinterpret_cast<const char*>(file.value.data()), file.value.size()), options);
  if (!r) r.status.message = "read_csv(" + detail::quoted(path) + "): " + r.status.message;
  return r;
}

}  // namespace tapeless::io

#endif
