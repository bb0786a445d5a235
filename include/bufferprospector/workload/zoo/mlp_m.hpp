// bufferprospector/workload/zoo/mlp_m.hpp -- MLP-M (PRIME, 2016), as Tangram's nns/mlp_m.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::mlp

namespace bp::zoo {

/// "MLP-M": FC layers of widths {784, 1000, 500, 250, 10} (the first is the input).
inline network mlp_m() { return mlp("MLP-M", {784, 1000, 500, 250, 10}); }

}  // namespace bp::zoo
