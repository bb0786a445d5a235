// bufferprospector/workload/zoo/tangram.hpp -- Tangram's 13 networks (nn_dataflow/nns).
#pragma once

#include <vector>  // std::vector

#include <bufferprospector/workload/zoo/alex_net.hpp>
#include <bufferprospector/workload/zoo/entry.hpp>  // bp::zoo::entry
#include <bufferprospector/workload/zoo/googlenet.hpp>
#include <bufferprospector/workload/zoo/lstm_gnmt.hpp>
#include <bufferprospector/workload/zoo/lstm_phoneme.hpp>
#include <bufferprospector/workload/zoo/lstm_showtell.hpp>
#include <bufferprospector/workload/zoo/mlp_l.hpp>
#include <bufferprospector/workload/zoo/mlp_m.hpp>
#include <bufferprospector/workload/zoo/mlp_s.hpp>
#include <bufferprospector/workload/zoo/resnet152.hpp>
#include <bufferprospector/workload/zoo/resnet50.hpp>
#include <bufferprospector/workload/zoo/vgg19_net.hpp>
#include <bufferprospector/workload/zoo/vgg_net.hpp>
#include <bufferprospector/workload/zoo/zfnet.hpp>

namespace bp::zoo {

/// Tangram's networks in nns.all_networks() order (sorted file names: alphabetical, so
/// "resnet152" comes before "resnet50" and "vgg19_net" before "vgg_net").
inline std::vector<entry> tangram_entries() {
  return {
      {"alex_net", &alex_net},
      {"googlenet", &googlenet},
      {"lstm_gnmt", &lstm_gnmt},
      {"lstm_phoneme", &lstm_phoneme},
      {"lstm_showtell", &lstm_showtell},
      {"mlp_l", &mlp_l},
      {"mlp_m", &mlp_m},
      {"mlp_s", &mlp_s},
      {"resnet152", &resnet152},
      {"resnet50", &resnet50},
      {"vgg19_net", &vgg19_net},
      {"vgg_net", &vgg_net},
      {"zfnet", &zfnet},
  };
}

}  // namespace bp::zoo
