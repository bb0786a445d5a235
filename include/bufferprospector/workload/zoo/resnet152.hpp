// bufferprospector/workload/zoo/resnet152.hpp -- ResNet-152 (He, Zhang, Ren and Sun, 2015), as
// Tangram's nns/resnet152.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::bottleneck_resnet

namespace bp::zoo {

/// "ResNet" (Tangram names both ResNets so): 3, 8, 36 and 3 bottleneck blocks in conv2..conv5.
inline network resnet152() { return bottleneck_resnet({3, 8, 36, 3}); }

}  // namespace bp::zoo
