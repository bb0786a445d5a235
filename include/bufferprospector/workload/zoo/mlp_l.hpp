// bufferprospector/workload/zoo/mlp_l.hpp -- MLP-L (PRIME, 2016), as Tangram's nns/mlp_l.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::mlp

namespace bp::zoo {

/// "MLP-L": FC layers of widths {784, 1500, 1000, 500, 10} (the first is the input).
inline network mlp_l() { return mlp("MLP-L", {784, 1500, 1000, 500, 10}); }

}  // namespace bp::zoo
