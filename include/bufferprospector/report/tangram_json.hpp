// bufferprospector/report/tangram_json.hpp -- the library's values as Tangram's JSON writes them
// (nn_dataflow_search.py: json.dump of namedtuples and OrderedDicts).
//
//   bp::json::value r = bp::report::to_json(resource);          // {"proc_region": [...], ...}
//   bp::json::value s = bp::report::scheme_json(sched, costs);  // one layer's "scheme" dict
//
// Namedtuples are lists: NodeRegion = [dim, origin, dist, type, wtot, wbeg], PartitionScheme =
// [order, pdims], DataLayout = [frngs, regions, parts], FmapRange = [[b,n,h,w], [b,n,h,w]].
// Python's int/float distinction is kept (the JSON text shows it: 0 vs 0.0). Where it depends on
// how a value was written on the command line (argparse makes a given cost a float but keeps an
// int default), the caller says so with report::number.
#pragma once

#include <array>        // std::array
#include <cmath>        // std::isfinite, std::floor
#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include <bufferprospector/arch/cost_table.hpp>         // bp::cost_values
#include <bufferprospector/arch/node_region.hpp>        // bp::node_region
#include <bufferprospector/arch/resource.hpp>           // bp::resource
#include <bufferprospector/core/enums.hpp>              // bp::per_data, bp::per_level
#include <bufferprospector/core/error.hpp>              // bp::invalid_option
#include <bufferprospector/core/fmap_range.hpp>         // bp::fmap_range
#include <bufferprospector/core/phy_dim2.hpp>           // bp::phy_dim2
#include <bufferprospector/intra/data_layout.hpp>       // bp::data_layout
#include <bufferprospector/intra/layer_scheduler.hpp>   // bp::layer_schedule
#include <bufferprospector/intra/partition_scheme.hpp>  // bp::partition_scheme
#include <bufferprospector/options.hpp>                 // bp::options
#include <bufferprospector/report/json.hpp>             // bp::json::value

namespace bp::report {

//
// Numbers with Python's type
//

/// A number as Python holds it: an int or a float. Only reports need the distinction.
struct number {
  double value = 0;
  bool is_int = false;

  static constexpr number integer(double v) noexcept { return {v, true}; }
  static constexpr number real(double v) noexcept { return {v, false}; }
  json::value to_json() const {
    return is_int ? json::value(static_cast<std::int64_t>(value)) : json::value(value);
  }
};

/// Tangram's Cost with Python's number types: nn_dataflow_search's defaults are ints (1, [200,
/// 6, 2, 1], 10, 0); a cost given on the command line is a float.
struct tangram_cost {
  number mac_op = number::integer(1);
  per_level<number> mem_hier{{number::integer(200), number::integer(6), number::integer(2), number::integer(1)}};
  number noc_hop = number::integer(10);
  number idl_unit = number::integer(0);

  /// The values of `c`, all floats (as if every cost had been given on the command line).
  static tangram_cost all_given(const cost_values& c) {
    tangram_cost t;
    t.mac_op = number::real(c.mac_op());
    for (auto m : all<mem_level>) t.mem_hier[m] = number::real(c.mem_hier(m));
    t.noc_hop = number::real(c.noc_hop());
    t.idl_unit = number::real(c.idle_unit());
    return t;
  }

  cost_values values() const {
    return cost_values(cost_params{mac_op.value,
                                   {{mem_hier[mem_level::dram].value, mem_hier[mem_level::gbuf].value,
                                     mem_hier[mem_level::itcn].value, mem_hier[mem_level::regf].value}},
                                   noc_hop.value,
                                   idl_unit.value});
  }
};

//
// Writers
//

namespace detail {

template <class T, std::size_t N>
json::value list_of(const std::array<T, N>& values) {
  json::value a = json::value::array();
  for (const auto& v : values) a.push_back(json::value(v));
  return a;
}

template <class T, std::size_t N, class F>
json::value list_of(const std::array<T, N>& values, F&& each) {
  json::value a = json::value::array();
  for (const auto& v : values) a.push_back(each(v));
  return a;
}

}  // namespace detail

inline json::value to_json(phy_dim2 d) { return json::value::array({d.h, d.w}); }

/// NodeRegion: [dim, origin, dist, type (0 = PROC, 1 = DRAM), wtot, wbeg].
inline json::value to_json(const node_region& r) {
  return json::value::array({to_json(r.dim()), to_json(r.origin()), to_json(r.dist()),
                             json::value(static_cast<std::int64_t>(r.type())), r.wtot(), r.wbeg()});
}

/// FmapRange: [[b, n, h, w] begin, [b, n, h, w] end].
inline json::value to_json(const fmap_range& f) {
  return json::value::array({json::value::array({f.beg.b, f.beg.n, f.beg.h, f.beg.w}),
                             json::value::array({f.end.b, f.end.n, f.end.h, f.end.w})});
}

/// PartitionScheme: [order, pdims] with ParallelEnum values and [h, w] pairs.
inline json::value to_json(const partition_scheme& p) {
  json::value order = json::value::array();
  for (auto o : p.order()) order.push_back(static_cast<std::int64_t>(o));
  json::value pdims = json::value::array();
  for (const auto& d : p.pdims()) pdims.push_back(to_json(d));
  return json::value::array({order, pdims});
}

/// DataLayout: [frngs, regions, parts].
inline json::value to_json(const data_layout& l) {
  json::value frngs = json::value::array(), regions = json::value::array(), parts = json::value::array();
  for (const auto& piece : l.pieces()) {
    frngs.push_back(to_json(piece.frng));
    regions.push_back(to_json(piece.region));
    parts.push_back(to_json(piece.part));
  }
  return json::value::array({frngs, regions, parts});
}

/// A bandwidth as Python holds it: float('inf') when unlimited, else an int (bus width words) or
/// a float (DRAM bandwidth, always a true division).
inline json::value bandwidth_json(double words_per_cycle, bool int_when_finite) {
  if (int_when_finite && std::isfinite(words_per_cycle) && words_per_cycle == std::floor(words_per_cycle))
    return json::value(static_cast<std::int64_t>(words_per_cycle));
  return json::value(words_per_cycle);
}

/// Resource._asdict().
inline json::value to_json(const resource& r) {
  json::value o = json::value::object();
  o.set("proc_region", to_json(r.proc_region));
  o.set("dram_region", to_json(r.dram_region));
  o.set("src_data_region", to_json(r.src_data_region));
  o.set("dst_data_region", to_json(r.dst_data_region));
  o.set("dim_array", to_json(r.dim_array));
  o.set("size_gbuf", r.size_gbuf);
  o.set("size_regf", r.size_regf);
  o.set("array_bus_width", bandwidth_json(r.array_bus_width, /*int_when_finite=*/true));
  o.set("dram_bandwidth", bandwidth_json(r.dram_bandwidth, /*int_when_finite=*/false));
  o.set("no_time_mux", r.no_time_mux);
  return o;
}

/// Cost._asdict().
inline json::value to_json(const tangram_cost& c) {
  json::value o = json::value::object();
  o.set("mac_op", c.mac_op.to_json());
  json::value hier = json::value::array();
  for (const auto& n : c.mem_hier) hier.push_back(n.to_json());
  o.set("mem_hier", hier);
  o.set("noc_hop", c.noc_hop.to_json());
  o.set("idl_unit", c.idl_unit.to_json());
  return o;
}

/// Option._asdict(), every key of Tangram's Option in its order. The library's extra switch
/// `tangram_quirks` is appended only when `with_quirks_key` (Tangram's own output has no such
/// key; bp-search writes it when the quirks are off, so a default run prints Tangram's text).
inline json::value to_json(const options& opt, bool with_quirks_key = false) {
  json::value o = json::value::object();
  o.set("sw_gbuf_bypass", json::value::array({opt.sw_gbuf_bypass[data_category::fil],
                                              opt.sw_gbuf_bypass[data_category::ifm],
                                              opt.sw_gbuf_bypass[data_category::ofm]}));
  o.set("sw_solve_loopblocking", opt.sw_solve_loopblocking);
  o.set("hw_access_forwarding", opt.hw_access_forwarding);
  o.set("hw_gbuf_sharing", opt.hw_gbuf_sharing);
  o.set("hw_gbuf_save_writeback", opt.hw_gbuf_save_writeback);
  o.set("partition_hybrid", opt.partition_hybrid);
  o.set("partition_batch", opt.partition_batch);
  o.set("partition_ifmaps", opt.partition_ifmaps);
  o.set("partition_interlayer", opt.partition_interlayer);
  o.set("layer_pipeline_time_ovhd", opt.layer_pipeline_time_ovhd);
  o.set("layer_pipeline_max_degree", opt.layer_pipeline_max_degree);
  o.set("layer_pipeline_opt", opt.layer_pipeline_opt);
  o.set("opt_goal", std::string(to_string(opt.goal)));
  o.set("ntops", opt.ntops);
  o.set("nprocesses", opt.nprocesses);
  o.set("verbose", opt.verbose);
  if (with_quirks_key) o.set("tangram_quirks", opt.tangram_quirks);
  return o;
}

/// One layer's `scheme` dict (Scheduling._get_result), every key in Tangram's order, with
/// Python's types. `costs` says whether the idle cost is a Python int (then so is cost_static).
inline json::value scheme_json(const layer_schedule& s, const tangram_cost& costs) {
  const auto floats = [](const per_data<double>& v) { return detail::list_of(std::array<double, 3>{v[0], v[1], v[2]}); };
  const auto ints = [](const auto& v) {
    json::value a = json::value::array();
    for (const auto& x : v) a.push_back(json::value(static_cast<std::int64_t>(x)));
    return a;
  };
  const auto int_rows = [&](const auto& rows) {
    json::value a = json::value::array();
    for (const auto& r : rows) a.push_back(ints(r));
    return a;
  };

  json::value o = json::value::object();
  o.set("cost", s.cost);
  o.set("time", s.time);
  o.set("ops", s.ops);
  o.set("num_nodes", s.node_count);
  o.set("is_dram", json::value::array({s.is_dram[0], s.is_dram[1]}));
  o.set("cost_op", s.cost_op);
  o.set("cost_access", s.cost_access);
  o.set("cost_noc", s.cost_noc);
  o.set("cost_static", costs.idl_unit.is_int ? json::value(static_cast<std::int64_t>(s.cost_static))
                                             : json::value(s.cost_static));
  o.set("proc_time", s.proc_time);
  o.set("bus_time", s.bus_time);
  o.set("dram_time", s.dram_time);
  json::value access = json::value::array();
  for (auto m : all<mem_level>) {
    json::value row = json::value::array();
    for (auto d : all<data_category>)
      row.push_back(s.access_is_int[m][d] ? json::value(static_cast<std::int64_t>(s.access[m][d]))
                                          : json::value(s.access[m][d]));
    access.push_back(row);
  }
  o.set("access", access);
  o.set("remote_gbuf_access", floats(s.remote_gbuf_access));
  o.set("total_nhops", floats(s.total_nhops));
  o.set("fetch", int_rows(s.fetch));
  o.set("ti", ints(s.ti));
  o.set("to", ints(s.to));
  o.set("tb", ints(s.tb));
  o.set("tvals", int_rows(s.tvals));
  o.set("orders", int_rows(s.orders));
  o.set("size", int_rows(s.size));
  o.set("unit_size", int_rows(s.unit_size));
  o.set("unit_cnt", int_rows(s.unit_cnt));
  o.set("accfwd_reduction", ints(s.accfwd_reduction));
  o.set("bufshr_grp_size", ints(s.bufshr_grp_size));
  o.set("bufshr_subgrp_size", ints(s.bufshr_subgrp_size));
  o.set("bufshr_bs_t", ints(s.bufshr_bs_t));
  o.set("bufshr_bs_ord", ints(s.bufshr_bs_ord));
  o.set("bufshr_rot_fetch", floats(s.bufshr_rot_fetch));
  o.set("bufshr_rot_round_cnt", ints(s.bufshr_rot_round_cnt));
  o.set("bufshr_rot_unit_cnt", ints(s.bufshr_rot_unit_cnt));
  o.set("bufshr_wide_fetch", floats(s.bufshr_wide_fetch));
  o.set("bufshr_wide_fetch_width", floats(s.bufshr_wide_fetch_width));
  o.set("part", to_json(s.part));
  o.set("mem_nhops", ints(s.mem_nhops));
  o.set("node_nhops", floats(s.node_nhops));
  o.set("unit_nhops", ints(s.unit_nhops));
  return o;
}

/// sched_seq as Python's tuple: [segment, spatial, temporal].
inline json::value to_json(const sched_seq& q) { return json::value::array({q.segment, q.spatial, q.temporal}); }

/// A SchedulingResult as it appears in result.schedules: [scheme, ofmap_layout, sched_seq].
inline json::value result_json(const layer_schedule& s, const tangram_cost& costs) {
  return json::value::array({scheme_json(s, costs), to_json(s.ofmap_layout), to_json(s.seq)});
}

//
// Readers (for inputs such as the `layer` tool's --prev-part and for tests)
//

namespace detail {

[[noreturn]] inline void bad_json(std::string_view what, const json::value& v) {
  throw invalid_option(std::string(what) + ": cannot read " + json::dump(v, -1));
}

inline std::int64_t int_of(const json::value& v, std::string_view what) {
  if (!v.is_int()) bad_json(what, v);
  return v.as_int();
}

}  // namespace detail

/// [h, w] -> phy_dim2.
inline phy_dim2 phy_dim2_from_json(const json::value& v, std::string_view what = "PhyDim2") {
  if (!v.is_array() || v.size() != 2) detail::bad_json(what, v);
  return {detail::int_of(v[0], what), detail::int_of(v[1], what)};
}

/// [order, pdims] -> partition_scheme; throws invalid_option unless order is a permutation of
/// 0..3 and there are four positive [h, w] pairs.
inline partition_scheme partition_scheme_from_json(const json::value& v) {
  constexpr std::string_view what = "PartitionScheme";
  if (!v.is_array() || v.size() != 2 || !v[0].is_array() || v[0].size() != 4 || !v[1].is_array() ||
      v[1].size() != 4)
    detail::bad_json(what, v);
  partition_scheme::order_type order{};
  std::array<bool, 4> seen{};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::int64_t o = detail::int_of(v[0][i], what);
    if (o < 0 || o > 3 || seen[static_cast<std::size_t>(o)])
      throw invalid_option("PartitionScheme: order must be a permutation of 0..3: " + json::dump(v[0], -1));
    seen[static_cast<std::size_t>(o)] = true;
    order[i] = static_cast<parallel_dim>(o);
  }
  per_parallel<phy_dim2> pdims{};
  for (std::size_t i = 0; i < 4; ++i) {
    pdims[i] = phy_dim2_from_json(v[1][i], what);
    if (pdims[i].h <= 0 || pdims[i].w <= 0)
      throw invalid_option("PartitionScheme: pdims must be positive: " + json::dump(v[1], -1));
  }
  return partition_scheme(order, pdims);
}

/// [dim, origin, dist, type, wtot, wbeg] -> node_region.
inline node_region node_region_from_json(const json::value& v) {
  constexpr std::string_view what = "NodeRegion";
  if (!v.is_array() || v.size() != 6) detail::bad_json(what, v);
  const std::int64_t type = detail::int_of(v[3], what);
  if (type != 0 && type != 1) detail::bad_json(what, v);
  return node_region(phy_dim2_from_json(v[0], what), phy_dim2_from_json(v[1], what),
                     phy_dim2_from_json(v[2], what), type == 0 ? region_type::proc : region_type::dram,
                     detail::int_of(v[4], what), detail::int_of(v[5], what));
}

/// [[b, n, h, w], [b, n, h, w]] -> fmap_range.
inline fmap_range fmap_range_from_json(const json::value& v) {
  constexpr std::string_view what = "FmapRange";
  if (!v.is_array() || v.size() != 2 || !v[0].is_array() || v[0].size() != 4 || !v[1].is_array() ||
      v[1].size() != 4)
    detail::bad_json(what, v);
  const auto pos = [&](const json::value& p) {
    return fmap_position{detail::int_of(p[0], what), detail::int_of(p[1], what), detail::int_of(p[2], what),
                         detail::int_of(p[3], what)};
  };
  return {pos(v[0]), pos(v[1])};
}

/// [frngs, regions, parts] -> data_layout.
inline data_layout data_layout_from_json(const json::value& v) {
  if (!v.is_array() || v.size() != 3 || !v[0].is_array() || !v[1].is_array() || !v[2].is_array() ||
      v[0].size() != v[1].size() || v[0].size() != v[2].size())
    detail::bad_json("DataLayout", v);
  std::vector<data_layout::piece> pieces;
  for (std::size_t i = 0; i < v[0].size(); ++i)
    pieces.push_back(data_layout::piece{fmap_range_from_json(v[0][i]), node_region_from_json(v[1][i]),
                                        partition_scheme_from_json(v[2][i])});
  return data_layout(std::move(pieces));
}

/// Resource._asdict() -> resource (all fields required).
inline resource resource_from_json(const json::value& v) {
  if (!v.is_object()) detail::bad_json("Resource", v);
  const auto num = [&](std::string_view key) {
    const json::value& x = v[key];
    if (!x.is_number()) detail::bad_json("Resource", x);
    return x.as_double();
  };
  const auto integer = [&](std::string_view key) { return detail::int_of(v[key], "Resource"); };
  const json::value& ntm = v["no_time_mux"];
  if (!ntm.is_bool()) detail::bad_json("Resource", ntm);
  return resource{node_region_from_json(v["proc_region"]),
                  node_region_from_json(v["dram_region"]),
                  node_region_from_json(v["src_data_region"]),
                  node_region_from_json(v["dst_data_region"]),
                  phy_dim2_from_json(v["dim_array"], "Resource"),
                  integer("size_gbuf"),
                  integer("size_regf"),
                  num("array_bus_width"),
                  num("dram_bandwidth"),
                  ntm.as_bool()};
}

/// Cost._asdict() -> tangram_cost, keeping which numbers were Python ints.
inline tangram_cost tangram_cost_from_json(const json::value& v) {
  const auto num = [&](const json::value& x) {
    if (!x.is_number()) detail::bad_json("Cost", x);
    return number{x.as_double(), x.is_int()};
  };
  const json::value& hier = v["mem_hier"];
  if (!hier.is_array() || hier.size() != 4) detail::bad_json("Cost", hier);
  tangram_cost c;
  c.mac_op = num(v["mac_op"]);
  for (std::size_t m = 0; m < 4; ++m) c.mem_hier[m] = num(hier[m]);
  c.noc_hop = num(v["noc_hop"]);
  c.idl_unit = num(v["idl_unit"]);
  return c;
}

/// Option._asdict() -> options (tangram_quirks read if present, else on); validated.
inline options options_from_json(const json::value& v) {
  const auto flag = [&](std::string_view key) {
    const json::value& x = v[key];
    if (!x.is_bool()) detail::bad_json("Option", x);
    return x.as_bool();
  };
  const auto num = [&](std::string_view key) {
    const json::value& x = v[key];
    if (!x.is_number()) detail::bad_json("Option", x);
    return x.as_double();
  };
  options o;
  const json::value& bypass = v["sw_gbuf_bypass"];
  if (!bypass.is_array() || bypass.size() != 3) detail::bad_json("Option", bypass);
  for (std::size_t d = 0; d < 3; ++d) {
    if (!bypass[d].is_bool()) detail::bad_json("Option", bypass);
    o.sw_gbuf_bypass[d] = bypass[d].as_bool();
  }
  o.sw_solve_loopblocking = flag("sw_solve_loopblocking");
  o.hw_access_forwarding = flag("hw_access_forwarding");
  o.hw_gbuf_sharing = flag("hw_gbuf_sharing");
  o.hw_gbuf_save_writeback = flag("hw_gbuf_save_writeback");
  o.partition_hybrid = flag("partition_hybrid");
  o.partition_batch = flag("partition_batch");
  o.partition_ifmaps = flag("partition_ifmaps");
  o.partition_interlayer = flag("partition_interlayer");
  o.layer_pipeline_time_ovhd = num("layer_pipeline_time_ovhd");
  o.layer_pipeline_max_degree = num("layer_pipeline_max_degree");
  o.layer_pipeline_opt = flag("layer_pipeline_opt");
  const json::value& goal = v["opt_goal"];
  if (!goal.is_string()) detail::bad_json("Option", goal);
  if (goal.as_string() == "e") o.goal = opt_goal::e;
  else if (goal.as_string() == "d") o.goal = opt_goal::d;
  else if (goal.as_string() == "ed") o.goal = opt_goal::ed;
  else throw invalid_option("Option: opt_goal is invalid, must be one of 'e', 'd', and 'ed'.");
  o.ntops = static_cast<int>(detail::int_of(v["ntops"], "Option"));
  o.nprocesses = static_cast<int>(detail::int_of(v["nprocesses"], "Option"));
  o.verbose = flag("verbose");
  if (v.contains("tangram_quirks")) o.tangram_quirks = flag("tangram_quirks");
  o.validate();
  return o;
}

}  // namespace bp::report
