// bufferprospector/workload/zoo/alex_net.hpp -- AlexNet (Krizhevsky, Sutskever and Hinton, 2012),
// as Tangram's nns/alex_net.py: the two-GPU split into towers _a and _b, norm layers ignored.
#pragma once

#include <string>       // std::string
#include <string_view>  // std::string_view

#include <bufferprospector/workload/layer.hpp>    // bp::layers
#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp::zoo {

/// "AlexNet": 19 layers; conv1 of both towers reads the input, conv3 and fc1 read both towers.
inline network alex_net() {
  namespace L = layers;
  network net("AlexNet", L::input{.nofm = 3, .sofm = 224});

  // Adds `<name>_a` after `<prev>_a`, then `<name>_b` after `<prev>_b` (Tangram's order).
  const auto towers = [&net](const std::string& name, const layer& l, const std::string& prev) {
    net.add(name + "_a", l, {prev + "_a"});
    net.add(name + "_b", l, {prev + "_b"});
  };
  // Adds `<name>_a` and `<name>_b`, both after `prevs`.
  const auto towers_from = [&net](const std::string& name, const layer& l,
                                  std::initializer_list<std::string_view> prevs) {
    net.add(name + "_a", l, prevs);
    net.add(name + "_b", l, prevs);
  };

  towers_from("conv1", L::conv{.nifm = 3, .nofm = 48, .sofm = 55, .sfil = 11, .strd = 4},
              {network::input_name});
  towers("pool1", L::pooling{.nofm = 48, .sofm = 27, .sreg = 3, .strd = 2}, "conv1");
  towers("conv2", L::conv{.nifm = 48, .nofm = 128, .sofm = 27, .sfil = 5}, "pool1");
  towers("pool2", L::pooling{.nofm = 128, .sofm = 13, .sreg = 3, .strd = 2}, "conv2");
  towers_from("conv3", L::conv{.nifm = 256, .nofm = 192, .sofm = 13, .sfil = 3},
              {"pool2_a", "pool2_b"});
  towers("conv4", L::conv{.nifm = 192, .nofm = 192, .sofm = 13, .sfil = 3}, "conv3");
  towers("conv5", L::conv{.nifm = 192, .nofm = 128, .sofm = 13, .sfil = 3}, "conv4");
  towers("pool3", L::pooling{.nofm = 128, .sofm = 6, .sreg = 3, .strd = 2}, "conv5");

  net.add("fc1", L::fc{.nifm = 256, .nofm = 4096, .sfil = 6}, {"pool3_a", "pool3_b"});
  net.add("fc2", L::fc{.nifm = 4096, .nofm = 4096});
  net.add("fc3", L::fc{.nifm = 4096, .nofm = 1000});
  return net;
}

}  // namespace bp::zoo
