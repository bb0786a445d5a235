// examples/search_instances_beam.cpp -- the built-in beam searches, compiled once for every program
// of this project (search/explicit_instances.hpp); the programs are compiled with
// -DBP_EXTERN_SEARCHES and link this. A program of yours can do the same, or just include the
// headers.
#include <bufferprospector/search/explicit_instances.hpp>

BP_INSTANTIATE_BEAM_SEARCHES()
