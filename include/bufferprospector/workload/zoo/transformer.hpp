// bufferprospector/workload/zoo/transformer.hpp -- transformer encoder/decoder stacks: BERT-base,
// BERT-large, GPT-2 small and XL (prefill), GPT-2 XL (decode), and one block of each
// (docs/bufferprospector-model.md section 7.2).
//
//   bp::network bert = bp::zoo::bert_base();                  // 12 blocks, 156 layers
//   bp::network blk  = bp::zoo::transformer_block(bp::zoo::bert_base_shape, "my block");
//
// Layout of the data: sequence positions are the spatial dimension (tokens x 1), features are
// channels, so a d-wide activation of L tokens is a d-channel L x 1 fmap and a projection is a
// 1x1 ConvLayer. One block, with d = d_model, h = heads, T = tokens, A = attended positions
// (T + kv_cache), layer names as in the SET scheduler (SET-Scheduling-Project/SET-ISCA2023:
// src/nns/llm.cpp) where SET has the layer:
//
//   name       layer                                         ops              weights
//   _Q/_K/_V   conv{d -> d, (T,1), 1x1}                      T*d*d each       d*d each
//   _QK        matmul{nifm d, nofm h*A, (T,1), groups h},    T*A*d            (operand K: d*A)
//              prevs _Q, weight_prevs [_Kcache,] _K          (d/h per neuron)
//   _softmax   eltwise{h*A, (T,1), nreg 1}                   h*A*T            -
//   _QKV       matmul{nifm h*A, nofm d, (T,1), groups h},    T*A*d            (operand V: d*A)
//              prevs _softmax, weight_prevs [_Vcache,] _V    (A per neuron)
//   _FC        conv{d -> d} (output projection)              T*d*d            d*d
//   _elt1      eltwise{d, (T,1), nreg 2}: block input + _FC  2*d*T            -
//   _feedfwd1  conv{d -> d_ff}                               T*d*d_ff         d*d_ff
//   _feedfwd2  conv{d_ff -> d}                               T*d_ff*d         d_ff*d
//   _elt2      eltwise{d, (T,1), nreg 2}: residual + FFN     2*d*T            -
//   _ln1/_ln2  eltwise{d, (T,1), nreg 1} (LayerNorm)         d*T each         -
//
// Where LayerNorm sits (layer_norm_placement):
// - post (BERT, as in the original Transformer): _ln1 after _elt1 feeds the FFN and is the FFN's
//   residual; _ln2 after _elt2 is the block output.
// - pre (GPT-2, Radford et al. 2019, section 2.3): _ln1 before the Q/K/V projections, _ln2 before
//   the FFN; the residuals bypass them (_elt1 = input + _FC, _elt2 = _elt1 + _feedfwd2); the
//   full network ends with one more LayerNorm, "ln_f". Op counts are the same either way.
//
// Differences from SET's llm.cpp, by design: no embedding ("word_embed") or vocabulary ("proj")
// layers; K is one d -> d projection, not one conv plus one transpose per head (the matmul reads
// K as its second operand directly, so no transpose layers); the FFN is d -> 4d -> d (SET uses
// 4 * sequence length); LayerNorm and softmax are single-input eltwise layers (SET: softmax is a
// PTP layer "_QK_elt", no LayerNorm). Attention ops per position are SET's (T*A*d for _QK and
// _QKV, with A = 513 in decode as SET's kv_len).
//
// Decode (kv_cache > 0): one new token (T = 1) attends to the kv_cache cached positions and to
// itself (A = kv_cache + 1, as SET's kv_len). The cache of each block is two external input layers
// "_Kcache" and "_Vcache" of d channels x (kv_cache, 1): they are read from DRAM, like every
// external input. The new token's K and V are projected as usual, and the second operand of _QK
// (_QKV) is the cache followed by the new token's K (V): weight_prevs = {_Kcache, _K}, whose
// volume d*kv_cache + d*1 equals the matmul's operand d*A. Layers per block are the same as in
// prefill (13); the network has 2 external layers per block.
//
// GPT-2's causal mask is not exploited: every query scores all A positions, as in SET. Biases,
// GELU and dropout are not modelled (elementwise work that folds into the layers around them),
// as in SET.
#pragma once

#include <cstdint>  // std::int64_t, std::uint8_t
#include <string>   // std::string, std::to_string
#include <utility>  // std::move

#include <bufferprospector/core/error.hpp>                     // bp::invalid_network
#include <bufferprospector/workload/layer.hpp>                 // bp::layers::*
#include <bufferprospector/workload/network.hpp>               // bp::network
#include <bufferprospector/workload/zoo/detail/name_list.hpp>  // name_list, views

namespace bp::zoo {

/// Where a block's two LayerNorms sit.
enum class layer_norm_placement : std::uint8_t {
  post,  ///< after each residual add (BERT)
  pre,   ///< before each sublayer, plus a final one after the last block (GPT-2)
};

/// The shape of a transformer stack. Embedding and vocabulary layers are not part of it.
struct transformer_shape {
  std::int64_t d_model = 0;  ///< feature width d (channels)
  std::int64_t heads = 0;    ///< attention heads h; d_model / heads features per head
  std::int64_t d_ff = 0;     ///< FFN hidden width (4 * d_model in every preset)
  std::int64_t blocks = 1;   ///< number of identical blocks
  std::int64_t tokens = 512;   ///< positions computed: the sequence (prefill) or 1 (decode)
  std::int64_t kv_cache = 0;   ///< cached positions read from DRAM (0: no cache, prefill)
  layer_norm_placement norm = layer_norm_placement::post;

  /// Positions every query attends to.
  constexpr std::int64_t attended() const noexcept { return tokens + kv_cache; }
};

// Shapes: d_model / heads / blocks from the models' papers; sequence 512 (SET's default).
inline constexpr transformer_shape bert_base_shape{.d_model = 768, .heads = 12, .d_ff = 3072,
                                                   .blocks = 12};
inline constexpr transformer_shape bert_large_shape{.d_model = 1024, .heads = 16, .d_ff = 4096,
                                                    .blocks = 24};
inline constexpr transformer_shape gpt2_small_prefill_shape{
    .d_model = 768, .heads = 12, .d_ff = 3072, .blocks = 12, .norm = layer_norm_placement::pre};
inline constexpr transformer_shape gpt2_xl_prefill_shape{
    .d_model = 1600, .heads = 25, .d_ff = 6400, .blocks = 48, .norm = layer_norm_placement::pre};
inline constexpr transformer_shape gpt2_xl_decode_shape{.d_model = 1600,
                                                        .heads = 25,
                                                        .d_ff = 6400,
                                                        .blocks = 48,
                                                        .tokens = 1,
                                                        .kv_cache = 512,
                                                        .norm = layer_norm_placement::pre};

namespace detail::transformer {

[[noreturn]] inline void bad_shape(const char* field, std::int64_t value, const std::string& rule) {
  throw invalid_network("transformer_shape: " + std::string(field) + " = " +
                        std::to_string(value) + " " + rule);
}

inline void validate(const transformer_shape& s) {
  if (s.d_model <= 0) bad_shape("d_model", s.d_model, "must be > 0");
  if (s.heads <= 0) bad_shape("heads", s.heads, "must be > 0");
  if (s.d_model % s.heads != 0)
    bad_shape("heads", s.heads, "must divide d_model = " + std::to_string(s.d_model));
  if (s.d_ff <= 0) bad_shape("d_ff", s.d_ff, "must be > 0");
  if (s.blocks <= 0) bad_shape("blocks", s.blocks, "must be > 0");
  if (s.tokens <= 0) bad_shape("tokens", s.tokens, "must be > 0");
  if (s.kv_cache < 0) bad_shape("kv_cache", s.kv_cache, "must be >= 0");
}

/// A d -> d_out projection of every position.
inline layers::conv projection(const transformer_shape& s, std::int64_t d_in, std::int64_t d_out) {
  return layers::conv{.nifm = d_in, .nofm = d_out, .sofm = {s.tokens, 1}, .sfil = 1};
}

/// A single-input elementwise layer (LayerNorm, softmax) or an n-operand add.
inline layers::eltwise elementwise(const transformer_shape& s, std::int64_t channels,
                                   std::int64_t operands) {
  return layers::eltwise{.nofm = channels, .sofm = {s.tokens, 1}, .nreg = operands};
}

/// Multi-head self-attention on `x`: Q/K/V projections, scores, softmax, weighted sum, output
/// projection. Returns the output projection.
inline std::string attention(network& net, const transformer_shape& s, const std::string& p,
                             const std::string& x) {
  const std::int64_t d = s.d_model;
  const std::int64_t scores = s.heads * s.attended();  // h score rows of A positions
  net.add(p + "Q", projection(s, d, d), {x});
  net.add(p + "K", projection(s, d, d), {x});
  net.add(p + "V", projection(s, d, d), {x});
  name_list keys{p + "K"};
  name_list values{p + "V"};
  if (s.kv_cache > 0) {
    const layers::input cache{.nofm = d, .sofm = {s.kv_cache, 1}};
    net.add_ext(p + "Kcache", cache);
    net.add_ext(p + "Vcache", cache);
    keys.insert(keys.begin(), p + "Kcache");
    values.insert(values.begin(), p + "Vcache");
  }
  net.add(p + "QK",
          layers::matmul{.nifm = d, .nofm = scores, .sofm = {s.tokens, 1}, .groups = s.heads},
          {p + "Q"}, views(keys));
  net.add(p + "softmax", elementwise(s, scores, 1));
  net.add(p + "QKV",
          layers::matmul{.nifm = scores, .nofm = d, .sofm = {s.tokens, 1}, .groups = s.heads},
          {p + "softmax"}, views(values));
  net.add(p + "FC", projection(s, d, d));
  return p + "FC";
}

/// One block named "<p>..." on input `x`. Returns its output.
inline std::string block(network& net, const transformer_shape& s, const std::string& p,
                         const std::string& x) {
  const std::int64_t d = s.d_model;
  const bool pre = s.norm == layer_norm_placement::pre;
  if (pre) net.add(p + "ln1", elementwise(s, d, 1), {x});
  const std::string fc = attention(net, s, p, pre ? p + "ln1" : x);
  net.add(p + "elt1", elementwise(s, d, 2), {x, fc});
  // The FFN's input, which is also its residual under post-norm.
  const std::string ffn_in = pre ? p + "ln2" : p + "ln1";
  net.add(ffn_in, elementwise(s, d, 1));
  net.add(p + "feedfwd1", projection(s, d, s.d_ff));
  net.add(p + "feedfwd2", projection(s, s.d_ff, d));
  net.add(p + "elt2", elementwise(s, d, 2), {pre ? p + "elt1" : ffn_in, p + "feedfwd2"});
  if (pre) return p + "elt2";
  net.add(p + "ln2", elementwise(s, d, 1));
  return p + "ln2";
}

inline network input_network(const transformer_shape& s, std::string name) {
  validate(s);
  return network(std::move(name), layers::input{.nofm = s.d_model, .sofm = {s.tokens, 1}});
}

}  // namespace detail::transformer

/// A stack of `s.blocks` blocks "block1_" ... (plus "ln_f" under pre-norm); throws
/// bp::invalid_network for an impossible shape (e.g. heads not dividing d_model).
inline network transformer(const transformer_shape& s, std::string name) {
  namespace d = detail::transformer;
  network net = d::input_network(s, std::move(name));
  std::string x(network::input_name);
  for (std::int64_t b = 1; b <= s.blocks; ++b)
    x = d::block(net, s, "block" + std::to_string(b) + "_", x);
  if (s.norm == layer_norm_placement::pre) net.add("ln_f", d::elementwise(s, s.d_model, 1));
  return net;
}

/// One block "block1_" of the stack `s` (s.blocks is ignored; no final LayerNorm).
inline network transformer_block(const transformer_shape& s, std::string name) {
  namespace d = detail::transformer;
  network net = d::input_network(s, std::move(name));
  d::block(net, s, "block1_", std::string(network::input_name));
  return net;
}

inline network bert_base() { return transformer(bert_base_shape, "BERT-base"); }
inline network bert_base_block() { return transformer_block(bert_base_shape, "BERT-base block"); }
inline network bert_large() { return transformer(bert_large_shape, "BERT-large"); }
inline network bert_large_block() {
  return transformer_block(bert_large_shape, "BERT-large block");
}
inline network gpt2_small_prefill() {
  return transformer(gpt2_small_prefill_shape, "GPT-2 small prefill");
}
inline network gpt2_small_prefill_block() {
  return transformer_block(gpt2_small_prefill_shape, "GPT-2 small prefill block");
}
inline network gpt2_xl_prefill() { return transformer(gpt2_xl_prefill_shape, "GPT-2 XL prefill"); }
inline network gpt2_xl_prefill_block() {
  return transformer_block(gpt2_xl_prefill_shape, "GPT-2 XL prefill block");
}
inline network gpt2_xl_decode() { return transformer(gpt2_xl_decode_shape, "GPT-2 XL decode"); }
inline network gpt2_xl_decode_block() {
  return transformer_block(gpt2_xl_decode_shape, "GPT-2 XL decode block");
}

}  // namespace bp::zoo
