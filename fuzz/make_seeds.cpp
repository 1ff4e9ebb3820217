// Writes the seed corpora of the fuzz targets: valid files of each format, so that the
// fuzzer starts from inputs that pass every check. Used by fuzz/run.sh.
//   make_seeds <dir>   -> <dir>/checkpoint/, <dir>/idx/, <dir>/csv/

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/nn.hpp>
#include <tapeless/train/adam.hpp>

namespace fs = std::filesystem;
namespace io = tapeless::io;
namespace nn = tapeless::nn;

namespace {

constexpr auto loss = nn::mse(nn::dense<1, "fc2">(nn::tanh(nn::dense<3, "fc1">(nn::input<"x", 2>))), nn::target<"t", 1>);

void write(const fs::path& p, const void* data, std::size_t size) {
  std::ofstream(p, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}
void write(const fs::path& p, const std::vector<std::byte>& b) { write(p, b.data(), b.size()); }
void write(const fs::path& p, const std::string& s) { write(p, s.data(), s.size()); }

std::vector<std::byte> idx(std::uint8_t type, const std::vector<std::uint32_t>& dims, std::size_t element) {
  std::vector<std::byte> b{std::byte{0}, std::byte{0}, std::byte{type}, static_cast<std::byte>(dims.size())};
  std::size_t count = 1;
  for (const auto d : dims) {
    count *= d;
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::byte>(d >> s));
  }
  for (std::size_t i = 0; i < count * element; ++i) b.push_back(static_cast<std::byte>(i * 37));
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const fs::path dir = argv[1];
  for (const char* sub : {"checkpoint", "idx", "csv"}) fs::create_directories(dir / sub);

  decltype(nn::compile<1>(loss))::parameters p, m;
  decltype(nn::compile<1, double>(loss))::parameters d;
  for (std::size_t i = 0; i < p.total_size; ++i) {
    p.data()[i] = static_cast<float>(i) * 0.25f - 1;
    m.data()[i] = 1.0f / static_cast<float>(i + 1);
    d.data()[i] = static_cast<double>(i) * 0.1;
  }
  write(dir / "checkpoint" / "float", io::serialize_checkpoint(p));
  write(dir / "checkpoint" / "float-two-sets", io::serialize_checkpoint(p, m));
  write(dir / "checkpoint" / "double", io::serialize_checkpoint(d));
  tapeless::train::adam<decltype(p)> adam;
  adam.first_moment() = m;
  adam.set_steps(42);
  write(dir / "checkpoint" / "float-adam", io::serialize_checkpoint(p, adam));

  write(dir / "idx" / "images", idx(0x08, {3, 4, 5}, 1));
  write(dir / "idx" / "labels", idx(0x08, {10}, 1));
  write(dir / "idx" / "i8", idx(0x09, {4}, 1));
  write(dir / "idx" / "i16", idx(0x0B, {2, 3}, 2));
  write(dir / "idx" / "i32", idx(0x0C, {3}, 4));
  write(dir / "idx" / "f32", idx(0x0D, {2, 2}, 4));
  write(dir / "idx" / "f64", idx(0x0E, {1, 2, 1}, 8));

  write(dir / "csv" / "header", std::string("\x01") + "x,y\n1,2\n3.5,-4e-3\n");
  write(dir / "csv" / "plain", std::string("\x00", 1) + "1,2,3\r\n4,5,6\r\n\r\n7,8,9");
  write(dir / "csv" / "semicolon", std::string("\x03") + "\"a\";\"b\"\n+1;\"2\"\n nan ; inf \n");
  return 0;
}
