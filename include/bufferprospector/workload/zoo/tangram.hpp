// bufferprospector/workload/zoo/tangram.hpp -- Tangram's 13 networks (nn_dataflow/nns).
#pragma once

#include <vector>  // std::vector

#include <bufferprospector/workload/zoo/entry.hpp>  // bp::zoo::entry

namespace bp::zoo {

/// Tangram's networks in nns.all_networks() order (alphabetical).
inline std::vector<entry> tangram_entries() { return {}; }

}  // namespace bp::zoo
