// bufferprospector/report/search_json.hpp -- a whole-network result as nn_dataflow_search.py
// prints it (its do_scheduling() map and stats_dict()).
//
//   bp::search_result r = bp::tangram_search(net, batch, res, costs, opt, cache);
//   bp::report::search_run run{"alex_net", batch, res, cost, opt, cache->node_stats(), seconds};
//   std::cout << bp::json::dump(bp::report::search_json(run, r.tops.front())) << "\n";
//
// Keys, order and Python types are Tangram's: version, net, batch, resource, cost, options,
// cache_stats, elapsed, then total_cost ... schedules ({layer: [scheme, ofmap_layout, seq]}, in
// scheduling order). Only "elapsed" and "cache_stats" depend on the run.
#pragma once

#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move

#include <bufferprospector/arch/resource.hpp>          // bp::resource
#include <bufferprospector/intra/layer_scheduler.hpp>  // bp::cache_stats
#include <bufferprospector/options.hpp>                // bp::options
#include <bufferprospector/report/json.hpp>            // bp::json::value
#include <bufferprospector/report/tangram_json.hpp>    // bp::report::to_json, tangram_cost
#include <bufferprospector/search/network_scheme.hpp>  // bp::network_scheme

namespace bp::report {

/// The run's inputs and bookkeeping, echoed before the results.
struct search_run {
  std::string_view net_name;
  std::int64_t batch = 0;
  const resource& res;
  const tangram_cost& cost;
  const options& opt;
  cache_stats cache{};
  double elapsed_seconds = 0;
  std::string_view version = "2.1";  ///< the Tangram version whose model (and output) this is
};

namespace detail {

/// Appends stats_dict()'s members to the object `o` (whole subtrees are moved, not copied).
inline void add_stats(json::value& o, const network_scheme& s, const tangram_cost& cost) {
  const network& net = s.net();
  o.set("total_cost", s.total_cost());
  o.set("total_time", s.total_time());
  o.set("total_ops", s.total_ops());
  const per_level<double> acc = s.total_accesses();
  o.set("total_accesses", json::value::array({acc[0], acc[1], acc[2], acc[3]}));
  o.set("total_noc_hops", s.total_noc_hops());

  // Cost breakdown, summed in Python's order.
  o.set("total_op_cost", s.total_ops() * cost.mac_op.value);
  double access_cost = 0;
  for (auto m : all<mem_level>) access_cost += acc[m] * cost.mem_hier[m].value;
  o.set("total_access_cost", access_cost);
  o.set("total_noc_cost", s.total_noc_hops() * cost.noc_hop.value);
  const double static_cost = static_cast<double>(s.total_time()) * cost.idl_unit.value;
  o.set("total_static_cost", cost.idl_unit.is_int ? json::value(static_cast<std::int64_t>(static_cost))
                                                  : json::value(static_cost));

  json::value pes = json::value::object(), bw = json::value::object(), schedules = json::value::object();
  for (const auto& [id, sched] : s.schedules()) {
    pes.set(net.name_of(id), s.active_node_pes(id));
    bw.set(net.name_of(id), s.dram_bandwidth(id));
    schedules.set(net.name_of(id), result_json(sched, cost));
  }
  o.set("active_node_pes", std::move(pes));
  o.set("dram_bandwidth", std::move(bw));
  json::value seg_time = json::value::array(), seg_dram = json::value::array();
  for (auto t : s.segment_time_list()) seg_time.push_back(t);
  for (auto t : s.segment_dram_time_list()) seg_dram.push_back(t);
  o.set("segment_time", std::move(seg_time));
  o.set("segment_dram_time", std::move(seg_dram));
  o.set("input_layout", to_json(s.input_layout()));
  json::value exts = json::value::object();
  for (const auto& [id, layout] : s.ext_layouts()) exts.set(net.name_of(id), to_json(layout));
  o.set("ext_layout_dict", std::move(exts));
  o.set("schedules", std::move(schedules));
}

}  // namespace detail

/// stats_dict(): the totals, per-layer stats, segment times, input layouts and schedules.
inline json::value stats_json(const network_scheme& s, const tangram_cost& cost) {
  json::value o = json::value::object();
  detail::add_stats(o, s, cost);
  return o;
}

/// The whole output of nn_dataflow_search.py for the best scheme. The options carry a
/// "tangram_quirks" key only when the quirks are off (a default run prints Tangram's keys).
inline json::value search_json(const search_run& run, const network_scheme& best) {
  json::value o = json::value::object();
  o.set("version", std::string(run.version));
  o.set("net", std::string(run.net_name));
  o.set("batch", run.batch);
  o.set("resource", to_json(run.res));
  o.set("cost", to_json(run.cost));
  o.set("options", to_json(run.opt, /*with_quirks_key=*/!run.opt.tangram_quirks));
  o.set("cache_stats", json::value::array({run.cache.hits, run.cache.misses}));
  o.set("elapsed", run.elapsed_seconds);
  detail::add_stats(o, best, run.cost);
  return o;
}

}  // namespace bp::report
