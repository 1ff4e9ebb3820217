#ifndef TAPELESS_TESTS_IO_TEMP_FILE_HPP
#define TAPELESS_TESTS_IO_TEMP_FILE_HPP

// Helpers shared by the tests of tests/io/ that go through files: a fresh directory per test
// case, and whole files written and read as bytes.

#include <boost/test/framework.hpp>
#include <boost/test/tree/test_unit.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace tapeless_test {

/// An empty directory for the running test case, removed with its contents when the object
/// goes (even when a BOOST_REQUIRE throws): <temp>/tapeless-<module>-<pid>-<test case>. The
/// pid keeps apart the test builds and ctest -j, which run the same test at the same time.
class scratch {
 public:
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("tapeless-" + boost::unit_test::framework::master_test_suite().p_name.get() + "-" +
       std::to_string(::getpid()) + "-" +
       boost::unit_test::framework::current_test_case().p_name.get());

  scratch() {
    std::filesystem::remove_all(dir);  // left by a run that was killed
    std::filesystem::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
};

/// Writes `bytes` to `path`, replacing the file.
inline void write_file(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

/// The bytes of the file at `path` (none when it cannot be read).
inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::byte> bytes;
  for (char c; in.get(c);) bytes.push_back(static_cast<std::byte>(c));
  return bytes;
}

}  // namespace tapeless_test

#endif
