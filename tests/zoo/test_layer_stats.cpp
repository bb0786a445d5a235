// tests/zoo/test_layer_stats.cpp -- bp::layer_stats_table is byte-identical to Tangram's
// tools/nn_layer_stats.py.
//
// Tables: tests/data/layer_stats/<net>_b<B>_w<W>.txt (command in tests/data/layer_stats/README.md).
// Single-layer values: printed with the reference (PYTHONPATH as in the README) by
//   from nn_dataflow.nns import import_network; nn = import_network('resnet50')
//   and nn_layer_stats.py's formulas for batch 3, word_bytes 1, printing repr() of each value.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <bufferprospector/core/error.hpp>
#include <bufferprospector/report/layer_stats.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "test_data.hpp"

TEST_CASE("layer_stats_table equals nn_layer_stats.py for all Tangram networks", "[zoo][report]") {
  const std::vector<std::string> nets{"alex_net", "googlenet", "lstm_gnmt", "lstm_phoneme",
                                      "lstm_showtell", "mlp_l", "mlp_m", "mlp_s", "resnet152",
                                      "resnet50", "vgg19_net", "vgg_net", "zfnet"};
  struct setting {
    std::int64_t batch, word_bits;
  };
  for (const auto& name : nets) {
    const bp::network net = bp::zoo::make(name);
    for (const setting s : {setting{1, 16}, setting{16, 16}, setting{3, 8}}) {
      const std::string file = "layer_stats/" + name + "_b" + std::to_string(s.batch) + "_w" +
                               std::to_string(s.word_bits) + ".txt";
      DYNAMIC_SECTION(file) { CHECK(bp::layer_stats_table(net, s.batch, s.word_bits) == bp_test::read_data(file)); }
    }
  }
}

TEST_CASE("layer_stats_of follows the Python float expressions", "[zoo][report]") {
  const bp::network net = bp::zoo::resnet50();
  const auto stats = [&](const char* name) { return bp::layer_stats_of(net[net.id_of(name)], 3, 1); };
  // Exact equality: the same integers and the same operation order give the same doubles.
  const auto conv = stats("conv3_0_a");
  CHECK(conv.ifmap_kb == 2268.75);
  CHECK(conv.ofmap_kb == 294.0);
  CHECK(conv.weight_kb == 32.0);
  CHECK(conv.macs_m == 73.5);
  CHECK(conv.min_opt_buf_kb == 132.9541015625);
  const auto pool = stats("pool1");
  CHECK(pool.ifmap_kb == 2394.1875);
  CHECK(pool.weight_kb == 0.0);
  CHECK(pool.macs_m == 5.16796875);
  CHECK(pool.min_opt_buf_kb == 208.4697265625);
  const auto res = stats("conv2_0_res");
  CHECK(res.ifmap_kb == 4704.0);
  CHECK(res.min_opt_buf_kb == 787.0625);
  const auto fc = stats("fc");
  CHECK(fc.ofmap_kb == 2.9296875);
  CHECK(fc.weight_kb == 2000.0);
  CHECK(fc.min_opt_buf_kb == 2.93359375);
}

TEST_CASE("word sizes round up to whole bytes, as (word + 7) // 8", "[zoo][report]") {
  const bp::network net = bp::zoo::make("mlp_s");
  CHECK(bp::layer_stats_table(net, 2, 9) == bp::layer_stats_table(net, 2, 16));
  CHECK(bp::layer_stats_table(net, 2, 1) == bp::layer_stats_table(net, 2, 8));
  CHECK(bp::layer_stats_table(net, 2, 8) != bp::layer_stats_table(net, 2, 9));
  // The top of the range does not overflow the rounding itself.
  CHECK(bp::detail::word_bytes_of(std::numeric_limits<std::int64_t>::max()) ==
        std::numeric_limits<std::int64_t>::max() / 8 + 1);
}

TEST_CASE("a matmul layer counts as neither CONV nor FC", "[zoo][report]") {
  // Attention-like: q x k^T with k as the second operand (64 x 64 per sample).
  namespace L = bp::layers;
  bp::network net("attn", L::input{.nofm = 64, .sofm = 8});
  net.add("q", L::conv{.nifm = 64, .nofm = 64, .sofm = 8, .sfil = 1}, {bp::network::input_name});
  net.add("k", L::conv{.nifm = 64, .nofm = 64, .sofm = 8, .sfil = 1}, {bp::network::input_name});
  net.add("qk", L::matmul{.nifm = 64, .nofm = 64, .sofm = 8}, {"q"}, {"k"});
  const std::string table = bp::layer_stats_table(net, 1, 16);
  // ifmap = ofmap = operand = 64 * 64 words of 2 bytes = 8 kB; 64 * 8 * 8 * 64 MACs = 0.25 M;
  // min buffer = ifm + (ofm + fil / nifm) / nofm = 8 + 8.125 / 64 = 8.126953125.
  CHECK_THAT(table, Catch::Matchers::Contains(
                        "qk                            ,        8.00,        8.00,        8.00,"
                        "        0.25,        8.13\n"));
  CHECK_THAT(table, Catch::Matchers::EndsWith("# CONV layers = 2, # FC layers = 0\n"));
}

TEST_CASE("layer_stats_table refuses bad batch and word sizes", "[zoo][report]") {
  const bp::network net = bp::zoo::make("alex_net");
  REQUIRE_THROWS_WITH(bp::layer_stats_table(net, 0, 16),
                      "layer_stats_table: batch = 0 must be > 0");
  REQUIRE_THROWS_AS(bp::layer_stats_table(net, -3, 16), bp::invalid_option);
  REQUIRE_THROWS_WITH(bp::layer_stats_table(net, 1, 0),
                      "layer_stats_table: word_bits = 0 must be > 0");
  REQUIRE_THROWS_AS(bp::layer_stats_table(net, 1, -16), bp::invalid_option);
  REQUIRE_THROWS_AS(bp::layer_stats_of(net[0], 1, 0), bp::invalid_option);
  // conv1_a's ifmap is 3 * 227 * 227 words: 2^62 samples of 2 bytes cannot be counted in int64.
  REQUIRE_THROWS_WITH(bp::layer_stats_table(net, std::int64_t{1} << 62, 16),
                      Catch::Matchers::Contains("overflow int64") &&
                          Catch::Matchers::Contains("batch = 4611686018427387904") &&
                          Catch::Matchers::Contains("(layer conv1_a)"));
  REQUIRE_THROWS_AS(bp::layer_stats_table(net, 1, std::numeric_limits<std::int64_t>::max()),
                    bp::invalid_option);
}

TEST_CASE("an empty network still prints the frame", "[zoo][report]") {
  const bp::network net("empty", bp::layers::input{.nofm = 1, .sofm = 1});
  const std::string table = bp::layer_stats_table(net, 1, 16);
  CHECK(table ==
        "Layer                         ,    Ifmap/kB,    Ofmap/kB,   Weight/kB,      MACs/M,MinOptBuf/kB\n"
        "------------------------------\n"
        "MAX                           ,         nan,        0.00,        0.00,        0.00,         nan\n"
        "SUM                           ,         nan,        0.00,        0.00,        0.00,         nan\n"
        "------------------------------\n"
        "# CONV layers = 0, # FC layers = 0\n");
}
