// bufferprospector/workload/zoo/inception_resnet_v1.hpp -- Inception-ResNet-v1 (Szegedy et al.,
// "Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning", AAAI 2017,
// figures 14, 10, 7, 11, 12, 13) with the layer names and shapes of the SET scheduler
// (SET-Scheduling-Project/SET-ISCA2023: src/nns/incep_resnet.cpp).
//
//   bp::network net = bp::zoo::inception_resnet_v1();        // 153 layers, 299x299x3 input
//   bp::network blk = bp::zoo::inception_resnet_v1_block();  // one Inception-ResNet-B block
//
// Structure: stem (299 -> 35x35x256), 5 x Inception-ResNet-A (35x35x256), Reduction-A
// (-> 17x17x896), 10 x Inception-ResNet-B (17x17x896), Reduction-B (-> 8x8x1792),
// 5 x Inception-ResNet-C (8x8x1792), 8x8 average pooling, two FC layers.
//
// Mapping of SET's layers onto ours, one for one (SET has exactly these kinds here):
// - SET Conv (C, K, R x S, H, stride sH) = layers::conv{.nifm = C, .nofm = K, .sofm = H,
//   .sfil = {R, S}, .strd = sH}. SET pads "same" convolutions implicitly; ours are Tangram's
//   padded ConvLayers: a producer's H x W may lie between hofm * strd and the unpadded ifmap
//   (a 3x3 conv on 35x35 keeps hofm 35 and derives hifm 37).
// - SET Pooling (max or average, SET does not distinguish) = layers::pooling.
// - SET Eltwise N=2 (the residual add; its scaling and the ReLU after it are not modelled) =
//   layers::eltwise{.nreg = 2}.
// - Concatenation: SET lists several producers; so do we (their channels add up to nifm).
//   SET's prevs are an id-ordered bitset, and the builders below add the producers in id order,
//   so the channel order of every concatenation is SET's.
// - The first B (C) block after Reduction-A (-B) takes the reduction's branches directly: its
//   1x1 convolutions read the concatenation of the branches, and its residual add reads the
//   branches plus the block's last conv (896 + 896 = 2 x 896 channels), as SET builds it.
// - Batch normalization and ReLU are folded into the convolutions (neither SET nor Tangram
//   models them as layers).
// - SET's "Dropout" layer is an FC 1792 -> 1792 (it stands for the 1792 -> bottleneck FC of
//   FaceNet's Inception-ResNet-v1); kept as SET has it, so layer counts, ops and weights equal
//   SET's (153 layers, 6,223,400,864 MACs, 25,920,352 weights).
#pragma once

#include <cstdint>  // std::int64_t
#include <string>   // std::string, std::to_string

#include <bufferprospector/workload/layer.hpp>                   // bp::layers::*
#include <bufferprospector/workload/network.hpp>                 // bp::network
#include <bufferprospector/workload/zoo/detail/name_list.hpp>    // name_list, views

namespace bp::zoo {

namespace detail::inception_resnet {

/// A square "same" convolution with stride 1 (SET's default stride).
inline layers::conv conv(std::int64_t nifm, std::int64_t nofm, std::int64_t sofm, size2 sfil) {
  return layers::conv{.nifm = nifm, .nofm = nofm, .sofm = sofm, .sfil = sfil};
}

/// A convolution with stride 2 that halves the fmap ("valid" padding, as the paper's "V").
inline layers::conv conv_s2(std::int64_t nifm, std::int64_t nofm, std::int64_t sofm) {
  return layers::conv{.nifm = nifm, .nofm = nofm, .sofm = sofm, .sfil = 3, .strd = 2};
}

/// 3x3 max pooling with stride 2 ("valid").
inline layers::pooling max_pool_s2(std::int64_t nofm, std::int64_t sofm) {
  return layers::pooling{.nofm = nofm, .sofm = sofm, .sreg = 3, .strd = 2};
}

/// Stem: 299x299x3 -> 35x35x256. Returns the last layer.
inline std::string stem(network& net) {
  net.add("Conv_1a_3x3", conv_s2(3, 32, 149));
  net.add("Conv_2a_3x3", conv(32, 32, 147, 3));
  net.add("Conv_2b_3x3", conv(32, 64, 147, 3));
  net.add("MaxPool_3a_3x3", max_pool_s2(64, 73));
  net.add("Conv_3b_1x1", conv(64, 80, 73, 1));
  net.add("Conv_4a_3x3", conv(80, 192, 71, 3));
  net.add("Conv_4b_3x3", conv_s2(192, 256, 35));
  return "Conv_4b_3x3";
}

/// Inception-ResNet-A (35x35x256): branches 1x1 | 1x1-3x3 | 1x1-3x3-3x3, concatenated into a
/// 1x1 conv back to 256 channels, added to the block input.
inline std::string block_a(network& net, int block_no, const std::string& in) {
  const std::string p = "A" + std::to_string(block_no) + "_";
  net.add(p + "Conv_1a_1x1", conv(256, 32, 35, 1), {in});
  net.add(p + "Conv_2a_1x1", conv(256, 32, 35, 1), {in});
  net.add(p + "Conv_2b_3x3", conv(32, 32, 35, 3));
  net.add(p + "Conv_3a_1x1", conv(256, 32, 35, 1), {in});
  net.add(p + "Conv_3b_3x3", conv(32, 32, 35, 3));
  net.add(p + "Conv_3c_3x3", conv(32, 32, 35, 3));
  const name_list branches{p + "Conv_1a_1x1", p + "Conv_2b_3x3", p + "Conv_3c_3x3"};
  net.add(p + "Conv_4_1x1", conv(96, 256, 35, 1), views(branches));
  const name_list residual{in, p + "Conv_4_1x1"};
  net.add(p + "Eltwise", layers::eltwise{.nofm = 256, .sofm = 35, .nreg = 2}, views(residual));
  return p + "Eltwise";
}

/// Reduction-A: 35x35x256 -> 17x17x(384 + 256 + 256). Returns the three branches.
inline name_list reduction_a(network& net, const std::string& in) {
  net.add("RA_Conv_1a_3x3", conv_s2(256, 384, 17), {in});
  net.add("RA_Conv_2a_1x1", conv(256, 192, 35, 1), {in});
  net.add("RA_Conv_2b_3x3", conv(192, 192, 35, 3));
  net.add("RA_Conv_2c_3x3", conv_s2(192, 256, 17));
  net.add("RA_MaxPool_3a_3x3", max_pool_s2(256, 17), {in});
  return {"RA_Conv_1a_3x3", "RA_Conv_2c_3x3", "RA_MaxPool_3a_3x3"};
}

/// Inception-ResNet-B (17x17x896): branches 1x1 | 1x1-1x7-7x1, concatenated into a 1x1 conv back
/// to 896 channels, added to the block input `in` (one layer, or Reduction-A's branches).
inline std::string block_b(network& net, int block_no, const name_list& in) {
  const std::string p = "B" + std::to_string(block_no) + "_";
  net.add(p + "Conv_1a_1x1", conv(896, 128, 17, 1), views(in));
  net.add(p + "Conv_2a_1x1", conv(896, 128, 17, 1), views(in));
  net.add(p + "Conv_2b_1x7", conv(128, 128, 17, {1, 7}));
  net.add(p + "Conv_2c_7x1", conv(128, 128, 17, {7, 1}));
  const name_list branches{p + "Conv_1a_1x1", p + "Conv_2c_7x1"};
  net.add(p + "Conv_3_1x1", conv(256, 896, 17, 1), views(branches));
  net.add(p + "Eltwise", layers::eltwise{.nofm = 896, .sofm = 17, .nreg = 2},
          views(with(in, p + "Conv_3_1x1")));
  return p + "Eltwise";
}

/// Reduction-B: 17x17x896 -> 8x8x(896 + 384 + 256 + 256). Returns the four branches.
inline name_list reduction_b(network& net, const std::string& in) {
  net.add("RB_MaxPool_1a_3x3", max_pool_s2(896, 8), {in});
  net.add("RB_Conv_2a_1x1", conv(896, 256, 17, 1), {in});
  net.add("RB_Conv_2b_3x3", conv_s2(256, 384, 8));
  net.add("RB_Conv_3a_1x1", conv(896, 256, 17, 1), {in});
  net.add("RB_Conv_3b_3x3", conv_s2(256, 256, 8));
  net.add("RB_Conv_4a_1x1", conv(896, 256, 17, 1), {in});
  net.add("RB_Conv_4b_3x3", conv(256, 256, 17, 3));
  net.add("RB_Conv_4c_3x3", conv_s2(256, 256, 8));
  return {"RB_MaxPool_1a_3x3", "RB_Conv_2b_3x3", "RB_Conv_3b_3x3", "RB_Conv_4c_3x3"};
}

/// Inception-ResNet-C (8x8x1792): branches 1x1 | 1x1-1x3-3x1, concatenated into a 1x1 conv back
/// to 1792 channels, added to the block input `in` (one layer, or Reduction-B's branches).
inline std::string block_c(network& net, int block_no, const name_list& in) {
  const std::string p = "C" + std::to_string(block_no) + "_";
  net.add(p + "Conv_1a_1x1", conv(1792, 192, 8, 1), views(in));
  net.add(p + "Conv_2a_1x1", conv(1792, 192, 8, 1), views(in));
  net.add(p + "Conv_2b_1x3", conv(192, 192, 8, {1, 3}));
  net.add(p + "Conv_2c_3x1", conv(192, 192, 8, {3, 1}));
  const name_list branches{p + "Conv_1a_1x1", p + "Conv_2c_3x1"};
  net.add(p + "Conv_3_1x1", conv(384, 1792, 8, 1), views(branches));
  net.add(p + "Eltwise", layers::eltwise{.nofm = 1792, .sofm = 8, .nreg = 2},
          views(with(in, p + "Conv_3_1x1")));
  return p + "Eltwise";
}

}  // namespace detail::inception_resnet

/// Inception-ResNet-v1 on a 299x299x3 image (153 layers, as SET's `inception_resnet_v1`).
inline network inception_resnet_v1() {
  namespace d = detail::inception_resnet;
  network net("Inception-ResNet-v1", layers::input{.nofm = 3, .sofm = 299});
  std::string last = d::stem(net);
  for (int i = 1; i <= 5; ++i) last = d::block_a(net, i, last);
  detail::name_list in = d::reduction_a(net, last);
  for (int i = 1; i <= 10; ++i) in = {d::block_b(net, i, in)};
  in = d::reduction_b(net, in.front());
  for (int i = 1; i <= 5; ++i) in = {d::block_c(net, i, in)};
  net.add("AvgPool", layers::pooling{.nofm = 1792, .sofm = 1, .sreg = 8}, detail::views(in));
  net.add("Dropout", layers::fc{.nifm = 1792, .nofm = 1792});
  net.add("FC", layers::fc{.nifm = 1792, .nofm = 1000});
  return net;
}

/// One Inception-ResNet-B block on a 17x17x896 input (6 layers, named as the network's B1).
/// B is the representative block: 10 of the network's 20 residual blocks are B blocks, they hold
/// 60 of its 153 layers and a third of its MACs, and each has both kinds of join (a two-branch
/// concatenation and the residual add).
inline network inception_resnet_v1_block() {
  network net("Inception-ResNet-v1 B block", layers::input{.nofm = 896, .sofm = 17});
  detail::inception_resnet::block_b(net, 1, {std::string(network::input_name)});
  return net;
}

}  // namespace bp::zoo
