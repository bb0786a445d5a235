// bufferprospector/workload/zoo/resnet50.hpp -- ResNet-50 (He, Zhang, Ren and Sun, 2015), as
// Tangram's nns/resnet50.py.
#pragma once

#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>  // bp::zoo::bottleneck_resnet

namespace bp::zoo {

/// "ResNet" (Tangram names both ResNets so): 3, 4, 6 and 3 bottleneck blocks in conv2..conv5.
inline network resnet50() { return bottleneck_resnet({3, 4, 6, 3}); }

}  // namespace bp::zoo
