// tests/experiments/test_scheme_io.cpp -- report/scheme_io.hpp: save_scheme / load_scheme
// round-trip every field of a network_scheme (per-layer records, layouts, input and external
// layouts, totals, segment times), and refuse files that do not describe themselves.
//
// Schemes: Tangram's searches (quirks off, the experiments' flags) of lstm_gnmt (external
// inputs, many small segments) and alex_net (pooling fused into conv segments) on small meshes.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>

#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/run_naming.hpp>
#include <bufferprospector/report/scheme_io.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

namespace {

using Catch::Matchers::Contains;

struct searched {
  std::string name;
  std::unique_ptr<bp::network> net;  // the scheme points to it: it must not move
  bp::options opt;
  bp::network_scheme scheme;
};

searched search(const std::string& name, std::int64_t mesh, std::int64_t batch, bp::opt_goal goal) {
  bp::design_point p;
  p.mesh_h = p.mesh_w = mesh;
  p.batch = batch;
  auto net = std::make_unique<bp::network>(bp::zoo::make(name));
  const bp::options opt = p.make_options(goal);
  bp::search_result r = bp::tangram_search(*net, batch, p.make_resource(), bp::cost_values{}, opt);
  REQUIRE(!r.tops.empty());
  return {name, std::move(net), opt, std::move(r.tops.front())};
}

/// Every field of two layer records, one by one.
void check_same(const bp::layer_schedule& a, const bp::layer_schedule& b) {
  CHECK(a.cost == b.cost);
  CHECK(a.time == b.time);
  CHECK(a.ops == b.ops);
  CHECK(a.node_count == b.node_count);
  CHECK(a.is_dram == b.is_dram);
  CHECK(a.cost_op == b.cost_op);
  CHECK(a.cost_access == b.cost_access);
  CHECK(a.cost_noc == b.cost_noc);
  CHECK(a.cost_static == b.cost_static);
  CHECK(a.proc_time == b.proc_time);
  CHECK(a.bus_time == b.bus_time);
  CHECK(a.dram_time == b.dram_time);
  CHECK(a.access == b.access);
  CHECK(a.remote_gbuf_access == b.remote_gbuf_access);
  CHECK(a.total_nhops == b.total_nhops);
  CHECK(a.fetch == b.fetch);
  CHECK(a.ti == b.ti);
  CHECK(a.to == b.to);
  CHECK(a.tb == b.tb);
  CHECK(a.tvals == b.tvals);
  CHECK(a.orders == b.orders);
  CHECK(a.size == b.size);
  CHECK(a.unit_size == b.unit_size);
  CHECK(a.unit_cnt == b.unit_cnt);
  CHECK(a.accfwd_reduction == b.accfwd_reduction);
  CHECK(a.bufshr_grp_size == b.bufshr_grp_size);
  CHECK(a.bufshr_subgrp_size == b.bufshr_subgrp_size);
  CHECK(a.bufshr_bs_t == b.bufshr_bs_t);
  CHECK(a.bufshr_bs_ord == b.bufshr_bs_ord);
  CHECK(a.bufshr_rot_fetch == b.bufshr_rot_fetch);
  CHECK(a.bufshr_rot_round_cnt == b.bufshr_rot_round_cnt);
  CHECK(a.bufshr_rot_unit_cnt == b.bufshr_rot_unit_cnt);
  CHECK(a.bufshr_wide_fetch == b.bufshr_wide_fetch);
  CHECK(a.bufshr_wide_fetch_width == b.bufshr_wide_fetch_width);
  CHECK(a.part == b.part);
  CHECK(a.mem_nhops == b.mem_nhops);
  CHECK(a.node_nhops == b.node_nhops);
  CHECK(a.unit_nhops == b.unit_nhops);
  CHECK(a.access_is_int == b.access_is_int);
  CHECK(a.ofmap_layout == b.ofmap_layout);
  CHECK(a.seq == b.seq);
}

void check_same(const bp::network_scheme& a, const bp::network_scheme& b) {
  CHECK(a.batch() == b.batch());
  CHECK(a.total_cost() == b.total_cost());
  CHECK(a.total_time() == b.total_time());
  CHECK(a.last_seg_idx() == b.last_seg_idx());
  CHECK(a.segment_time_list() == b.segment_time_list());
  CHECK(a.segment_dram_time_list() == b.segment_dram_time_list());
  CHECK(a.input_layout() == b.input_layout());
  REQUIRE(a.ext_layouts().size() == b.ext_layouts().size());
  for (std::size_t k = 0; k < a.ext_layouts().size(); ++k) {
    CHECK(a.ext_layouts()[k].first == b.ext_layouts()[k].first);
    CHECK(a.ext_layouts()[k].second == b.ext_layouts()[k].second);
  }
  REQUIRE(a.schedules().size() == b.schedules().size());
  for (std::size_t i = 0; i < a.schedules().size(); ++i) {
    INFO("layer " << a.net().name_of(a.schedules()[i].first));
    CHECK(a.schedules()[i].first == b.schedules()[i].first);
    check_same(a.schedules()[i].second, b.schedules()[i].second);
  }
}

std::string saved(const searched& s) {
  std::ostringstream out;
  bp::save_scheme(out, s.scheme, {s.name, s.opt, {}});
  return out.str();
}

}  // namespace

TEST_CASE("scheme io: save then load gives back every field (network with external inputs)", "[experiments]") {
  const searched s = search("lstm_gnmt", 4, 4, bp::opt_goal::e);
  REQUIRE(!s.scheme.ext_layouts().empty());
  REQUIRE(s.scheme.segment_time_list().size() > 1);
  const std::string text = saved(s);
  std::istringstream in(text);
  const bp::loaded_scheme back = bp::load_scheme(in);  // the network rebuilt from the zoo
  CHECK(back.net->name() == s.net->name());
  CHECK(back.context.net_name == "lstm_gnmt");
  CHECK_FALSE(back.context.opt.tangram_quirks);
  CHECK(back.context.opt.goal == bp::opt_goal::e);
  check_same(s.scheme, back.scheme);
  // And saving the loaded scheme gives the same text.
  std::ostringstream again;
  bp::save_scheme(again, back.scheme, back.context);
  CHECK(again.str() == text);
}

TEST_CASE("scheme io: round trip of a multi-layer-segment scheme, with a given network", "[experiments]") {
  const searched s = search("alex_net", 4, 16, bp::opt_goal::d);
  bool fused = false;  // some segment holds more than one layer
  for (const auto& [id, sched] : s.scheme.schedules()) fused = fused || sched.seq.temporal > 0 || sched.seq.spatial > 0;
  CHECK(fused);
  auto net = std::make_shared<const bp::network>(bp::zoo::make("alex_net"));
  std::istringstream in(saved(s));
  const bp::loaded_scheme back = bp::load_scheme(in, net);
  CHECK(back.net == net);
  CHECK(&back.scheme.net() == net.get());
  check_same(s.scheme, back.scheme);
}

TEST_CASE("scheme io: files that do not describe themselves are refused", "[experiments]") {
  const searched s = search("mlp_s", 2, 4, bp::opt_goal::e);
  const bp::json::value good = bp::scheme_to_json(s.scheme, {s.name, s.opt, {}});
  const auto edited = [&](const char* key, bp::json::value v) {
    bp::json::value o = good;
    o.set(key, std::move(v));
    return o;
  };
  CHECK_NOTHROW(bp::scheme_from_json(good));
  CHECK_THROWS_WITH(bp::scheme_from_json(edited("total_cost", s.scheme.total_cost() * 2)),
                    Contains("scheme file: total_cost: the layers give total_cost"));
  CHECK_THROWS_WITH(bp::scheme_from_json(edited("version", std::int64_t{99})),
                    Contains("version: 99 is not supported"));
  CHECK_THROWS_WITH(bp::scheme_from_json(edited("format", "something else")), Contains("format"));
  CHECK_THROWS_AS(bp::scheme_from_json(edited("net", "mlp_m")), bp::invalid_network);  // other layers
  CHECK_THROWS_AS(bp::scheme_from_json(edited("net", "no_such_net")), bp::unknown_name);
  bp::json::value truncated = good;
  truncated.set("schedules", bp::json::value::array({good["schedules"][0]}));
  CHECK_THROWS_WITH(bp::scheme_from_json(truncated), Contains("layers scheduled"));
  std::istringstream garbage("{\"format\": ");
  CHECK_THROWS_AS(bp::load_scheme(garbage), bp::json::parse_error);
}
