#define BOOST_TEST_MODULE io_csv
#include <boost/test/unit_test.hpp>

#include <tapeless/io/csv.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "temp_file.hpp"

namespace fs = std::filesystem;
namespace io = tapeless::io;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void check_error(std::string_view text, io::csv_options options, io::error code, const std::string& part) {
  const auto t = io::parse_csv(text, options);
  BOOST_TEST((t.status.code == code), t.status.message);
  BOOST_TEST(contains(t.status.message, part), t.status.message);
  BOOST_TEST(t.value.values.empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(numbers_with_and_without_header) {
  auto t = io::parse_csv("x,y\n1,2\n3.5,-4e-3\n", {.header = true});
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t.value.columns == (std::vector<std::string>{"x", "y"}), boost::test_tools::per_element());
  BOOST_TEST(t.value.rows == 2u);
  BOOST_TEST(t.value.cols == 2u);
  BOOST_TEST(t.value.at(1, 0) == 3.5);
  BOOST_TEST(t.value.at(1, 1) == -4e-3);

  t = io::parse_csv("1,2,3\n4,5,6");  // no final newline
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t.value.columns.empty());
  BOOST_TEST(t.value.values == (std::vector<double>{1, 2, 3, 4, 5, 6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tolerated_variations) {
  // A byte order mark, CRLF, blanks around fields, quotes, '+', blank lines, ';' delimiter.
  const auto t = io::parse_csv("\xEF\xBB\xBF\"a\" ; \"b\"\r\n\r\n +1 ; \"2.5\"\r\n\n 0.1;1e300 \r\n", {.header = true, .delimiter = ';'});
  BOOST_TEST_REQUIRE(t.ok(), t.status.message);
  BOOST_TEST(t.value.columns == (std::vector<std::string>{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(t.value.values == (std::vector<double>{1, 2.5, 0.1, 1e300}), boost::test_tools::per_element());
  const auto tabs = io::parse_csv("1\t2\n", {.delimiter = '\t'});
  BOOST_TEST(tabs.value.values == (std::vector<double>{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(errors_name_line_and_column) {
  check_error("x,y\n1,2\n3,abc\n", {.header = true}, io::error::not_a_number, "line 3, column 2 ('y'): 'abc' is not a number");
  check_error("1,2\n\n3,4x\n", {}, io::error::not_a_number, "line 3, column 2: '4x' is not a number");
  check_error("1,,2\n", {}, io::error::not_a_number, "line 1, column 2: empty field, not a number");
  check_error("1e999\n", {}, io::error::not_a_number, "line 1, column 1: '1e999' is out of the range of double");
  check_error("++1\n", {}, io::error::not_a_number, "'++1' is not a number");
  check_error("1,2\n3,4\n5\n", {}, io::error::ragged_row, "line 3 has 1 fields, but line 1 has 2");
  check_error("a,b\n1,2,3\n", {.header = true}, io::error::ragged_row, "line 2 has 3 fields, but line 1 has 2");
  check_error("", {}, io::error::empty, "no data: the text is empty or blank");
  check_error("\n  \n\r\n", {}, io::error::empty, "no data: the text is empty or blank");
  check_error("\nx,y\n", {.header = true}, io::error::empty, "no data rows after the header on line 2");
  check_error("1,2\n", {.header = true}, io::error::empty, "no data rows after the header on line 1");
}

BOOST_AUTO_TEST_CASE(files) {
  const tapeless_test::scratch s;
  std::ofstream(s.dir / "data.csv") << "x,y\n0.25,1\n-2,nan\n";
  const auto t = io::read_csv(s.dir / "data.csv", {.header = true});
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t.value.at(1, 0) == -2.0);
  BOOST_TEST(std::isnan(t.value.at(1, 1)));
  std::ofstream(s.dir / "bad.csv") << "x,y\n0.25,1\n-2,n/a\n";
  auto bad = io::read_csv(s.dir / "bad.csv", {.header = true});
  BOOST_TEST((bad.status.code == io::error::not_a_number));
  BOOST_TEST(contains(bad.status.message, "read_csv('" + (s.dir / "bad.csv").string() + "'): line 3, column 2 ('y'): 'n/a'"),
             bad.status.message);
  bad = io::read_csv(s.dir / "missing.csv");
  BOOST_TEST((bad.status.code == io::error::cannot_open));
  BOOST_TEST(contains(bad.status.message, "cannot open"), bad.status.message);
}
