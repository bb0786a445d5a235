// bufferprospector/workload/zoo/blocks.hpp -- building blocks that the zoo's networks repeat.
//
//   bp::network net("ShowTell", bp::layers::input{.nofm = 512, .sofm = 1});
//   auto [c, h] = bp::zoo::add_lstm_cell(net, "cell", 512, bp::network::input_name);
//
// Each helper adds layers with exactly the names, shapes and prevs that Tangram's network files
// (nn_dataflow/nns) produce, so that a network built from blocks is indistinguishable from the
// hand-written Python one:
//   add_lstm_cell         nns/__init__.py add_lstm_cell (GNMT, PHONEME, ShowTell)
//   add_inception         googlenet.py add_inception (GoogLeNet v1 module)
//   add_bottleneck_stage  the per-stage loop of resnet50.py / resnet152.py
//   bottleneck_resnet     ResNet-50 / ResNet-152 (they differ only in blocks per stage)
//   vgg                   VGG-16 / VGG-19 (they differ only in convs per stage)
//   mlp                   MLP-S / MLP-M / MLP-L (chains of FC layers)
#pragma once

#include <array>        // std::array
#include <cstdint>      // std::int64_t
#include <initializer_list>  // mlp widths
#include <optional>     // std::optional
#include <string>       // std::string, std::to_string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>        // bp::invalid_network
#include <bufferprospector/workload/layer.hpp>    // bp::layers
#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp::zoo {

namespace detail {

/// network::add takes prevs as string_views; the block helpers keep names as strings.
inline std::vector<std::string_view> as_views(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

}  // namespace detail

//
// LSTM cell
//

/// The layers whose outputs are an LSTM cell's C_t and h_t.
struct lstm_outputs {
  std::string cell;    ///< C_t: `<name>_cout`
  std::string hidden;  ///< h_t: `<name>_hout`
};

/// Adds an LSTM cell of dimension `size` reading x_t from `xin` (nns.add_lstm_cell).
///
/// Without `cin` / `hin`, the initial states C_{t-1} and h_{t-1} become external inputs named
/// `<name>_cinit` and `<name>_hinit` (added in that order). Layers, in order: the candidate
/// `<name>_cand` and the gates `<name>_{i,f,o}gate` (FC over [h_{t-1}, x_t]), then the eltwise
/// layers `<name>_cout_f` (C_{t-1} * f), `<name>_cout_i` (cand * i), `<name>_cout` (sum) and
/// `<name>_hout` (C_t * o).
///
/// **Example**: `auto out = add_lstm_cell(net, "cell_l0", 1000, bp::network::input_name);`
inline lstm_outputs add_lstm_cell(network& net, std::string_view name, std::int64_t size,
                                  std::string_view xin,
                                  std::optional<std::string_view> cin = std::nullopt,
                                  std::optional<std::string_view> hin = std::nullopt) {
  const std::string prefix(name);
  const std::string cin_name = cin ? std::string(*cin) : prefix + "_cinit";
  const std::string hin_name = hin ? std::string(*hin) : prefix + "_hinit";
  if (!cin) net.add_ext(cin_name, layers::input{.nofm = size, .sofm = 1});
  if (!hin) net.add_ext(hin_name, layers::input{.nofm = size, .sofm = 1});
  if (!net.contains(cin_name) || !net.contains(hin_name) || !net.contains(xin))
    throw invalid_network("add_lstm_cell: cin " + cin_name + ", hin " + hin_name + ", xin " +
                          std::string(xin) + " must all be in the network.");

  // Tangram also allows a cell without h_{t-1} or C_{t-1} (an empty name); a layer cannot be
  // named "" in practice, so both states are always present here and every FC reads 2 x size.
  const auto gate = [&](char g) { return prefix + "_" + g + "gate"; };
  const layer gate_fc = layers::fc{.nifm = 2 * size, .nofm = size};
  const layer mul2 = layers::eltwise{.nofm = size, .sofm = 1, .nreg = 2};

  net.add(prefix + "_cand", gate_fc, {hin_name, xin});
  for (char g : {'i', 'f', 'o'}) net.add(gate(g), gate_fc, {hin_name, xin});

  const std::string cout_name = prefix + "_cout";
  net.add(cout_name + "_f", mul2, {cin_name, gate('f')});
  net.add(cout_name + "_i", mul2, {prefix + "_cand", gate('i')});
  net.add(cout_name, mul2, {cout_name + "_i", cout_name + "_f"});

  const std::string hout_name = prefix + "_hout";
  net.add(hout_name, mul2, {cout_name, gate('o')});
  return {cout_name, hout_name};
}

//
// GoogLeNet inception module (v1)
//

/// Channel counts of one inception module, in googlenet.py's argument order.
struct inception_v1 {
  std::string_view id;         ///< e.g. "3a": layers are named `inception_3a_*`
  std::int64_t sofm = 0;       ///< fmap size (all branches keep it)
  std::int64_t nifm = 0;       ///< channels entering the module
  std::int64_t n1x1 = 0;
  std::int64_t n3x3_reduce = 0;
  std::int64_t n3x3 = 0;
  std::int64_t n5x5_reduce = 0;
  std::int64_t n5x5 = 0;
  std::int64_t npool_proj = 0;  ///< Tangram models the pool projection as a 1x1 conv only
};

/// Adds the four branches of an inception module reading from `prevs`; returns the names of the
/// branch outputs in concatenation order (1x1, 3x3, 5x5, pool_proj).
inline std::vector<std::string> add_inception(network& net, const inception_v1& m,
                                              const std::vector<std::string>& prevs) {
  const std::string pfx = "inception_" + std::string(m.id) + "_";
  const auto from = detail::as_views(prevs);
  const auto conv = [&](std::int64_t nifm, std::int64_t nofm, std::int64_t sfil) {
    return layer(layers::conv{.nifm = nifm, .nofm = nofm, .sofm = m.sofm, .sfil = sfil});
  };
  net.add(pfx + "1x1", conv(m.nifm, m.n1x1, 1), from);
  net.add(pfx + "3x3_reduce", conv(m.nifm, m.n3x3_reduce, 1), from);
  net.add(pfx + "3x3", conv(m.n3x3_reduce, m.n3x3, 3));  // follows 3x3_reduce
  net.add(pfx + "5x5_reduce", conv(m.nifm, m.n5x5_reduce, 1), from);
  net.add(pfx + "5x5", conv(m.n5x5_reduce, m.n5x5, 5));  // follows 5x5_reduce
  net.add(pfx + "pool_proj", conv(m.nifm, m.npool_proj, 1), from);
  return {pfx + "1x1", pfx + "3x3", pfx + "5x5", pfx + "pool_proj"};
}

//
// ResNet bottleneck blocks
//

/// One stage of bottleneck blocks, `conv<stage>_*` in resnet50.py / resnet152.py.
struct bottleneck_stage {
  int stage = 2;           ///< 2..5, used in the layer names
  std::int64_t blocks = 1;
  std::int64_t nifm = 0;   ///< channels entering the stage
  std::int64_t width = 0;  ///< bottleneck channels; a block outputs 4 x width
  std::int64_t sofm = 0;   ///< fmap size inside the stage
  std::int64_t strd = 1;   ///< stride of the first block's 1x1 conv and of the projection
};

/// Adds one stage after the layer `shortcut` (which must be the last added layer, as in
/// Tangram, where the first 1x1 conv follows it implicitly). Block i adds conv<s>_<i>_a (1x1),
/// _b (3x3), _c (1x1, 4 x width); block 0 then adds the projection shortcut conv<s>_br; every
/// block ends with the eltwise sum conv<s>_<i>_res of its shortcut and _c. Returns the name of
/// the last sum.
inline std::string add_bottleneck_stage(network& net, const bottleneck_stage& s,
                                        std::string shortcut) {
  const std::int64_t nofm = 4 * s.width;
  const std::string stage = "conv" + std::to_string(s.stage);
  for (std::int64_t i = 0; i < s.blocks; ++i) {
    const bool first = i == 0;
    const std::string blk = stage + "_" + std::to_string(i);
    // The 1x1 reduction follows the block input, which is the last added layer.
    net.add(blk + "_a", layers::conv{.nifm = first ? s.nifm : nofm, .nofm = s.width, .sofm = s.sofm,
                                     .sfil = 1, .strd = first ? s.strd : 1});
    net.add(blk + "_b", layers::conv{.nifm = s.width, .nofm = s.width, .sofm = s.sofm, .sfil = 3});
    net.add(blk + "_c", layers::conv{.nifm = s.width, .nofm = nofm, .sofm = s.sofm, .sfil = 1});
    if (first) {
      // The block input has another channel count / size: project it.
      net.add(stage + "_br",
              layers::conv{.nifm = s.nifm, .nofm = nofm, .sofm = s.sofm, .sfil = 1, .strd = s.strd},
              {shortcut});
      shortcut = stage + "_br";
    }
    net.add(blk + "_res", layers::eltwise{.nofm = nofm, .sofm = s.sofm, .nreg = 2},
            {shortcut, blk + "_c"});
    shortcut = blk + "_res";
  }
  return shortcut;
}

/// Tangram's bottleneck ResNet ("ResNet"): conv1, pool1, stages conv2..conv5 with the given
/// number of blocks each, pool5 and fc. ResNet-50 is {3, 4, 6, 3}, ResNet-152 {3, 8, 36, 3}.
inline network bottleneck_resnet(const std::array<std::int64_t, 4>& blocks_per_stage) {
  network net("ResNet", layers::input{.nofm = 3, .sofm = 224});
  net.add("conv1", layers::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2});
  net.add("pool1", layers::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2});

  // (stage, nifm, width, sofm, strd): only conv2 keeps the fmap size of its input.
  struct shape {
    int stage;
    std::int64_t nifm, width, sofm, strd;
  };
  constexpr std::array<shape, 4> shapes{{{2, 64, 64, 56, 1},
                                         {3, 256, 128, 28, 2},
                                         {4, 512, 256, 14, 2},
                                         {5, 1024, 512, 7, 2}}};
  std::string last = "pool1";
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    const shape& sh = shapes[k];
    last = add_bottleneck_stage(net,
                                {.stage = sh.stage, .blocks = blocks_per_stage[k], .nifm = sh.nifm,
                                 .width = sh.width, .sofm = sh.sofm, .strd = sh.strd},
                                last);
  }

  net.add("pool5", layers::pooling{.nofm = 2048, .sofm = 1, .sreg = 7});
  net.add("fc", layers::fc{.nifm = 2048, .nofm = 1000});
  return net;
}

//
// Plain chains: VGG and MLP
//

/// Tangram's VGG nets: five stages of 3x3 convs (numbered conv1, conv2, ... across stages), each
/// followed by a 2x2 pooling pool<stage>, then fc1..fc3. VGG-16 is {2, 2, 3, 3, 3}, VGG-19
/// {2, 2, 4, 4, 4}.
inline network vgg(std::string name, const std::array<int, 5>& convs_per_stage) {
  network net(std::move(name), layers::input{.nofm = 3, .sofm = 224});
  constexpr std::array<std::int64_t, 5> nofm{64, 128, 256, 512, 512};
  std::int64_t nifm = 3;
  std::int64_t sofm = 224;
  int conv = 0;
  for (std::size_t s = 0; s < convs_per_stage.size(); ++s) {
    for (int k = 0; k < convs_per_stage[s]; ++k) {
      net.add("conv" + std::to_string(++conv),
              layers::conv{.nifm = nifm, .nofm = nofm[s], .sofm = sofm, .sfil = 3});
      nifm = nofm[s];
    }
    sofm /= 2;
    net.add("pool" + std::to_string(s + 1), layers::pooling{.nofm = nifm, .sofm = sofm, .sreg = 2});
  }
  net.add("fc1", layers::fc{.nifm = 512, .nofm = 4096, .sfil = 7});
  net.add("fc2", layers::fc{.nifm = 4096, .nofm = 4096});
  net.add("fc3", layers::fc{.nifm = 4096, .nofm = 1000});
  return net;
}

/// A multi-layer perceptron: input of widths[0] channels, then fc1, fc2, ... of the following
/// widths, each after the previous one (Tangram's mlp_s/m/l.py). Throws bp::invalid_network
/// for fewer than two widths (bp::invalid_layer for a width <= 0).
inline network mlp(std::string name, std::initializer_list<std::int64_t> widths) {
  if (widths.size() < 2)
    throw invalid_network("mlp: widths has " + std::to_string(widths.size()) +
                          " entries; needs the input width and at least one layer");
  const std::int64_t* w = widths.begin();
  network net(std::move(name), layers::input{.nofm = w[0], .sofm = 1});
  for (std::size_t k = 1; k < widths.size(); ++k)
    net.add("fc" + std::to_string(k), layers::fc{.nifm = w[k - 1], .nofm = w[k]});
  return net;
}

}  // namespace bp::zoo
