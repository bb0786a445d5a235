// tests/matmul/test_matmul_schedule.cpp -- per-layer schedules of activation x activation
// matmuls (intra/layer_scheduler.hpp with intra/matmul.hpp's model).
//
// Tangram has no matmul layer and so no reference for these schedules. What is checked instead:
// the totals of every schedule against the layer's own numbers (ops, the operand read from DRAM
// once per top-level fetch, buffers within capacity, hops against a brute-force count), and two
// brute-force equivalences: a one-group matmul schedules exactly like the 1x1 ConvLayer of the
// same shape when the operand's dependence on the batch vanishes (batch 1, no width folds), and
// a product of G groups on one node is the single-group product on G times the batch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/intra/matmul.hpp>
#include <bufferprospector/intra/partition.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "matmul/matmul_util.hpp"

namespace {

using bp::layer;
using bp::parallel_dim;
using D = bp::data_category;
using M = bp::mem_level;
namespace L = bp::layers;

const layer bert_qk = L::matmul{.nifm = 768, .nofm = 12 * 512, .sofm = {512, 1}, .groups = 12};
const layer bert_qkv = L::matmul{.nifm = 12 * 512, .nofm = 768, .sofm = {512, 1}, .groups = 12};

/// Word-hops to bring every node its operand from the nearest DRAM node, node by node.
std::int64_t brute_force_operand_hops(const layer& l, std::int64_t batch, const bp::resource& res,
                                      const bp::partition_scheme& part) {
  std::vector<bp::phy_dim2> dram;
  res.dram_region.for_each_node([&](bp::phy_dim2 c) { dram.push_back(c); });
  std::int64_t hops = 0;
  part.for_each_pidx([&](const bp::partition_index& pidx) {
    const bp::proc_data_ranges r = bp::proc_data_range(l, batch, part, pidx);
    if (r.ifm.size() == 0 || r.ofm.size() == 0) return;
    const bp::phy_dim2 c = part.coordinate(res.proc_region, pidx);
    std::int64_t nearest = std::numeric_limits<std::int64_t>::max();
    for (const auto& d : dram) nearest = std::min(nearest, c.hop_dist(d));
    hops += bp::filter_volume(l, r) * nearest;
  });
  return hops;
}

/// Checks one schedule of matmul `l` against the layer's own totals.
void check_totals(const layer& l, std::int64_t batch, const bp::resource& res, const bp::options& opt,
                  const bp::layer_schedule& s) {
  const bp::partition_scheme& part = s.part;
  INFO("partition outp " << part.size(parallel_dim::outp) << " ofmp " << part.size(parallel_dim::ofmp) << " batp "
                         << part.size(parallel_dim::batp) << " inpp " << part.size(parallel_dim::inpp));
  // Every MAC once; the cost is the sum of its parts.
  CHECK(s.total_ops() == Approx(static_cast<double>(l.total_ops(batch))).epsilon(1e-9));
  CHECK(s.cost == Approx(s.cost_op + s.cost_access + s.cost_noc + s.cost_static).epsilon(1e-12));
  CHECK(s.num_nodes() == res.proc_region.size());
  // No core above its buffers.
  CHECK(s.size[0][D::fil] + s.size[0][D::ifm] + s.size[0][D::ofm] <= res.size_gbuf);
  CHECK(s.size[1][D::fil] + s.size[1][D::ifm] + s.size[1][D::ofm] <= res.size_regf);
  CHECK(s.ofmap_layout.complete_fmap_range() == bp::fmap_range{{0, 0, 0, 0}, {batch, l.nofm(), l.hofm(), l.wofm()}});

  // The operand comes from DRAM once per top-level fetch: each node reads its (padded) share,
  // the OFMP nodes of a sample share one read with access forwarding.
  const std::int64_t fetch = s.fetch[0][D::fil];
  CHECK(fetch >= 1);
  const bp::partitioned_layer pl = part.part_layer(l, batch);
  const double per_node = static_cast<double>(pl.l.total_filter_size() * pl.batch);
  const double sharing = opt.forwarding() ? static_cast<double>(part.size(parallel_dim::ofmp)) : 1.;
  const double reads = per_node * static_cast<double>(res.proc_region.size()) * static_cast<double>(fetch) / sharing;
  CHECK(s.access[M::dram][D::fil] == Approx(reads).epsilon(1e-12));
  const double volume = static_cast<double>(l.total_filter_size() * batch);
  CHECK(s.access[M::dram][D::fil] >= volume * static_cast<double>(fetch) - 0.5);
  // Without padding (output parts aligned with the groups) that is exactly volume x fetches.
  const std::int64_t outp = part.size(parallel_dim::outp);
  // Without forwarding every ofmap tile reads its own copy.
  const double copies = opt.forwarding() ? 1. : static_cast<double>(part.size(parallel_dim::ofmp));
  if (l.groups() % outp == 0 || outp % l.groups() == 0)
    CHECK(s.access[M::dram][D::fil] == Approx(volume * static_cast<double>(fetch) * copies).epsilon(1e-12));
  // Hops: the operand's hops are its unit hops per fetch.
  CHECK(s.mem_nhops[D::fil] == s.unit_nhops[D::fil] * fetch);
  if (!opt.tangram_quirks) {
    const std::int64_t brute = brute_force_operand_hops(l, batch, res, part);
    if (opt.forwarding())
      CHECK(s.unit_nhops[D::fil] <= brute);
    else
      CHECK(s.unit_nhops[D::fil] == brute);
  }
  // Ifmaps and ofmaps: at least their volume moves between DRAM and the nodes.
  CHECK(s.access[M::dram][D::ifm] >= static_cast<double>(l.total_ifmap_size(batch)) - 0.5);
  CHECK(s.access[M::dram][D::ofm] >= static_cast<double>(l.total_ofmap_size(batch)) - 0.5);
}

void check_same_schedule(const bp::layer_schedule& a, const bp::layer_schedule& b) {
  CHECK(a.cost == Approx(b.cost).epsilon(1e-12));
  CHECK(a.time == b.time);
  CHECK(a.ops == Approx(b.ops).epsilon(1e-12));
  for (auto m : bp::all<M>)
    for (auto d : bp::all<D>) CHECK(a.access[m][d] == Approx(b.access[m][d]).epsilon(1e-12));
  for (auto d : bp::all<D>) {
    CHECK(a.total_nhops[d] == Approx(b.total_nhops[d]).epsilon(1e-12));
    CHECK(a.remote_gbuf_access[d] == b.remote_gbuf_access[d]);
  }
  CHECK(a.size[0][D::fil] + a.size[0][D::ifm] + a.size[0][D::ofm] ==
        b.size[0][D::fil] + b.size[0][D::ifm] + b.size[0][D::ofm]);
}

}  // namespace

void check_all_tops(const layer& l, std::int64_t batch, std::int64_t mesh, bp::options opt) {
  INFO(l.repr() << " batch " << batch << " mesh " << mesh << " forwarding " << opt.forwarding() << " quirks "
                << opt.tangram_quirks << " batch partition " << opt.partition_batch);
  const bp::resource res = matmul_test::chip_resource(mesh);
  opt.ntops = 3;
  const auto tops = matmul_test::schedule(l, batch, res, opt);
  REQUIRE(tops.size() == 3);
  for (const auto& s : tops) check_totals(l, batch, res, opt, s);
}

TEST_CASE("BERT-base attention matmuls: every schedule adds up (4x4)", "[matmul]") {
  check_all_tops(bert_qk, 1, 4, matmul_test::tangram_options(true, true, false));
  check_all_tops(bert_qk, 4, 4, matmul_test::tangram_options(true, false, true));
  check_all_tops(bert_qkv, 1, 4, matmul_test::tangram_options(true, false, false));
}

TEST_CASE("BERT-base attention matmuls: every schedule adds up (all options)", "[matmul][slow]") {
  // Quirks off where the hops are brute-forced (no forwarding), on otherwise.
  for (const layer& l : {bert_qk, bert_qkv})
    for (std::int64_t mesh : {4, 8})
      for (std::int64_t batch : {1, 4})
        for (bool forwarding : {true, false}) {
          bp::options opt = matmul_test::tangram_options(true, forwarding, forwarding);
          opt.partition_batch = mesh == 8;
          check_all_tops(l, batch, mesh, opt);
        }
}

TEST_CASE("GPT-2 XL decode matmuls: straddling output parts are padded, never undercounted", "[matmul]") {
  // 25 heads over 16 or 64 nodes: no output split aligns with the groups.
  const bp::network net = bp::zoo::gpt2_xl_decode_block();
  for (std::int64_t mesh : {4, 8}) {
    const bp::resource res = matmul_test::chip_resource(mesh);
    bp::options opt = matmul_test::tangram_options(true, true, false);
    opt.ntops = 2;
    for (const char* name : {"block1_QK", "block1_QKV"}) {
      const layer& l = net[net.id_of(name)];
      INFO(name << " mesh " << mesh);
      const auto tops = matmul_test::schedule(l, 1, res, opt);
      REQUIRE_FALSE(tops.empty());
      for (const auto& s : tops) check_totals(l, 1, res, opt, s);
    }
  }
}

TEST_CASE("a one-group matmul schedules exactly like the 1x1 ConvLayer at batch 1", "[matmul]") {
  // Brute force over every partition, mapping and loop blocking (the exhaustive sweep, since the
  // ConvLayer would otherwise use the solver). At batch 1 without width folds the operand's
  // dependence on BAT vanishes and both searches must find the same best schedules.
  const layer mm = L::matmul{.nifm = 64, .nofm = 128, .sofm = {128, 1}};
  const layer conv = L::conv{.nifm = 64, .nofm = 128, .sofm = {128, 1}, .sfil = 1};
  for (std::int64_t mesh : {2, 4})
    for (bool forwarding : {false, true})
      for (bool quirks : {false, true}) {
        const bp::resource res = matmul_test::chip_resource(mesh);
        bp::options opt = matmul_test::tangram_options(false, forwarding, quirks);
        opt.ntops = 4;
        INFO("mesh " << mesh << " forwarding " << forwarding << " quirks " << quirks);
        const auto a = matmul_test::schedule(mm, 1, res, opt);
        const auto b = matmul_test::schedule(conv, 1, res, opt);
        REQUIRE(a.size() == 4);
        REQUIRE(b.size() == 4);
        for (std::size_t k = 0; k < a.size(); ++k) check_same_schedule(a[k], b[k]);
        CHECK(a.front().part == b.front().part);
      }
  // With more samples the operand is read per sample, the weights once.
  const bp::resource res = matmul_test::chip_resource(2);
  const bp::options opt = matmul_test::tangram_options(false, true, false);
  const auto a = matmul_test::schedule(mm, 4, res, opt);
  const auto b = matmul_test::schedule(conv, 4, res, opt);
  REQUIRE_FALSE(a.empty());
  REQUIRE_FALSE(b.empty());
  CHECK(a.front().access[M::dram][D::fil] >= 4. * 64 * 128);
  CHECK(b.front().access[M::dram][D::fil] < 4. * 64 * 128);
}

TEST_CASE("G groups of a matmul are G samples of one group", "[matmul]") {
  const layer grouped = L::matmul{.nifm = 4 * 64, .nofm = 4 * 128, .sofm = {128, 1}, .groups = 4};
  const layer single = L::matmul{.nifm = 64, .nofm = 128, .sofm = {128, 1}};
  // The sums: G separate products.
  CHECK(grouped.total_ops(2) == 4 * single.total_ops(2));
  CHECK(grouped.total_ifmap_size(2) == 4 * single.total_ifmap_size(2));
  CHECK(grouped.total_ofmap_size(2) == 4 * single.total_ofmap_size(2));
  CHECK(grouped.total_filter_size() == 4 * single.total_filter_size());

  // On one node there is nothing to partition: the same loop nest, the same schedule.
  {
    const bp::resource res = matmul_test::chip_resource(1);
    const bp::options opt = matmul_test::tangram_options(true, true, false);
    const auto a = matmul_test::schedule(grouped, 2, res, opt);
    const auto b = matmul_test::schedule(single, 8, res, opt);
    REQUIRE_FALSE(a.empty());
    REQUIRE_FALSE(b.empty());
    check_same_schedule(a.front(), b.front());
  }
  // On a chip, the grouped product does G times the work of one group.
  for (std::int64_t mesh : {2}) {
    const bp::resource res = matmul_test::chip_resource(mesh);
    const bp::options opt = matmul_test::tangram_options(true, true, false);
    const auto a = matmul_test::schedule(grouped, 2, res, opt);
    const auto b = matmul_test::schedule(single, 2, res, opt);
    REQUIRE_FALSE(a.empty());
    REQUIRE_FALSE(b.empty());
    CHECK(a.front().total_ops() == Approx(4 * b.front().total_ops()).epsilon(1e-9));
    CHECK(a.front().access[M::dram][D::fil] >= 4. * 64 * 128 * 2);
  }
}

TEST_CASE("a matmul operand is never pinned on chip", "[matmul]") {
  // no_time_mux (one segment for the whole network) lets weights stay on chip between runs;
  // an activation operand changes every run.
  bp::resource res = matmul_test::chip_resource(2);
  res.no_time_mux = true;
  bp::options opt = matmul_test::tangram_options(false, true, false);
  opt.ntops = 50;
  const auto conv = matmul_test::schedule(L::conv{.nifm = 64, .nofm = 128, .sofm = {16, 1}, .sfil = 1}, 1, res, opt);
  const auto mm = matmul_test::schedule(L::matmul{.nifm = 64, .nofm = 128, .sofm = {16, 1}}, 1, res, opt);
  REQUIRE_FALSE(conv.empty());
  REQUIRE_FALSE(mm.empty());
  CHECK(conv.front().access[M::dram][D::fil] == 0);  // pinned weights
  for (const auto& s : mm) CHECK(s.access[M::dram][D::fil] >= 64. * 128);
}

TEST_CASE("a grouped matmul forwards whole fmaps only", "[matmul]") {
  const bp::resource res = matmul_test::chip_resource(2);
  const bp::options opt = matmul_test::tangram_options();
  const layer grouped = L::matmul{.nifm = 4 * 64, .nofm = 4 * 128, .sofm = {128, 1}, .groups = 4};
  const layer single = L::matmul{.nifm = 64, .nofm = 128, .sofm = {128, 1}};
  const auto top = [](std::int64_t ifm, std::int64_t ofm) {
    return bp::scheduling_constraint::pipeline(0, ifm, ofm, false, false);
  };
  // A top-level OFM (IFM) block of the group convolution is a slice of every group.
  CHECK(matmul_test::schedule(grouped, 1, res, opt, top(0, 2)).empty());
  CHECK(matmul_test::schedule(grouped, 1, res, opt, top(2, 0)).empty());
  CHECK_FALSE(matmul_test::schedule(grouped, 1, res, opt, top(0, 1)).empty());
  CHECK_FALSE(matmul_test::schedule(grouped, 1, res, opt, top(1, 0)).empty());
  // With one group the blocks are channel ranges, as for a ConvLayer.
  CHECK_FALSE(matmul_test::schedule(single, 1, res, opt, top(0, 2)).empty());
}
