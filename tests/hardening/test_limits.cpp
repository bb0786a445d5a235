// tests/hardening/test_limits.cpp -- the limits of core/limits.hpp leave every real workload
// alone, and regression tests for the hazards that hardening found (hangs, overflows, huge
// allocations), each of which failed (hung or crashed) before its fix.
#include <catch2/catch.hpp>

#include <algorithm>  // std::max
#include <chrono>     // std::chrono::steady_clock
#include <cstdint>    // std::int64_t
#include <string>     // std::string

#include <bufferprospector/arch/memory.hpp>            // bp::word_bytes
#include <bufferprospector/arch/resource.hpp>          // bp::make_resource
#include <bufferprospector/arch/spec.hpp>              // bp::runtime_spec
#include <bufferprospector/core/limits.hpp>            // bp::limits
#include <bufferprospector/core/math.hpp>              // bp::closest_factor, bp::factorizations
#include <bufferprospector/search/beam_search.hpp>     // bp::tangram_search
#include <bufferprospector/workload/schedulable.hpp>   // bp::check_schedulable
#include <bufferprospector/workload/zoo.hpp>           // bp::zoo::all_entries

namespace {

/// Ordered factorisations of n into 3 factors: the exhaustive sweep's count for one loop.
std::int64_t triples(std::int64_t n) { return static_cast<std::int64_t>(bp::factorizations<3>(n).size()); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bp::resource chip(std::int64_t mesh, std::int64_t array, bp::memory_params mem) {
  return bp::make_resource(
      bp::runtime_spec(bp::pe_array<>{array, array}, bp::node_mesh<>{mesh, mesh}, bp::memory_hierarchy<>{mem}));
}

}  // namespace

TEST_CASE("every zoo network at batch 64 is within the scheduler's limits", "[hardening]") {
  // The headroom claimed in core/limits.hpp. Blockings: the exhaustive sweep's factorisation
  // triples for the unpartitioned loop counts (IFM, OFM, BAT; IFM is 1 for local-region layers),
  // i.e. one node; the largest is GPT-2 XL's QK product (1552320 at batch 64).
  std::int64_t max_extent = 0, max_words = 0, max_ops = 0, max_blockings = 0;
  for (const auto& entry : bp::zoo::all_entries()) {
    const bp::network net = entry.build();
    INFO("network " << entry.name);
    CHECK_NOTHROW(bp::check_schedulable(net, 64));
    for (bp::layer_id id = 0; id < net.size(); ++id) {
      const bp::layer& l = net[id];
      max_extent = std::max({max_extent, l.nifm(), l.nofm(), l.hofm(), l.wofm(), l.hfil(), l.wfil()});
      max_words = std::max({max_words, l.total_ifmap_size(64), l.total_ofmap_size(64), l.total_filter_size()});
      max_ops = std::max(max_ops, l.total_ops(64));
      max_blockings = std::max(max_blockings, triples(l.is_conv_like() ? l.nifm() : 1) * triples(l.nofm()) * triples(64));
    }
  }
  CHECK(max_extent == 12825);
  CHECK(max_words <= std::int64_t{1} << 31);
  CHECK(max_ops <= std::int64_t{1} << 39);
  CHECK(max_blockings == 1552320);
  CHECK(max_blockings * 2 <= bp::limits::max_exhaustive_blockings);
  CHECK(max_extent * 1000 <= bp::limits::max_layer_extent);
  CHECK(max_words * 32 <= bp::limits::max_data_words);
  CHECK(max_ops * 8192 <= bp::limits::max_ops);
}

TEST_CASE("closest_factor no longer counts down from a huge factor", "[hardening]") {
  // The solver asks for the largest factor of a loop count <= (regf words / ...): with a 2^40-word
  // regf that was ~2^40 decrements (and int64(2^70) was undefined). Same results as before.
  const auto cf = bp::closest_factor(12, 1e15);
  CHECK(cf.below == 12);
  CHECK_FALSE(cf.above.has_value());
  CHECK(bp::closest_factor(12, 5.5).below == 4);
  CHECK(bp::closest_factor(12, 5.5).above == 6);
  CHECK(bp::closest_factor(12, 12).below == 12);
  CHECK(bp::closest_factor(12, 12).above == 12);
  CHECK(bp::closest_factor(7, 0.5).above == 1);
  CHECK_FALSE(bp::closest_factor(7, 0.5).below.has_value());
}

TEST_CASE("the analytical solver with a 2^40-word register file finishes at once", "[hardening]") {
  bp::network net("n", bp::layers::input{.nofm = 16, .sofm = 8});
  net.add("conv1", bp::layers::conv{.nifm = 16, .nofm = 32, .sofm = 8, .sfil = 3});
  bp::options opt;
  opt.sw_solve_loopblocking = true;
  const auto start = std::chrono::steady_clock::now();
  const bp::search_result r = bp::tangram_search(
      net, 4, chip(1, 4, {.regf_words = bp::limits::max_buffer_words, .gbuf_words = 1 << 20}), bp::cost_values{}, opt);
  CHECK_FALSE(r.tops.empty());
  CHECK(seconds_since(start) < 30);  // hung for hours before closest_factor's fix
}

TEST_CASE("a large ntops does not reserve memory for that many schedules", "[hardening]") {
  // top_schemes reserved ntops entries per chunk: ntops = 65536 asked for ~65536 x 2 KB per chunk
  // of every nested loop (and 2^31 threw std::length_error / std::bad_alloc).
  bp::network net("n", bp::layers::input{.nofm = 4, .sofm = 4});
  net.add("fc1", bp::layers::fc{.nifm = 4, .nofm = 8, .sfil = 4});
  for (const bp::opt_goal goal : {bp::opt_goal::e, bp::opt_goal::d}) {
    bp::options opt;
    opt.ntops = bp::limits::max_ntops;
    opt.goal = goal;
    const bp::search_result r =
        bp::tangram_search(net, 2, chip(1, 4, {.regf_words = 64, .gbuf_words = 4096}), bp::cost_values{}, opt);
    CHECK_FALSE(r.tops.empty());
  }
}

TEST_CASE("word_bytes cannot overflow", "[hardening]") {
  CHECK(bp::word_bytes(1) == 1);
  CHECK(bp::word_bytes(8) == 1);
  CHECK(bp::word_bytes(9) == 2);
  CHECK(bp::word_bytes(16) == 2);
  CHECK(bp::word_bytes(64) == 8);
  // (bits + 7) / 8 overflowed here (bp-search --word 9223372036854775807).
  CHECK(bp::word_bytes(std::numeric_limits<std::int64_t>::max()) == std::int64_t{1} << 60);
}

TEST_CASE("a search at the size limits is refused or bounded, not hours", "[hardening]") {
  // The largest accepted PE array and mesh, with a small network: validation passes, the search
  // runs in bounded time (mesh nodes <= 2^16).
  bp::network net("n", bp::layers::input{.nofm = 4, .sofm = 4});
  net.add("fc1", bp::layers::fc{.nifm = 4, .nofm = 8, .sfil = 4});
  bp::options opt;
  opt.sw_solve_loopblocking = true;
  const auto start = std::chrono::steady_clock::now();
  (void)bp::tangram_search(net, 1, chip(bp::limits::max_mesh_extent / 8, bp::limits::max_pe_array_extent,
                                        {.regf_words = 64, .gbuf_words = 4096}),
                           bp::cost_values{}, opt);
  CHECK(seconds_since(start) < 60);
}

TEST_CASE("fuzzer finding: uneven node groups are Tangram's assertion, not an abort", "[hardening]") {
  // An LRN across 3 channels on a 3x3 mesh with hybrid + batch + ifmap partitioning: some
  // partitions give ifmap ranges processed by 2 and by 1 nodes. Tangram (scripts in the fuzz
  // corpus README) dies with "AssertionError: ifm val len: [2, 2, 2, 1, 1, 1]"; the library hit
  // an internal assertion (abort) there. Now: tangram_assertion with the quirks; without them the
  // partition is skipped (here the only one: no schedule, reported as an outcome).
  bp::network net("lrn", bp::layers::input{.nofm = 3, .sofm = {13, 14}});
  net.add("L0", bp::layers::local_region{.nofm = 3, .sofm = {13, 14}, .nreg = 3});
  const bp::resource res = chip(3, 6,
                                {.regf_words = 256, .gbuf_words = 16384, .placement = bp::dram_placement::stacked_3d,
                                 .dram_bandwidth = 0.0625, .array_bus_width = 4});
  bp::options opt;
  opt.sw_solve_loopblocking = opt.partition_hybrid = opt.partition_batch = opt.partition_ifmaps = true;
  for (const int threads : {1, 2}) {
    opt.nprocesses = threads;
    opt.tangram_quirks = true;
    CHECK_THROWS_MATCHES(bp::tangram_search(net, 2, res, bp::cost_values{}, opt), bp::tangram_assertion,
                         Catch::Matchers::Message("ifm val len: [2, 2, 2, 1, 1, 1]"));
    opt.tangram_quirks = false;
    const bp::search_result r = bp::tangram_search(net, 2, res, bp::cost_values{}, opt);
    CHECK(r.tops.empty());
    CHECK(r.failed_layer == 0);
    // On one node, every range has one node: the layer schedules either way.
    const bp::resource one = chip(1, 6, {.regf_words = 256, .gbuf_words = 16384});
    for (const bool quirks : {true, false}) {
      opt.tangram_quirks = quirks;
      CHECK_FALSE(bp::tangram_search(net, 2, one, bp::cost_values{}, opt).tops.empty());
    }
  }
}
