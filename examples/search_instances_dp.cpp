// examples/search_instances_dp.cpp -- the built-in DP segment searches, compiled once for every
// program of this project (search/explicit_instances.hpp; see search_instances_beam.cpp).
#include <bufferprospector/search/explicit_instances.hpp>

BP_INSTANTIATE_DP_SEARCHES()
