// bufferprospector/workload/zoo/zfnet.hpp -- ZFNet (Zeiler and Fergus, 2013), as Tangram's
// nns/zfnet.py (norm layers ignored).
#pragma once

#include <bufferprospector/workload/layer.hpp>    // bp::layers
#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp::zoo {

/// "ZFNet": 11 layers in a chain.
inline network zfnet() {
  namespace L = layers;
  network net("ZFNet", L::input{.nofm = 3, .sofm = 224});
  net.add("conv1", L::conv{.nifm = 3, .nofm = 96, .sofm = 110, .sfil = 7, .strd = 2});
  net.add("pool1", L::pooling{.nofm = 96, .sofm = 55, .sreg = 3, .strd = 2});
  net.add("conv2", L::conv{.nifm = 96, .nofm = 256, .sofm = 26, .sfil = 5, .strd = 2});
  net.add("pool2", L::pooling{.nofm = 256, .sofm = 13, .sreg = 3, .strd = 2});
  net.add("conv3", L::conv{.nifm = 256, .nofm = 512, .sofm = 13, .sfil = 3});
  net.add("conv4", L::conv{.nifm = 512, .nofm = 1024, .sofm = 13, .sfil = 3});
  net.add("conv5", L::conv{.nifm = 1024, .nofm = 512, .sofm = 13, .sfil = 3});
  net.add("pool3", L::pooling{.nofm = 512, .sofm = 6, .sreg = 3, .strd = 2});
  net.add("fc1", L::fc{.nifm = 512, .nofm = 4096, .sfil = 6});
  net.add("fc2", L::fc{.nifm = 4096, .nofm = 4096});
  net.add("fc3", L::fc{.nifm = 4096, .nofm = 1000});
  return net;
}

}  // namespace bp::zoo
