#ifndef TAPELESS_LOWER_GEMM_HPP
#define TAPELESS_LOWER_GEMM_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../simd/batch.hpp"

namespace tapeless::lower::detail {

// Register-blocked matrix products out (+)= A B with every size a compile-time constant,
// the engine of the three dense products of lower::simd_kernels.
//
// A tile of MR x NV vectors of `out` lives in registers while the product runs along the
// common dimension k: per step, NV vectors of one row of B are loaded and each of the MR
// values of A's column is broadcast and multiplied into them (6 x 2 vectors with AVX2: 12
// accumulators, 2 loads of B and 6 broadcasts for 12 FMAs). B is read where it lies,
// through compile-time strides, unless its columns are not contiguous (the forward product,
// which multiplies by a transpose) or its rows lie a multiple of 1 KiB apart (they would
// share a few sets of L1): then it is packed, one panel of columns at a time, into a stack
// buffer of at most 1024 x NR values (64 KiB of floats with AVX2). A is read in
// place, or, for the weight gradient, packed tile by tile (packed_a). Depth is cut into
// blocks: of at most `max_depth` where B is read in place, so that a panel of B stays in
// L1 while every tile of rows passes over it; deeper where B is packed (transposed_b).

template <class T>
using vec = simd::batch<T>;

// The register tile must stay in registers: g++ otherwise declines to inline the unrolled
// bodies of large tiles and passes the accumulators through memory (3x slower).
#if defined(__GNUC__)
#define TAPELESS_KERNEL_INLINE inline __attribute__((always_inline))
#else
#define TAPELESS_KERNEL_INLINE inline
#endif

template <class F, std::size_t... I>
TAPELESS_KERNEL_INLINE void unroll_sequence(F& f, std::index_sequence<I...>) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}

/// Calls f(integral_constant<I>) for I = 0 .. N-1, unrolled.
template <std::size_t N, class F>
TAPELESS_KERNEL_INLINE void unroll(F&& f) {
  unroll_sequence(f, std::make_index_sequence<N>{});
}

/// Calls tile(start, integral_constant<width>) over [0, Total) in tiles of Width and one
/// remainder tile.
template <std::size_t Total, std::size_t Width, class F>
inline void for_tiles(F&& tile) {
  std::size_t start = 0;
  for (; start + Width <= Total; start += Width)
    tile(start, std::integral_constant<std::size_t, Width>{});
  if constexpr (Total % Width != 0)
    tile(start, std::integral_constant<std::size_t, Total % Width>{});
}

/// Rows of the register tile: 6 rows x 2 vectors take 12 of the 16 vector registers of
/// AVX2 or SSE, leaving room for the two vectors of B and one broadcast.
inline constexpr std::size_t tile_rows = 6;

/// Calls tile(start, integral_constant<rows>) over [0, M) in tiles of tile_rows, except that
/// a remainder of 1 or 2 rows joins the last whole tile and the two split evenly (4 + 3,
/// 4 + 4): a tile of 1 or 2 rows has too few accumulators to hide the latency of an FMA.
template <std::size_t M, class F>
inline void for_row_tiles(F&& tile) {
  constexpr std::size_t rest = M % tile_rows;
  if constexpr (M > tile_rows && (rest == 1 || rest == 2)) {
    constexpr std::size_t last = tile_rows + rest, head = M - last;
    for_tiles<head, tile_rows>(tile);
    tile(head, std::integral_constant<std::size_t, (last + 1) / 2>{});
    tile(head + (last + 1) / 2, std::integral_constant<std::size_t, last / 2>{});
  } else {
    for_tiles<M, tile_rows>(tile);
  }
}

/// Vectors per tile row: two, or one when the output is no wider than a vector.
template <class T, std::size_t Cols>
inline constexpr std::size_t tile_vectors = Cols > vec<T>::size ? 2 : 1;

/// Deepest block of the common dimension where B is read in place: a panel of B
/// (max_depth x NR) fills half of L1.
inline constexpr std::size_t max_depth = 256;

/// K split into equal blocks of at most Max (max_depth unless said otherwise).
template <std::size_t K, std::size_t Max = max_depth>
inline constexpr std::size_t depth_block = (K + (K + Max - 1) / Max - 1) / ((K + Max - 1) / Max);

/// Whether rows `ld` values apart share few sets of L1: a multiple of 1 KiB apart, they fall
/// into at most 4 of the 64 sets of a 32 KiB L1 (4 KiB apart: one set, 8 of 256 rows stay),
/// so an operand read row by row along them is packed instead.
template <class T>
constexpr bool rows_share_l1_sets(std::size_t ld) {
  return ld * sizeof(T) % 1024 == 0;
}

/// Size of a B read in place below which tiles run row by row.
inline constexpr std::size_t small_operand_bytes = 16 * 1024;

/// acc[i][v] += sum_{k < depth} a[i * AM + k * AK] * b[k * BK + v * lanes ..]
template <std::size_t MR, std::size_t NV, std::size_t AM, std::size_t AK, std::size_t BK, class T>
TAPELESS_KERNEL_INLINE void multiply_tile(std::size_t depth, const T* a, const T* b,
                                          vec<T> (&acc)[MR][NV]) {
  using V = vec<T>;
  for (std::size_t k = 0; k < depth; ++k) {
    V bv[NV];
    unroll<NV>([&](auto v) { bv[v] = V::load_unaligned(b + k * BK + v * V::size); });
    unroll<MR>([&](auto i) {
      const V av(a[i * AM + k * AK]);
      unroll<NV>([&](auto v) { acc[i][v] = simd::fma(av, bv[v], acc[i][v]); });
    });
  }
}

/// A vector of U (a batch, or T itself for one value) loaded from p, or stored at p.
template <class U, class T>
TAPELESS_KERNEL_INLINE U load(const T* p) {
  if constexpr (std::is_same_v<U, T>) return *p;
  else return U::load_unaligned(p);
}
template <class U, class T>
TAPELESS_KERNEL_INLINE void store(const U& u, T* p) {
  if constexpr (std::is_same_v<U, T>) *p = u;
  else u.store_unaligned(p);
}

/// The tile stored as it is.
struct no_epilogue {
  static constexpr bool active = false;
};

/// A packed as it is.
struct no_prologue {
  static constexpr bool active = false;
};

/// The bias of a dense layer's forward product, added to each tile of the last block of
/// depth while it is in registers, before the tile is stored: the pass over the layer's
/// output that would add it afterwards is saved. `bias` runs along the output's columns
/// (row_major_out, the forward product with the features as columns).
template <class T>
struct bias_epilogue {
  static constexpr bool active = true;
  const T* bias;

  /// Stores the finished value(s) s at o.
  template <class S>
  TAPELESS_KERNEL_INLINE void store(const S& s, T* o) const {
    detail::store(s, o);
  }
};

/// out[i * LD + j] (+)= tile (i, j) for the first Valid columns: the tile lands as it is
/// (rows of `out` are rows of the tile).
template <std::size_t LD>
struct row_major_out {
  static constexpr std::size_t offset(std::size_t m, std::size_t n) { return m * LD + n; }

  template <std::size_t Valid, std::size_t MR, std::size_t NV, class T>
  TAPELESS_KERNEL_INLINE static void store(const vec<T> (&acc)[MR][NV], T* out, bool add) {
    using V = vec<T>;
    unroll<MR>([&](auto i) {
      unroll<NV>([&](auto v) {
        T* o = out + i * LD + v * V::size;
        if constexpr ((v + 1) * V::size <= Valid) {
          (add ? acc[i][v] + V::load_unaligned(o) : acc[i][v]).store_unaligned(o);
        } else if constexpr (v * V::size < Valid) {
          alignas(64) T lanes[V::size];
          acc[i][v].store_aligned(lanes);
          for (std::size_t j = 0; j < Valid - v * V::size; ++j)
            o[j] = add ? o[j] + lanes[j] : lanes[j];
        }
      });
    });
  }

  /// The tile at column n plus the epilogue's bias (one value per column), stored through
  /// the epilogue.
  template <std::size_t Valid, std::size_t MR, std::size_t NV, class T, class Epilogue>
  TAPELESS_KERNEL_INLINE static void finish(const vec<T> (&acc)[MR][NV], T* out, bool add,
                                            const Epilogue& e, std::size_t n) {
    using V = vec<T>;
    const T* bias = e.bias + n;
    unroll<NV>([&](auto v) {
      constexpr std::size_t first = v * V::size;
      if constexpr (first + V::size <= Valid) {
        const V b = V::load_unaligned(bias + first);
        unroll<MR>([&](auto i) {
          T* o = out + i * LD + first;
          e.store((add ? acc[i][v] + V::load_unaligned(o) : acc[i][v]) + b, o);
        });
      } else if constexpr (first < Valid) {
        alignas(64) T lanes[V::size];
        unroll<MR>([&](auto i) {
          T* o = out + i * LD + first;
          acc[i][v].store_aligned(lanes);
          for (std::size_t j = 0; j < Valid - first; ++j)
            e.store((add ? o[j] + lanes[j] : lanes[j]) + bias[first + j], o + j);
        });
      }
    });
  }
};

/// out[j * LD + i] (+)= tile (i, j) for the first Valid columns: the tile lands transposed
/// (the forward product when the samples are the vector dimension).
template <std::size_t LD>
struct transposed_out {
  static constexpr std::size_t offset(std::size_t m, std::size_t n) { return n * LD + m; }

  template <std::size_t Valid, std::size_t MR, std::size_t NV, class T>
  TAPELESS_KERNEL_INLINE static void store(const vec<T> (&acc)[MR][NV], T* out, bool add) {
    using V = vec<T>;
    alignas(64) T tile[MR][NV * V::size];
    unroll<MR>([&](auto i) {
      unroll<NV>([&](auto v) { acc[i][v].store_aligned(&tile[i][v * V::size]); });
    });
    for (std::size_t j = 0; j < Valid; ++j)
      for (std::size_t i = 0; i < MR; ++i)
        out[j * LD + i] = add ? out[j * LD + i] + tile[i][j] : tile[i][j];
  }
};

/// B(k, n) = b[k * LD + n]: rows of B are contiguous and are read in place, except a last
/// panel narrower than its vectors (copied into a zero-padded buffer) and rows a multiple of
/// 1 KiB apart (copied as they are).
template <std::size_t LD>
struct rows_of_b {
  /// Panels read in place, row by row a row of b apart: one block of depth stays in L1.
  static constexpr std::size_t depth_limit = max_depth;

  /// Whether each panel is copied because its rows share few sets of L1 (1024 x 1024 weight
  /// gradient at batch 1024: 66-110 -> 37-46 ms).
  template <class T>
  static constexpr bool strided = rows_share_l1_sets<T>(LD);

  /// Whether every panel is read in place (no buffer needed).
  template <std::size_t N, class T>
  static constexpr bool in_place = N % vec<T>::size == 0 && !strided<T>;

  template <class T>
  static const T* advance(const T* b, std::size_t k0) {
    return b + k0 * LD;
  }

  template <std::size_t Width, std::size_t PanelWidth, class T>
  static const T* panel(const T* b, std::size_t n0, std::size_t depth, T* buffer) {
    const T* src = b + n0;
    if constexpr (Width % vec<T>::size == 0 && strided<T>) {
      for (std::size_t k = 0; k < depth; ++k)
        for (std::size_t j = 0; j < PanelWidth; j += vec<T>::size)
          vec<T>::load_unaligned(src + k * LD + j).store_aligned(buffer + k * PanelWidth + j);
      return buffer;
    } else if constexpr (Width % vec<T>::size == 0) {
      return src;
    } else {
      for (std::size_t k = 0; k < depth; ++k)
        for (std::size_t j = 0; j < PanelWidth; ++j)
          buffer[k * PanelWidth + j] = j < Width ? src[k * LD + j] : T(0);
      return buffer;
    }
  }

  template <std::size_t Width, std::size_t PanelWidth, class T>
  static constexpr std::size_t stride = Width % vec<T>::size == 0 && !strided<T> ? LD : PanelWidth;
};

/// B(k, n) = b[n * LD + k]: B is the transpose of a row-major matrix; each panel of Width
/// of its rows is packed into [k][PanelWidth], zero-padded.
template <std::size_t LD>
struct transposed_b {
  /// Packed panels are read in order, which the prefetchers follow from L2: the block of
  /// depth need not fit L1, and each block costs a store and reload of every tile of `out`
  /// (value by value when it lands transposed). Forward 784 deep in one block instead of 4:
  /// 128x784 b32 62 -> 80 GFLOP/s, b256 67 -> 80.
  static constexpr std::size_t depth_limit = 1024;

  template <std::size_t N, class T>
  static constexpr bool in_place = false;

  template <class T>
  static const T* advance(const T* b, std::size_t k0) {
    return b + k0;
  }

  template <std::size_t Width, std::size_t PanelWidth, class T>
  static const T* panel(const T* b, std::size_t n0, std::size_t depth, T* buffer) {
    // Squares of lanes x lanes transposed in registers, the edges value by value.
    constexpr std::size_t lanes = vec<T>::size;
    constexpr std::size_t square_rows = Width / lanes * lanes;
    const std::size_t square_depth = depth / lanes * lanes;
    const T* src = b + n0 * LD;
    for (std::size_t j = 0; j < square_rows; j += lanes) {
      for (std::size_t k = 0; k < square_depth; k += lanes)
        simd::transpose_square(src + j * LD + k, LD, buffer + k * PanelWidth + j, PanelWidth);
      for (std::size_t k = square_depth; k < depth; ++k)
        for (std::size_t i = j; i < j + lanes; ++i) buffer[k * PanelWidth + i] = src[i * LD + k];
    }
    for (std::size_t j = square_rows; j < Width; ++j)
      for (std::size_t k = 0; k < depth; ++k) buffer[k * PanelWidth + j] = src[j * LD + k];
    for (std::size_t j = Width; j < PanelWidth; ++j)
      for (std::size_t k = 0; k < depth; ++k) buffer[k * PanelWidth + j] = T(0);
    return buffer;
  }

  template <std::size_t Width, std::size_t PanelWidth, class T>
  static constexpr std::size_t stride = PanelWidth;
};

/// A read where it lies: A(m, k) = a[m * AM + k * AK] (rows of W or of X along k, whose
/// values a tile broadcasts from one stream per row).
template <std::size_t AM, std::size_t AK>
struct rows_of_a {
  static constexpr bool packed = false;

  template <std::size_t Rows>
  static constexpr std::size_t row_stride = AM;
  template <std::size_t Rows>
  static constexpr std::size_t depth_stride = AK;

  template <class T>
  static const T* tile(const T* a, std::size_t m0, std::size_t) {
    return a + m0 * AM;
  }
};

/// A copied by pack_rows, tile after tile of tile_rows rows, each tile as [k][row]: a tile
/// reads its broadcasts from one contiguous stream. Pays when B is wide (every packed value
/// serves N / lanes FMAs) and B is read in place, so that the packing happens once per
/// block of depth (the weight gradient, where A is dY^T: a tile otherwise reads one line of
/// dY per step of depth).
template <std::size_t AM, std::size_t AK>
struct packed_a {
  static constexpr bool packed = true;

  template <std::size_t Rows>
  static constexpr std::size_t row_stride = 1;
  template <std::size_t Rows>
  static constexpr std::size_t depth_stride = Rows;

  template <class T>
  static const T* tile(const T* a, std::size_t m0, std::size_t depth) {
    return a + m0 * depth;
  }

  /// Copies `depth` columns of M rows of A into `packed`, tile after tile.
  template <std::size_t M, class T>
  static void pack(std::size_t depth, const T* a, T* packed) {
    for_row_tiles<M>([&](std::size_t m0, auto rows) {
      T* tile = packed + m0 * depth;
      for (std::size_t k = 0; k < depth; ++k)
        unroll<rows>([&](auto i) { tile[k * rows + i] = a[(m0 + i) * AM + k * AK]; });
    });
  }

  /// Like pack, but each column of A (M rows at row m_first, column k_first + k) is first
  /// computed by the prologue into a line on the stack: A is a function of other arrays
  /// (a dense layer's delta, from its dy, z and y), evaluated once, as it is packed.
  template <std::size_t M, class T, class Prologue>
  static void pack_through(std::size_t depth, const Prologue& prologue, std::size_t m_first,
                           std::size_t k_first, T* packed) {
    static_assert(AM == 1, "a prologue computes columns of A whose rows are contiguous");
    alignas(64) T line[M];
    for (std::size_t k = 0; k < depth; ++k) {
      prologue.template column<M>(m_first, k_first + k, line);
      for_row_tiles<M>([&](std::size_t m0, auto rows) {
        T* tile = packed + m0 * depth;
        unroll<rows>([&](auto i) { tile[k * rows + i] = line[m0 + i]; });
      });
    }
  }
};

/// Stack bytes for packed A: all M rows for one block of depth (of at most max_depth) if
/// they fit, else blocks of rows. The depth does not shrink to fit more rows: every block of
/// depth loads and stores all of `out` once more (1024 x 1024 at batch 1024 in blocks of 32
/// samples: twice the time of blocks of 256 samples and 126 rows).
inline constexpr std::size_t packed_a_bytes = 128 * 1024;

/// Rows of A packed at a time: all M if they fit, else as many whole tiles as fit.
template <class T, std::size_t M, std::size_t Depth>
inline constexpr std::size_t packed_rows = [] {
  if (M * Depth * sizeof(T) <= packed_a_bytes) return M;
  const std::size_t tiles = packed_a_bytes / (tile_rows * Depth * sizeof(T));
  return (tiles > 0 ? tiles : 1) * tile_rows;
}();

/// One block of depth and rows of out (+)= A B: a (through ASource), b and out point at the
/// block's first k and row. With a small B (or a small depth) the tiles run row after row,
/// so that `out` is written in order; otherwise column panel after column panel, so that
/// each panel of B is read from L1 by every tile of rows.
template <std::size_t M, std::size_t N, std::size_t MaxDepth, class ASource, class BSource,
          class Out, class T, class Epilogue>
inline void product_block(std::size_t depth, const T* a, const T* b, T* out, bool add, T* buffer,
                          const Epilogue& epilogue, bool last) {
  using V = vec<T>;
  constexpr std::size_t NR = tile_vectors<T, N> * V::size;
  auto tile = [&](std::size_t m0, auto rows, std::size_t n0, auto width, const T* panel) {
    constexpr std::size_t nv = (width + V::size - 1) / V::size;
    constexpr std::size_t bk = BSource::template stride<width, nv * V::size, T>;
    V acc[rows][nv];
    unroll<rows>([&](auto i) { unroll<nv>([&](auto v) { acc[i][v] = V(T(0)); }); });
    multiply_tile<rows, nv, ASource::template row_stride<rows>,
                  ASource::template depth_stride<rows>, bk>(depth, ASource::tile(a, m0, depth),
                                                             panel, acc);
    if constexpr (Epilogue::active) {
      if (last) {
        Out::template finish<width>(acc, out + Out::offset(m0, n0), add, epilogue, n0);
        return;
      }
    }
    Out::template store<width>(acc, out + Out::offset(m0, n0), add);
  };
  auto panel_of = [&](std::size_t n0, auto width) {
    constexpr std::size_t nv = (width + V::size - 1) / V::size;
    return BSource::template panel<width, nv * V::size>(b, n0, depth, buffer);
  };
  if constexpr (BSource::template in_place<N, T> &&
                MaxDepth * N * sizeof(T) <= small_operand_bytes) {
    for_row_tiles<M>([&](std::size_t m0, auto rows) {
      for_tiles<N, NR>(
          [&](std::size_t n0, auto width) { tile(m0, rows, n0, width, panel_of(n0, width)); });
    });
  } else {
    for_tiles<N, NR>([&](std::size_t n0, auto width) {
      const T* panel = panel_of(n0, width);
      for_row_tiles<M>([&](std::size_t m0, auto rows) { tile(m0, rows, n0, width, panel); });
    });
  }
}

/// out (+)= A B, M x N, K deep; A(m, k) = a[m * AM + k * AK], read in place or packed
/// (ASource: rows_of_a or packed_a); B read through BSource, the tile stored through Out.
/// `accumulate` false: out is overwritten. The epilogue, if any, finishes each tile of the
/// last block of depth; the prologue, if any, computes packed A in place of reading a.
template <std::size_t M, std::size_t N, std::size_t K,
          template <std::size_t, std::size_t> class ASource, std::size_t AM, std::size_t AK,
          class BSource, class Out, class T, class Epilogue = no_epilogue,
          class Prologue = no_prologue>
inline void product(const T* a, const T* b, T* out, bool accumulate, const Epilogue& epilogue = {},
                    const Prologue& prologue = {}) {
  static_assert(!Prologue::active || ASource<AM, AK>::packed, "a prologue runs where A is packed");
  using A = ASource<AM, AK>;
  constexpr std::size_t NR = tile_vectors<T, N> * vec<T>::size;
  constexpr std::size_t kc = depth_block<K, A::packed ? max_depth : BSource::depth_limit>;
  constexpr std::size_t mc = A::packed ? packed_rows<T, M, kc> : M;
  alignas(64) T b_buffer[BSource::template in_place<N, T> ? 1 : kc * NR];
  alignas(64) T a_buffer[A::packed ? mc * kc : 1];
  for (std::size_t k0 = 0; k0 < K; k0 += kc) {
    const std::size_t depth = K - k0 < kc ? K - k0 : kc;
    for_tiles<M, mc>([&](std::size_t m0, auto rows) {
      const T* a_block = a + m0 * AM + k0 * AK;
      if constexpr (Prologue::active) {
        A::template pack_through<rows>(depth, prologue, m0, k0, a_buffer);
        a_block = a_buffer;
      } else if constexpr (A::packed) {
        A::template pack<rows>(depth, a_block, a_buffer);
        a_block = a_buffer;
      }
      product_block<rows, N, kc, A, BSource, Out>(depth, a_block, BSource::advance(b, k0),
                                                  out + Out::offset(m0, 0), accumulate || k0 > 0,
                                                  b_buffer, epilogue, k0 + depth == K);
    });
  }
}

}  // namespace tapeless::lower::detail

#endif
