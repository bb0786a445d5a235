// tests/matmul/test_matmul_model.cpp -- the activation x activation matmul's model
// (intra/matmul.hpp): sizes and ops, partitioning into real fmap ranges, the per-node layer,
// the Eyeriss mapping of the group convolution, and the sharing groups.
//
// Tangram has no matmul layer, so there is no reference output: every number below is worked out
// by hand from the layer's definition (BERT-base: d = 768, h = 12 heads, T = A = 512 tokens) or
// cross-checked against ConvLayers, which Tangram does define.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <bufferprospector/intra/buf_shr_scheme.hpp>
#include <bufferprospector/intra/loop_blocking.hpp>
#include <bufferprospector/intra/map_strategy.hpp>
#include <bufferprospector/intra/matmul.hpp>
#include <bufferprospector/intra/partition.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "matmul/matmul_util.hpp"

namespace {

using bp::layer;
using bp::parallel_dim;
namespace L = bp::layers;

// BERT-base block, one head = 64 features, 512 tokens attending to 512 positions.
const layer bert_qk = L::matmul{.nifm = 768, .nofm = 12 * 512, .sofm = {512, 1}, .groups = 12};
const layer bert_qkv = L::matmul{.nifm = 12 * 512, .nofm = 768, .sofm = {512, 1}, .groups = 12};

bp::partition_scheme scheme(bp::phy_dim2 outp, bp::phy_dim2 ofmp, bp::phy_dim2 batp = {1, 1},
                            bp::phy_dim2 inpp = {1, 1}) {
  bp::per_parallel<bp::phy_dim2> pd;
  pd[parallel_dim::outp] = outp;
  pd[parallel_dim::ofmp] = ofmp;
  pd[parallel_dim::batp] = batp;
  pd[parallel_dim::inpp] = inpp;
  return bp::partition_scheme(bp::all<parallel_dim>, pd);
}

std::vector<bp::nested_loop_desc> descs(const layer& l, std::int64_t batch,
                                        const bp::per_data<bp::data_dim_loops>* loops = nullptr) {
  auto v = bp::eyeriss_mapping(l, batch, 1.0, {16, 16}).nested_loop_descs();
  if (loops)
    for (auto& d : v) d.data_loops = *loops;
  return v;
}

}  // namespace

TEST_CASE("BERT-base attention matmuls: sizes and ops worked out by hand", "[matmul]") {
  // Q*K^T: 12 heads x 512 x 512 scores, each a dot product of 64 features: T*A*d MACs.
  CHECK(bert_qk.total_ops() == 512LL * 512 * 768);      // 201,326,592
  CHECK(bert_qk.total_ops() == 201'326'592);
  CHECK(bert_qk.total_ifmap_size() == 393'216);         // Q: 768 x 512
  CHECK(bert_qk.total_ofmap_size() == 3'145'728);       // scores: 6144 x 512
  CHECK(bert_qk.total_filter_size() == 393'216);        // K: 768 x 512 per sample
  CHECK(bert_qk.ops_per_neuron() == 64);
  // softmax*V: 768 outputs per token, each a dot product over 512 positions of one head.
  CHECK(bert_qkv.total_ops() == 201'326'592);
  CHECK(bert_qkv.total_ifmap_size() == 3'145'728);
  CHECK(bert_qkv.total_ofmap_size() == 393'216);
  CHECK(bert_qkv.total_filter_size() == 393'216);       // V: 768 x 512
  CHECK(bert_qkv.ops_per_neuron() == 512);

  // One group of one sample is a 1x1 ConvLayer; batch x groups of them give every total back.
  for (const layer& mm : {bert_qk, bert_qkv}) {
    const layer g = bp::matmul_group_conv(mm);
    CHECK(g.kind() == bp::layer_kind::conv);
    CHECK(g.hfil() == 1);
    CHECK(g.nifm() * 12 == mm.nifm());
    CHECK(g.nofm() * 12 == mm.nofm());
    for (std::int64_t batch : {1, 4}) {
      CHECK(g.total_ops(batch * 12) == mm.total_ops(batch));
      CHECK(g.total_ifmap_size(batch * 12) == mm.total_ifmap_size(batch));
      CHECK(g.total_ofmap_size(batch * 12) == mm.total_ofmap_size(batch));
      CHECK(g.total_filter_size() * batch * 12 == mm.total_filter_size() * batch);
    }
  }
  CHECK(bp::matmul_group_conv(bert_qk).repr() == "ConvLayer(nifm=64, nofm=512, sofm=(512, 1), sfil=(1, 1), strd=(1, 1))");
  CHECK(bp::matmul_group_conv(bert_qkv).repr() == "ConvLayer(nifm=512, nofm=64, sofm=(512, 1), sfil=(1, 1), strd=(1, 1))");

  // The zoo's block has exactly these two layers.
  const bp::network net = bp::zoo::bert_base_block();
  CHECK(net[net.id_of("block1_QK")] == bert_qk);
  CHECK(net[net.id_of("block1_QKV")] == bert_qkv);
}

TEST_CASE("matmul partitioning: groups met by an output-channel part", "[matmul]") {
  // QK: 512 outputs per group. Parts of 1536 hold 3 whole groups; parts of 384 straddle.
  CHECK(bp::matmul_groups_touched(bert_qk, {0, 1536}) == bp::int_range{0, 3});
  CHECK(bp::matmul_groups_touched(bert_qk, {384, 768}) == bp::int_range{0, 2});
  CHECK(bp::matmul_groups_touched(bert_qk, {1024, 1536}) == bp::int_range{2, 3});
  CHECK(bp::matmul_groups_touched(bert_qk, {5, 5}).empty());
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 1) == 12);
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 4) == 3);
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 12) == 1);
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 24) == 1);
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 8) == 2);   // [768, 1536) meets groups 1 and 2
  CHECK(bp::matmul_max_groups_per_part(bert_qk, 16) == 2);  // [384, 768) meets groups 0 and 1
  // GPT-2 XL decode: 25 heads of 513 positions; 16 parts of ~801.6: [801, 1603) meets 1, 2, 3.
  const bp::network xl = bp::zoo::gpt2_xl_decode_block();
  const layer xl_qk = xl[xl.id_of("block1_QK")];
  REQUIRE(xl_qk == layer(L::matmul{.nifm = 1600, .nofm = 25 * 513, .sofm = {1, 1}, .groups = 25}));
  CHECK(bp::matmul_max_groups_per_part(xl_qk, 16) == 3);
  // A plain matmul has one group.
  CHECK(bp::matmul_max_groups_per_part(layer(L::matmul{.nifm = 64, .nofm = 96, .sofm = 4}), 7) == 1);
}

TEST_CASE("matmul part_layer: the per-node matmul and its occupancy", "[matmul]") {
  // OUTP 4 (3 whole groups per node) x OFMP 4 (128 tokens): exact.
  {
    const auto p = scheme({1, 4}, {4, 1}).part_layer(bert_qk, 1);
    CHECK(p.l == layer(L::matmul{.nifm = 3 * 64, .nofm = 3 * 512, .sofm = {128, 1}, .groups = 3}));
    CHECK(p.batch == 1);
    CHECK(p.occupancy == 1.0);
  }
  // OUTP 16: 384 outputs straddling 2 groups, modelled as 2 groups of 192: still exact ops.
  {
    const auto p = scheme({4, 4}, {1, 1}).part_layer(bert_qk, 2);
    CHECK(p.l == layer(L::matmul{.nifm = 2 * 64, .nofm = 2 * 192, .sofm = {512, 1}, .groups = 2}));
    CHECK(p.batch == 2);
    CHECK(p.occupancy == 1.0);
  }
  // OUTP 12 would give each node one group; with INPP 4 each node sums 16 of the 64 inputs.
  {
    const auto p = scheme({3, 4}, {1, 1}, {1, 1}, {4, 1}).part_layer(bert_qk, 1);
    CHECK(p.l == layer(L::matmul{.nifm = 16, .nofm = 512, .sofm = {512, 1}, .groups = 1}));
    CHECK(p.occupancy == 1.0);
  }
  // GPT-2 XL decode QK over 16 nodes: 3 groups of ceil(802 / 3) = 268 outputs, 64 inputs each;
  // occupancy 12825 / (16 * 804).
  {
    const layer xl_qk = L::matmul{.nifm = 1600, .nofm = 25 * 513, .sofm = {1, 1}, .groups = 25};
    const auto p = scheme({4, 4}, {1, 1}).part_layer(xl_qk, 1);
    CHECK(p.l == layer(L::matmul{.nifm = 192, .nofm = 804, .sofm = {1, 1}, .groups = 3}));
    CHECK(p.occupancy == Approx(12825.0 / (16 * 804)).epsilon(1e-12));
  }
}

TEST_CASE("matmul proc_data_range: real fmap ranges, the groups' inputs, the operand", "[matmul]") {
  bp::options opt = matmul_test::tangram_options();
  opt.partition_batch = true;
  opt.partition_ifmaps = true;
  const std::int64_t batch = 2;
  // QK (12 groups, no OUTP count of a 4x4 chip aligns with them) and a 4-group product whose
  // OUTP parts of 4, 8 and 16 each lie in one group (so INPP may split their inputs).
  const layer mm4 = L::matmul{.nifm = 4 * 32, .nofm = 4 * 128, .sofm = {64, 1}, .groups = 4};
  for (const layer& l : {bert_qk, mm4}) {
    INFO(l.repr());
    const std::int64_t ci = bp::matmul_inputs_per_group(l);
    int n_parts = 0, n_inpp = 0;
    bp::for_each_partition(l, batch, {4, 4}, opt, true, [&](const bp::partition_scheme& part) {
      ++n_parts;
      const std::int64_t inpp = part.size(parallel_dim::inpp);
      if (inpp > 1) {
        ++n_inpp;
        // INPP only where every output part lies in one group.
        CHECK(bp::matmul_max_groups_per_part(l, part.size(parallel_dim::outp)) == 1);
      }
      std::int64_t macs = 0, operand = 0;
      part.for_each_pidx([&](const bp::partition_index& pidx) {
        const bp::proc_data_ranges r = bp::proc_data_range(l, batch, part, pidx);
        const bp::int_range g = bp::matmul_groups_touched(l, r.ofm.n());
        const bp::phy_dim2 pi = part.pdim(parallel_dim::inpp);
        const auto [i0, i1] = bp::ith_range(0, ci, pidx[parallel_dim::inpp].h * pi.w + pidx[parallel_dim::inpp].w,
                                            pi.size());
        // The node reads its share of the inputs of every group its outputs belong to...
        CHECK(r.ifm.n() == bp::int_range{g.beg * ci + i0, (g.end - 1) * ci + i1});
        CHECK(r.ifm.b() == r.ofm.b());
        CHECK(r.ifm.h() == r.ofm.h());  // 1x1, stride 1
        CHECK(r.ifm.w() == r.ofm.w());
        // ... and the operand columns of its outputs, those input rows, for its samples.
        CHECK(r.fil_ifm == bp::int_range{i0, i1});
        CHECK(r.fil_ofm == r.ofm.n());
        CHECK(r.fil_bat == r.ofm.b());
        CHECK(bp::filter_volume(l, r) == (i1 - i0) * r.ofm.n().size() * r.ofm.b().size());
        macs += r.ofm.size() * r.fil_ifm.size();
        operand += bp::filter_volume(l, r);
      });
      // Every MAC is done once; every ofmap tile of a sample reads that sample's whole operand.
      CHECK(macs == l.total_ops(batch));
      CHECK(operand == part.size(parallel_dim::ofmp) * l.total_filter_size() * batch);
    });
    CHECK(n_parts >= 8);
    if (l.groups() == 12) CHECK(n_inpp == 0);
    if (l.groups() == 4) CHECK(n_inpp > 0);
  }
}

TEST_CASE("matmul mapping: the group convolution with the matmul's data loops", "[matmul]") {
  // 128 tokens fit the 16x16 array without width folds: the mapping is exactly a ConvLayer's
  // with FIL loops (IFM, OFM, BAT); groups are more samples.
  const auto mm_loops = bp::data_loops::matmul;
  const layer conv = L::conv{.nifm = 64, .nofm = 128, .sofm = {128, 1}, .sfil = 1};
  for (std::int64_t batch : {1, 3}) {
    CHECK(descs(L::matmul{.nifm = 64, .nofm = 128, .sofm = {128, 1}}, batch) == descs(conv, batch, &mm_loops));
    CHECK(descs(L::matmul{.nifm = 4 * 64, .nofm = 4 * 128, .sofm = {128, 1}, .groups = 4}, batch) ==
          descs(conv, 4 * batch, &mm_loops));
  }
  CHECK(descs(conv, 1).size() == 2);  // two ways to spend the array height on ifmaps vs ofmaps

  // 512 tokens need 2 width folds (the array height hosts 16 of 32). A ConvLayer iterates them
  // as more samples; the matmul keeps them in the unit pass, so its operand is read once per
  // sample, not once per fold.
  const layer mm512 = L::matmul{.nifm = 64, .nofm = 128, .sofm = {512, 1}};
  const layer conv512 = L::conv{.nifm = 64, .nofm = 128, .sofm = {512, 1}, .sfil = 1};
  CHECK(bp::eyeriss_mapping(conv512, 1, 1.0, {16, 16}).fold() == bp::phy_dim2{1, 2});
  for (std::int64_t batch : {1, 3}) {
    const auto m = descs(mm512, batch);
    const auto c = descs(conv512, batch);
    const auto c_fil_bat = descs(conv512, batch, &mm_loops);  // "conv with the matmul's loops"
    REQUIRE(m.size() == c.size());
    REQUIRE(m.size() > 0);
    using M = bp::mem_level;
    using D = bp::data_category;
    using Lp = bp::loop_dim;
    for (std::size_t k = 0; k < m.size(); ++k) {
      CHECK(m[k].loopcnt[Lp::ifm] == c[k].loopcnt[Lp::ifm]);
      CHECK(m[k].loopcnt[Lp::ofm] == c[k].loopcnt[Lp::ofm]);
      CHECK(m[k].loopcnt[Lp::bat] == batch);
      CHECK(c[k].loopcnt[Lp::bat] == 2 * batch);
      CHECK(m[k].unit_time == 2 * c[k].unit_time);
      CHECK(m[k].unit_ops == 2 * c[k].unit_ops);
      CHECK(m[k].total_ops() == c[k].total_ops());
      CHECK(m[k].usize_gbuf[D::fil] == c[k].usize_gbuf[D::fil]);
      CHECK(m[k].usize_gbuf[D::ifm] == 2 * c[k].usize_gbuf[D::ifm]);
      CHECK(m[k].usize_gbuf[D::ofm] == 2 * c[k].usize_gbuf[D::ofm]);
      CHECK(m[k].usize_regf == c[k].usize_regf);
      for (auto lv : {M::dram, M::gbuf, M::itcn}) {
        CHECK(m[k].unit_access[lv][D::fil] == c[k].unit_access[lv][D::fil]);
        CHECK(m[k].total_access_at_of(lv, D::ifm) == c[k].total_access_at_of(lv, D::ifm));
        CHECK(m[k].total_access_at_of(lv, D::ofm) == c[k].total_access_at_of(lv, D::ofm));
      }
      // The operand once per sample: 64 x 128 words; a conv with FIL loops would count 2x.
      CHECK(m[k].total_access_at_of(M::dram, D::fil) == 64. * 128 * static_cast<double>(batch));
      CHECK(c_fil_bat[k].total_access_at_of(M::dram, D::fil) == 2 * 64. * 128 * static_cast<double>(batch));
    }
  }
}

TEST_CASE("matmul sharing groups: the operand by OFMP nodes, no ifmaps across groups", "[matmul]") {
  using D = bp::data_category;
  const bp::node_region region({4, 4}, {0, 0}, bp::region_type::proc);
  const bp::partition_scheme part = scheme({1, 4}, {4, 1});
  const bp::resource res = matmul_test::chip_resource(4);
  const bp::options opt = matmul_test::tangram_options(false);
  const bp::nested_loop_desc nld = descs(L::matmul{.nifm = 3 * 64, .nofm = 3 * 512, .sofm = {128, 1}, .groups = 3}, 1).front();

  // Tangram's rule alone (the data loops): nothing is unrelated to the operand.
  bp::buf_shr_scheme tangram(region, part, bp::data_loops::matmul);
  CHECK(tangram.dim(D::fil) == bp::phy_dim2{1, 1});
  CHECK(tangram.dim(D::ifm) == bp::phy_dim2{1, 4});  // OUTP
  CHECK(tangram.dim(D::ofm) == bp::phy_dim2{1, 1});  // INPP

  for (bool grouped : {false, true}) {
    bp::buf_shr_scheme bs(region, part, bp::data_loops::matmul);
    const bp::loop_blocking_problem p{nld, res, part, bp::scheduling_constraint{}, bp::cost_values{}, opt, grouped};
    bp::detail::adjust_matmul_sharing(bs, p);
    // The operand is shared like a ConvLayer's filters when BATP is 1: by the OFMP nodes.
    const bp::buf_shr_scheme conv(region, part, bp::data_loops::conv);
    CHECK(bs.dim(D::fil) == bp::phy_dim2{4, 1});
    CHECK(bs.dim(D::fil) == conv.dim(D::fil));
    CHECK(bs.nbr_dist(D::fil).h == conv.nbr_dist(D::fil).h);
    for (std::int64_t s = 1; s <= 4; ++s) CHECK(bs.nhops_rotate_all(D::fil, s) == conv.nhops_rotate_all(D::fil, s));
    CHECK(bs.dim(D::ifm) == (grouped ? bp::phy_dim2{1, 1} : bp::phy_dim2{1, 4}));
    CHECK(bs.dim(D::ofm) == bp::phy_dim2{1, 1});
  }
  // Other layers keep Tangram's groups.
  bp::buf_shr_scheme c(region, part, bp::data_loops::conv);
  const bp::nested_loop_desc conv_nld = descs(L::conv{.nifm = 64, .nofm = 512, .sofm = {128, 1}, .sfil = 1}, 1).front();
  bp::detail::adjust_matmul_sharing(c, {conv_nld, res, part, bp::scheduling_constraint{}, bp::cost_values{}, opt, true});
  CHECK(c == bp::buf_shr_scheme(region, part, bp::data_loops::conv));
}
