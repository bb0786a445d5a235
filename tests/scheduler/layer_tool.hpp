// tests/scheduler/layer_tool.hpp -- the reference `layer` tool (shared/reference/tangram/layer)
// redone in-process on top of bp::layer_scheduler, for the differential tests.
//
// A case is read from the tool's own JSON output (the "result" of a golden file): the layer,
// batch, resource, cost and options are taken from their JSON (so these tests also check the
// JSON readers/writers), the ifmap-layout choices from its argv (--prev-part, --prev-nofm,
// --ifmap-sofm). Scheduling then does what the tool does: every candidate ifmap layout (the
// network-input partitions of _gen_input_layout, or the producers' layouts), schedule_search
// for each, a stable sort by the goal's key, the first ntops. `readable()` rebuilds the tool's
// labelled breakdown so every number it printed can be compared.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <bufferprospector/intra/input_layout.hpp>
#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/tangram_json.hpp>

namespace bp_test {

namespace json = bp::json;

/// One ifmap-layout choice and how the tool labels it.
struct ifmap_choice {
  std::string source;  ///< "input_partition" or "prev_part"
  json::value part;    ///< the label: the input's partition, or the producer part(s)
  bp::data_layout layout;
};

struct layer_case {
  bp::layer l;
  std::int64_t batch = 0;
  bp::resource res;
  bp::report::tangram_cost cost;
  bp::options opt;
  std::vector<ifmap_choice> choices;
};

inline std::vector<std::string> argv_of(const json::value& result) {
  std::vector<std::string> out;
  for (const auto& a : result["argv"].elements()) out.push_back(a.as_string());
  return out;
}

/// All values that follow each occurrence of `flag` up to the next "--flag".
inline std::vector<std::vector<std::string>> flag_values(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] != flag) continue;
    std::vector<std::string> vals;
    for (std::size_t k = i + 1; k < argv.size() && argv[k].rfind("--", 0) != 0; ++k) vals.push_back(argv[k]);
    out.push_back(vals);
  }
  return out;
}

/// The layer described by the tool's "layer" dict.
inline bp::layer layer_from_desc(const json::value& d) {
  const std::string cls = d["class"].as_string();
  const auto i = [&](const char* k) { return d[k].as_int(); };
  if (cls == "ConvLayer")
    return bp::layers::conv{.nifm = i("nifm"), .nofm = i("nofm"), .sofm = {i("hofm"), i("wofm")},
                            .sfil = {i("hfil"), i("wfil")}, .strd = {i("htrd"), i("wtrd")}};
  if (cls == "FCLayer") return bp::layers::fc{.nifm = i("nifm"), .nofm = i("nofm"), .sfil = {i("hfil"), i("wfil")}};
  if (cls == "PoolingLayer")
    return bp::layers::pooling{.nofm = i("nofm"), .sofm = {i("hofm"), i("wofm")}, .sreg = {i("hreg"), i("wreg")},
                               .strd = bp::size2{i("htrd"), i("wtrd")}};
  if (cls == "EltwiseLayer") return bp::layers::eltwise{.nofm = i("nofm"), .sofm = {i("hofm"), i("wofm")}, .nreg = i("nreg")};
  if (cls == "LocalRegionLayer")
    return bp::layers::local_region{.nofm = i("nofm"), .sofm = {i("hofm"), i("wofm")}, .nreg = i("nreg"),
                                    .sreg = {i("hreg"), i("wreg")}, .ntrd = i("ntrd"), .strd = {i("htrd"), i("wtrd")}};
  throw std::runtime_error("unknown layer class " + cls);
}

/// Rebuilds the tool's inputs from its JSON output.
inline layer_case case_from_result(const json::value& result) {
  namespace r = bp::report;
  layer_case c{layer_from_desc(result["layer"]),
               result["batch"].as_int(),
               r::resource_from_json(result["resource"]),
               r::tangram_cost_from_json(result["cost"]),
               r::options_from_json(result["options"]),
               {}};
  const auto argv = argv_of(result);
  const bp::node_region& region = c.res.src_data_region;

  // The stored ifmaps' spatial size: --ifmap-sofm, else the layer's (padded) ifmap size.
  std::int64_t h = c.l.hifm(), w = c.l.wifm();
  if (const auto s = flag_values(argv, "--ifmap-sofm"); !s.empty()) {
    h = std::stoll(s.back().at(0));
    w = s.back().size() > 1 ? std::stoll(s.back().at(1)) : h;
  }

  const auto prev_parts = flag_values(argv, "--prev-part");
  if (!prev_parts.empty()) {
    std::vector<std::int64_t> nofms;
    for (const auto& v : flag_values(argv, "--prev-nofm")) nofms.push_back(std::stoll(v.at(0)));
    if (prev_parts.size() == 1 && nofms.empty()) nofms.push_back(c.l.nifm());
    json::value labels = json::value::array();
    std::vector<bp::data_layout> layouts;
    for (std::size_t k = 0; k < prev_parts.size(); ++k) {
      const json::value pj = json::parse(prev_parts[k].at(0));
      labels.push_back(pj);
      const bp::partition_scheme part = r::partition_scheme_from_json(pj);
      layouts.push_back(bp::region_layout({{0, 0, 0, 0}, {c.batch, nofms.at(k), h, w}}, region, part));
    }
    c.choices.push_back({"prev_part", prev_parts.size() > 1 ? labels : labels[0],
                         bp::data_layout::concat(std::span<const bp::data_layout>(layouts))});
    return c;
  }

  const bp::layer input = bp::layers::input{.nofm = c.l.nifm(), .sofm = {h, w}};
  for (const auto& cand : bp::input_layouts(input, {}, c.batch, region, c.opt))
    c.choices.push_back({"input_partition", r::to_json(cand.part), cand.input});
  return c;
}

struct tool_result {
  bp::layer_schedule sched;
  std::size_t choice;  ///< index into layer_case::choices
};

/// What `layer` computes: all choices, stable-sorted by the goal's key, the first ntops.
inline std::vector<tool_result> run_layer_tool(const layer_case& c,
                                               std::shared_ptr<bp::layer_schedule_cache> cache = nullptr) {
  if (!cache) cache = std::make_shared<bp::layer_schedule_cache>();
  bp::layer_scheduler<> sched(c.l, c.batch, c.cost.values(), cache);
  std::vector<tool_result> tops;
  for (std::size_t k = 0; k < c.choices.size(); ++k) {
    const bp::scheduling_condition cond{c.res, bp::scheduling_constraint{}, c.choices[k].layout, {0, 0, 0}};
    for (auto& s : sched.schedule_search(cond, c.opt)) tops.push_back({std::move(s), k});
  }
  const auto goal = c.opt.goal;
  std::stable_sort(tops.begin(), tops.end(), [goal](const tool_result& a, const tool_result& b) {
    const auto& x = a.sched;
    const auto& y = b.sched;
    if (goal == bp::opt_goal::ed)
      return x.total_cost() * static_cast<double>(x.total_time()) < y.total_cost() * static_cast<double>(y.total_time());
    if (goal == bp::opt_goal::d)
      return x.total_time() != y.total_time() ? x.total_time() < y.total_time() : x.total_cost() < y.total_cost();
    return x.total_cost() != y.total_cost() ? x.total_cost() < y.total_cost() : x.total_time() < y.total_time();
  });
  if (tops.size() > static_cast<std::size_t>(c.opt.ntops)) tops.erase(tops.begin() + c.opt.ntops, tops.end());
  return tops;
}

/// The tool's readable() breakdown of one result, with Python's types.
inline json::value readable(const bp::layer_schedule& s, const bp::report::tangram_cost& cost) {
  const json::value scheme = bp::report::scheme_json(s, cost);
  const char* mem[] = {"DRAM", "GBUF", "ITCN", "REGF"};
  const char* dat[] = {"FIL", "IFM", "OFM"};
  const char* par[] = {"OUTP", "OFMP", "BATP", "INPP"};
  const auto by_data = [&](const json::value& row) {
    json::value o = json::value::object();
    for (std::size_t d = 0; d < 3; ++d) o.set(dat[d], row[d]);
    return o;
  };

  json::value o = json::value::object();
  o.set("total_cost", s.total_cost());
  o.set("total_time", s.total_time());
  o.set("total_ops", s.total_ops());
  const auto acc = s.total_accesses();
  o.set("total_accesses", json::value::array({acc[0], acc[1], acc[2], acc[3]}));
  o.set("total_noc_hops", s.total_noc_hops());
  o.set("total_op_cost", s.total_ops() * cost.mac_op.value);
  double access_cost = 0;
  for (std::size_t m = 0; m < 4; ++m) access_cost += acc[m] * cost.mem_hier[m].value;
  o.set("total_access_cost", access_cost);
  o.set("total_noc_cost", s.total_noc_hops() * cost.noc_hop.value);
  const double static_cost = static_cast<double>(s.total_time()) * cost.idl_unit.value;
  o.set("total_static_cost", cost.idl_unit.is_int ? json::value(static_cast<std::int64_t>(static_cost))
                                                  : json::value(static_cost));
  o.set("num_nodes", s.num_nodes());
  o.set("proc_time", s.proc_time);
  o.set("bus_time", s.bus_time);
  o.set("dram_time", s.dram_time);
  o.set("active_node_pes", 1. * s.total_ops() / static_cast<double>(s.proc_time) / static_cast<double>(s.num_nodes()));
  json::value by_level = json::value::object();
  for (std::size_t m = 0; m < 4; ++m) by_level.set(mem[m], by_data(scheme["access"][m]));
  o.set("access_by_level", by_level);
  o.set("remote_gbuf_access", by_data(scheme["remote_gbuf_access"]));
  json::value hops = json::value::object();
  for (const char* k : {"total_nhops", "mem_nhops", "node_nhops", "unit_nhops"}) hops.set(k, by_data(scheme[k]));
  o.set("noc_hops", hops);
  json::value lb = json::value::object();
  lb.set("levels", json::value::array({"top (DRAM->GBUF)", "GBUF (GBUF->REGF)", "REGF (in PE)"}));
  lb.set("loops", json::value::array({"IFM", "OFM", "BAT"}));
  lb.set("tvals", scheme["tvals"]);
  lb.set("orders", scheme["orders"]);
  lb.set("orders_note", "orders[level][loop] = position of that loop at the level (GBUF, REGF); smaller = inner");
  lb.set("fetch", scheme["fetch"]);
  lb.set("fetch_note", "fetch[BL(GBUF,REGF)][FIL,IFM,OFM]");
  o.set("loop_blocking", lb);
  json::value part = json::value::object();
  json::value order = json::value::array();
  for (auto p : s.part.order()) order.push_back(par[static_cast<std::size_t>(p)]);
  part.set("order", order);
  json::value pdims = json::value::object();
  for (std::size_t p = 0; p < 4; ++p) pdims.set(par[p], bp::report::to_json(s.part.pdims()[p]));
  part.set("pdims", pdims);
  o.set("partition", part);
  return o;
}

/// Differences between two JSON values: same kinds (an int is not a float), same keys in the
/// same order, same array lengths, equal ints/bools/strings, floats within 1e-9 relative.
inline void json_diff(const json::value& expected, const json::value& actual, const std::string& path,
                      std::vector<std::string>& diffs) {
  const auto show = [](const json::value& v) { return json::dump(v, -1).substr(0, 200); };
  if (expected.type() != actual.type()) {
    diffs.push_back(path + ": expected " + show(expected) + ", got " + show(actual));
    return;
  }
  switch (expected.type()) {
    case json::kind::number: {
      const double a = expected.as_double(), b = actual.as_double();
      const bool same = a == b || (std::isnan(a) && std::isnan(b)) ||
                        std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
      if (!same) diffs.push_back(path + ": expected " + show(expected) + ", got " + show(actual));
      return;
    }
    case json::kind::array:
    case json::kind::object:
      if (expected.keys() != actual.keys() || expected.size() != actual.size()) {
        diffs.push_back(path + ": expected " + show(expected) + ", got " + show(actual));
        return;
      }
      for (std::size_t i = 0; i < expected.size(); ++i)
        json_diff(expected.elements()[i], actual.elements()[i],
                  path + (expected.is_object() ? "." + expected.keys()[i] : "[" + std::to_string(i) + "]"), diffs);
      return;
    default:
      if (!(expected == actual)) diffs.push_back(path + ": expected " + show(expected) + ", got " + show(actual));
  }
}

inline std::vector<std::string> json_diff(const json::value& expected, const json::value& actual,
                                          const std::string& path) {
  std::vector<std::string> diffs;
  json_diff(expected, actual, path, diffs);
  return diffs;
}

/// The keys of the tool's output that readable() reproduces.
inline const std::vector<std::string>& readable_keys() {
  static const std::vector<std::string> keys{
      "total_cost", "total_time", "total_ops", "total_accesses", "total_noc_hops", "total_op_cost",
      "total_access_cost", "total_noc_cost", "total_static_cost", "num_nodes", "proc_time", "bus_time",
      "dram_time", "active_node_pes", "access_by_level", "remote_gbuf_access", "noc_hops", "loop_blocking",
      "partition"};
  return keys;
}

/// Every difference between the tool's output `result` and our run of the same case.
inline std::vector<std::string> compare_with_tool(const json::value& result, const layer_case& c,
                                                  const std::vector<tool_result>& tops) {
  namespace r = bp::report;
  std::vector<std::string> diffs;
  const auto add = [&](const json::value& e, const json::value& a, const std::string& path) {
    json_diff(e, a, path, diffs);
  };
  // Inputs, echoed as the tool echoes them.
  add(result["layer"]["repr"], json::value(c.l.repr()), "layer.repr");
  add(result["resource"], r::to_json(c.res), "resource");
  add(result["cost"], r::to_json(c.cost), "cost");
  add(result["options"], r::to_json(c.opt), "options");
  if (tops.empty()) {
    diffs.push_back("no schedule found");
    return diffs;
  }
  const auto& best = tops.front();
  const ifmap_choice& ch = c.choices[best.choice];
  add(result["ifmap_layout"]["source"], json::value(ch.source), "ifmap_layout.source");
  add(result["ifmap_layout"]["part"], ch.part, "ifmap_layout.part");
  add(result["ifmap_layout"]["layout"], r::to_json(ch.layout), "ifmap_layout.layout");
  const json::value mine = readable(best.sched, c.cost);
  for (const auto& k : readable_keys()) add(result[k], mine[k], k);
  add(result["ofmap_layout"], r::to_json(best.sched.ofmap_layout), "ofmap_layout");
  if (const json::value* scheme = result.find("scheme")) add(*scheme, r::scheme_json(best.sched, c.cost), "scheme");
  if (const json::value* t = result.find("tops")) {
    if (t->size() != tops.size()) {
      diffs.push_back("tops: expected " + std::to_string(t->size()) + " entries, got " + std::to_string(tops.size()));
    } else {
      for (std::size_t i = 0; i < tops.size(); ++i) {
        const std::string path = "tops[" + std::to_string(i) + "]";
        add((*t)[i]["ifmap_part"], c.choices[tops[i].choice].part, path + ".ifmap_part");
        const json::value ri = readable(tops[i].sched, c.cost);
        for (const auto& k : readable_keys()) add((*t)[i][k], ri[k], path + "." + k);
      }
    }
  } else if (tops.size() != 1) {
    diffs.push_back("tops: the tool printed one result, we have " + std::to_string(tops.size()));
  }
  return diffs;
}

}  // namespace bp_test
