// bufferprospector/report/scheme_io.hpp -- a whole-network scheme saved to a stream and loaded
// back, every field of it (bp-exp's .dat files; Tangram's experiment scripts pickle the
// NNDataflowScheme).
//
//   bp::save_scheme(out, best, {.net_name = "resnet50", .opt = opt});   // out: any std::ostream
//   bp::loaded_scheme back = bp::load_scheme(in);     // rebuilds "resnet50" from bp::zoo
//   back.scheme.total_cost();  back.net->name();
//
// The format is JSON, versioned ("format": "bufferprospector.network_scheme", "version": 1):
//   net, layers      the workload's zoo name and [name, repr] of each layer, so that load can
//                    rebuild the network and refuse a file written for a different one;
//   batch, options, cost
//   input_layout, ext_layouts
//   schedules        [[layer name, [scheme, ofmap_layout, sched_seq]], ...] in scheduling order,
//                    each layer's record as Tangram's JSON writes it (report/tangram_json.hpp):
//                    every field, ints as ints, floats as their shortest exact repr;
//   total_cost, total_time, segment_time, segment_dram_time.
// Load rebuilds the scheme layer by layer as the search built it (network_scheme's totals and
// segment times come from the layers) and checks that it gives the stored totals: a file that
// does not reproduce itself is refused rather than half-trusted. Malformed input throws
// bp::json::parse_error (a bp::error) naming the field; a network mismatch bp::invalid_network.
// A network that is not in the zoo is passed to load_scheme by the caller.
#pragma once

#include <array>        // std::array
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <istream>      // std::istream
#include <iterator>     // std::istreambuf_iterator
#include <memory>       // std::shared_ptr, std::make_shared
#include <optional>     // std::optional
#include <ostream>      // std::ostream
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>             // bp::invalid_network
#include <bufferprospector/intra/input_layout.hpp>     // bp::input_layout_candidate
#include <bufferprospector/intra/layer_scheduler.hpp>  // bp::layer_schedule
#include <bufferprospector/options.hpp>                // bp::options
#include <bufferprospector/report/json.hpp>            // bp::json::value, dump, parse
#include <bufferprospector/report/tangram_json.hpp>    // bp::report::result_json, readers
#include <bufferprospector/search/network_scheme.hpp>  // bp::network_scheme, bp::scheme_builder
#include <bufferprospector/workload/network.hpp>       // bp::network
#include <bufferprospector/workload/zoo.hpp>           // bp::zoo::make

namespace bp {

/// What a saved scheme needs besides the scheme: the workload's name, the options it was
/// searched with (the quirks switch decides its totals) and the cost table's Python types.
struct scheme_context {
  std::string net_name;
  options opt{};
  report::tangram_cost cost{};
};

/// A scheme read back, with the network it refers to (owned here, so the scheme stays valid).
struct loaded_scheme {
  std::shared_ptr<const network> net;
  scheme_context context;
  network_scheme scheme;
};

inline constexpr std::string_view scheme_format_name = "bufferprospector.network_scheme";
inline constexpr std::int64_t scheme_format_version = 1;

//
// Writing
//

/// The saved form of `s` as a JSON value.
inline json::value scheme_to_json(const network_scheme& s, const scheme_context& ctx) {
  const network& net = s.net();
  json::value o = json::value::object();
  o.set("format", std::string(scheme_format_name));
  o.set("version", scheme_format_version);
  o.set("net", ctx.net_name);
  json::value layers = json::value::array();
  for (layer_id l = 0; l < net.size(); ++l) layers.push_back(json::value::array({net.name_of(l), net[l].repr()}));
  o.set("layers", std::move(layers));
  o.set("batch", s.batch());
  o.set("options", report::to_json(ctx.opt, /*with_quirks_key=*/true));
  o.set("cost", report::to_json(ctx.cost));
  o.set("input_layout", report::to_json(s.input_layout()));
  json::value exts = json::value::array();
  for (const auto& [id, layout] : s.ext_layouts())
    exts.push_back(json::value::array({net.name_of(id), report::to_json(layout)}));
  o.set("ext_layouts", std::move(exts));
  json::value schedules = json::value::array();
  for (const auto& [id, sched] : s.schedules())
    schedules.push_back(json::value::array({net.name_of(id), report::result_json(sched, ctx.cost)}));
  o.set("schedules", std::move(schedules));
  o.set("total_cost", s.total_cost());
  o.set("total_time", s.total_time());
  json::value seg_time = json::value::array(), seg_dram = json::value::array();
  for (const auto t : s.segment_time_list()) seg_time.push_back(t);
  for (const auto t : s.segment_dram_time_list()) seg_dram.push_back(t);
  o.set("segment_time", std::move(seg_time));
  o.set("segment_dram_time", std::move(seg_dram));
  return o;
}

/// Writes `s` to `out` (JSON text, one trailing newline).
inline void save_scheme(std::ostream& out, const network_scheme& s, const scheme_context& ctx) {
  out << json::dump(scheme_to_json(s, ctx)) << '\n';
}

//
// Reading
//

namespace detail::scheme_io {

[[noreturn]] inline void bad(std::string_view field, const std::string& why) {
  throw json::parse_error("scheme file: " + std::string(field) + ": " + why);
}

inline const json::value& member(const json::value& o, std::string_view key) {
  if (!o.is_object()) bad(key, "the enclosing value is not an object");
  const json::value* v = o.find(key);
  if (!v) bad(key, "missing");
  return *v;
}

inline const json::value& array_of(const json::value& v, std::size_t n, std::string_view field) {
  if (!v.is_array() || (n != 0 && v.size() != n))
    bad(field, "expected a list" + (n ? " of " + std::to_string(n) : std::string()) + ", got " + json::dump(v, -1));
  return v;
}

inline std::int64_t int_of(const json::value& v, std::string_view field) {
  if (!v.is_int()) bad(field, "expected an int, got " + json::dump(v, -1));
  return v.as_int();
}

inline double number_of(const json::value& v, std::string_view field) {
  if (!v.is_number()) bad(field, "expected a number, got " + json::dump(v, -1));
  return v.as_double();
}

template <std::size_t N>
std::array<std::int64_t, N> ints(const json::value& v, std::string_view field) {
  array_of(v, N, field);
  std::array<std::int64_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = int_of(v[i], field);
  return out;
}

template <std::size_t N>
std::array<double, N> numbers(const json::value& v, std::string_view field) {
  array_of(v, N, field);
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = number_of(v[i], field);
  return out;
}

// Copies N values into an enum-indexed array type (per_data, per_loop).
template <class Arr, class Src>
Arr as(const Src& src) {
  Arr out{};
  for (std::size_t i = 0; i < src.size(); ++i) out[i] = src[i];
  return out;
}

template <class Row, std::size_t Rows, std::size_t N>
std::array<Row, Rows> int_rows(const json::value& v, std::string_view field) {
  array_of(v, Rows, field);
  std::array<Row, Rows> out{};
  for (std::size_t r = 0; r < Rows; ++r) out[r] = as<Row>(ints<N>(v[r], field));
  return out;
}

/// One layer's [scheme, ofmap_layout, sched_seq] (report::result_json) back into a layer_schedule.
inline layer_schedule layer_schedule_from_json(const json::value& v) {
  array_of(v, 3, "schedule");
  const json::value& s = v[0];
  layer_schedule r{.part = report::partition_scheme_from_json(member(s, "part")),
                   .ofmap_layout = report::data_layout_from_json(v[1]),
                   .seq = {}};
  const auto num = [&](std::string_view k) { return number_of(member(s, k), k); };
  const auto integer = [&](std::string_view k) { return int_of(member(s, k), k); };
  const auto floats3 = [&](std::string_view k) { return as<per_data<double>>(numbers<3>(member(s, k), k)); };
  const auto ints3 = [&](std::string_view k) { return as<per_data<std::int64_t>>(ints<3>(member(s, k), k)); };
  r.cost = num("cost");
  r.time = integer("time");
  r.ops = num("ops");
  r.node_count = integer("num_nodes");
  const json::value& is_dram = array_of(member(s, "is_dram"), 2, "is_dram");
  for (std::size_t i = 0; i < 2; ++i) {
    if (!is_dram[i].is_bool()) bad("is_dram", "expected booleans");
    r.is_dram[i] = is_dram[i].as_bool();
  }
  r.cost_op = num("cost_op");
  r.cost_access = num("cost_access");
  r.cost_noc = num("cost_noc");
  r.cost_static = num("cost_static");
  r.proc_time = integer("proc_time");
  r.bus_time = integer("bus_time");
  r.dram_time = integer("dram_time");
  const json::value& access = array_of(member(s, "access"), 4, "access");
  for (std::size_t m = 0; m < 4; ++m) {
    array_of(access[m], 3, "access");
    for (std::size_t d = 0; d < 3; ++d) {
      r.access[m][d] = number_of(access[m][d], "access");
      r.access_is_int[m][d] = access[m][d].is_int();  // Python held an exact int there
    }
  }
  r.remote_gbuf_access = floats3("remote_gbuf_access");
  r.total_nhops = floats3("total_nhops");
  r.fetch = int_rows<per_data<std::int64_t>, 2, 3>(member(s, "fetch"), "fetch");
  r.ti = ints<3>(member(s, "ti"), "ti");
  r.to = ints<3>(member(s, "to"), "to");
  r.tb = ints<3>(member(s, "tb"), "tb");
  r.tvals = int_rows<per_loop<std::int64_t>, 3, 3>(member(s, "tvals"), "tvals");
  r.orders = int_rows<per_loop<std::int64_t>, 2, 3>(member(s, "orders"), "orders");
  r.size = int_rows<per_data<std::int64_t>, 2, 3>(member(s, "size"), "size");
  r.unit_size = int_rows<per_data<std::int64_t>, 2, 3>(member(s, "unit_size"), "unit_size");
  r.unit_cnt = int_rows<per_data<std::int64_t>, 2, 3>(member(s, "unit_cnt"), "unit_cnt");
  r.accfwd_reduction = ints3("accfwd_reduction");
  r.bufshr_grp_size = ints3("bufshr_grp_size");
  r.bufshr_subgrp_size = ints3("bufshr_subgrp_size");
  r.bufshr_bs_t = as<per_loop<std::int64_t>>(ints<3>(member(s, "bufshr_bs_t"), "bufshr_bs_t"));
  r.bufshr_bs_ord = as<per_loop<std::int64_t>>(ints<3>(member(s, "bufshr_bs_ord"), "bufshr_bs_ord"));
  r.bufshr_rot_fetch = floats3("bufshr_rot_fetch");
  r.bufshr_rot_round_cnt = ints3("bufshr_rot_round_cnt");
  r.bufshr_rot_unit_cnt = ints3("bufshr_rot_unit_cnt");
  r.bufshr_wide_fetch = floats3("bufshr_wide_fetch");
  r.bufshr_wide_fetch_width = floats3("bufshr_wide_fetch_width");
  r.mem_nhops = ints3("mem_nhops");
  r.node_nhops = floats3("node_nhops");
  r.unit_nhops = ints3("unit_nhops");
  const auto seq = ints<3>(v[2], "sched_seq");
  r.seq = {seq[0], seq[1], seq[2]};
  return r;
}

// The network named in the file, checked layer by layer against the stored fingerprint.
inline std::shared_ptr<const network> checked_network(const json::value& o, std::shared_ptr<const network> given) {
  const json::value& name_value = member(o, "net");
  if (!name_value.is_string()) bad("net", "expected a string");
  const std::string& name = name_value.as_string();
  std::shared_ptr<const network> net = given ? std::move(given) : std::make_shared<const network>(zoo::make(name));
  const json::value& layers = array_of(member(o, "layers"), 0, "layers");
  if (layers.size() != static_cast<std::size_t>(net->size()))
    throw invalid_network("scheme file: written for " + name + " with " + std::to_string(layers.size()) +
                          " layers, but the network has " + std::to_string(net->size()));
  for (layer_id l = 0; l < net->size(); ++l) {
    const json::value& entry = array_of(layers[static_cast<std::size_t>(l)], 2, "layers");
    if (!entry[0].is_string() || !entry[1].is_string()) bad("layers", "expected [name, repr] strings");
    if (entry[0].as_string() != net->name_of(l) || entry[1].as_string() != (*net)[l].repr())
      throw invalid_network("scheme file: layer " + std::to_string(l) + " is " + entry[0].as_string() + " " +
                            entry[1].as_string() + ", but the network has " + net->name_of(l) + " " +
                            (*net)[l].repr());
  }
  return net;
}

inline std::vector<std::int64_t> int_list(const json::value& v, std::string_view field) {
  array_of(v, 0, field);
  std::vector<std::int64_t> out;
  for (const auto& x : v.elements()) out.push_back(int_of(x, field));
  return out;
}

}  // namespace detail::scheme_io

/// Reads a scheme saved by scheme_to_json. `net`: the network it was searched on; null to
/// rebuild it from bp::zoo by the stored name.
inline loaded_scheme scheme_from_json(const json::value& o, std::shared_ptr<const network> net = nullptr) {
  namespace io = detail::scheme_io;
  const json::value& format = io::member(o, "format");
  if (!format.is_string() || format.as_string() != scheme_format_name)
    io::bad("format", "not a saved bufferprospector scheme");
  const std::int64_t version = io::int_of(io::member(o, "version"), "version");
  if (version != scheme_format_version)
    io::bad("version", std::to_string(version) + " is not supported (this library reads version " +
                           std::to_string(scheme_format_version) + ")");
  net = io::checked_network(o, std::move(net));

  scheme_context ctx{io::member(o, "net").as_string(), report::options_from_json(io::member(o, "options")),
                     report::tangram_cost_from_json(io::member(o, "cost"))};
  const std::int64_t batch = io::int_of(io::member(o, "batch"), "batch");

  // The input layouts, then every layer, added as the search added them.
  const data_layout input = report::data_layout_from_json(io::member(o, "input_layout"));
  std::vector<data_layout> externals;
  const std::vector<layer_id> ext_ids = net->ext_layers();
  const json::value& exts = io::array_of(io::member(o, "ext_layouts"), ext_ids.size(), "ext_layouts");
  for (std::size_t k = 0; k < ext_ids.size(); ++k) {
    const json::value& e = io::array_of(exts[k], 2, "ext_layouts");
    if (!e[0].is_string() || e[0].as_string() != net->name_of(ext_ids[k]))
      io::bad("ext_layouts", "entry " + std::to_string(k) + " is not " + net->name_of(ext_ids[k]));
    externals.push_back(report::data_layout_from_json(e[1]));
  }
  const input_layout_candidate cand{input.pieces().front().part, input, std::move(externals)};
  scheme_builder b(*net, std::make_shared<const input_layouts_choice>(*net, cand), ctx.opt.tangram_quirks);
  const json::value& schedules = io::array_of(io::member(o, "schedules"), 0, "schedules");
  for (const json::value& entry : schedules.elements()) {
    io::array_of(entry, 2, "schedules");
    if (!entry[0].is_string()) io::bad("schedules", "expected a layer name");
    b.add(net->id_of(entry[0].as_string()),
          std::make_shared<const layer_schedule>(io::layer_schedule_from_json(entry[1])));
  }
  if (!b.complete())
    io::bad("schedules", std::to_string(b.size()) + " of " + std::to_string(net->size()) + " layers scheduled");

  loaded_scheme out{net, std::move(ctx), network_scheme(b, batch)};
  const network_scheme& s = out.scheme;
  const double total_cost = io::number_of(io::member(o, "total_cost"), "total_cost");
  const std::int64_t total_time = io::int_of(io::member(o, "total_time"), "total_time");
  if (s.total_cost() != total_cost || s.total_time() != total_time)
    io::bad("total_cost", "the layers give total_cost " + python_repr(s.total_cost()) + " and total_time " +
                              std::to_string(s.total_time()) + ", the file says " + python_repr(total_cost) + " and " +
                              std::to_string(total_time));
  if (s.segment_time_list() != io::int_list(io::member(o, "segment_time"), "segment_time") ||
      s.segment_dram_time_list() != io::int_list(io::member(o, "segment_dram_time"), "segment_dram_time"))
    io::bad("segment_time", "the layers give other segment times than the file");
  return out;
}

/// Reads a scheme written by save_scheme from `in` (see scheme_from_json).
inline loaded_scheme load_scheme(std::istream& in, std::shared_ptr<const network> net = nullptr) {
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return scheme_from_json(json::parse(text), std::move(net));
}

}  // namespace bp
