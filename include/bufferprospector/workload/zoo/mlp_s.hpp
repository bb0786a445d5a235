// bufferprospector/workload/zoo/mlp_s.hpp -- MLP-S (PRIME, 2016), as Tangram's nns/mlp_s.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::mlp

namespace bp::zoo {

/// "MLP-S": FC layers of widths {784, 500, 250, 10} (the first is the input).
inline network mlp_s() { return mlp("MLP-S", {784, 500, 250, 10}); }

}  // namespace bp::zoo
