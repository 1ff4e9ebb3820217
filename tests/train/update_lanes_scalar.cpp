#define BOOST_TEST_MODULE train.update_lanes_scalar
#include <boost/test/unit_test.hpp>

// The checks of update_lanes.cpp with the one-lane scalar batch (as on Cortex-M): both
// programs compare against the same references, so the two paths agree. TAPELESS_SCALAR_SIMD
// is defined before any tapeless header, for the whole program (this one file).

#define TAPELESS_SCALAR_SIMD
#include "update_lanes.hpp"
