// tests/matmul/test_matmul_held.cpp -- a matmul and the producer of its second operand in one
// segment with the buffer prospector (model note 7.2; pipeline/pipeline_segment.hpp,
// search/segment_prospector.hpp): the operand edge is a held edge.
//
// Tangram has no matmul layer, so nothing here comes from the reference: the checks are the
// model's own identities (the typing, N_live and R from the segment's timing, the matmul's DRAM
// operand reads moved exactly, the producer's DRAM write gone, capacities kept) on BERT-base's
// K -> Q*K^T edge, one segment scheduled directly on a small chip and whole searches at the
// model note's default point.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <bufferprospector/pipeline/inter_layer_pipeline.hpp>
#include <bufferprospector/pipeline/pipeline_segment.hpp>
#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/dp_search.hpp>
#include <bufferprospector/search/prospector_search.hpp>
#include <bufferprospector/search/segment_prospector.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "prospector_search/prospector_search_util.hpp"

namespace {

using namespace bp;
using D = data_category;
using M = mem_level;

/// The model note's default options (section 7.3): solver, hybrid partitioning, access
/// forwarding, inter-layer pipelining, quirks off.
options held_options() {
  options o = bp_test::note_options();
  o.ntops = 1;
  o.tangram_quirks = false;
  return o;
}

/// 16x16 PEs, 256-word regf, DRAM at the corners, 8.192 words per cycle.
resource held_chip(std::int64_t mesh, std::int64_t gbuf_words) {
  return bp_test::chip({mesh, mesh}, {16, 16}, gbuf_words, 256, 8.192);
}

/// BERT-base's ({K}, {QK, softmax}, {V}): K's ofmaps are Q*K^T's second operand.
segment_stages k_qk_segment(const network& net) {
  return {{net.id_of("block1_K")}, {net.id_of("block1_QK"), net.id_of("block1_softmax")}, {net.id_of("block1_V")}};
}

/// The segment scheduled after its prefix (each layer alone), then run through `Policy`'s
/// prospector; null if it does not schedule or its holds do not fit.
template <class Policy>
std::optional<scheme_builder> scheduled_and_prospected(const pipeline_segment& seg, const network& net,
                                                       const resource& res, const options& opt,
                                                       std::optional<scheme_builder>* before = nullptr) {
  std::optional<scheme_builder> s = bp_test::schedule_segment(seg, net, 1, res, cost_values{}, opt);
  if (!s) return std::nullopt;
  if (before) *before = *s;
  std::vector<std::size_t> position(static_cast<std::size_t>(net.size()), 0);
  const inter_layer_pipeline ilp(net, 1, res);
  for (std::size_t i = 0; i < ilp.ordered_layers().size(); ++i)
    position[static_cast<std::size_t>(ilp.ordered_layers()[i])] = i;
  const segment_prospector<Policy> sp(net, 1, res, cost_values{}, opt, position);
  if (!sp.apply(seg, *s)) return std::nullopt;
  return s;
}

const held_edge_record* operand_hold(const segment_prospect& p, const network& net) {
  for (const held_edge_record& h : p.holds)
    for (auto c : h.requirement.consumers)
      if (net[c].kind() == layer_kind::matmul && !net.weight_prevs(c).empty() &&
          net.weight_prevs(c).front() == h.requirement.producer)
        return &h;
  return nullptr;
}

}  // namespace

TEST_CASE("Held-edge typing: a matmul operand edge inside a segment is held (Tangram's typing rejects it)",
          "[matmul]") {
  const network net = zoo::bert_base_block();
  const resource res = held_chip(4, 65536);
  const layer_id k = net.id_of("block1_K"), qk = net.id_of("block1_QK"), sm = net.id_of("block1_softmax");
  const segment_stages stages = k_qk_segment(net);

  CHECK(pipeline_segment(stages, net, 1, res, 1.0).status() == segment_status::weight_edge_inside);

  const pipeline_segment held(stages, net, 1, res, 1.0, true, segment_typing::held_edges);
  REQUIRE(held.valid());
  REQUIRE(held.held_edges().size() == 1);
  CHECK(held.held_edges().front() == segment_held_edge{k, qk, {0, 0}, {1, 0}, true});
  // K keeps its ofmaps on chip (its only consumer is held); Q*K^T reads its ifmaps (Q) from
  // DRAM as before and waits for K as a held source.
  CHECK_FALSE(held.dependency({0, 0}).memory_destination);
  CHECK(held.dependency({0, 0}).held_destinations == std::vector<sched_index>{{1, 0}});
  CHECK(held.dependency({1, 0}).memory_source);
  CHECK(held.dependency({1, 0}).held_sources == std::vector<sched_index>{{0, 0}});
  CHECK(held.allocation()[0][0].dst_data_region.type() == region_type::proc);

  // Through DRAM (the Relaxed-DRAM ablation): K also writes its ofmaps to DRAM.
  const pipeline_segment dram(stages, net, 1, res, 1.0, true, segment_typing::held_edges_through_dram);
  REQUIRE(dram.valid());
  CHECK(dram.held_edges() == held.held_edges());
  CHECK(dram.dependency({0, 0}).memory_destination);
  CHECK(dram.allocation()[0][0].dst_data_region.type() == region_type::dram);

  // Not held, still rejected: the producer in the matmul's own stage, or not last in its stage.
  CHECK(pipeline_segment({{k, qk, sm}}, net, 1, res, 1.0, true, segment_typing::held_edges).status() ==
        segment_status::weight_edge_inside);
  CHECK(pipeline_segment({{k, net.id_of("block1_Q")}, {qk, sm}}, net, 1, res, 1.0, true, segment_typing::held_edges)
            .status() == segment_status::weight_edge_inside);
}

TEST_CASE("matmul_operand_box: K's and V's ofmaps hold Q*K^T's and softmax*V's operands", "[matmul]") {
  const network net = zoo::bert_base_block();
  const layer& qk = net[net.id_of("block1_QK")];   // Ci = 64, K = 512, 12 groups
  const layer& qkv = net[net.id_of("block1_QKV")];  // Ci = 512, K = 64
  const layer& kl = net[net.id_of("block1_K")];     // 768 channels x (512, 1)
  // Q*K^T, group 3, inputs [16, 32) of the group, outputs 100..200 of the group, sample 0:
  // K's channels 3*64 + [16, 32) at positions [100, 200).
  const fmap_range a = matmul_operand_box(qk, kl, {16, 32}, {3 * 512 + 100, 3 * 512 + 200}, {0, 1});
  CHECK(a == fmap_range{{0, 3 * 64 + 16, 100, 0}, {1, 3 * 64 + 32, 200, 1}});
  CHECK(a.size() == 16 * 100);  // = the node's operand volume
  // Two whole groups: their channels at every position.
  CHECK(matmul_operand_box(qk, kl, {0, 64}, {512, 3 * 512}, {0, 1}) == fmap_range{{0, 64, 0, 0}, {1, 192, 512, 1}});
  // softmax*V: outputs are V's channels, inputs its positions.
  CHECK(matmul_operand_box(qkv, kl, {0, 256}, {64, 100}, {0, 1}) == fmap_range{{0, 64, 0, 0}, {1, 100, 256, 1}});
  CHECK(matmul_operand_box(qk, kl, {0, 64}, {0, 0}, {0, 1}).size() == 0);
}

TEST_CASE("K -> Q*K^T held with nf_lrf on a 4x4 chip: operand reads moved, K's DRAM write gone", "[matmul]") {
  const network net = zoo::bert_base_block();
  // The 4x4 chip with 128 Ki-word buffers: at 64 Ki words the hold does not fit beside the
  // layers' own buffers on this segment (the search reports alloc_fail).
  const resource res = held_chip(4, 131072);
  const options opt = held_options();
  const layer_id k = net.id_of("block1_K"), qk = net.id_of("block1_QK");
  const pipeline_segment seg(k_qk_segment(net), net, 1, res, 0.05, true, segment_typing::held_edges);
  REQUIRE(seg.valid());

  std::optional<scheme_builder> before;
  const std::optional<scheme_builder> s = scheduled_and_prospected<nf_lrf>(seg, net, res, opt, &before);
  REQUIRE(s);
  REQUIRE(before);
  const segment_prospect& rec = *s->prospects().back();
  bp_test::check_prospect(rec, false);  // no core above capacity, DRAM words identity
  for (auto l : rec.layers) bp_test::check_layer_record(*s->result(l), cost_values{}, res.dram_bandwidth);
  REQUIRE(rec.holds.size() == 1);
  const held_edge_record& h = rec.holds.front();
  CHECK(h.requirement.producer == k);
  CHECK(h.requirement.consumers == std::vector<layer_id>{qk});
  REQUIRE(h.allocation.outcome == edge_outcome::placed);

  // Requirement (model note 3.2), from the converted timing: V_K = 768 channels x 512 positions
  // = 393,216 words; N_live = min(B, ceil((td_xb(QK) - ts_xb(K)) / C)). At batch 1 the segment
  // has one batch group (B = 1), so N_live = 1 and R = 1 * 393,216 / 1 = 393,216 words: the
  // whole of K's ofmaps is held (by hand: 768 * 512 = 393,216).
  const std::int64_t v = 768 * 512;
  CHECK(h.requirement.ofmap_words == v);
  CHECK(rec.batch_groups == 1);
  const auto at = [&](layer_id l) { return static_cast<std::size_t>(std::find(rec.layers.begin(), rec.layers.end(), l) - rec.layers.begin()); };
  const std::int64_t live = live_batch_groups(rec.batch_groups, rec.critical_time, rec.timing_after[at(k)].ts_xb,
                                              rec.timing_after[at(qk)].td_xb);
  CHECK(h.requirement.live_groups == live);
  CHECK(h.requirement.live_groups == 1);
  CHECK(h.requirement.words == 393216);
  // The matmul waits for K's whole batch group (held edge: the non-forwarded case).
  CHECK(rec.timing_after[at(qk)].ts_xb >= rec.timing_after[at(k)].td_xb);

  // K keeps its ofmaps on chip: no DRAM write (Tangram mode writes all V words).
  const layer_schedule& k_now = *s->result(k);
  CHECK_FALSE(k_now.is_dram[1]);
  CHECK(k_now.access[M::dram][D::ofm] == 0);

  // Q*K^T's DRAM operand reads drop by exactly the held words' reads (V per top-level fetch)
  // and become remote GBUF reads; its other DRAM reads are untouched.
  const layer_schedule& qk_was = *before->result(qk);
  const layer_schedule& qk_now = *s->result(qk);
  CHECK(qk_was.access[M::dram][D::fil] == Approx(static_cast<double>(v * qk_was.fetch[0][D::fil])).epsilon(1e-12));
  CHECK(qk_now.access[M::dram][D::fil] == 0);
  CHECK(h.dram_reads_moved == v * qk_was.fetch[0][D::fil]);
  CHECK(qk_now.remote_gbuf_access[D::fil] - qk_was.remote_gbuf_access[D::fil] ==
        Approx(static_cast<double>(h.dram_reads_moved)).epsilon(1e-12));
  CHECK(qk_now.access[M::dram][D::ifm] == qk_was.access[M::dram][D::ifm]);
  CHECK(qk_now.access[M::dram][D::ofm] == qk_was.access[M::dram][D::ofm]);
  CHECK(rec.dram_words_before - rec.dram_words_after == h.dram_reads_moved);
  // Hops: the matmul's operand hop change plus K's relocation hops are the record's.
  const layer_schedule& k_was = *before->result(k);
  CHECK(static_cast<std::int64_t>(qk_now.total_nhops[D::fil] - qk_was.total_nhops[D::fil]) +
            static_cast<std::int64_t>(k_now.total_nhops[D::ofm] - k_was.total_nhops[D::ofm]) ==
        h.extra_word_hops);
  CHECK(qk_now.cost < qk_was.cost);
}

TEST_CASE("K -> Q*K^T through DRAM (relaxed_dram): the weights-from-DRAM accounting", "[matmul]") {
  const network net = zoo::bert_base_block();
  const resource res = held_chip(4, 131072);
  const options opt = held_options();
  const layer_id k = net.id_of("block1_K"), qk = net.id_of("block1_QK");
  const pipeline_segment seg(k_qk_segment(net), net, 1, res, 0.05, true, segment_typing::held_edges_through_dram);
  REQUIRE(seg.valid());
  std::optional<scheme_builder> before;
  const std::optional<scheme_builder> s = scheduled_and_prospected<relaxed_dram>(seg, net, res, opt, &before);
  REQUIRE(s);
  const segment_prospect& rec = *s->prospects().back();
  bp_test::check_prospect(rec, false);
  REQUIRE(rec.holds.size() == 1);
  CHECK(rec.holds.front().allocation.outcome == edge_outcome::via_dram);
  CHECK(rec.holds.front().dram_reads_moved == 0);
  CHECK(rec.dram_words_before == rec.dram_words_after);
  // Nothing is converted: K writes its ofmaps to DRAM, Q*K^T reads its operand from there.
  for (auto l : rec.layers) CHECK(s->result(l) == before->result(l));
  CHECK(s->result(k)->is_dram[1]);
  CHECK(s->result(k)->access[M::dram][D::ofm] >= 768. * 512. - 0.5);
  CHECK(s->result(qk)->access[M::dram][D::fil] ==
        Approx(768. * 512. * static_cast<double>(s->result(qk)->fetch[0][D::fil])).epsilon(1e-12));
}

TEST_CASE("BERT-base block at the default point: nf_lrf holds K -> Q*K^T, fewer DRAM words than Tangram mode",
          "[matmul]") {
  // Model note 7.3: 8x8 cores, 16x16 PEs, 64 Ki-word gbuf, 256-word regf, 8.192 words/cycle.
  const network net = zoo::bert_base_block();
  const resource res = held_chip(8, 65536);
  const options opt = held_options();
  const search_problem p{net, 1, res, cost_values{}, opt};
  const search_result tangram = dp_search<>{}.search(p);
  const search_result nf = dp_search<tangram_loop_blocking, nf_lrf>{}.search(p);
  const search_result dram = dp_search<tangram_loop_blocking, relaxed_dram>{}.search(p);
  REQUIRE_FALSE(tangram.tops.empty());
  REQUIRE_FALSE(nf.tops.empty());
  REQUIRE_FALSE(dram.tops.empty());
  const network_scheme& t = tangram.tops.front();
  const network_scheme& s = nf.tops.front();
  CHECK(prospector_totals_of(t).held_edges == 0);

  // Some segment holds a matmul operand edge, placed; its matmul reads no operand from DRAM.
  const held_edge_record* h = nullptr;
  for (const auto& rec : s.prospects()) {
    if (!rec) continue;
    bp_test::check_prospect(*rec, false);  // no core above capacity
    for (auto l : rec->layers) bp_test::check_layer_record(s.schedule_of(l), cost_values{}, res.dram_bandwidth);
    if (const held_edge_record* o = operand_hold(*rec, net)) {
      h = o;
      CHECK(rec->dram_words_before - rec->dram_words_after >= o->dram_reads_moved);
    }
  }
  REQUIRE(h);
  REQUIRE(h->allocation.outcome == edge_outcome::placed);
  const layer_id mm = h->requirement.consumers.front();
  const layer& mml = net[mm];
  const layer_schedule& r = s.schedule_of(mm);
  CHECK(r.access[M::dram][D::fil] == 0);
  // The drop: the whole operand per top-level fetch, now remote GBUF reads.
  CHECK(h->dram_reads_moved == mml.total_filter_size() * r.fetch[0][D::fil]);
  CHECK(r.remote_gbuf_access[D::fil] >= static_cast<double>(h->dram_reads_moved));
  CHECK_FALSE(s.schedule_of(h->requirement.producer).is_dram[1]);
  // B = 1 at batch 1: the whole operand is held (R = V = 393,216 for K -> Q*K^T).
  CHECK(h->requirement.words == h->requirement.ofmap_words);

  CHECK(s.total_accesses()[M::dram] < t.total_accesses()[M::dram]);
  CHECK(s.total_cost() < t.total_cost());
  WARN("BERT-base block, default point: energy " << t.total_cost() << " -> " << s.total_cost() << ", time "
       << t.total_time() << " -> " << s.total_time() << ", DRAM words " << t.total_accesses()[M::dram] << " -> "
       << s.total_accesses()[M::dram] << ", held edges " << prospector_totals_of(s).held_edges);

  // relaxed_dram: every operand hold goes through DRAM, nothing is converted.
  const network_scheme& d = dram.tops.front();
  for (const auto& rec : d.prospects()) {
    if (!rec) continue;
    bp_test::check_prospect(*rec, false);
    CHECK(rec->dram_words_before == rec->dram_words_after);
    for (const held_edge_record& hh : rec->holds) CHECK(hh.allocation.outcome == edge_outcome::via_dram);
  }
  for (const auto& [id, sc] : d.schedules()) {
    if (net.weight_nexts(id).empty()) continue;
    CHECK(sc.is_dram[1]);
    for (auto m : net.weight_nexts(id))
      CHECK(d.schedule_of(m).access[M::dram][D::fil] >= static_cast<double>(net[m].total_filter_size()) - 0.5);
  }
}
