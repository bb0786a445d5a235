// The relaxed candidate segments and the held-edge typing (docs/bufferprospector-model.md 3.1,
// 6.2) on Tangram's DAG networks (ResNet-50, GoogLeNet) and the extra ones (DenseNet-121,
// Inception-ResNet-v1): Tangram's candidates are kept with Tangram's typing, every other relaxed
// candidate needs a hold, the typing rule holds edge by edge, and the max degree and rule 3
// options act as documented. (The Tangram candidate lists themselves are checked against the
// reference in tests/pipeline.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <bufferprospector/pipeline/inter_layer_pipeline.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "prospector_search_util.hpp"

namespace {

using namespace bp;

options candidate_options() {
  options o;
  o.partition_interlayer = true;
  o.hw_gbuf_save_writeback = true;  // both shapes
  return o;
}

bool same_deps(const pipeline_segment& a, const pipeline_segment& b) {
  for (std::size_t sp = 0; sp < a.size(); ++sp)
    for (std::size_t tm = 0; tm < a[sp].size(); ++tm) {
      const sched_index i{static_cast<int>(sp), static_cast<int>(tm)};
      const layer_dependency &x = a.dependency(i), &y = b.dependency(i);
      if (x.memory_source != y.memory_source || x.neighbor_source != y.neighbor_source ||
          x.memory_destination != y.memory_destination || x.neighbor_destinations != y.neighbor_destinations ||
          !x.held_sources.empty() || !x.held_destinations.empty())
        return false;
    }
  return true;
}

std::size_t num_vertices_of(const scheduling_dag& dag, const pipeline_segment& s) {
  std::vector<vertex_id> vs;
  for (const auto& st : s.stages())
    for (auto l : st) vs.push_back(dag.vertex_of(l));
  std::sort(vs.begin(), vs.end());
  return static_cast<std::size_t>(std::unique(vs.begin(), vs.end()) - vs.begin());
}

}  // namespace

TEST_CASE("Relaxed candidates keep Tangram's and add only segments with held edges", "[prospector_search]") {
  const resource res = bp_test::chip({8, 8}, {16, 16}, 32768, 32);
  for (const char* name : {"resnet50", "googlenet", "densenet121", "inception_resnet_v1"}) {
    CAPTURE(name);
    const network net = zoo::make(name);
    const inter_layer_pipeline ilp(net, 4, res);
    const options opt = candidate_options();
    const auto tangram = ilp.gen_segments(opt);
    const auto relaxed = ilp.gen_relaxed_segments(opt);
    REQUIRE(relaxed.size() > tangram.size());

    // Every Tangram candidate is a relaxed candidate, without held edges and typed the same.
    for (const pipeline_segment& t : tangram) {
      const auto it = std::find_if(relaxed.begin(), relaxed.end(),
                                   [&](const pipeline_segment& r) { return r.stages() == t.stages(); });
      REQUIRE(it != relaxed.end());
      CHECK(it->held_edges().empty());
      CHECK(same_deps(t, *it));
      CHECK(it->allocation() == t.allocation());
      CHECK(it->symbols() == t.symbols());
    }
    // Every other one needs a hold: what Tangram rejects at R1/R2 or never generates (rule 2).
    std::size_t with_holds = 0;
    for (const pipeline_segment& r : relaxed) {
      const bool in_tangram = std::any_of(tangram.begin(), tangram.end(),
                                          [&](const pipeline_segment& t) { return t.stages() == r.stages(); });
      if (!in_tangram) {
        CAPTURE(r.repr());
        CHECK(!r.held_edges().empty());
      }
      with_holds += r.held_edges().empty() ? 0 : 1;

      // The typing rule, edge by edge.
      for (std::size_t sp = 0; sp < r.size(); ++sp) {
        bool stage_has_neighbor = false;
        for (std::size_t tm = 0; tm < r[sp].size(); ++tm) {
          const layer_id l = r[sp][tm];
          const layer_dependency& d = r.dependency({static_cast<int>(sp), static_cast<int>(tm)});
          std::vector<layer_id> cross;
          bool outside = false;
          for (auto p : net.prevs(l)) {
            const auto pi = r.index_of_layer(p);
            if (!pi) outside = true;
            else if (pi->sp != static_cast<int>(sp)) cross.push_back(p);
          }
          if (d.neighbor_source) {
            CHECK(cross.size() == 1);
            CHECK(!outside);
            CHECK(!stage_has_neighbor);
            CHECK(d.held_sources.empty());
            stage_has_neighbor = true;
          } else {
            CHECK(d.held_sources.size() == cross.size());
          }
          for (const auto& h : d.held_sources)  // held producers are last in their stage
            CHECK(static_cast<std::size_t>(h.tm) == r[static_cast<std::size_t>(h.sp)].size() - 1);
          if (!d.held_sources.empty()) CHECK(d.memory_source);
        }
      }
    }
    CHECK(with_holds == relaxed.size() - tangram.size() +
                            static_cast<std::size_t>(std::count_if(tangram.begin(), tangram.end(), [&](const auto& t) {
                              return std::any_of(relaxed.begin(), relaxed.end(), [&](const auto& r) {
                                return r.stages() == t.stages() && !r.held_edges().empty();
                              });
                            })));
    CHECK(with_holds > 0);
  }
}

TEST_CASE("Relaxed candidates: max degree, rule 3 and single layers", "[prospector_search]") {
  const resource res = bp_test::chip({8, 8}, {16, 16}, 32768, 32);
  const network net = zoo::make("googlenet");
  const inter_layer_pipeline ilp(net, 4, res);
  options opt = candidate_options();
  opt.layer_pipeline_max_degree = 3;
  const auto relaxed = ilp.gen_relaxed_segments(opt);
  for (const pipeline_segment& s : relaxed) CHECK(num_vertices_of(ilp.dag(), s) <= 3);
  // The single layers come first, one per layer, as in Tangram's list.
  for (layer_id l = 0; l < net.size(); ++l) CHECK(relaxed[static_cast<std::size_t>(l)].stages() == segment_stages{{l}});

  const auto with_rule3 = ilp.dag().relaxed_vertex_segments(true);
  const auto without = ilp.dag().relaxed_vertex_segments(false);
  CHECK(without.size() > with_rule3.size());
  for (const auto& vr : with_rule3) CHECK(std::find(without.begin(), without.end(), vr) != without.end());
  // Every range is contiguous and each later vertex shares a dependency with the ones before.
  const auto& dag = ilp.dag();
  for (const auto& vr : without) {
    for (vertex_id k = vr.first + 1; k < vr.first + vr.count; ++k) {
      bool shares = false;
      for (auto p : dag.prev_vertices(k)) {
        if (vr.first <= p && p < k) shares = true;
        for (vertex_id m = vr.first; m < k && !shares; ++m) {
          const auto& mp = dag.prev_vertices(m);
          shares = std::find(mp.begin(), mp.end(), p) != mp.end();
        }
      }
      CHECK(shares);
    }
  }
}

TEST_CASE("Held-edge typing: a held producer must be last in its stage", "[prospector_search]") {
  const network net = bp_test::residual_block();
  const resource res = bp_test::note_chip();
  const layer_id p = net.id_of("p"), a = net.id_of("a"), b = net.id_of("b"), c = net.id_of("c"),
                 r = net.id_of("res");
  // p shares a stage with a (p is not last): p -> res can be neither a neighbor edge (Tangram's
  // typing throws the same way for a neighbor source) nor a held edge.
  const segment_stages stages{{p, a}, {b}, {c, r}};
  CHECK_THROWS_WITH(pipeline_segment(stages, net, 4, res, 0.05, true, segment_typing::held_edges),
                    Catch::Matchers::Contains("held edge p -> res: its producer is not last in its stage"));
}
