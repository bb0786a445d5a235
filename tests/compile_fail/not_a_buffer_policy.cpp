// This file must FAIL to compile: a buffer-allocation policy whose allocate() returns the updated
// spare map instead of an allocation_result (and which has no name) does not satisfy
// bp::buffer_allocation_policy.
#include <bufferprospector/prospector/allocator.hpp>

struct keeps_only_the_map {
  bp::spare_buffer allocate(const bp::allocation_problem& prob) const { return prob.spare; }
};

static_assert(bp::buffer_allocation_policy<keeps_only_the_map>);
int main() { return 0; }
