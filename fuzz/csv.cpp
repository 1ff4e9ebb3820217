// libFuzzer target: io::parse_csv on arbitrary text, the first byte choosing the options.
// Built and run by fuzz/run.sh. Beyond "no crash": a success is a full rows x cols table.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <tapeless/io/csv.hpp>

namespace io = tapeless::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const io::csv_options options{.header = (data[0] & 1) != 0, .delimiter = ",;\t|"[(data[0] >> 1) & 3]};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto r = io::parse_csv(text, options);
  if (!r.ok()) {
    if (r.status.message.empty() || !r.value.values.empty()) std::abort();
    return 0;
  }
  if (r.value.rows == 0 || r.value.values.size() != r.value.rows * r.value.cols) std::abort();
  if (options.header && r.value.columns.size() != r.value.cols) std::abort();
  return 0;
}
