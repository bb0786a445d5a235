// bufferprospector/workload/zoo/densenet121.hpp -- DenseNet-121 (Huang et al., "Densely
// Connected Convolutional Networks", CVPR 2017, table 1: growth rate k = 32, bottleneck 4k,
// compression 0.5) with the layer names and shapes of the SET scheduler
// (SET-Scheduling-Project/SET-ISCA2023: src/nns/densenet.cpp).
//
//   bp::network net = bp::zoo::densenet121();        // 126 layers, 224x224x3 input
//   bp::network blk = bp::zoo::densenet121_block();  // dense block 1 + transition 1
//
// Structure: 7x7/2 conv and 3x3/2 pooling (-> 56x56x64); dense blocks of 6, 12, 24, 16 layers,
// each dense layer a 1x1 conv to 128 channels and a 3x3 conv to 32 new channels, separated by
// transitions (1x1 conv halving the channels, 2x2/2 average pooling); 7x7 global average
// pooling; FC to 1000 classes.
//
// Mapping of SET's layers onto ours, one for one:
// - SET Conv = layers::conv ("same" 3x3 and 7x7 convs are Tangram's padded ConvLayers: a
//   producer's H x W may lie between hofm * strd and the unpadded ifmap); SET Pooling =
//   layers::pooling (max and average alike); SET FC = layers::fc.
// - A dense layer's input is the concatenation of the block input and every earlier dense
//   layer's 3x3 output: the 1x1 conv lists all of them as producers (their channels add up to
//   nifm), in SET's (definition) order. The transition's 1x1 conv and the final pooling read
//   the whole block the same way.
// - Batch normalization and ReLU (before each conv in DenseNet) are not layers here, as in SET
//   and Tangram.
// Totals equal SET's: 126 layers, 2,836,720,640 MACs, 7,894,208 weights.
#pragma once

#include <array>    // std::array
#include <cstddef>  // std::size_t
#include <cstdint>  // std::int64_t
#include <string>   // std::string, std::to_string

#include <bufferprospector/workload/layer.hpp>                 // bp::layers::*
#include <bufferprospector/workload/network.hpp>               // bp::network
#include <bufferprospector/workload/zoo/detail/name_list.hpp>  // name_list, views

namespace bp::zoo {

namespace detail::densenet {

inline constexpr std::int64_t growth_rate = 32;                  // k
inline constexpr std::int64_t bottleneck_channels = 4 * growth_rate;  // 1x1 conv output, 4k

/// The concatenated fmap a dense block grows: its producers and their total channels.
struct features {
  name_list producers;
  std::int64_t channels = 0;
  std::int64_t size = 0;  // h = w
};

/// Dense block `block_no` of `num_layers` dense layers (1x1 then 3x3), each reading everything
/// before it. Returns the grown features.
inline features dense_block(network& net, int block_no, int num_layers, features f) {
  const std::string p = "block_" + std::to_string(block_no) + "_";
  for (int i = 0; i < num_layers; ++i) {
    const std::string layer = p + std::to_string(i);
    net.add(layer + "_1x1",
            layers::conv{.nifm = f.channels, .nofm = bottleneck_channels, .sofm = f.size, .sfil = 1},
            views(f.producers));
    net.add(layer + "_3x3",
            layers::conv{.nifm = bottleneck_channels, .nofm = growth_rate, .sofm = f.size, .sfil = 3});
    f.producers.push_back(layer + "_3x3");
    f.channels += growth_rate;
  }
  return f;
}

/// Transition `trans_no`: 1x1 conv to half the channels, 2x2 average pooling with stride 2.
inline features transition(network& net, int trans_no, const features& f) {
  const std::string p = "trans_" + std::to_string(trans_no) + "_";
  const std::int64_t channels = f.channels / 2;
  net.add(p + "1x1", layers::conv{.nifm = f.channels, .nofm = channels, .sofm = f.size, .sfil = 1},
          views(f.producers));
  net.add(p + "pool", layers::pooling{.nofm = channels, .sofm = f.size / 2, .sreg = 2});
  return {{p + "pool"}, channels, f.size / 2};
}

}  // namespace detail::densenet

/// DenseNet-121 on a 224x224x3 image (126 layers, as SET's `densenet`).
inline network densenet121() {
  namespace d = detail::densenet;
  network net("DenseNet-121", layers::input{.nofm = 3, .sofm = 224});
  net.add("conv0", layers::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2});
  net.add("pool0", layers::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2});
  d::features f{{"pool0"}, 64, 56};
  constexpr std::array<int, 4> block_layers{6, 12, 24, 16};
  for (int b = 1; b <= 4; ++b) {
    f = d::dense_block(net, b, block_layers[static_cast<std::size_t>(b - 1)], f);
    if (b < 4) f = d::transition(net, b, f);
  }
  net.add("pool_avg", layers::pooling{.nofm = f.channels, .sofm = 1, .sreg = f.size},
          detail::views(f.producers));
  net.add("fc", layers::fc{.nifm = f.channels, .nofm = 1000});
  return net;
}

/// Dense block 1 with transition 1 on a 56x56x64 input (14 layers, named as in the network).
/// The block with its transition is DenseNet's repeated unit; block 1 is chosen because it holds
/// the most MACs (about 40% of the network's) and its 56x56 fmaps are the largest, and its
/// transition is the widest join (seven producers concatenated into one 1x1 conv).
inline network densenet121_block() {
  namespace d = detail::densenet;
  network net("DenseNet-121 block 1", layers::input{.nofm = 64, .sofm = 56});
  const d::features f = d::dense_block(net, 1, 6, {{std::string(network::input_name)}, 64, 56});
  d::transition(net, 1, f);
  return net;
}

}  // namespace bp::zoo
