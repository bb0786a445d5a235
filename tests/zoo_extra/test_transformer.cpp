// tests/zoo_extra/test_transformer.cpp -- transformer networks: one BERT-base block worked out by
// hand, every network's totals against closed-form formulas, the layers we share with the SET
// scheduler against SET's numbers, the decode KV cache, and shape validation.
#include <catch2/catch.hpp>

#include <bufferprospector/workload/zoo/transformer.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "zoo_extra_util.hpp"

namespace zoo = bp::zoo;
using bp::layer_kind;

TEST_CASE("BERT-base block, every layer by hand", "[zoo_extra]") {
  // L = 512 tokens, d = 768, h = 12 heads (64 features per head), d_ff = 4 * 768 = 3072.
  // Activations are d-channel fmaps of L x 1; post-LayerNorm (BERT).
  constexpr std::int64_t L = 512, d = 768, h = 12, ff = 3072;
  const auto net = zoo::bert_base_block();

  struct row {
    const char* name;
    layer_kind kind;
    std::int64_t nifm, nofm, groups;
    std::int64_t ops;      // total_ops(): ofmap neurons x ops per neuron
    std::int64_t filter;   // total_filter_size(): weights, or a matmul's second operand
    std::int64_t ofmap;    // total_ofmap_size()
    const char* prevs;
    const char* weight_prevs;
  };
  const row expected[] = {
      // Q, K, V projections: 1x1 convs d -> d on every position. ops = L*d*d = 512*768*768.
      {"block1_Q", layer_kind::conv, d, d, 1, 512LL * 768 * 768, 768 * 768, 768 * 512, "-", "-"},
      {"block1_K", layer_kind::conv, d, d, 1, 301'989'888, 589'824, 393'216, "-", "-"},
      {"block1_V", layer_kind::conv, d, d, 1, 301'989'888, 589'824, 393'216, "-", "-"},
      // Scores Q*K^T: h*L = 6144 output channels (per head, one per key position) at each of the L
      // query positions; each neuron is a d/h = 64-long dot product.
      // ops = 6144 * 512 * 64 = L*L*d = 201,326,592; second operand = K = d*L = 393,216 words.
      {"block1_QK", layer_kind::matmul, d, h * L, h, 6144LL * 512 * 64, 768 * 512, 6144 * 512,
       "block1_Q", "block1_K"},
      // softmax over the scores: single-input eltwise, one op per score: 6144 * 512.
      {"block1_softmax", layer_kind::eltwise, h * L, h * L, 1, 3'145'728, 0, 3'145'728,
       "block1_QK", "-"},
      // softmax * V: d outputs per position, each a sum over the L = 512 key positions of its
      // head. ops = 768 * 512 * 512 = 201,326,592; second operand = V = 768 * 512.
      {"block1_QKV", layer_kind::matmul, h * L, d, h, 768LL * 512 * 512, 393'216, 393'216,
       "block1_softmax", "block1_V"},
      // Output projection d -> d.
      {"block1_FC", layer_kind::conv, d, d, 1, 301'989'888, 589'824, 393'216, "block1_QKV", "-"},
      // Residual add of the block input and the attention output: 2 operands, 2 ops per neuron.
      {"block1_elt1", layer_kind::eltwise, 2 * d, d, 1, 2 * 768 * 512, 0, 393'216,
       "-,block1_FC", "-"},
      {"block1_ln1", layer_kind::eltwise, d, d, 1, 768 * 512, 0, 393'216, "block1_elt1", "-"},
      // FFN: d -> 4d -> d. ops = 512*768*3072 = 1,207,959,552 each; weights 768*3072 each.
      {"block1_feedfwd1", layer_kind::conv, d, ff, 1, 512LL * 768 * 3072, 768 * 3072, 3072 * 512,
       "block1_ln1", "-"},
      {"block1_feedfwd2", layer_kind::conv, ff, d, 1, 1'207'959'552, 2'359'296, 393'216,
       "block1_feedfwd1", "-"},
      {"block1_elt2", layer_kind::eltwise, 2 * d, d, 1, 786'432, 0, 393'216,
       "block1_ln1,block1_feedfwd2", "-"},
      {"block1_ln2", layer_kind::eltwise, d, d, 1, 393'216, 0, 393'216, "block1_elt2", "-"},
  };

  REQUIRE(net.size() == 13);
  CHECK(net.input_layer().nofm() == d);
  CHECK(net.input_layer().hofm() == L);
  CHECK(net.input_layer().wofm() == 1);
  std::int64_t ops = 0;
  for (bp::layer_id id = 0; id < net.size(); ++id) {
    const row& r = expected[id];
    const bp::layer& l = net[id];
    INFO(r.name);
    CHECK(net.name_of(id) == r.name);
    CHECK(l.kind() == r.kind);
    CHECK(l.nifm() == r.nifm);
    CHECK(l.nofm() == r.nofm);
    CHECK(l.hofm() == L);  // every layer keeps the sequence as its L x 1 fmap
    CHECK(l.wofm() == 1);
    CHECK(l.groups() == r.groups);
    CHECK(l.total_ops() == r.ops);
    CHECK(l.total_filter_size() == r.filter);
    CHECK(l.total_ofmap_size() == r.ofmap);
    CHECK(l.total_ifmap_size() == r.nifm * L);  // 1x1 windows: no padding anywhere
    CHECK(zoo_test::joined_names(net, net.prevs(id)) == r.prevs);
    CHECK(zoo_test::joined_names(net, net.weight_prevs(id)) == r.weight_prevs);
    ops += r.ops;
  }
  // Block total: 4 projections + FFN + 2 attention matmuls + softmax + 2 adds + 2 LayerNorms
  // = 4*L*d*d + 2*L*d*ff + 2*L*L*d + h*L*L + 2*2*d*L + 2*d*L.
  CHECK(ops == 4'032'036'864);
  CHECK(zoo_test::total_ops(net) == 4'032'036'864);
  CHECK(zoo_test::total_weights(net) == 4 * 589'824 + 2 * 2'359'296);  // 12 d^2 = 7,077,888
  CHECK(net.lasts() == std::vector<bp::layer_id>{12});
  CHECK(net.nexts(bp::network::input) == std::vector<bp::layer_id>{0, 1, 2, 7});
}

namespace {

// Closed forms for one block with T computed positions attending to A = T + kv positions:
// projections 4*T*d^2, FFN 2*T*d*d_ff, attention matmuls 2*T*A*d, softmax h*A*T, two residual adds
// 2*(2*d*T), two LayerNorms 2*d*T; weights 4*d^2 + 2*d*d_ff.
std::int64_t block_ops(const zoo::transformer_shape& s) {
  const std::int64_t d = s.d_model, T = s.tokens, A = s.tokens + s.kv_cache;
  return 4 * T * d * d + 2 * T * d * s.d_ff + 2 * T * A * d + s.heads * A * T + 2 * 2 * d * T +
         2 * d * T;
}
std::int64_t block_weights(const zoo::transformer_shape& s) {
  return 4 * s.d_model * s.d_model + 2 * s.d_model * s.d_ff;
}

struct net_case {
  const char* zoo_name;
  bp::network (*full)();
  bp::network (*block)();
  zoo::transformer_shape shape;
  std::int64_t layers;  // 13 per block, + ln_f under pre-norm
  std::int64_t ops;     // blocks * block_ops (+ d*T for ln_f), evaluated by hand
  std::int64_t weights;
};

}  // namespace

TEST_CASE("transformer networks: sizes, ops and weights", "[zoo_extra]") {
  const net_case cases[] = {
      // 12 * 4,032,036,864 ops; 12 * 12 * 768^2 = 84,934,656 weights (BERT-base's published
      // 110M parameters minus embeddings, biases and LayerNorm scales).
      {"bert_base", zoo::bert_base, zoo::bert_base_block, zoo::bert_base_shape, 12 * 13,
       48'384'442'368, 84'934'656},
      // 24 blocks of d = 1024: 24 * 12 * 1024^2 = 301,989,888 weights (of BERT-large's 340M).
      {"bert_large", zoo::bert_large, zoo::bert_large_block, zoo::bert_large_shape, 24 * 13,
       167'679'885'312, 301'989'888},
      // GPT-2 small: BERT-base's shapes plus ln_f (768 * 512 ops).
      {"gpt2_small_prefill", zoo::gpt2_small_prefill, zoo::gpt2_small_prefill_block,
       zoo::gpt2_small_prefill_shape, 12 * 13 + 1, 48'384'442'368 + 393'216, 84'934'656},
      // GPT-2 XL: 48 blocks of d = 1600, 25 heads; 48 * 12 * 1600^2 = 1,474,560,000 weights.
      {"gpt2_xl_prefill", zoo::gpt2_xl_prefill, zoo::gpt2_xl_prefill_block,
       zoo::gpt2_xl_prefill_shape, 48 * 13 + 1, 795'791'360'000, 1'474'560'000},
      // Decode: T = 1, A = 513; per block 4*1600^2 + 2*1600*6400 + 2*513*1600 + 25*513
      // + 4*1600 + 2*1600 = 32,384,025; 48 blocks + ln_f (1600).
      {"gpt2_xl_decode", zoo::gpt2_xl_decode, zoo::gpt2_xl_decode_block, zoo::gpt2_xl_decode_shape,
       48 * 13 + 1, 48 * 32'384'025 + 1600, 1'474'560'000},
  };
  for (const auto& c : cases) {
    INFO(c.zoo_name);
    const auto full = c.full();
    CHECK(full.size() == c.layers);
    CHECK(zoo_test::total_ops(full) == c.ops);
    CHECK(zoo_test::total_weights(full) == c.weights);
    const bool pre = c.shape.norm == zoo::layer_norm_placement::pre;
    CHECK(c.ops == c.shape.blocks * block_ops(c.shape) + (pre ? c.shape.d_model * c.shape.tokens : 0));
    CHECK(c.weights == c.shape.blocks * block_weights(c.shape));
    CHECK(zoo_test::count_kind(full, layer_kind::matmul) == 2 * c.shape.blocks);
    CHECK(static_cast<std::int64_t>(full.ext_layers().size()) ==
          (c.shape.kv_cache > 0 ? 2 * c.shape.blocks : 0));

    const auto blk = c.block();
    CHECK(blk.size() == 13);
    CHECK(zoo_test::total_ops(blk) == block_ops(c.shape));
    CHECK(zoo_test::total_weights(blk) == block_weights(c.shape));
    // The block is the full network's first block.
    for (bp::layer_id id = 0; id < blk.size(); ++id) {
      INFO(blk.name_of(id));
      CHECK(blk[id] == full[full.id_of(blk.name_of(id))]);
    }
  }
}

TEST_CASE("transformer blocks chain: block i+1 reads block i's output", "[zoo_extra]") {
  const auto bert = zoo::bert_base();
  CHECK(zoo_test::joined_names(bert, bert.prevs(bert.id_of("block2_Q"))) == "block1_ln2");
  CHECK(zoo_test::joined_names(bert, bert.prevs(bert.id_of("block2_elt1"))) == "block1_ln2,block2_FC");
  CHECK(bert.lasts() == std::vector<bp::layer_id>{bert.id_of("block12_ln2")});

  // GPT-2: pre-LayerNorm, residuals bypass the norms, ln_f at the end.
  const auto gpt = zoo::gpt2_small_prefill();
  CHECK(gpt.name_of(0) == "block1_ln1");
  CHECK(gpt.prevs(0) == std::vector<bp::layer_id>{bp::network::input});
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block1_Q"))) == "block1_ln1");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block1_elt1"))) == "-,block1_FC");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block1_ln2"))) == "block1_elt1");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block1_feedfwd1"))) == "block1_ln2");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block1_elt2"))) ==
        "block1_elt1,block1_feedfwd2");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block2_ln1"))) == "block1_elt2");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.id_of("block2_elt1"))) == "block1_elt2,block2_FC");
  CHECK(gpt.name_of(gpt.size() - 1) == "ln_f");
  CHECK(zoo_test::joined_names(gpt, gpt.prevs(gpt.size() - 1)) == "block12_elt2");
}

TEST_CASE("attention layers we share with SET have SET's numbers", "[zoo_extra]") {
  // SET's BERT_block (src/nns/llm.cpp: create_transformer(16, 64, 1, true), i.e. BERT-large
  // shapes) printed by `./set_zoo_dump bert` (tests/data/zoo_extra/README.md); its FFN differs
  // (4 * sequence length), so only the attention layers and the adds are compared.
  const auto bert = zoo::bert_large_block();
  const auto ops = [&](const char* n) { return bert[bert.id_of(n)].total_ops(); };
  const auto operand = [&](const char* n) { return bert[bert.id_of(n)].total_filter_size(); };
  CHECK(ops("block1_Q") == 536'870'912);
  CHECK(operand("block1_Q") == 1'048'576);
  CHECK(ops("block1_QK") == 268'435'456);
  CHECK(operand("block1_QK") == 524'288);
  CHECK(bert[bert.id_of("block1_QK")].nofm() == 8192);
  CHECK(ops("block1_softmax") == 4'194'304);  // SET: block1_QK_elt
  CHECK(ops("block1_QKV") == 268'435'456);
  CHECK(operand("block1_QKV") == 524'288);
  CHECK(ops("block1_FC") == 536'870'912);
  CHECK(ops("block1_elt1") == 1'048'576);
  CHECK(ops("block1_elt2") == 1'048'576);

  // SET's GPT2_decode_block (create_transformer(25, 64, 1, false), `./set_zoo_dump gpt_decode`):
  // one token attending to 512 cached positions and itself, kv_len = 513.
  const auto gpt = zoo::gpt2_xl_decode_block();
  const auto gops = [&](const char* n) { return gpt[gpt.id_of(n)].total_ops(); };
  CHECK(gops("block1_Q") == 2'560'000);
  CHECK(gops("block1_QK") == 820'800);
  CHECK(gpt[gpt.id_of("block1_QK")].total_filter_size() == 820'800);
  CHECK(gpt[gpt.id_of("block1_QK")].nofm() == 12'825);
  CHECK(gops("block1_softmax") == 12'825);  // SET: block1_QK_elt
  CHECK(gops("block1_QKV") == 820'800);
  CHECK(gpt[gpt.id_of("block1_QKV")].total_filter_size() == 820'800);
  CHECK(gops("block1_FC") == 2'560'000);
  CHECK(gops("block1_elt1") == 3'200);
}

TEST_CASE("decode reads the KV cache as external inputs", "[zoo_extra]") {
  const auto net = zoo::gpt2_xl_decode_block();
  constexpr std::int64_t d = 1600, cache = 512;
  CHECK(net.input_layer().nofm() == d);
  CHECK(net.input_layer().hofm() == 1);  // the one new token
  const auto exts = net.ext_layers();
  REQUIRE(exts.size() == 2);
  CHECK(net.name_of(exts[0]) == "block1_Kcache");
  CHECK(net.name_of(exts[1]) == "block1_Vcache");
  for (auto e : exts) {
    CHECK(net[e].nofm() == d);
    CHECK(net[e].hofm() == cache);
    CHECK(net[e].wofm() == 1);
  }
  const auto qk = net.id_of("block1_QK");
  const auto qkv = net.id_of("block1_QKV");
  // The cache, then the new token's projection: 512 + 1 = 513 attended positions.
  CHECK(net.weight_prevs(qk) == std::vector<bp::layer_id>{exts[0], net.id_of("block1_K")});
  CHECK(net.weight_prevs(qkv) == std::vector<bp::layer_id>{exts[1], net.id_of("block1_V")});
  CHECK(net.weight_nexts(exts[0]) == std::vector<bp::layer_id>{qk});
  CHECK(net.nexts(exts[0]).empty());
  CHECK(net[qk].total_filter_size() == d * cache + d * 1);
  CHECK(net[qk].ops_per_neuron() == d / 25);     // 64 features per head
  CHECK(net[qkv].ops_per_neuron() == cache + 1);  // 513 positions
  // Every block has its own cache.
  const auto full = zoo::gpt2_xl_decode();
  CHECK(full.name_of(full.ext_layers().back()) == "block48_Vcache");
}

TEST_CASE("transformer shapes are validated", "[zoo_extra]") {
  zoo::transformer_shape s = zoo::bert_base_shape;
  s.heads = 5;
  CHECK_THROWS_AS(zoo::transformer(s, "bad"), bp::invalid_network);
  CHECK_THROWS_WITH(zoo::transformer(s, "bad"),
                    "transformer_shape: heads = 5 must divide d_model = 768");
  s = zoo::bert_base_shape;
  s.tokens = 0;
  CHECK_THROWS_WITH(zoo::transformer_block(s, "bad"), "transformer_shape: tokens = 0 must be > 0");
  s = zoo::bert_base_shape;
  s.kv_cache = -1;
  CHECK_THROWS_WITH(zoo::transformer(s, "bad"), "transformer_shape: kv_cache = -1 must be >= 0");
  s = zoo::bert_base_shape;
  s.d_ff = 0;
  CHECK_THROWS_WITH(zoo::transformer(s, "bad"), "transformer_shape: d_ff = 0 must be > 0");
  s = zoo::bert_base_shape;
  s.blocks = 0;
  CHECK_THROWS_WITH(zoo::transformer(s, "bad"), "transformer_shape: blocks = 0 must be > 0");

  // Other shapes build, e.g. a 4-block, 8-head model prefilling 128 tokens after a 64-token cache.
  s = {.d_model = 256, .heads = 8, .d_ff = 1024, .blocks = 4, .tokens = 128, .kv_cache = 64};
  const auto net = zoo::transformer(s, "small");
  CHECK(net.size() == 4 * 13);
  CHECK(zoo_test::total_ops(net) == 4 * block_ops(s));
  CHECK(net[net.id_of("block3_QK")].nofm() == 8 * (128 + 64));
}
