// tests/segment_search/segment_search_util.hpp -- shared pieces of the segment_search tests: a
// golden run's inputs (read back from the golden's own resource/cost/options, as
// tests/report/test_search_json.cpp does), the model note's default point (section 7.3), small
// random DAGs and chips, and the DP's cached candidates from its log.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <bufferprospector/arch/resource.hpp>
#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/tangram_json.hpp>
#include <bufferprospector/search/dp_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "test_data.hpp"

namespace bp_test {

/// One golden whole-network run (tests/data/golden, Tangram's output with its exact command).
struct golden_run {
  std::string file;
  std::string net_name;
  bp::network net;
  std::int64_t batch = 0;
  bp::resource res;
  bp::report::tangram_cost cost;
  bp::options opt;
  bp::json::value result;  ///< Tangram's JSON (null: no valid dataflow)
};

inline std::vector<std::string> golden_network_files() {
  const bp::json::value index = bp::json::parse(read_data("golden/index.json"));
  std::vector<std::string> out;
  for (const auto& run : index["runs"].elements()) {
    const std::string f = run["file"].as_string();
    if (f.rfind("layers/", 0) != 0) out.push_back(f);
  }
  return out;
}

/// The golden's inputs; nullopt for a null golden (Tangram found nothing).
inline std::optional<golden_run> load_golden(const std::string& file) {
  const bp::json::value doc = bp::json::parse(read_data("golden/" + file));
  const bp::json::value& result = doc["result"];
  if (result.is_null()) return std::nullopt;
  std::vector<std::string> argv;
  for (const auto& v : doc["command"].elements()) argv.push_back(v.as_string());
  std::int64_t batch = 0;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "--batch") batch = std::stoll(argv[i + 1]);
  return golden_run{file,
                    argv.at(1),
                    bp::zoo::make(argv.at(1)),
                    batch,
                    bp::report::resource_from_json(result["resource"]),
                    bp::report::tangram_cost_from_json(result["cost"]),
                    bp::report::options_from_json(result["options"]),
                    result};
}

/// A mesh with 2D (corner) DRAM, as nn_dataflow_search builds it; sizes in words.
inline bp::resource mesh_chip(bp::phy_dim2 mesh, bp::phy_dim2 array, std::int64_t gbuf_words, std::int64_t regf_words,
                              double dram_bandwidth = bp::inf) {
  const bp::node_region proc(mesh, {0, 0}, bp::region_type::proc);
  const bp::node_region data = bp::dram_region_of(mesh, bp::dram_placement::edge_2d);
  return bp::resource{proc, data, data, data, array, gbuf_words, regf_words, bp::inf, dram_bandwidth, false};
}

/// The model note's default point (section 7.3) as the issue states it: --nodes 8 8 --array 16
/// 16 --regf 512 --gbuf 131072 --dram-bw 16.384 (bytes per cycle; 16-bit words).
inline bp::resource default_chip() { return mesh_chip({8, 8}, {16, 16}, 65536, 256, 16.384 / 2); }

/// The full-Tangram solver options, quirks off (bp-exp's setting for every method).
inline bp::options default_options() {
  bp::options o;
  o.sw_solve_loopblocking = true;
  o.partition_hybrid = true;
  o.hw_access_forwarding = true;
  o.partition_interlayer = true;
  o.tangram_quirks = false;
  return o;
}

using rng_t = std::mt19937_64;

inline std::int64_t uniform(rng_t& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

/// A small random DAG of convolutions, residual joins (eltwise of two producers) and
/// concatenations (a convolution reading two producers), on one fmap size.
inline bp::network random_dag(rng_t& rng, std::int64_t min_layers, std::int64_t max_layers) {
  using namespace bp::layers;
  const std::int64_t size = uniform(rng, 0, 1) ? 7 : 14;
  const std::int64_t channels[] = {16, 32, 64};
  bp::network n("random", input{.nofm = channels[uniform(rng, 0, 2)], .sofm = size});
  std::vector<std::string> names;
  std::vector<std::int64_t> nofm;
  const std::int64_t count = uniform(rng, min_layers, max_layers);
  for (std::int64_t k = 0; k < count; ++k) {
    const std::string name = "l" + std::to_string(k);
    const std::int64_t out = channels[uniform(rng, 0, 2)];
    const std::int64_t kind = uniform(rng, 0, 9);
    if (names.empty()) {
      n.add(name, conv{.nifm = n.input_layer().nofm(), .nofm = out, .sofm = size, .sfil = 1});
    } else {
      const auto a = static_cast<std::size_t>(uniform(rng, std::max<std::int64_t>(0, static_cast<std::int64_t>(names.size()) - 3),
                                                      static_cast<std::int64_t>(names.size()) - 1));
      const auto b = static_cast<std::size_t>(uniform(rng, 0, static_cast<std::int64_t>(names.size()) - 1));
      if (kind < 3 && a != b && nofm[a] == nofm[b]) {
        n.add(name, eltwise{.nofm = nofm[a], .sofm = size, .nreg = 2}, {names[a], names[b]});
        names.push_back(name);
        nofm.push_back(nofm[a]);
        continue;
      }
      if (kind < 5 && a != b)
        n.add(name, conv{.nifm = nofm[a] + nofm[b], .nofm = out, .sofm = size, .sfil = 1}, {names[a], names[b]});
      else
        n.add(name, conv{.nifm = nofm[a], .nofm = out, .sofm = size, .sfil = uniform(rng, 0, 1) ? 3 : 1}, {names[a]});
    }
    names.push_back(name);
    nofm.push_back(out);
  }
  return n;
}

/// A cached candidate of an independent-mode DP: its interval and (segment cost, segment time).
struct cached_candidate {
  std::size_t start = 0;
  std::size_t end = 0;
  double cost = 0;
  std::int64_t time = 0;
};

/// The valid candidates an independent-mode DP evaluated (from its log).
inline std::vector<cached_candidate> cached_candidates(const bp::search_log& log) {
  std::vector<cached_candidate> out;
  for (const auto& t : log.transitions)
    if (t.best) out.push_back({t.start, t.end, t.best->energy, t.best->time});
  return out;
}

/// Every segmentation of [0, n) into the given candidates (brute force), as lists of indices.
inline void for_each_segmentation(const std::vector<cached_candidate>& cands, std::size_t n,
                                  const std::function<void(const std::vector<std::size_t>&)>& fn) {
  std::vector<std::size_t> path;
  const std::function<void(std::size_t)> rec = [&](std::size_t at) {
    if (at == n) {
      fn(path);
      return;
    }
    for (std::size_t i = 0; i < cands.size(); ++i)
      if (cands[i].start == at) {
        path.push_back(i);
        rec(cands[i].end);
        path.pop_back();
      }
  };
  rec(0);
}

}  // namespace bp_test
