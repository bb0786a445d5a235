// tests/loop_blocking/lb_data.hpp -- reading the reference records of
// tests/data/loop_blocking/*.txt (written by tests/data/gen/gen_loop_blocking.py; the encodings
// are described at the top of that script) and comparing schemes field by field.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <bufferprospector/intra/loop_blocking.hpp>

#include "test_data.hpp"

namespace lb_test {

/// The lines of a data file, skipping comments.
inline std::vector<std::string> data_lines(const std::string& relative) {
  std::istringstream in(bp_test::read_data(relative));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  REQUIRE(!lines.empty());
  REQUIRE(lines.back() == "END");  // the generator finished: a truncated file cannot pass
  return lines;
}

/// Whitespace-separated tokens of one record.
class tokens {
 public:
  explicit tokens(const std::string& line) : in_(line) {}
  std::string word() {
    std::string w;
    in_ >> w;
    if (!in_) FAIL("record ended early: " + in_.str());
    return w;
  }
  std::int64_t i64() { return std::stoll(word()); }
  double f64() { return std::strtod(word().c_str(), nullptr); }
  bool flag() { return i64() != 0; }
  std::int8_t i8() { return static_cast<std::int8_t>(i64()); }
  /// The next token, or "" at the end of the record.
  std::string rest_word() {
    std::string w;
    in_ >> w;
    return in_ ? w : std::string();
  }
  bool at_end() {
    std::string w;
    in_ >> w;
    return !in_;
  }

 private:
  std::istringstream in_;
};

/// Floats: 1e-9 relative (inf and nan equal to themselves).
inline bool close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
}

inline bp::node_region region(tokens& t) {
  const std::int64_t dh = t.i64(), dw = t.i64(), oh = t.i64(), ow = t.i64(), sh = t.i64(), sw = t.i64();
  const auto type = static_cast<bp::region_type>(t.i64());
  const std::int64_t wtot = t.i64(), wbeg = t.i64();
  return bp::node_region({dh, dw}, {oh, ow}, {sh, sw}, type, wtot, wbeg);
}

inline bp::partition_scheme part(tokens& t) {
  bp::partition_scheme::order_type order{};
  for (auto& o : order) o = static_cast<bp::parallel_dim>(t.i64());
  bp::per_parallel<bp::phy_dim2> pdims{};
  for (auto& pd : pdims) {
    pd.h = t.i64();
    pd.w = t.i64();
  }
  return bp::partition_scheme(order, pdims);
}

inline bp::data_dim_loops loops_of_mask(std::int64_t mask) {
  using bp::loop_dim;
  switch (mask) {
    case 0: return {};
    case 1: return {loop_dim::ifm};
    case 2: return {loop_dim::ofm};
    case 3: return {loop_dim::ifm, loop_dim::ofm};
    case 4: return {loop_dim::bat};
    case 5: return {loop_dim::ifm, loop_dim::bat};
    case 6: return {loop_dim::ofm, loop_dim::bat};
    default: return {loop_dim::ifm, loop_dim::ofm, loop_dim::bat};
  }
}

inline bp::per_data<bp::data_dim_loops> data_loops(tokens& t) {
  bp::per_data<bp::data_dim_loops> dl{};
  for (auto& d : dl) d = loops_of_mask(t.i64());
  return dl;
}

inline bp::nested_loop_desc nld(tokens& t) {
  bp::nested_loop_desc n;
  for (auto& v : n.loopcnt) v = t.i64();
  for (auto& v : n.usize_gbuf) v = t.i64();
  for (auto& v : n.usize_regf) v = t.i64();
  for (auto& row : n.unit_access)
    for (auto& v : row) v = t.f64();
  n.unit_ops = t.f64();
  n.unit_time = t.i64();
  n.data_loops = data_loops(t);
  return n;
}

inline bp::resource resource(tokens& t) {
  const bp::node_region proc = region(t), dram = region(t), src = region(t), dst = region(t);
  const std::int64_t ah = t.i64(), aw = t.i64();
  const std::int64_t gbuf = t.i64(), regf = t.i64();
  const double bus = t.f64(), bw = t.f64();
  const bool ntm = t.flag();
  return bp::resource{proc, dram, src, dst, {ah, aw}, gbuf, regf, bus, bw, ntm};
}

inline bp::options options(tokens& t) {
  bp::options o;
  for (auto& v : o.sw_gbuf_bypass) v = t.flag();
  o.sw_solve_loopblocking = t.flag();
  o.hw_access_forwarding = t.flag();
  o.hw_gbuf_sharing = t.flag();
  const std::string goal = t.word();
  o.goal = goal == "e" ? bp::opt_goal::e : goal == "d" ? bp::opt_goal::d : bp::opt_goal::ed;
  o.ntops = static_cast<int>(t.i64());
  o.partition_hybrid = o.partition_batch = o.partition_ifmaps = true;
  o.validate();
  return o;
}

inline bp::cost_values cost(tokens& t) {
  bp::cost_params p;
  for (auto& v : p.mem_hier) v = t.f64();
  return bp::cost_values(p);
}

inline bp::scheduling_constraint constraint(tokens& t) {
  const std::int64_t topbat = t.i64(), topifm = t.i64(), topofm = t.i64();
  const bool fbifm = t.flag(), fbofm = t.flag(), lp = t.flag();
  if (lp) return bp::scheduling_constraint::pipeline(topbat, topifm, topofm, fbifm, fbofm);
  return bp::scheduling_constraint{topbat, topifm, topofm, false, false, false};
}

/// The (bl_ts, bl_ords) at the head of a scheme record.
struct blocking {
  bp::blocking_factors bl_ts{};
  bp::blocking_orders bl_ords{};
};

inline blocking read_blocking(tokens& t) {
  blocking b;
  for (auto& lv : b.bl_ts)
    for (auto& v : lv) v = t.i64();
  for (auto& lv : b.bl_ords)
    for (auto& v : lv) v = t.i8();
  return b;
}

/// Mismatch counter: one CHECK per field, labelled, so that a failure says what differs.
struct field_checker {
  std::string where;
  int mismatches = 0;
  void i(const char* name, std::int64_t got, std::int64_t want) {
    if (got == want) return;
    ++mismatches;
    FAIL_CHECK(where << ": " << name << " = " << got << ", reference " << want);
  }
  void f(const char* name, double got, double want) {
    if (close(got, want)) return;
    ++mismatches;
    FAIL_CHECK(where << ": " << name << " = " << bp::python_repr(got) << ", reference " << bp::python_repr(want));
  }
};

/// Compares the rest of a scheme record (validity and, for a valid scheme, every field).
inline void check_scheme(const bp::loop_blocking_scheme& s, tokens& t, const bp::cost_values& c,
                         const std::string& where) {
  field_checker ck{where};
  const bool valid = t.flag();
  ck.i("valid", s.is_valid(), valid);
  if (!valid || !s.is_valid()) {
    if (!valid) CHECK(s.access_cost(c) == bp::inf);
    return;
  }
  using bp::data_category;
  ck.f("ops", s.ops(), t.f64());
  ck.i("time", s.time(), t.i64());
  ck.i("proc_time", s.proc_time(), t.i64());
  ck.i("bus_time", s.bus_time(), t.i64());
  ck.i("dram_time", s.dram_time(), t.i64());
  ck.i("num_nodes", s.num_nodes(), t.i64());
  ck.i("src_is_dram", s.src_is_dram(), t.flag());
  ck.i("dst_is_dram", s.dst_is_dram(), t.flag());
  ck.i("filter_pinned", s.filter_pinned(), t.flag());
  for (const auto& row : s.access())
    for (double v : row) ck.f("access", v, t.f64());
  for (double v : s.remote_gbuf_access()) ck.f("remote_gbuf_access", v, t.f64());
  for (double v : s.noc_access()) ck.f("noc_access", v, t.f64());
  for (const auto& row : s.fetch())
    for (auto v : row) ck.i("fetch", v, t.i64());
  for (const auto& ord : s.bl_ords())
    for (auto v : ord) ck.i("bl_ords (final)", v, t.i64());
  for (auto bl : {bp::blocking_level::gbuf, bp::blocking_level::regf})
    for (auto d : bp::all<data_category>) ck.i("data_size", s.data_size(bl, d), t.i64());
  for (const auto& row : s.unit_size())
    for (auto v : row) ck.i("unit_size", v, t.i64());
  for (const auto& row : s.unit_cnt())
    for (auto v : row) ck.i("unit_cnt", v, t.i64());
  for (auto v : s.accfwd_reduction()) ck.i("accfwd_reduction", v, t.i64());
  for (auto v : s.bufshr_grp_size()) ck.i("bufshr_grp_size", v, t.i64());
  for (auto v : s.bufshr_subgrp_size()) ck.i("bufshr_subgrp_size", v, t.i64());
  for (auto v : s.bufshr_bs_t()) ck.i("bufshr_bs_t", v, t.i64());
  for (auto v : s.bufshr_bs_ord()) ck.i("bufshr_bs_ord", v, t.i64());
  for (double v : s.bufshr_rot_fetch()) ck.f("bufshr_rot_fetch", v, t.f64());
  for (auto v : s.bufshr_rot_round_cnt()) ck.i("bufshr_rot_round_cnt", v, t.i64());
  for (auto v : s.bufshr_rot_unit_cnt()) ck.i("bufshr_rot_unit_cnt", v, t.i64());
  for (double v : s.bufshr_wide_fetch()) ck.f("bufshr_wide_fetch", v, t.f64());
  for (double v : s.bufshr_wide_fetch_width()) ck.f("bufshr_wide_fetch_width", v, t.f64());
  ck.f("access_cost", s.access_cost(c), t.f64());
  CHECK(t.at_end());
}

}  // namespace lb_test
