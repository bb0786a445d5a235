// bufferprospector/workload/zoo/vgg_net.hpp -- VGGNet-16 (Simonyan and Zisserman, 2014), as
// Tangram's nns/vgg_net.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::vgg

namespace bp::zoo {

/// "VGG": conv1..conv13 in stages of 2, 2, 3, 3, 3, pool1..pool5, fc1..fc3.
inline network vgg_net() { return vgg("VGG", {2, 2, 3, 3, 3}); }

}  // namespace bp::zoo
