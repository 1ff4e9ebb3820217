#define BOOST_TEST_MODULE io_idx
#include <boost/test/unit_test.hpp>

#include <tapeless/io/idx.hpp>
#include <tapeless/io/idx_images.hpp>
#include <tapeless/io/idx_labels.hpp>
#include <tapeless/io/one_hot.hpp>

#include <bit>
#include <filesystem>
#include <span>
#include <string>
#include <vector>
#include <zlib.h>

#include "temp_file.hpp"

namespace fs = std::filesystem;
namespace io = tapeless::io;
using tapeless_test::read_file;
using tapeless_test::scratch;
using tapeless_test::write_file;

namespace {

/// An IDX file: magic 00 00 type ndims, big-endian dimensions, then `payload` as given.
std::vector<std::byte> make_idx(std::uint8_t type, const std::vector<std::uint32_t>& dims,
                                const std::vector<std::uint8_t>& payload) {
  std::vector<std::byte> b{std::byte{0}, std::byte{0}, std::byte{type}, static_cast<std::byte>(dims.size())};
  for (const auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::byte>(d >> s));
  for (const auto p : payload) b.push_back(std::byte{p});
  return b;
}

std::vector<std::uint8_t> big_endian(std::uint64_t bits, int bytes) {
  std::vector<std::uint8_t> v;
  for (int i = bytes - 1; i >= 0; --i) v.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void write_gzip(const fs::path& p, std::span<const std::byte> b) {
  gzFile f = gzopen(p.c_str(), "wb");
  BOOST_REQUIRE(f);
  BOOST_REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  BOOST_REQUIRE(gzclose(f) == Z_OK);
}

/// Two 2x3 images: pixels 0, 51, ..., 255 and their reverse.
const auto images = make_idx(0x08, {2, 2, 3}, {0, 51, 102, 153, 204, 255, 255, 204, 153, 102, 51, 0});
const auto labels = make_idx(0x08, {4}, {3, 0, 9, 3});

}  // namespace

BOOST_AUTO_TEST_CASE(unsigned_bytes) {
  const auto a = io::parse_idx(images);
  BOOST_REQUIRE(a.ok());
  BOOST_TEST((a.value.type == io::idx_type::u8));
  BOOST_TEST(a.value.dims == (std::vector<std::size_t>{2, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(a.value.bytes.size() == 12u);
  BOOST_TEST(a.value.bytes[5] == 255);
  BOOST_TEST(a.value[6] == 255.0);
  BOOST_TEST(a.value.values.empty());
}

BOOST_AUTO_TEST_CASE(every_element_type_big_endian) {
  auto a = io::parse_idx(make_idx(0x09, {2}, {0x80, 0x7F}));
  BOOST_TEST(a.value.values == (std::vector<double>{-128, 127}), boost::test_tools::per_element());
  a = io::parse_idx(make_idx(0x0B, {2}, {0xFF, 0xFE, 0x01, 0x02}));
  BOOST_TEST(a.value.values == (std::vector<double>{-2, 258}), boost::test_tools::per_element());
  a = io::parse_idx(make_idx(0x0C, {1}, {0x80, 0, 0, 0}));
  BOOST_TEST(a.value.values == (std::vector<double>{-2147483648.0}), boost::test_tools::per_element());
  a = io::parse_idx(make_idx(0x0D, {1}, big_endian(std::bit_cast<std::uint32_t>(-1.5f), 4)));
  BOOST_TEST(a.value.values == (std::vector<double>{-1.5}), boost::test_tools::per_element());
  a = io::parse_idx(make_idx(0x0E, {1, 1}, big_endian(std::bit_cast<std::uint64_t>(0.1), 8)));
  BOOST_TEST(a.value.values == (std::vector<double>{0.1}), boost::test_tools::per_element());
  BOOST_TEST((a.value.type == io::idx_type::f64));
  a = io::parse_idx(make_idx(0x08, {0, 5}, {}));  // no elements is fine
  BOOST_TEST(a.ok());
  BOOST_TEST(a.value.size() == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_files_are_named) {
  const auto check = [](const std::vector<std::byte>& b, io::error code, const std::string& part) {
    const auto a = io::parse_idx(b);
    BOOST_TEST((a.status.code == code), a.status.message);
    BOOST_TEST(contains(a.status.message, part), a.status.message);
    if (code != io::error::none) BOOST_TEST(a.value.dims.empty());
  };
  check({}, io::error::empty, "empty file");
  check({std::byte{0}, std::byte{0}, std::byte{8}}, io::error::truncated, "truncated at offset 3: in the magic number");
  check(make_idx(0x08, {1}, {7}), io::error::none, "");
  auto b = images;
  b[1] = std::byte{1};
  check(b, io::error::not_recognized, "not an IDX file: it does not begin with two zero bytes");
  check(make_idx(0x0A, {1}, {7}), io::error::unknown_type, "unknown IDX element type 0x0A");
  check(make_idx(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {}), io::error::size_overflow,
        "dimensions 4294967295 x 4294967295 x 4294967295 overflow");
  check(make_idx(0x0E, {0x7FFFFFFF, 0x7FFFFFFF, 0x10}, {}), io::error::size_overflow, "overflow");
  b = images;
  b.resize(9);
  check(b, io::error::truncated, "truncated at offset 9: the header declares 3 dimensions but ends within dimension 2");
  b = images;
  b.pop_back();
  check(b, io::error::truncated,
        "truncated at offset 27: the dimensions 2 x 2 x 3 need 12 bytes of data after the header, only 11 follow");
  check(make_idx(0x08, {0xFFFFFF, 0xFFFF}, {1, 2, 3}), io::error::truncated, "only 3 follow");
  b = images;
  b.push_back(std::byte{0});
  check(b, io::error::trailing_data, "trailing data after offset 28, where the dimensions 2 x 2 x 3 say the data ends");
}

BOOST_AUTO_TEST_CASE(files_plain_and_gzipped) {
  scratch s;
  write_file(s.dir / "images-idx3-ubyte", images);
  write_gzip(s.dir / "images-idx3-ubyte.gz", images);
  const auto plain = io::read_idx(s.dir / "images-idx3-ubyte");
  const auto gz = io::read_idx(s.dir / "images-idx3-ubyte.gz");
  BOOST_TEST(plain.ok(), plain.status.message);
  BOOST_TEST(gz.ok(), gz.status.message);
  BOOST_TEST(plain.value.dims == gz.value.dims, boost::test_tools::per_element());
  BOOST_TEST(plain.value.bytes == gz.value.bytes, boost::test_tools::per_element());
  BOOST_TEST((read_file(s.dir / "images-idx3-ubyte.gz")[0] == std::byte{0x1f}));  // really gzip

  // A malformed file reads the same way when compressed.
  auto b = images;
  b.push_back(std::byte{0});
  write_gzip(s.dir / "trailing.gz", b);
  auto a = io::read_idx(s.dir / "trailing.gz");
  BOOST_TEST((a.status.code == io::error::trailing_data), a.status.message);
  BOOST_TEST(contains(a.status.message, "read_idx('" + (s.dir / "trailing.gz").string() + "'): trailing data"),
             a.status.message);

  // A .gz cut short, and one with a corrupt byte inside the compressed stream.
  std::vector<std::byte> big;
  for (int i = 0; i < 3000; ++i) big.push_back(static_cast<std::byte>((i * 7919) % 251));
  const auto big_idx = make_idx(0x08, {3000}, std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(big.data()),
                                                                        reinterpret_cast<const std::uint8_t*>(big.data()) + big.size()));
  write_gzip(s.dir / "big.gz", big_idx);
  const auto compressed = read_file(s.dir / "big.gz");
  write_file(s.dir / "cut.gz", std::span(compressed).first(compressed.size() / 2));
  a = io::read_idx(s.dir / "cut.gz");
  BOOST_TEST((a.status.code == io::error::truncated), a.status.message);
  BOOST_TEST(contains(a.status.message, "gzip stream ends unexpectedly"), a.status.message);
  auto corrupt = compressed;
  corrupt[compressed.size() - 6] ^= std::byte{0xFF};  // inside the CRC-32 of the gzip trailer
  write_file(s.dir / "corrupt.gz", corrupt);
  a = io::read_idx(s.dir / "corrupt.gz");
  BOOST_TEST(!a.ok());
  BOOST_TEST(contains(a.status.message, "cannot decompress"), a.status.message);

  a = io::read_idx(s.dir / "missing.gz");
  BOOST_TEST((a.status.code == io::error::cannot_open));
  BOOST_TEST(contains(a.status.message, "cannot open '" + (s.dir / "missing.gz").string() + "'"), a.status.message);
}

BOOST_AUTO_TEST_CASE(images_labels_one_hot) {
  scratch s;
  write_gzip(s.dir / "images.gz", images);
  write_file(s.dir / "labels", labels);
  const auto im = io::read_idx_images(s.dir / "images.gz");
  BOOST_REQUIRE(im.ok());
  BOOST_TEST(im.value.count == 2u);
  BOOST_TEST(im.value.rows == 2u);
  BOOST_TEST(im.value.cols == 3u);
  BOOST_TEST(im.value.features() == 6u);
  BOOST_TEST(im.value.pixels == (std::vector<float>{0, .2f, .4f, .6f, .8f, 1, 1, .8f, .6f, .4f, .2f, 0}),
             boost::test_tools::per_element());

  const auto lb = io::read_idx_labels(s.dir / "labels");
  BOOST_REQUIRE(lb.ok());
  BOOST_TEST(lb.value == (std::vector<std::size_t>{3, 0, 9, 3}), boost::test_tools::per_element());
  const auto hot = io::one_hot(lb.value, 10);
  BOOST_REQUIRE(hot.ok());
  BOOST_TEST(hot.value.size() == 40u);
  BOOST_TEST(hot.value[3] == 1.0f);
  BOOST_TEST(hot.value[10] == 1.0f);
  BOOST_TEST(hot.value[29] == 1.0f);
  float sum = 0;
  for (const float v : hot.value) sum += v;
  BOOST_TEST(sum == 4.0f);
  const auto bad = io::one_hot(lb.value, 5);
  BOOST_TEST((bad.status.code == io::error::invalid_argument));
  BOOST_TEST(contains(bad.status.message, "label 2 is 9, not below the 5 classes"), bad.status.message);

  // The wrong kind of file for each helper.
  auto a = io::read_idx_images(s.dir / "labels");
  BOOST_TEST((a.status.code == io::error::invalid_argument));
  BOOST_TEST(contains(a.status.message, "expected unsigned bytes with 3 dimensions"), a.status.message);
  const auto l = io::read_idx_labels(s.dir / "images.gz");
  BOOST_TEST((l.status.code == io::error::invalid_argument));
  write_file(s.dir / "negative", make_idx(0x09, {2}, {1, 0xFF}));
  BOOST_TEST(contains(io::read_idx_labels(s.dir / "negative").status.message, "label 1 is negative"));
}

// Fashion-MNIST when the optional package is installed (scripts/install-deps.sh --data).
BOOST_AUTO_TEST_CASE(fashion_mnist_if_installed) {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir / "t10k-images-idx3-ubyte.gz")) {
    BOOST_TEST_MESSAGE("Fashion-MNIST is not installed: skipped");
    return;
  }
  const auto im = io::read_idx_images(dir / "t10k-images-idx3-ubyte.gz");
  const auto lb = io::read_idx_labels(dir / "t10k-labels-idx1-ubyte.gz");
  BOOST_REQUIRE(im.ok());
  BOOST_REQUIRE(lb.ok());
  BOOST_TEST(im.value.count == 10000u);
  BOOST_TEST(im.value.features() == 784u);
  BOOST_TEST(lb.value.size() == 10000u);
  BOOST_TEST(io::one_hot(lb.value, 10).ok());
}
