// bufferprospector/workload/zoo/vgg19_net.hpp -- VGGNet-19 (Simonyan and Zisserman, 2014), as
// Tangram's nns/vgg19_net.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::vgg

namespace bp::zoo {

/// "VGG19": conv1..conv16 in stages of 2, 2, 4, 4, 4, pool1..pool5, fc1..fc3.
inline network vgg19_net() { return vgg("VGG19", {2, 2, 4, 4, 4}); }

}  // namespace bp::zoo
