// The gradient check of every network node (tests/nn/gradcheck_nodes.cpp) with the kernels
// over the scalar batch, the one that targets without SIMD (Cortex-M) use.

#define TAPELESS_SCALAR_SIMD
#include "../nn/gradcheck_nodes.cpp"

#include <tapeless/simd/batch.hpp>

static_assert(!tapeless::simd::uses_xsimd, "TAPELESS_SCALAR_SIMD must select the scalar batch");
