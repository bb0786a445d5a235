// bufferprospector/workload/zoo/googlenet.hpp -- GoogLeNet (ILSVRC 2014), as Tangram's
// nns/googlenet.py: nine inception modules (blocks.hpp add_inception), norm layers ignored.
#pragma once

#include <string>  // std::string
#include <vector>  // std::vector

#include <bufferprospector/workload/layer.hpp>        // bp::layers
#include <bufferprospector/workload/network.hpp>      // bp::network
#include <bufferprospector/workload/zoo/blocks.hpp>   // bp::zoo::add_inception

namespace bp::zoo {

/// "GoogLeNet": 63 layers.
inline network googlenet() {
  namespace L = layers;
  network net("GoogLeNet", L::input{.nofm = 3, .sofm = 224});

  net.add("conv1", L::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2});
  net.add("pool1", L::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2});
  net.add("conv2_3x3_reduce", L::conv{.nifm = 64, .nofm = 64, .sofm = 56, .sfil = 1});
  net.add("conv2_3x3", L::conv{.nifm = 64, .nofm = 192, .sofm = 56, .sfil = 3});
  net.add("pool2", L::pooling{.nofm = 192, .sofm = 28, .sreg = 3, .strd = 2});

  // Modules in order; each reads the concatenated branches of the previous one (or a pooling).
  //                  id    sofm nifm  1x1  3x3r 3x3  5x5r 5x5  pool
  std::vector<std::string> prevs{"pool2"};
  prevs = add_inception(net, {"3a", 28, 192, 64, 96, 128, 16, 32, 32}, prevs);
  prevs = add_inception(net, {"3b", 28, 256, 128, 128, 192, 32, 96, 64}, prevs);
  net.add("pool3", L::pooling{.nofm = 480, .sofm = 14, .sreg = 3, .strd = 2},
          detail::as_views(prevs));

  prevs = {"pool3"};
  prevs = add_inception(net, {"4a", 14, 480, 192, 96, 208, 16, 48, 64}, prevs);
  prevs = add_inception(net, {"4b", 14, 512, 160, 112, 224, 24, 64, 64}, prevs);
  prevs = add_inception(net, {"4c", 14, 512, 128, 128, 256, 24, 64, 64}, prevs);
  prevs = add_inception(net, {"4d", 14, 512, 112, 144, 288, 32, 64, 64}, prevs);
  prevs = add_inception(net, {"4e", 14, 528, 256, 160, 320, 32, 128, 128}, prevs);
  net.add("pool4", L::pooling{.nofm = 832, .sofm = 7, .sreg = 3, .strd = 2},
          detail::as_views(prevs));

  prevs = {"pool4"};
  prevs = add_inception(net, {"5a", 7, 832, 256, 160, 320, 32, 128, 128}, prevs);
  prevs = add_inception(net, {"5b", 7, 832, 384, 192, 384, 48, 128, 128}, prevs);
  net.add("pool5", L::pooling{.nofm = 1024, .sofm = 1, .sreg = 7}, detail::as_views(prevs));

  net.add("fc", L::fc{.nifm = 1024, .nofm = 1000});
  return net;
}

}  // namespace bp::zoo
