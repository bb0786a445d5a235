// tests/matmul/test_matmul_network.cpp -- transformer networks through Tangram's whole-network
// search (search/beam_search.hpp) with matmul layers in Tangram mode: the second operand's
// producer writes to DRAM in an earlier segment and the matmul reads it from there.
//
// Tangram has no matmul layer and so no reference for these schedules: the checks are the
// schedules' own invariants (every layer scheduled, totals equal the network's, buffers within
// capacity, every operand read from DRAM after its producer's segment).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include <bufferprospector/pipeline/pipeline_segment.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "matmul/matmul_util.hpp"

namespace {

using D = bp::data_category;
using M = bp::mem_level;
namespace L = bp::layers;

/// Searches `net` and checks every invariant of the best scheme; returns the search time.
double check_network(const bp::network& net, std::int64_t mesh, std::int64_t batch, const bp::options& opt) {
  INFO(net.name() << " on " << mesh << "x" << mesh << ", batch " << batch);
  const bp::resource res = matmul_test::chip_resource(mesh);
  const auto t0 = std::chrono::steady_clock::now();
  const bp::search_result r = bp::tangram_search(net, batch, res, bp::cost_values{}, opt);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_FALSE(r.tops.empty());
  const bp::network_scheme& s = r.tops.front();
  REQUIRE(s.schedules().size() == static_cast<std::size_t>(net.size()));

  double ops = 0, layer_ops = 0;
  std::int64_t segment_time = 0;
  for (auto t : s.segment_time_list()) segment_time += t;
  for (const auto& [id, sc] : s.schedules()) {
    const bp::layer& l = net[id];
    INFO(net.name_of(id));
    ops += sc.total_ops();
    layer_ops += static_cast<double>(l.total_ops(batch));
    CHECK(sc.total_ops() == Approx(static_cast<double>(l.total_ops(batch))).epsilon(1e-9));
    CHECK(sc.cost == Approx(sc.cost_op + sc.cost_access + sc.cost_noc + sc.cost_static).epsilon(1e-12));
    CHECK(sc.size[0][D::fil] + sc.size[0][D::ifm] + sc.size[0][D::ofm] <= res.size_gbuf);
    CHECK(sc.size[1][D::fil] + sc.size[1][D::ifm] + sc.size[1][D::ofm] <= res.size_regf);
    CHECK(sc.num_nodes() <= mesh * mesh);
    // Producers of a matmul operand write it to DRAM, in an earlier segment.
    if (!net.weight_nexts(id).empty()) {
      CHECK(sc.is_dram[1]);
      CHECK(sc.access[M::dram][D::ofm] >= static_cast<double>(l.total_ofmap_size(batch)) - 0.5);
      for (auto m : net.weight_nexts(id)) CHECK(s.schedule_of(m).seq.segment > sc.seq.segment);
    }
    // A matmul reads its whole operand from DRAM at least once.
    if (l.kind() == bp::layer_kind::matmul)
      CHECK(sc.access[M::dram][D::fil] >= static_cast<double>(l.total_filter_size() * batch) - 0.5);
  }
  CHECK(ops == Approx(layer_ops).epsilon(1e-9));
  CHECK(s.total_ops() == Approx(layer_ops).epsilon(1e-9));
  if (s.segment_time_list().size() > 1) CHECK(s.total_time() == segment_time);
  CHECK(s.ext_layouts().size() == net.ext_layers().size());
  return secs;
}

}  // namespace

TEST_CASE("a matmul and the producer of its operand are never in one segment", "[matmul]") {
  const bp::network net = bp::zoo::bert_base_block();
  const bp::resource res = matmul_test::chip_resource(4);
  const bp::layer_id k = net.id_of("block1_K"), qk = net.id_of("block1_QK"), sm = net.id_of("block1_softmax");
  CHECK(bp::pipeline_segment({{k}, {qk, sm}}, net, 1, res).status() == bp::segment_status::weight_edge_inside);
  CHECK(bp::pipeline_segment({{k, qk, sm}}, net, 1, res).status() == bp::segment_status::weight_edge_inside);
  // Alone, K writes to DRAM although no layer reads it as data.
  CHECK(net.nexts(k).empty());
  const bp::pipeline_segment alone({{k}}, net, 1, res);
  REQUIRE(alone.valid());
  CHECK(alone.dependency({0, 0}).memory_destination);
  CHECK(alone.allocation()[0][0].dst_data_region.type() == bp::region_type::dram);
  // The matmul reads its data operand on chip from a neighbor stage, its second one from DRAM
  // (any node split accepted: only the dependencies matter here).
  const bp::layer_id q = net.id_of("block1_Q");
  const bp::pipeline_segment qs({{q}, {qk, sm}}, net, 1, res, /*max_util_drop=*/1.0);
  REQUIRE(qs.valid());
  CHECK(qs.dependency({1, 0}).neighbor_source.has_value());
  CHECK_FALSE(qs.dependency({1, 0}).memory_source);
}

TEST_CASE("a layer feeding data on chip and a matmul operand also writes to DRAM", "[matmul]") {
  // a -> b (data), a -> m (second operand), b -> m (data): a's output is forwarded to b on chip
  // and stored for m.
  bp::network net("fork", L::input{.nofm = 64, .sofm = {16, 1}});
  net.add("a", L::conv{.nifm = 64, .nofm = 64, .sofm = {16, 1}, .sfil = 1});
  net.add("b", L::conv{.nifm = 64, .nofm = 64, .sofm = {16, 1}, .sfil = 1});
  net.add("m", L::matmul{.nifm = 64, .nofm = 16, .sofm = {16, 1}}, {"b"}, {"a"});
  const bp::resource res = matmul_test::chip_resource(2);
  const bp::pipeline_segment seg({{0}, {1}}, net, 1, res);
  REQUIRE(seg.valid());
  CHECK(seg.dependency({0, 0}).memory_destination);
  CHECK(seg.dependency({0, 0}).neighbor_destinations.size() == 1);
  CHECK(seg.allocation()[0][0].dst_data_region.type() == bp::region_type::dram);
  REQUIRE(seg.ofm_fwd().size() == 1);
  CHECK(seg.ofm_fwd()[0].source == bp::sched_index{0, 0});
  CHECK(bp::pipeline_segment({{0}, {1}, {2}}, net, 1, res).status() == bp::segment_status::weight_edge_inside);
  check_network(net, 2, 1, matmul_test::tangram_options());
}

TEST_CASE("a one-matmul network reads its external operand from DRAM on every run", "[matmul]") {
  // The only segment is the whole network, so weights could stay pinned on chip (no_time_mux);
  // the operand, an activation, may not.
  bp::network net("one matmul", L::input{.nofm = 64, .sofm = {32, 1}});
  net.add_ext("kv", L::input{.nofm = 64, .sofm = {16, 1}});
  net.add("m", L::matmul{.nifm = 64, .nofm = 16, .sofm = {32, 1}}, {bp::network::input_name}, {"kv"});
  const bp::pipeline_segment seg({{0}}, net, 1, matmul_test::chip_resource(2));
  REQUIRE(seg.valid());
  CHECK(seg.allocation()[0][0].no_time_mux);
  check_network(net, 2, 1, matmul_test::tangram_options());
}

TEST_CASE("BERT-base block: whole-network search in Tangram mode (4x4, batch 1)", "[matmul]") {
  check_network(bp::zoo::bert_base_block(), 4, 1, matmul_test::tangram_options());
}

TEST_CASE("GPT-2 XL decode block: the KV cache is a DRAM input of the matmuls", "[matmul]") {
  const bp::network net = bp::zoo::gpt2_xl_decode_block();
  REQUIRE(net.ext_layers().size() == 2);
  for (auto e : net.ext_layers()) {
    CHECK(net.weight_nexts(e).size() == 1);  // only a matmul operand
    CHECK(net[net.weight_nexts(e).front()].kind() == bp::layer_kind::matmul);
  }
  check_network(net, 4, 1, matmul_test::tangram_options());
  check_network(net, 8, 4, matmul_test::tangram_options(false, true, false));
}

TEST_CASE("every transformer block schedules (4x4 and 8x8, batch 1 and 4)", "[matmul][slow]") {
  for (const char* name : {"bert_base_block", "bert_large_block", "gpt2_small_prefill_block",
                           "gpt2_xl_prefill_block", "gpt2_xl_decode_block"})
    for (std::int64_t mesh : {4, 8})
      for (std::int64_t batch : {1, 4}) {
        const double secs = check_network(bp::zoo::make(name), mesh, batch, matmul_test::tangram_options());
        WARN(name << " " << mesh << "x" << mesh << " batch " << batch << ": " << secs << " s");
      }
}

TEST_CASE("BERT-base end to end (12 blocks)", "[matmul][slow]") {
  check_network(bp::zoo::bert_base(), 4, 1, matmul_test::tangram_options());
  check_network(bp::zoo::bert_base(), 8, 4, matmul_test::tangram_options());
}
