#define BOOST_TEST_MODULE train.update_lanes
#include <boost/test/unit_test.hpp>

// The optimizers, clipping and norms on xsimd's batches (where the target has them) with a
// scalar remainder, against the published rules and against the scalar path alone: see
// update_lanes.hpp, shared with update_lanes_scalar.cpp.

#include "update_lanes.hpp"
