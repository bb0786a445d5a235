// Segment timing vs nn_dataflow's PipelineSegmentTiming, replayed over the per-layer schedules of
// golden whole-network results (tests/data/pipeline/timing/, tests/data/gen/gen_pipeline.py):
// per layer its OFM group count and start/done times, and after each layer the segment's time,
// critical time, node time, DRAM time, batch group count and time overhead.
#include <catch2/catch.hpp>

#include <map>

#include <bufferprospector/pipeline/segment_timing.hpp>

#include "reference_nets.hpp"

namespace {

std::size_t at_word(const std::vector<std::string>& w, const std::string& key) {
  for (std::size_t i = 0; i < w.size(); ++i)
    if (w[i] == key) return i;
  FAIL("missing " << key);
  return 0;
}

}  // namespace

TEST_CASE("segment timing replays Tangram's over golden schedules", "[pipeline]") {
  for (const char* file : {"alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge",
                           "resnet50__n4x4_a16x16_r512_g128k__tangram_b64_ge",
                           "googlenet__n4x4_a16x16_r512_g128k__tangram_b16_ge",
                           "lstm_phoneme__n4x4_a16x16_r512_g128k__tangram_b16_ge",
                           "mlp_m__n16x16_a8x8_r64_g32k__tangram_b16_ge",
                           "zfnet__n4x4_a16x16_r512_g128k__tangram_b16_gd"}) {
    INFO("golden " << file);
    std::istringstream in(bp_test::read_data(std::string("pipeline/timing/") + file + ".txt"));
    std::string line;
    std::optional<bp::network> net;
    std::optional<bp::segment_timing> t;
    std::size_t layers = 0, multi_group = 0, pipelined = 0;
    while (std::getline(in, line)) {
      const auto w = bp_test::split_words(line);
      if (w.empty() || w[0] == "#") continue;
      const auto n = [&](std::size_t i) { return static_cast<std::int64_t>(std::stoll(w.at(i))); };
      if (w[0] == "config") {
        net.emplace(bp_test::test_net(w[1]));
      } else if (w[0] == "layer") {
        const bp::layer_id id = net->id_of(w[1]);
        const bp::segment_position pos{n(2), n(3), n(4)};
        if (!t || t->seg_idx() != pos[0]) t.emplace(*net, pos[0]);
        bp::layer_timing_input li;
        const std::size_t tv = at_word(w, "tv"), ord = at_word(w, "ord");
        for (std::size_t k = 0; k < 3; ++k) {
          li.top_factors[k] = n(tv + 1 + k);
          li.top_order[k] = static_cast<std::int8_t>(n(ord + 1 + k));
        }
        li.time = n(at_word(w, "t") + 1);
        li.node_time = n(at_word(w, "nt") + 1);
        li.dram_time = n(at_word(w, "dt") + 1);
        li.num_nodes = n(at_word(w, "nn") + 1);
        t->add(id, pos, li);
        const auto& lt = t->timing_list().at(static_cast<std::size_t>(pos[1])).at(static_cast<std::size_t>(pos[2]));
        CHECK(lt.ngrp == n(at_word(w, "ngrp") + 1));
        CHECK(lt.ts_xb == n(at_word(w, "ts") + 1));
        CHECK(lt.td_xb == n(at_word(w, "td") + 1));
        ++layers;
        if (lt.ngrp > 1) ++multi_group;
        if (pos[1] > 0 || pos[2] > 0) ++pipelined;
      } else if (w[0] == "after") {
        CHECK(t->time() == n(1));
        CHECK(t->critical_time() == n(2));
        CHECK(t->node_time() == n(3));
        CHECK(t->dram_time() == n(4));
        CHECK(t->bat_ngrp() == n(5));
        CHECK(t->time_overhead() == Approx(std::stod(w.at(6))).epsilon(1e-12).margin(1e-15));
      }
    }
    CHECK(layers > 0);
    CHECK(pipelined > 0);  // the goldens have multi-layer segments
    (void)multi_group;
  }
}

TEST_CASE("segment timing rejects out-of-order layers", "[pipeline]") {
  bp::network net("chain", bp::layers::input{.nofm = 4, .sofm = 8});
  net.add("a", bp::layers::conv{.nifm = 4, .nofm = 4, .sofm = 8, .sfil = 1});
  net.add("b", bp::layers::conv{.nifm = 4, .nofm = 4, .sofm = 8, .sfil = 1});
  bp::segment_timing t(net, 3);
  bp::layer_timing_input li;
  li.top_factors = {{1, 2, 4}};
  li.top_order = {{0, 1, 2}};  // BAT outermost (4 groups), then OFM (2 groups)
  li.time = li.node_time = 100;
  li.num_nodes = 8;
  CHECK_THROWS_AS(t.add(0, {2, 0, 0}, li), bp::invalid_option);
  t.add(0, {3, 0, 0}, li);
  CHECK(t.bat_ngrp() == 4);
  CHECK(t.timing_list()[0][0].ngrp == 2);
  CHECK_THROWS_WITH(t.add(1, {3, 0, 2}, li), Catch::Matchers::Contains("cannot follow (3, 0, 0)"));
  // b on the next stage reads a with the same OFM grouping... but b is a conv: its IFM factor
  // (1) differs from a's 2 groups, so it waits for a's first batch group: start at td_xb = 100.
  t.add(1, {3, 1, 0}, li);
  CHECK(t.timing_list()[1][0].ts_xb == 100);
  CHECK(t.timing_list()[1][0].td_xb == 200);
  CHECK(t.critical_time() == 100);
  CHECK(t.node_time() == (200 + 100 * 3) / 4);
}
