// tests/segment_search/test_dp_properties.cpp -- the DP segment search against brute force over
// every segmentation (model note 6.2, architecture.md: "The DP over segmentations equals brute
// force on small networks"), its log, and thread independence, on small random DAGs and chips
// (fixed seeds).
//  - independent mode, goal e, ntops 1: the DP's objective equals the best sum over every
//    segmentation of the candidates' cached (cost, time) -- exact, every seed;
//  - prefix mode (a candidate's cost depends on the prefix it extends): every segmentation is
//    scheduled on its own (the DP restricted to its segments); the best of them is <= the DP's
//    result, and the gap is reported;
//  - results do not depend on options.nprocesses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/dp_search.hpp>

#include "segment_search/segment_search_util.hpp"

namespace {

using namespace bp;

struct random_problem {
  network net;
  std::int64_t batch;
  resource res;
  options opt;
};

random_problem random_problem_of(std::uint64_t seed, std::int64_t min_layers, std::int64_t max_layers) {
  bp_test::rng_t rng(seed);
  network net = bp_test::random_dag(rng, min_layers, max_layers);
  const phy_dim2 meshes[] = {{2, 2}, {4, 4}};
  const std::int64_t gbufs[] = {8192, 16384, 32768};
  const double bws[] = {inf, 4};
  const resource res = bp_test::mesh_chip(meshes[bp_test::uniform(rng, 0, 1)], {8, 8}, gbufs[bp_test::uniform(rng, 0, 2)],
                                          32, bws[bp_test::uniform(rng, 0, 1)]);
  options opt = bp_test::default_options();
  const std::int64_t batches[] = {1, 2, 4};
  return {std::move(net), batches[bp_test::uniform(rng, 0, 2)], res, opt};
}

template <class Alloc>
search_result dp_with(const random_problem& c, const options& opt, search_log* log,
                      std::function<bool(const pipeline_segment&)> admit = nullptr) {
  const search_problem p{c.net, c.batch, c.res, cost_values{}, opt};
  return dp_search<tangram_loop_blocking, Alloc>{.log = log, .admit = std::move(admit)}.search(p);
}

template <class Alloc>
void check_independent_equals_brute_force(const random_problem& c) {
  options opt = c.opt;
  opt.prospector.dp = dp_mode::independent;
  search_log log;
  const search_result r = dp_with<Alloc>(c, opt, &log);
  REQUIRE_FALSE(r.tops.empty());
  REQUIRE(log.objective_cost);

  const auto cands = bp_test::cached_candidates(log);
  const std::size_t n = static_cast<std::size_t>(c.net.size());
  double best_cost = std::numeric_limits<double>::infinity();
  std::int64_t best_time = 0;
  std::size_t segmentations = 0;
  bp_test::for_each_segmentation(cands, n, [&](const std::vector<std::size_t>& path) {
    double cost = 0;
    std::int64_t time = 0;
    for (const std::size_t i : path) {
      cost += cands[i].cost;
      time += cands[i].time;
    }
    ++segmentations;
    if (cost < best_cost || (cost == best_cost && time < best_time)) {
      best_cost = cost;
      best_time = time;
    }
  });
  CAPTURE(segmentations, cands.size());
  REQUIRE(segmentations > 0);
  CHECK(*log.objective_cost == Approx(best_cost).epsilon(1e-12));
  CHECK(*log.objective_time == best_time);
  // The chosen path is scheduled for real: same segments, a complete scheme.
  CHECK(r.tops.front().schedules().size() == n);
}

}  // namespace

TEST_CASE("DP, independent mode: equals brute force over every segmentation (random DAGs)", "[segment_search]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      const random_problem c = random_problem_of(seed, 4, 7);
      CAPTURE(c.batch);
      check_independent_equals_brute_force<no_prospecting>(c);
      check_independent_equals_brute_force<nf_lrf>(c);
    }
  }
}

TEST_CASE("DP, prefix mode: brute force over segmentations is never worse, and the gap", "[segment_search]") {
  double worst_gap = 0;
  for (std::uint64_t seed = 11; seed <= 16; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      const random_problem c = random_problem_of(seed, 4, 6);
      search_log log;
      const search_result dp = dp_with<nf_lrf>(c, c.opt, &log);
      REQUIRE_FALSE(dp.tops.empty());
      const double dp_cost = dp.tops.front().total_cost();

      // Every segmentation into structurally valid candidates, each scheduled alone.
      std::vector<bp_test::cached_candidate> cands;
      std::vector<segment_stages> stages;
      for (const auto& t : log.transitions)
        if (t.report.outcome != transition_outcome::invalid_segment) {
          cands.push_back({t.start, t.end, 0, 0});
          stages.push_back(t.stages);
        }
      double brute = std::numeric_limits<double>::infinity();
      std::size_t scheduled = 0;
      bp_test::for_each_segmentation(cands, static_cast<std::size_t>(c.net.size()), [&](const std::vector<std::size_t>& path) {
        std::vector<segment_stages> mine;
        for (const std::size_t i : path) mine.push_back(stages[i]);
        const search_result one = dp_with<nf_lrf>(c, c.opt, nullptr, [&](const pipeline_segment& s) {
          return std::find(mine.begin(), mine.end(), s.stages()) != mine.end();
        });
        if (one.tops.empty()) return;
        ++scheduled;
        brute = std::min(brute, one.tops.front().total_cost());
      });
      REQUIRE(scheduled > 0);
      CHECK(brute <= dp_cost * (1 + 1e-12));
      const double gap = (dp_cost - brute) / brute;
      worst_gap = std::max(worst_gap, gap);
      WARN("seed " << seed << ": " << scheduled << " segmentations, DP energy " << dp_cost << ", brute force "
                   << brute << ", gap " << 100 * gap << "%");
    }
  }
  WARN("prefix-mode DP vs brute force, worst gap: " << 100 * worst_gap << "%");
}

TEST_CASE("DP: results do not depend on the number of threads", "[segment_search]") {
  for (std::uint64_t seed = 21; seed <= 23; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      const random_problem c = random_problem_of(seed, 5, 7);
      for (const dp_mode mode : {dp_mode::prefix, dp_mode::independent}) {
        options one = c.opt, two = c.opt;
        one.prospector.dp = two.prospector.dp = mode;
        one.prospector.holds = two.prospector.holds = hold_mode::both;
        two.nprocesses = 2;
        search_log la, lb;
        const search_result a = dp_with<nf_lrf>(c, one, &la);
        const search_result b = dp_with<nf_lrf>(c, two, &lb);
        REQUIRE(a.tops.size() == b.tops.size());
        if (a.tops.empty()) continue;
        CHECK(a.tops.front().total_cost() == b.tops.front().total_cost());
        CHECK(a.tops.front().total_time() == b.tops.front().total_time());
        CHECK(la.lines(c.net) == lb.lines(c.net));
      }
    }
  }
}

TEST_CASE("DP log: one record per candidate, reasons of invalid ones, text lines", "[segment_search]") {
  const random_problem c = random_problem_of(31, 6, 7);
  search_log log;
  const search_result r = dp_with<nf_lrf>(c, c.opt, &log);
  REQUIRE_FALSE(r.tops.empty());
  std::size_t valid = 0, invalid = 0, invalid_runs = 0;  // runs: consecutive rejected records of one end layer
  for (std::size_t i = 0; i < log.transitions.size(); ++i) {
    const auto& t = log.transitions[i];
    CHECK(t.start < t.end);
    CHECK(t.end <= static_cast<std::size_t>(c.net.size()));
    if (t.report.outcome == transition_outcome::valid) {
      ++valid;
      REQUIRE(t.best);
      CHECK(t.best->time >= t.best->dram_time);
      CHECK(t.best->time >= t.best->node_time);
      CHECK(t.report.reject_reason().empty());
    } else {
      ++invalid;
      if (t.report.outcome == transition_outcome::invalid_segment &&
          (i == 0 || log.transitions[i - 1].end_layer != t.end_layer ||
           log.transitions[i - 1].report.outcome != transition_outcome::invalid_segment))
        ++invalid_runs;
      CHECK_FALSE(t.best);
      CHECK_FALSE(t.chosen);
      CHECK_FALSE(t.report.reject_reason().empty());
    }
  }
  CHECK(valid >= static_cast<std::size_t>(c.net.size()));  // every single layer at least
  const std::vector<std::string> lines = log.lines(c.net);
  // One line per evaluated transition, one per run of rejected candidates (their counts by reason).
  std::size_t rejected = 0;
  for (const auto& t : log.transitions) rejected += t.report.outcome == transition_outcome::invalid_segment;
  CHECK(invalid_runs > 0);
  CHECK(lines.size() == log.transitions.size() - rejected + invalid_runs + 2 + log.final_segments.size());
  CHECK(lines.front().find("mode prefix") != std::string::npos);
  (void)invalid;

  // The reasons are the model note's names.
  transition_report rep;
  rep.outcome = transition_outcome::invalid_segment;
  rep.status = segment_status::multiple_neighbor_sources;
  CHECK(rep.reject_reason() == "R2");
  rep.status = segment_status::fully_buffered_too_large;
  CHECK(rep.reject_reason() == "fb_size");
  rep.status = segment_status::no_node_split;
  CHECK(rep.reject_reason() == "alloc_proc");
  rep.outcome = transition_outcome::no_loop_blocking;
  CHECK(rep.reject_reason() == "no_lbs");
  rep.outcome = transition_outcome::allocation_failed;
  CHECK(rep.reject_reason() == "alloc_fail");
  rep.outcome = transition_outcome::time_overhead;
  CHECK(rep.reject_reason() == "time_ovhd");
}

TEST_CASE("DP, prefix mode, equals the beam search with every policy (random DAGs)", "[segment_search]") {
  for (std::uint64_t seed = 41; seed <= 44; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      const random_problem c = random_problem_of(seed, 5, 8);
      const search_problem p{c.net, c.batch, c.res, cost_values{}, c.opt};
      const search_result beam = beam_search<tangram_loop_blocking, nf_lrf>{}.search(p);
      const search_result dp = dp_search<tangram_loop_blocking, nf_lrf>{}.search(p);
      REQUIRE(beam.tops.size() == dp.tops.size());
      if (beam.tops.empty()) continue;
      CHECK(beam.tops.front().total_cost() == dp.tops.front().total_cost());
      CHECK(beam.tops.front().total_time() == dp.tops.front().total_time());
    }
  }
}

TEST_CASE("constraint-point budget: the space size is the enumerated count; over-budget held candidates are skipped",
          "[segment_search]") {
  for (std::uint64_t seed = 41; seed < 47; ++seed) {
    const random_problem c = random_problem_of(seed, 5, 8);
    const inter_layer_pipeline ilp(c.net, c.batch, c.res, 0.05);
    std::size_t checked = 0;
    for (const pipeline_segment& seg : ilp.gen_relaxed_segments(c.opt, true, segment_typing::held_edges)) {
      std::int64_t points = 0;
      seg.for_each_constraint(inf, [&](const segment_constraint&) { ++points; });
      CHECK(seg.constraint_space_size(std::int64_t{1} << 40) == points);
      CHECK(seg.constraint_space_size(1) == std::min<std::int64_t>(points, 1));
      ++checked;
    }
    CHECK(checked > 0);

    // Budget 1: every candidate with held edges and more than one point is skipped as "budget";
    // Tangram's candidates (no held edges) still run, so the search still finds a scheme.
    options opt = c.opt;
    opt.prospector.max_constraint_points = 1;
    search_log log;
    const search_result r = dp_with<nf_lrf>(c, opt, &log);
    REQUIRE_FALSE(r.tops.empty());
    for (const auto& t : log.transitions) {
      if (t.stages.empty()) continue;
      const pipeline_segment seg(t.stages, c.net, c.batch, c.res, 0.05, true, segment_typing::held_edges);
      const bool over = !seg.held_edges().empty() && seg.constraint_space_size(2) > 1;
      if (t.report.outcome != transition_outcome::no_prefix) CHECK((t.report.reject_reason() == "budget") == over);
    }
  }
  options bad;
  bad.prospector.max_constraint_points = 0;
  CHECK_THROWS_WITH(bad.validate(), Catch::Matchers::Contains("prospector_settings.max_constraint_points = 0"));
}
