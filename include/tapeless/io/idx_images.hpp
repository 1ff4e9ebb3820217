#ifndef TAPELESS_IO_IDX_IMAGES_HPP
#define TAPELESS_IO_IDX_IMAGES_HPP

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "idx.hpp"
#include "status.hpp"

namespace tapeless::io {

/// Images as a network takes them: `count` samples of rows x cols pixels, one after another,
/// each pixel a float in [0, 1].
struct image_set {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<float> pixels;  ///< count x rows x cols, row-major

  std::size_t features() const { return rows * cols; }
};

/// Converts an IDX array of unsigned bytes with dimensions count x rows x cols (MNIST's
/// "idx3-ubyte") to images with pixels in [0, 1] (byte / 255).
inline result<image_set> to_images(const idx_array& a) {
  result<image_set> r;
  if (a.type != idx_type::u8 || a.dims.size() != 3) {
    r.status = status::failure(error::invalid_argument,
                               "expected unsigned bytes with 3 dimensions (count x rows x cols), found " +
                                   std::to_string(a.dims.size()) + " dimensions of type code " +
                                   std::to_string(static_cast<int>(a.type)));
    return r;
  }
  r.value.count = a.dims[0];
  r.value.rows = a.dims[1];
  r.value.cols = a.dims[2];
  r.value.pixels.resize(a.bytes.size());
  for (std::size_t i = 0; i < a.bytes.size(); ++i) r.value.pixels[i] = static_cast<float>(a.bytes[i]) / 255.0f;
  return r;
}

/// Reads images from an IDX file (plain or .gz) of unsigned bytes, count x rows x cols, as
/// floats in [0, 1]. Needs zlib (-lz).
///
///   auto images = io::read_idx_images(dir / "train-images-idx3-ubyte.gz");
///   // images.value.pixels: 60000 x 784 floats for Fashion-MNIST
inline result<image_set> read_idx_images(const std::filesystem::path& path) {
  auto a = read_idx(path);
  if (!a) return {{}, a.status};
  auto r = to_images(a.value);
  if (!r) r.status.message = "read_idx_images(" + detail::quoted(path) + "): " + r.status.message;
  return r;
}

}  // namespace tapeless::io

#endif
