// bufferprospector/workload/network.hpp -- a DNN as a DAG of named layers (Tangram's Network).
//
//   bp::network net("ResNet", bp::layers::input{.nofm = 3, .sofm = 224});
//   net.add("conv1", bp::layers::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2});
//   net.add("pool1", bp::layers::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2});
//   net.add("conv2_br", bp::layers::conv{...}, {"pool1"});          // explicit previous layers
//
// Rules and error texts are Tangram's (nn_dataflow/core/network.py): unique names; previous
// layers must already exist; without explicit prevs a layer follows the last added one; every
// prev's ofmap must fit the layer's ifmap allowing padding; the prevs' channels must add up to
// nifm (concatenation). External inputs (LSTM initial states) are extra InputLayers. A matmul
// layer also names the producer of its second operand (`weight_prevs`); that producer's output
// volume must equal the matmul's filter volume.
//
// Layers are identified by a layer_id: 0..size()-1 in definition order (which is a topological
// order, since prevs must exist first), network::input for the network input, and negative ids
// below it for external inputs.
#pragma once

#include <cstdint>  // std::int32_t
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>  // std::move
#include <vector>

#include <bufferprospector/core/error.hpp>      // bp::invalid_network
#include <bufferprospector/workload/layer.hpp>  // bp::layer

namespace bp {

using layer_id = std::int32_t;

class network {
 public:
  /// The id of the network input layer.
  static constexpr layer_id input = -1;
  /// The name under which prevs may refer to the network input (Tangram's INPUT_LAYER_KEY).
  static constexpr std::string_view input_name = "__INPUT__";

  network(std::string name, const layer& input_layer) : name_(std::move(name)) {
    if (!input_layer.is_input())
      throw invalid_network("Network: input_layer must be an InputLayer instance.");
    input_ = entry{std::string(input_name), input_layer, {}, {}, {}, {}};
    index_.emplace(std::string(input_name), input);
  }

  /// Adds a layer after `prevs` (names; empty = the last added layer, or the input).
  layer_id add(std::string name, const layer& l, std::initializer_list<std::string_view> prevs = {},
               std::initializer_list<std::string_view> weight_prevs = {}) {
    return add(std::move(name), l, std::vector<std::string_view>(prevs),
               std::vector<std::string_view>(weight_prevs));
  }

  layer_id add(std::string name, const layer& l, const std::vector<std::string_view>& prevs,
               const std::vector<std::string_view>& weight_prevs = {}) {
    if (index_.count(name) != 0 && index_.at(name) >= input)
      throw invalid_network("Network: layer " + name + " already exists.");
    if (index_.count(name) != 0)
      throw invalid_network("Network: layer " + name + " already exists as an external layer.");
    if (l.is_input())
      throw invalid_network("Network: layer " + name +
                            " is an InputLayer; use add_ext() for external inputs.");
    std::vector<layer_id> prev_ids;
    for (auto p : prevs) prev_ids.push_back(lookup_prev(p));
    if (prev_ids.empty()) prev_ids.push_back(layers_.empty() ? input : size() - 1);
    std::vector<layer_id> wprev_ids;
    for (auto p : weight_prevs) wprev_ids.push_back(lookup_prev(p));
    if (l.kind() == layer_kind::matmul && wprev_ids.empty())
      throw invalid_network("Network: matmul layer " + name +
                            " needs the producer of its second operand in weight_prevs.");
    if (l.kind() != layer_kind::matmul && !wprev_ids.empty())
      throw invalid_network("Network: only a matmul layer takes weight_prevs, not " + name + ".");
    check_prevs(name, l, prev_ids);
    check_weight_prevs(name, l, wprev_ids);

    const layer_id id = size();
    layers_.push_back(entry{name, l, prev_ids, wprev_ids, {}, {}});
    index_.emplace(std::move(name), id);
    for (auto p : prev_ids) at(p).nexts.push_back(id);
    for (auto p : wprev_ids) at(p).weight_nexts.push_back(id);
    return id;
  }

  /// Adds an external input (e.g. an LSTM's initial cell state).
  layer_id add_ext(std::string name, const layer& l) {
    if (index_.count(name) != 0)
      throw invalid_network("Network: external layer " + name + " already exists.");
    if (!l.is_input())
      throw invalid_network("Network: external layer must be an InputLayer instance.");
    const layer_id id = ext_id(static_cast<std::int32_t>(exts_.size()));
    exts_.push_back(entry{name, l, {}, {}, {}, {}});
    index_.emplace(std::move(name), id);
    return id;
  }

  // -- queries --------------------------------------------------------------------------------
  const std::string& name() const noexcept { return name_; }
  /// Number of layers, not counting the input and external layers.
  layer_id size() const noexcept { return static_cast<layer_id>(layers_.size()); }
  bool empty() const noexcept { return layers_.empty(); }

  const layer& operator[](layer_id id) const { return at(id).l; }
  const layer& input_layer() const noexcept { return input_.l; }
  const std::string& name_of(layer_id id) const { return at(id).name; }

  bool contains(std::string_view name) const { return index_.count(std::string(name)) != 0; }
  /// Id of a named layer (also the input name and external names).
  layer_id id_of(std::string_view name) const {
    auto it = index_.find(std::string(name));
    if (it == index_.end())
      throw invalid_network("Network: '" + std::string(name) + "' layer not found.");
    return it->second;
  }

  static constexpr bool is_external(layer_id id) noexcept { return id < input; }
  /// Whether the data of `id` comes from outside the network (input or an external layer).
  static constexpr bool is_source(layer_id id) noexcept { return id <= input; }

  /// Data producers of a layer (network::input for the input, negative ids for externals).
  const std::vector<layer_id>& prevs(layer_id id) const { return at_layer(id).prevs; }
  /// Producers of a matmul layer's second operand.
  const std::vector<layer_id>& weight_prevs(layer_id id) const { return at_layer(id).weight_prevs; }
  /// Data consumers; empty for a network output (Tangram returns (None,)).
  const std::vector<layer_id>& nexts(layer_id id) const { return at(id).nexts; }
  /// Matmul layers that consume this layer's output as their second operand.
  const std::vector<layer_id>& weight_nexts(layer_id id) const { return at(id).weight_nexts; }

  /// External layer ids in definition order.
  std::vector<layer_id> ext_layers() const {
    std::vector<layer_id> ids;
    for (std::int32_t k = 0; k < static_cast<std::int32_t>(exts_.size()); ++k) ids.push_back(ext_id(k));
    return ids;
  }

  /// Layers whose prevs are all the input or external layers.
  std::vector<layer_id> firsts() const {
    std::vector<layer_id> out;
    for (layer_id id = 0; id < size(); ++id) {
      bool first = true;
      for (auto p : prevs(id)) first = first && is_source(p);
      if (first) out.push_back(id);
    }
    return out;
  }

  /// Layers without consumers.
  std::vector<layer_id> lasts() const {
    std::vector<layer_id> out;
    for (layer_id id = 0; id < size(); ++id)
      if (nexts(id).empty() && weight_nexts(id).empty()) out.push_back(id);
    return out;
  }

 private:
  struct entry {
    std::string name;
    layer l;
    std::vector<layer_id> prevs;
    std::vector<layer_id> weight_prevs;
    std::vector<layer_id> nexts;
    std::vector<layer_id> weight_nexts;
  };

  static constexpr layer_id ext_id(std::int32_t k) noexcept { return input - 1 - k; }

  const entry& at(layer_id id) const {
    if (id == input) return input_;
    if (id < input) {
      const auto k = static_cast<std::size_t>(input - 1 - id);
      if (k >= exts_.size()) throw invalid_network("Network: layer id " + std::to_string(id) + " not found.");
      return exts_[k];
    }
    if (id >= size()) throw invalid_network("Network: layer id " + std::to_string(id) + " not found.");
    return layers_[static_cast<std::size_t>(id)];
  }
  entry& at(layer_id id) { return const_cast<entry&>(static_cast<const network&>(*this).at(id)); }

  const entry& at_layer(layer_id id) const {
    if (id < 0)
      throw invalid_network(id == input ? "Network: cannot get previous layers for input layer."
                                        : "Network: cannot get previous layers for external layers.");
    return at(id);
  }

  layer_id lookup_prev(std::string_view p) const {
    auto it = index_.find(std::string(p));
    if (it == index_.end())
      throw invalid_network("Network: given previous layer " + std::string(p) +
                            " has not been added to the network");
    return it->second;
  }

  static std::string shape(std::int64_t h, std::int64_t w) {
    return tuple_repr(h, w);
  }

  void check_prevs(const std::string& name, const layer& l, const std::vector<layer_id>& ids) const {
    std::int64_t sum_nfmaps = 0;
    std::string joined;
    for (auto p : ids) {
      const layer& pl = at(p).l;
      if (!l.is_valid_padding_sifm(pl.hofm(), pl.wofm()))
        throw invalid_network("Network: " + at(p).name + ", a previous layer of " + name +
                              ", has mismatch fmap size: " + shape(pl.hofm(), pl.wofm()) +
                              " vs. " + shape(l.hofm(), l.wofm()) + ".");
      sum_nfmaps += pl.nofm();
      joined += (joined.empty() ? "" : " | ") + at(p).name;
    }
    if (sum_nfmaps != l.nifm())
      throw invalid_network("Network: " + joined + " cannot be the previous layers of " + name +
                            ".");
  }

  void check_weight_prevs(const std::string& name, const layer& l,
                          const std::vector<layer_id>& ids) const {
    if (ids.empty()) return;
    std::int64_t volume = 0;
    for (auto p : ids) volume += at(p).l.total_ofmap_size();
    if (volume != l.total_filter_size())
      throw invalid_network("Network: weight_prevs of " + name + " produce " +
                            std::to_string(volume) + " words per sample, but its second operand needs " +
                            std::to_string(l.total_filter_size()) + ".");
  }

  std::string name_;
  entry input_{std::string(input_name), layer(layers::input{1, 1}), {}, {}, {}, {}};
  std::vector<entry> layers_;
  std::vector<entry> exts_;
  std::unordered_map<std::string, layer_id> index_;
};

}  // namespace bp
