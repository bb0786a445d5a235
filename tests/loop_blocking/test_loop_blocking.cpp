// tests/loop_blocking/test_loop_blocking.cpp -- the loop-blocking searches against Tangram's
// gen_loopblocking: the full candidate list (every field of every scheme) for exhaustive search
// with goals e / d / ed, ntops 1 and 3, the goal-d quirk on and off, the analytical solver with
// bypass variants, top-level constraints and layer-pipeline orders, gbuf sharing, access
// forwarding, on-chip source / destination, filter pinning and finite bandwidths
// (tests/data/loop_blocking/search.txt, written by tests/data/gen/gen_loop_blocking.py,
// write_search; quirks off = the same Python with the goal-d key computing stats before reading
// the time). Also skip_conv for every pattern (pyorder.txt, SKIP records).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include <bufferprospector/intra/loop_blocking.hpp>

#include "lb_data.hpp"

namespace {

struct search_case {
  std::string name;
  bool quirks = true;
  std::optional<bp::nested_loop_desc> nld;
  std::optional<bp::resource> res;
  std::optional<bp::partition_scheme> part;
  std::optional<bp::options> opt;
  std::optional<bp::cost_values> cost;
  std::optional<bp::scheduling_constraint> cstr;
  std::vector<std::string> expected;  // the scheme records

  std::vector<bp::loop_blocking_scheme> run(int threads = 1) const {
    bp::options o = *opt;
    o.tangram_quirks = quirks;
    o.nprocesses = threads;
    std::vector<bp::loop_blocking_scheme> out;
    bp::tangram_loop_blocking{}.search({*nld, *res, *part, *cstr, *cost, o}, out);
    return out;
  }
};

std::vector<search_case> read_cases() {
  std::vector<search_case> cases;
  for (const auto& line : lb_test::data_lines("loop_blocking/search.txt")) {
    lb_test::tokens t(line);
    const std::string tag = t.word();
    if (tag == "SEARCH") {
      cases.emplace_back();
      cases.back().name = t.word();
      cases.back().quirks = t.flag();
    } else if (tag == "NLD") {
      cases.back().nld = lb_test::nld(t);
    } else if (tag == "RES") {
      cases.back().res = lb_test::resource(t);
    } else if (tag == "PART") {
      cases.back().part = lb_test::part(t);
    } else if (tag == "OPT") {
      cases.back().opt = lb_test::options(t);
    } else if (tag == "COST") {
      cases.back().cost = lb_test::cost(t);
    } else if (tag == "CSTR") {
      cases.back().cstr = lb_test::constraint(t);
    } else if (tag == "S") {
      cases.back().expected.push_back(line);
    }
  }
  return cases;
}

std::string describe(const search_case& c) {
  const bp::options& o = *c.opt;
  return c.name + (o.sw_solve_loopblocking ? " solver" : " exhaustive") + " goal " +
         std::string(bp::to_string(o.goal)) + " ntops " + std::to_string(o.ntops) +
         (c.quirks ? " quirks" : " fixed") + " cstr " + std::to_string(c.cstr->topbat) + "/" +
         std::to_string(c.cstr->topifm) + "/" + std::to_string(c.cstr->topofm) +
         (c.cstr->layer_pipeline ? " lp" : "");
}

void check_result(const search_case& c, const std::vector<bp::loop_blocking_scheme>& got) {
  const std::string where = describe(c);
  INFO(where);
  REQUIRE(got.size() == c.expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    lb_test::tokens t(c.expected[i]);
    t.word();
    const lb_test::blocking b = lb_test::read_blocking(t);
    CHECK(got[i].bl_ts() == b.bl_ts);
    CHECK(got[i].bl_ords() == b.bl_ords);
    lb_test::check_scheme(got[i], t, *c.cost, where + " #" + std::to_string(i));
  }
}

}  // namespace

TEST_CASE("skip_conv matches Tangram for every non-trivial pattern and order pair", "[loop_blocking]") {
  int n = 0;
  for (const auto& line : lb_test::data_lines("loop_blocking/pyorder.txt")) {
    lb_test::tokens t(line);
    if (t.word() != "SKIP") continue;
    const auto mask = static_cast<unsigned>(t.i64());
    const std::string bits = t.word();
    REQUIRE(bits.size() == 36);
    bp::blocking_factors bl_ts{};
    for (unsigned lv = 0; lv < 3; ++lv)
      for (unsigned l = 0; l < 3; ++l) bl_ts[lv][l] = (mask >> (3 * lv + l)) & 1u ? 2 : 1;
    for (std::size_t o = 0; o < 36; ++o) {
      const bp::blocking_orders ords{bp::detail::loop_orders[o / 6], bp::detail::loop_orders[o % 6]};
      INFO("mask " << mask << " order pair " << o);
      CHECK(bp::skip_conv(bl_ts, ords) == (bits[o] == '1'));
    }
    ++n;
  }
  CHECK(n == 512);
}

TEST_CASE("loop-blocking searches return exactly Tangram's candidates", "[loop_blocking][slow]") {
  const auto cases = read_cases();
  CHECK(cases.size() > 150);
  int n_exh = 0, n_solver = 0, n_quirk_d = 0;
  for (const auto& c : cases) {
    check_result(c, c.run());
    if (c.opt->sw_solve_loopblocking)
      ++n_solver;
    else
      ++n_exh;
    n_quirk_d += c.quirks && c.opt->goal == bp::opt_goal::d;
  }
  CHECK(n_exh > 100);
  CHECK(n_solver > 20);
  CHECK(n_quirk_d > 20);
}

TEST_CASE("loop-blocking searches, fast subset", "[loop_blocking]") {
  // Every 7th case (a few seconds in a debug build); the [slow] case runs all of them.
  const auto cases = read_cases();
  for (std::size_t i = 0; i < cases.size(); i += 7) check_result(cases[i], cases[i].run());
}

TEST_CASE("exhaustive search results do not depend on the thread count", "[loop_blocking]") {
  const auto cases = read_cases();
  int n = 0;
  for (std::size_t i = 3; i < cases.size() && n < 6; i += 11) {
    if (cases[i].opt->sw_solve_loopblocking) continue;
    check_result(cases[i], cases[i].run(3));
    ++n;
  }
  CHECK(n == 6);
}

TEST_CASE("goal-d quirk: a chunk keeps its first enumerated scheme", "[loop_blocking]") {
  // With quirks, each (tifm, tofm) chunk contributes its first candidate, so the result is the
  // best chunk-first scheme by (time, cost); fixed, it is the true best, which is never worse.
  const auto cases = read_cases();
  int n = 0, n_differ = 0;
  for (const auto& c : cases) {
    if (c.opt->goal != bp::opt_goal::d || c.opt->ntops != 1 || !c.quirks || c.opt->sw_solve_loopblocking) continue;
    search_case fixed = c;
    fixed.quirks = false;
    const auto q = c.run(), f = fixed.run();
    REQUIRE(q.size() == 1);
    REQUIRE(f.size() == 1);
    if (!q[0].is_valid()) continue;
    REQUIRE(f[0].is_valid());
    const bp::loop_blocking_key kq = bp::ranking_key(q[0], *c.cost, bp::opt_goal::d);
    const bp::loop_blocking_key kf = bp::ranking_key(f[0], *c.cost, bp::opt_goal::d);
    CHECK_FALSE(kq < kf);
    n_differ += kf < kq;
    ++n;
  }
  CHECK(n > 10);
  CHECK(n_differ > 5);
}
