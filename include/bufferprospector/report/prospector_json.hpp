// bufferprospector/report/prospector_json.hpp -- what the buffer prospector did in the best scheme,
// as the "prospector" object of bp-search's JSON (next to Tangram's keys, which stay unchanged).
//
//   o.set("prospector", bp::report::prospector_json(best, "nf_lrf", opt));
//
//   {"policy": "nf_lrf", "tangram_quirks": true, "fallback": "reject", "reserve": 0.0,
//    "dram_words_before": N, "dram_words_saved": N, "utilization_before": x, "utilization_after": x,
//    "segments": [{"layers": [...], "batch_groups": B, "critical_time": C,
//                  "dram_words_before": N, "dram_words_after": N,
//                  "cores": [{"node": [h, w], "capacity_words": W, "used_words": W, "held_words": W}],
//                  "held_edges": [{"from": "P", "to": "L", "consumers": ["L", ...], "words": R_e,
//                                  "ofmap_words": V_e, "live_groups": N, "batch_groups": B,
//                                  "via_dram": false, "outcome": "placed",
//                                  "dram_reads_moved": N, "dram_writes_added": N,
//                                  "relocated_words": N, "extra_word_hops": N,
//                                  "placements": [{"node": [h, w], "words": W}]}]}]}
//
// One held_edges entry per hold: a producer and all its held consumers in the segment ("to" is the
// first of them). Placements are summed per host over the producer's pieces. Tangram mode has no
// records: "segments" is then empty.
#pragma once

#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include <bufferprospector/options.hpp>                    // bp::options
#include <bufferprospector/report/json.hpp>                // bp::json::value
#include <bufferprospector/search/network_scheme.hpp>      // bp::network_scheme
#include <bufferprospector/search/prospector_search.hpp>   // bp::prospector_totals_of
#include <bufferprospector/search/segment_prospector.hpp>  // bp::segment_prospect

namespace bp::report {

namespace detail {

inline json::value node_json(phy_dim2 n) { return json::value::array({n.h, n.w}); }

inline json::value hold_json(const network& net, const held_edge_record& h) {
  json::value o = json::value::object();
  const held_edge& e = h.requirement;
  o.set("from", net.name_of(e.producer));
  o.set("to", net.name_of(e.consumers.front()));
  json::value consumers = json::value::array();
  for (auto c : e.consumers) consumers.push_back(net.name_of(c));
  o.set("consumers", std::move(consumers));
  o.set("words", e.words);
  o.set("ofmap_words", e.ofmap_words);
  o.set("live_groups", e.live_groups);
  o.set("batch_groups", e.batch_groups);
  o.set("via_dram", h.allocation.outcome == edge_outcome::via_dram);
  o.set("outcome", std::string(to_string(h.allocation.outcome)));
  o.set("dram_reads_moved", h.dram_reads_moved);
  o.set("dram_writes_added", h.dram_writes_added);
  o.set("relocated_words", h.relocated_words);
  o.set("extra_word_hops", h.extra_word_hops);
  // Words per host, summed over the producer's pieces, in first-placement order.
  std::vector<host_words> hosts;
  for (const auto& piece : h.allocation.pieces)
    for (const host_words& hw : piece) {
      bool merged = false;
      for (host_words& x : hosts)
        if (x.host == hw.host) {
          x.words += hw.words;
          merged = true;
          break;
        }
      if (!merged) hosts.push_back(hw);
    }
  json::value placements = json::value::array();
  for (const host_words& hw : hosts) {
    json::value p = json::value::object();
    p.set("node", node_json(hw.host));
    p.set("words", hw.words);
    placements.push_back(std::move(p));
  }
  o.set("placements", std::move(placements));
  return o;
}

inline json::value segment_json(const network& net, const segment_prospect& p) {
  json::value o = json::value::object();
  json::value layers = json::value::array();
  for (auto l : p.layers) layers.push_back(net.name_of(l));
  o.set("layers", std::move(layers));
  o.set("batch_groups", p.batch_groups);
  o.set("critical_time", p.critical_time);
  o.set("dram_words_before", p.dram_words_before);
  o.set("dram_words_after", p.dram_words_after);
  o.set("utilization_before", p.map.utilization_before());
  o.set("utilization_after", p.map.utilization_after());
  json::value cores = json::value::array();
  for (spare_buffer::core_id id = 0; id < p.map.num_cores(); ++id) {
    json::value c = json::value::object();
    c.set("node", node_json(p.map.coord_of(id)));
    c.set("capacity_words", p.map.capacity());
    c.set("used_words", p.map.usage(id));
    c.set("held_words", p.map.held(id));
    cores.push_back(std::move(c));
  }
  o.set("cores", std::move(cores));
  json::value holds = json::value::array();
  for (const held_edge_record& h : p.holds) holds.push_back(hold_json(net, h));
  o.set("held_edges", std::move(holds));
  return o;
}

}  // namespace detail

/// The "prospector" object for scheme `s`, searched with the policy called `policy`.
inline json::value prospector_json(const network_scheme& s, std::string_view policy, const options& opt) {
  json::value o = json::value::object();
  o.set("policy", std::string(policy));
  o.set("tangram_quirks", opt.tangram_quirks);
  o.set("fallback", std::string(to_string(opt.prospector.allocation.fallback)));
  o.set("reserve", opt.prospector.allocation.reserve);
  o.set("quantum_words", opt.prospector.allocation.quantum_words);
  o.set("interval_packing", opt.prospector.allocation.interval_packing);
  o.set("keep_rule3", opt.prospector.keep_rule3);
  const prospector_totals t = prospector_totals_of(s);
  o.set("dram_words_before", t.dram_words_before);
  o.set("dram_words_saved", t.dram_words_saved);
  o.set("held_edges", t.held_edges);
  o.set("held_words", t.held_words);
  o.set("via_dram_edges", t.via_dram_edges);
  o.set("utilization_before", t.utilization_before);
  o.set("utilization_after", t.utilization_after);
  json::value segments = json::value::array();
  for (const auto& p : s.prospects())
    if (p) segments.push_back(detail::segment_json(s.net(), *p));
  o.set("segments", std::move(segments));
  return o;
}

/// The "tangram" object of --compare-tangram: Tangram mode's totals on the same problem.
inline json::value tangram_totals_json(const network_scheme& tangram) {
  json::value o = json::value::object();
  o.set("total_cost", tangram.total_cost());
  o.set("total_time", tangram.total_time());
  const per_level<double> acc = tangram.total_accesses();
  o.set("total_accesses", json::value::array({acc[0], acc[1], acc[2], acc[3]}));
  o.set("segment_time", [&] {
    json::value a = json::value::array();
    for (auto t : tangram.segment_time_list()) a.push_back(t);
    return a;
  }());
  return o;
}

}  // namespace bp::report
