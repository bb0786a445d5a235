// tests/hardening/test_validation.cpp -- every kind of bad input at every public entry point is
// refused with exactly one exception type of core/error.hpp and a message naming the field and
// the value (issue 9). One table per entry point; each row is one distinct bad input.
//
// The messages of Tangram's own refusals (options, network rules) are Tangram's texts
// (nn_dataflow/core/option.py, network.py: see tests/cli for the CLI side).
#include <catch2/catch.hpp>

#include <cstdint>     // std::int64_t
#include <functional>  // std::function
#include <limits>      // std::numeric_limits
#include <string>      // std::string
#include <typeinfo>    // typeid
#include <vector>      // std::vector

#include <bufferprospector/arch/node_region.hpp>         // bp::node_region
#include <bufferprospector/arch/resource.hpp>            // bp::resource, bp::make_resource
#include <bufferprospector/arch/spec.hpp>                // bp::runtime_spec
#include <bufferprospector/core/error.hpp>               // bp::error and its types
#include <bufferprospector/core/limits.hpp>              // bp::limits
#include <bufferprospector/intra/input_layout.hpp>       // bp::input_layouts
#include <bufferprospector/intra/layer_scheduler.hpp>    // bp::layer_scheduler
#include <bufferprospector/options.hpp>                  // bp::options
#include <bufferprospector/prospector/policies.hpp>      // bp::allocate_with
#include <bufferprospector/prospector/requirements.hpp>  // bp::live_batch_groups, bp::make_hold
#include <bufferprospector/prospector/spare_buffer.hpp>  // bp::spare_buffer
#include <bufferprospector/report/layer_stats.hpp>       // bp::layer_stats_table
#include <bufferprospector/search/beam_search.hpp>       // bp::tangram_search
#include <bufferprospector/search/segment_search.hpp>    // bp::best_scheme
#include <bufferprospector/workload/network.hpp>         // bp::network
#include <bufferprospector/workload/schedulable.hpp>     // bp::check_schedulable
#include <bufferprospector/workload/zoo.hpp>             // bp::zoo::make

namespace {

using Catch::Matchers::Contains;
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr std::int64_t e24 = std::int64_t{1} << 24;

/// One bad input: what is wrong, the call that must refuse it, the exact exception type and a
/// part of its message (which must name the field and the value).
struct bad_input {
  std::string what;
  std::function<void()> call;
  std::function<bool(const std::exception&)> has_type;
  std::string type_name;
  std::string message;
};

template <class E>
bad_input refused(std::string what, std::string message, std::function<void()> call) {
  return {std::move(what), std::move(call), [](const std::exception& e) { return typeid(e) == typeid(E); },
          typeid(E).name(), std::move(message)};
}

/// Runs every row: each must throw exactly its type with its text.
void check_refusals(const std::vector<bad_input>& rows) {
  for (const bad_input& row : rows) {
    INFO("bad input: " << row.what);
    bool threw = false;
    try {
      row.call();
    } catch (const std::exception& e) {
      threw = true;
      INFO("thrown: " << typeid(e).name() << ": " << e.what());
      CHECK(row.has_type(e));
      CHECK_THAT(std::string(e.what()), Contains(row.message));
    }
    CHECK(threw);
  }
}

// A small consistent network and chip, broken one field at a time below.
bp::network small_net(std::int64_t nofm = 8) {
  bp::network n("small", bp::layers::input{.nofm = 4, .sofm = 8});
  n.add("conv1", bp::layers::conv{.nifm = 4, .nofm = nofm, .sofm = 8, .sfil = 3});
  n.add("pool1", bp::layers::pooling{.nofm = nofm, .sofm = 4, .sreg = 2});
  n.add("fc1", bp::layers::fc{.nifm = nofm, .nofm = 10, .sfil = 4});
  return n;
}

bp::memory_params small_memory() { return {.regf_words = 64, .gbuf_words = 4096}; }

bp::resource chip(std::int64_t mesh = 2, std::int64_t array = 8, bp::memory_params mem = small_memory()) {
  return bp::make_resource(
      bp::runtime_spec(bp::pe_array<>{array, array}, bp::node_mesh<>{mesh, mesh}, bp::memory_hierarchy<>{mem}));
}

bp::options solver_options() {
  bp::options o;
  o.sw_solve_loopblocking = true;
  o.partition_hybrid = true;
  return o;
}

void search(const bp::network& net, std::int64_t batch, const bp::resource& res, const bp::options& opt = solver_options(),
            const bp::cost_values& costs = {}) {
  (void)bp::tangram_search(net, batch, res, costs, opt);
}

template <class F>
bp::resource chip_with(F&& change) {
  bp::resource r = chip();
  change(r);
  return r;
}

}  // namespace

TEST_CASE("bad layer shapes are refused with bp::invalid_layer naming the field and value", "[hardening]") {
  using namespace bp::layers;
  check_refusals({
      refused<bp::invalid_layer>("zero output channels", "ConvLayer: nofm = 0 must be > 0",
                                 [] { bp::layer(conv{.nifm = 3, .nofm = 0, .sofm = 8, .sfil = 3}); }),
      refused<bp::invalid_layer>("negative input channels", "ConvLayer: nifm = -3 must be > 0",
                                 [] { bp::layer(conv{.nifm = -3, .nofm = 4, .sofm = 8, .sfil = 3}); }),
      refused<bp::invalid_layer>("zero ofmap height", "ConvLayer: hofm = 0 must be > 0",
                                 [] { bp::layer(conv{.nifm = 3, .nofm = 4, .sofm = {0, 8}, .sfil = 3}); }),
      refused<bp::invalid_layer>("negative ofmap width", "ConvLayer: wofm = -8 must be > 0",
                                 [] { bp::layer(conv{.nifm = 3, .nofm = 4, .sofm = {8, -8}, .sfil = 3}); }),
      refused<bp::invalid_layer>("zero filter width", "ConvLayer: wfil = 0 must be > 0",
                                 [] { bp::layer(conv{.nifm = 3, .nofm = 4, .sofm = 8, .sfil = {3, 0}}); }),
      refused<bp::invalid_layer>("zero stride", "ConvLayer: htrd = 0 must be > 0",
                                 [] { bp::layer(conv{.nifm = 3, .nofm = 4, .sofm = 8, .sfil = 3, .strd = {0, 1}}); }),
      refused<bp::invalid_layer>("negative FC outputs", "FCLayer: nofm = -1 must be > 0",
                                 [] { bp::layer(fc{.nifm = 3, .nofm = -1}); }),
      refused<bp::invalid_layer>("zero pooling window", "PoolingLayer: hreg = 0 must be > 0",
                                 [] { bp::layer(pooling{.nofm = 4, .sofm = 8, .sreg = 0, .strd = 2}); }),
      refused<bp::invalid_layer>("zero pooling stride", "PoolingLayer: wtrd = 0 must be > 0",
                                 [] { bp::layer(pooling{.nofm = 4, .sofm = 8, .sreg = 2, .strd = bp::size2{2, 0}}); }),
      refused<bp::invalid_layer>("eltwise of zero operands", "EltwiseLayer: nreg = 0 must be > 0",
                                 [] { bp::layer(eltwise{.nofm = 4, .sofm = 8, .nreg = 0}); }),
      refused<bp::invalid_layer>("local region over channels and space at once",
                                 "LocalRegionLayer: local region cannot be a mix of both n (3) and h & w (2, 2)",
                                 [] { bp::layer(local_region{.nofm = 4, .sofm = 8, .nreg = 3, .sreg = 2}); }),
      refused<bp::invalid_layer>("zero channel stride", "LocalRegionLayer: ntrd = 0 must be > 0",
                                 [] { bp::layer(local_region{.nofm = 4, .sofm = 8, .ntrd = 0}); }),
      refused<bp::invalid_layer>("input without channels", "InputLayer: nofm = 0 must be > 0",
                                 [] { bp::layer(input{.nofm = 0, .sofm = 8}); }),
      refused<bp::invalid_layer>("matmul with zero groups", "MatMulLayer: groups = 0 must be > 0",
                                 [] { bp::layer(matmul{.nifm = 4, .nofm = 4, .sofm = 8, .groups = 0}); }),
      refused<bp::invalid_layer>("matmul channels not a multiple of groups", "MatMulLayer: nifm = 5 must be a multiple of groups",
                                 [] { bp::layer(matmul{.nifm = 5, .nofm = 4, .sofm = 8, .groups = 2}); }),
      refused<bp::invalid_layer>("ifmap height overflows int64", "ConvLayer: hifm = 4611686018427387904 overflows int64",
                                 [] { bp::layer(conv{.nifm = 1, .nofm = 1, .sofm = {std::int64_t{1} << 62, 1}, .sfil = 1, .strd = 4}); }),
      refused<bp::invalid_layer>("total size overflows int64", "makes the layer's total size or ops overflow int64",
                                 [] { bp::layer(conv{.nifm = 1, .nofm = std::int64_t{1} << 40, .sofm = std::int64_t{1} << 20, .sfil = 1}); }),
      refused<bp::invalid_layer>("channels x channel stride overflow", "LocalRegionLayer: ntrd = 4 makes nofm * ntrd overflow int64",
                                 [] { bp::layer(local_region{.nofm = std::int64_t{1} << 62, .sofm = 1, .ntrd = 4}); }),
  });
}

TEST_CASE("layers beyond the scheduler's limits are refused before any work", "[hardening]") {
  using namespace bp::layers;
  const bp::layer fc_2_40 = fc{.nifm = 1, .nofm = std::int64_t{1} << 40};           // a valid layer, 2^40 channels
  const bp::layer prime = fc{.nifm = 1, .nofm = (std::int64_t{1} << 61) - 1};       // divisors in O(sqrt n): 1.5e9 steps
  const bp::layer big_fmap = conv{.nifm = 1, .nofm = 1 << 20, .sofm = 1 << 10, .sfil = 1};
  const bp::layer big_filters = fc{.nifm = e24, .nofm = e24};
  const bp::layer many_macs = conv{.nifm = 1 << 12, .nofm = 1 << 12, .sofm = 1 << 10, .sfil = 32};
  check_refusals({
      refused<bp::invalid_layer>("2^40 channels",
                                 "nofm = 1099511627776 exceeds the limit 16777216 (bp::limits::max_layer_extent)",
                                 [&] { bp::check_schedulable(fc_2_40, 1); }),
      refused<bp::invalid_layer>("a huge prime extent", "nofm = 2305843009213693951 exceeds the limit 16777216",
                                 [&] { bp::check_schedulable(prime, 1); }),
      refused<bp::invalid_layer>("the layer scheduler refuses it too", "nofm = 1099511627776 exceeds the limit",
                                 [&] { bp::layer_scheduler<> s(fc_2_40, 1, bp::cost_values{}); }),
      refused<bp::invalid_option>("zero batch", "Scheduling: batch = 0 must be > 0",
                                  [&] { bp::check_schedulable(bp::layer(fc{.nifm = 2, .nofm = 2}), 0); }),
      refused<bp::invalid_option>("batch above 2^24", "Scheduling: batch = 16777217 exceeds the limit 16777216 (bp::limits::max_batch)",
                                  [&] { bp::check_schedulable(bp::layer(fc{.nifm = 2, .nofm = 2}), e24 + 1); }),
      refused<bp::invalid_layer>("2^40 ofmap words",
                                 "ofmap words at batch 1 = 1099511627776 exceeds the limit 68719476736 (bp::limits::max_data_words)",
                                 [&] { bp::check_schedulable(big_fmap, 1); }),
      refused<bp::invalid_layer>("2^48 filter words", "filter words at batch 1 = 281474976710656 exceeds the limit 68719476736",
                                 [&] { bp::check_schedulable(big_filters, 1); }),
      refused<bp::invalid_layer>("ifmap words over the batch", "ifmap words at batch 131072 = 137438953472 exceeds the limit",
                                 [&] { bp::check_schedulable(bp::layer(conv{.nifm = 64, .nofm = 1, .sofm = 128, .sfil = 1}), 1 << 17); }),
      refused<bp::invalid_layer>("2^54 MACs", "MACs at batch 1 = 18014398509481984 exceeds the limit 4503599627370496 (bp::limits::max_ops)",
                                 [&] { bp::check_schedulable(many_macs, 1); }),
      refused<bp::invalid_layer>("the network check names the layer",
                                 "Network huge: layer fc1: Scheduling: FCLayer(nifm=4, nofm=1099511627776, sfil=(1, 1)): nofm = 1099511627776",
                                 [] {
                                   bp::network n("huge", input{.nofm = 4, .sofm = 1});
                                   n.add("fc1", fc{.nifm = 4, .nofm = std::int64_t{1} << 40});
                                   search(n, 1, chip(1));
                                 }),
      refused<bp::invalid_layer>("a 1x1 mesh with a layer of 3e9 MACs and 5.9e6 blocking factorisations",
                                 "exhaustive loop blocking: loop counts IFM 55440, OFM 55440, BAT 1 have 5904900 blocking "
                                 "factorisations, which exceeds the limit 4194304 (bp::limits::max_exhaustive_blockings)",
                                 [] {
                                   bp::network n("wide", input{.nofm = 55440, .sofm = 1});
                                   n.add("fc1", fc{.nifm = 55440, .nofm = 55440});
                                   search(n, 1, chip(1, 1, {.regf_words = 64, .gbuf_words = 65536}), bp::options{});
                                 }),
  });
}

TEST_CASE("bad hardware descriptions are refused with bp::invalid_spec", "[hardening]") {
  check_refusals({
      refused<bp::invalid_spec>("PE array without rows", "pe_array.h = 0: must be > 0", [] { bp::pe_array<>(0, 4); }),
      refused<bp::invalid_spec>("mesh with negative width", "node_mesh.w = -1: must be > 0", [] { bp::node_mesh<>(4, -1); }),
      refused<bp::invalid_spec>("static extent contradicted", "pe_array.h = 8: differs from the static extent",
                                [] { bp::pe_array<16, 16>(8, 16); }),
      refused<bp::invalid_spec>("empty register file", "memory.regf_words = 0: must be > 0",
                                [] { bp::memory_hierarchy<>({.regf_words = 0, .gbuf_words = 64}); }),
      refused<bp::invalid_spec>("negative global buffer", "memory.gbuf_words = -64: must be > 0",
                                [] { bp::memory_hierarchy<>({.regf_words = 64, .gbuf_words = -64}); }),
      refused<bp::invalid_spec>("zero-bit words", "memory.word_bits = 0: must be in [1, 64]",
                                [] { bp::memory_hierarchy<>({.regf_words = 64, .gbuf_words = 64, .word_bits = 0}); }),
      refused<bp::invalid_spec>("65-bit words", "memory.word_bits = 65: must be in [1, 64]",
                                [] { bp::memory_hierarchy<>({.regf_words = 64, .gbuf_words = 64, .word_bits = 65}); }),
      refused<bp::invalid_spec>("no DRAM bandwidth", "memory.dram_bandwidth = 0.0: must be > 0 (inf allowed)",
                                [] { bp::memory_hierarchy<>({.regf_words = 64, .gbuf_words = 64, .dram_bandwidth = 0}); }),
      refused<bp::invalid_spec>("NaN bus width", "memory.array_bus_width = nan: must be > 0",
                                [] { bp::memory_hierarchy<>({.regf_words = 64, .gbuf_words = 64, .array_bus_width = not_a_number}); }),
      refused<bp::invalid_spec>("negative MAC cost", "cost.mac_op = -1.0: must be finite and >= 0",
                                [] { bp::cost_values(bp::cost_params{.mac_op = -1}); }),
      refused<bp::invalid_spec>("infinite hop cost", "cost.noc_hop = inf: must be finite and >= 0",
                                [] { bp::cost_values(bp::cost_params{.noc_hop = infinity}); }),
      refused<bp::invalid_spec>("NaN DRAM access cost", "cost.mem_hier[DRAM] = nan",
                                [] { bp::cost_values(bp::cost_params{.mem_hier = {{not_a_number, 6, 2, 1}}}); }),
      refused<bp::invalid_spec>("folded region with wbeg 0", "NodeRegion: |wbeg| must be in (0, wtot].",
                                [] { bp::node_region({2, 2}, {0, 0}, {1, 1}, bp::region_type::proc, 2, 0); }),
  });
}

TEST_CASE("bad resources are refused by resource::validate and by every search", "[hardening]") {
  check_refusals({
      refused<bp::invalid_spec>("empty processing region", "resource.proc_region.dim = (0, 2): must be >= 1 and <= 256 per side",
                                [] { chip_with([](bp::resource& r) { r.proc_region = bp::node_region({0, 2}, {0, 0}, bp::region_type::proc); }).validate(); }),
      refused<bp::invalid_spec>("a 1e8 x 1e8 mesh (took minutes and GBs before)",
                                "resource.proc_region.dim = (100000000, 100000000): must be >= 1 and <= 256 per side (bp::limits::max_mesh_extent)",
                                [] { search(small_net(), 1, chip(100000000)); }),
      refused<bp::invalid_spec>("a 257 x 257 mesh", "resource.proc_region.dim = (257, 257)", [] { search(small_net(), 1, chip(257)); }),
      refused<bp::invalid_spec>("a node outside the mesh", "resource.dram_region = node (-1, 0): every node must lie in [0, 256) x [0, 256)",
                                [] { chip_with([](bp::resource& r) { r.dram_region = bp::node_region({1, 1}, {-1, 0}, bp::region_type::dram); }).validate(); }),
      refused<bp::invalid_spec>("negative node spacing", "resource.src_data_region.dist = (-1, 1): must be >= 0",
                                [] { chip_with([](bp::resource& r) { r.src_data_region = bp::node_region({1, 1}, {0, 0}, bp::region_type::dram, {-1, 1}); }).validate(); }),
      refused<bp::invalid_spec>("a 2000-row PE array", "resource.dim_array = (2000, 2000): must be >= 1 and <= 1024 per side",
                                [] { search(small_net(), 1, chip(2, 2000)); }),
      refused<bp::invalid_spec>("a PE array without columns", "resource.dim_array = (8, 0)",
                                [] { chip_with([](bp::resource& r) { r.dim_array = {8, 0}; }).validate(); }),
      refused<bp::invalid_spec>("negative gbuf", "resource.size_gbuf = -1: must be >= 0 and <= 1099511627776 words",
                                [] { chip_with([](bp::resource& r) { r.size_gbuf = -1; }).validate(); }),
      refused<bp::invalid_spec>("a 2^62-word regf", "resource.size_regf = 4611686018427387904: must be >= 0 and <= 1099511627776",
                                [] { search(small_net(), 1, chip(2, 8, {.regf_words = std::int64_t{1} << 62, .gbuf_words = 4096})); }),
      refused<bp::invalid_spec>("a trickle of DRAM bandwidth", "resource.dram_bandwidth = 0.001: must be >= 0.0625 words per cycle or inf",
                                [] { search(small_net(), 1, chip(2, 8, {.regf_words = 64, .gbuf_words = 4096, .dram_bandwidth = 0.001})); }),
      refused<bp::invalid_spec>("a denormal bus width", "resource.array_bus_width = 1e-320",
                                [] { chip_with([](bp::resource& r) { r.array_bus_width = 1e-320; }).validate(); }),
      refused<bp::invalid_spec>("NaN DRAM bandwidth in a hand-made resource", "resource.dram_bandwidth = nan",
                                [] { search(small_net(), 1, chip_with([](bp::resource& r) { r.dram_bandwidth = not_a_number; })); }),
      refused<bp::invalid_spec>("the per-layer scheduler validates its resource too", "resource.size_gbuf = -5",
                                [] {
                                  const bp::network net = small_net();
                                  bp::layer_scheduler<> s(net[0], 1, bp::cost_values{});
                                  const bp::data_layout input =
                                      bp::input_layouts(net, 1, chip().src_data_region, bp::options{}).front().input;
                                  bp::scheduling_condition cond{chip_with([](bp::resource& r) { r.size_gbuf = -5; }), {}, input, {}};
                                  (void)s.schedule_search(cond, bp::options{});
                                }),
  });
}

TEST_CASE("refused option values and combinations throw bp::invalid_option", "[hardening]") {
  const auto with = [](auto change) {
    return [change] {
      bp::options o;
      change(o);
      o.validate();
    };
  };
  check_refusals({
      refused<bp::invalid_option>("solver with gbuf sharing (Tangram)",
                                  "Option: sw_solve_loopblocking and hw_gbuf_sharing cannot be simultaneously enabled.",
                                  with([](bp::options& o) { o.sw_solve_loopblocking = o.hw_gbuf_sharing = true; })),
      refused<bp::invalid_option>("forwarding with gbuf sharing (Tangram)",
                                  "Option: hw_access_forwarding is implied by hw_gbuf_sharing, thus cannot be both enabled.",
                                  with([](bp::options& o) { o.hw_access_forwarding = o.hw_gbuf_sharing = true; })),
      refused<bp::invalid_option>("solver with save-writeback (Tangram)",
                                  "Option: sw_solve_loopblocking and hw_gbuf_save_writeback cannot be simultaneously enabled.",
                                  with([](bp::options& o) { o.sw_solve_loopblocking = o.hw_gbuf_save_writeback = true; })),
      refused<bp::invalid_option>("ifmap partitioning without hybrid (Tangram)",
                                  "Option: partition_ifmaps requires partition_hybrid to be set.",
                                  with([](bp::options& o) { o.partition_ifmaps = true; })),
      refused<bp::invalid_option>("NaN pipeline overhead", "Option: layer_pipeline_time_ovhd must be positive.",
                                  with([](bp::options& o) { o.layer_pipeline_time_ovhd = not_a_number; })),
      refused<bp::invalid_option>("negative pipeline degree", "Option: layer_pipeline_max_degree must be positive.",
                                  with([](bp::options& o) { o.layer_pipeline_max_degree = -1; })),
      refused<bp::invalid_option>("no tops", "Option: ntops = 0 must be >= 1.", with([](bp::options& o) { o.ntops = 0; })),
      refused<bp::invalid_option>("2^20 tops", "Option: ntops = 1048576 exceeds the limit 65536 (bp::limits::max_ntops).",
                                  with([](bp::options& o) { o.ntops = 1 << 20; })),
      refused<bp::invalid_option>("no threads", "Option: nprocesses = 0 must be >= 1.", with([](bp::options& o) { o.nprocesses = 0; })),
      refused<bp::invalid_option>("5000 threads", "Option: nprocesses = 5000 exceeds the limit 1024 (bp::limits::max_nprocesses).",
                                  with([](bp::options& o) { o.nprocesses = 5000; })),
      refused<bp::invalid_option>("a goal that is not e, d or ed", "Option: goal = 7 must be e, d or ed.",
                                  with([](bp::options& o) { o.goal = static_cast<bp::opt_goal>(7); })),
      refused<bp::invalid_option>("prospector reserve above 1", "prospector_options.reserve = 1.5: must be in [0, 1]",
                                  with([](bp::options& o) { o.prospector.allocation.reserve = 1.5; })),
      refused<bp::invalid_option>("zero allocation quantum", "prospector_options.quantum_words = 0: must be >= 1",
                                  with([](bp::options& o) { o.prospector.allocation.quantum_words = 0; })),
      refused<bp::invalid_option>("an unknown candidate set", "prospector_settings.candidates = 9",
                                  with([](bp::options& o) { o.prospector.candidates = static_cast<bp::candidate_set>(9); })),
      refused<bp::invalid_option>("the search validates its options", "Option: ntops = -3 must be >= 1.",
                                  [] {
                                    bp::options o = solver_options();
                                    o.ntops = -3;
                                    search(small_net(), 1, chip(), o);
                                  }),
  });
}

TEST_CASE("networks that break the DAG rules throw bp::invalid_network", "[hardening]") {
  using namespace bp::layers;
  const bp::layer conv4 = conv{.nifm = 4, .nofm = 8, .sofm = 8, .sfil = 3};
  check_refusals({
      refused<bp::invalid_network>("input that is not an InputLayer", "Network: input_layer must be an InputLayer instance.",
                                   [&] { bp::network("n", conv4); }),
      refused<bp::invalid_network>("duplicate layer name", "Network: layer conv1 already exists.",
                                   [] { small_net().add("conv1", bp::layers::fc{.nifm = 10, .nofm = 2}, {"fc1"}); }),
      refused<bp::invalid_network>("name taken by an external input", "Network: layer h0 already exists as an external layer.",
                                   [&] {
                                     bp::network n = small_net();
                                     n.add_ext("h0", input{.nofm = 4, .sofm = 8});
                                     n.add("h0", conv4, {"h0"});
                                   }),
      refused<bp::invalid_network>("the input's reserved name", "Network: layer __INPUT__ already exists.",
                                   [&] { small_net().add("__INPUT__", conv4, {"__INPUT__"}); }),
      refused<bp::invalid_network>("an InputLayer added as a layer", "Network: layer in2 is an InputLayer; use add_ext() for external inputs.",
                                   [] { small_net().add("in2", input{.nofm = 4, .sofm = 8}); }),
      refused<bp::invalid_network>("unknown previous layer", "Network: given previous layer conv9 has not been added to the network",
                                   [&] { small_net().add("conv2", conv4, {"conv9"}); }),
      refused<bp::invalid_network>("a cycle (a layer as its own producer)", "Network: given previous layer loop has not been added to the network",
                                   [&] { small_net().add("loop", conv4, {"loop"}); }),
      refused<bp::invalid_network>("mismatched fmap", "Network: conv1, a previous layer of fc2, has mismatch fmap size: (8, 8) vs. (1, 1).",
                                   [] { small_net().add("fc2", bp::layers::fc{.nifm = 8, .nofm = 2, .sfil = 2}, {"conv1"}); }),
      refused<bp::invalid_network>("channels that do not add up", "Network: conv1 | __INPUT__ cannot be the previous layers of cat.",
                                   [] { small_net().add("cat", bp::layers::conv{.nifm = 13, .nofm = 2, .sofm = 8, .sfil = 1}, {"conv1", "__INPUT__"}); }),
      refused<bp::invalid_network>("matmul without its second operand", "Network: matmul layer mm needs the producer of its second operand in weight_prevs.",
                                   [] { small_net().add("mm", matmul{.nifm = 8, .nofm = 8, .sofm = 8}, {"conv1"}); }),
      refused<bp::invalid_network>("second operand for a conv", "Network: only a matmul layer takes weight_prevs, not c2.",
                                   [] { small_net().add("c2", conv{.nifm = 8, .nofm = 8, .sofm = 8, .sfil = 1}, {"conv1"}, {"conv1"}); }),
      refused<bp::invalid_network>("second operand of the wrong volume",
                                   "Network: weight_prevs of mm produce 512 words per sample, but its second operand needs 64.",
                                   [] { small_net().add("mm", matmul{.nifm = 8, .nofm = 8, .sofm = 8}, {"conv1"}, {"conv1"}); }),
      refused<bp::invalid_network>("duplicate external input", "Network: external layer h0 already exists.",
                                   [] {
                                     bp::network n = small_net();
                                     n.add_ext("h0", input{.nofm = 4, .sofm = 8});
                                     n.add_ext("h0", input{.nofm = 4, .sofm = 8});
                                   }),
      refused<bp::invalid_network>("external input that is not an InputLayer", "Network: external layer must be an InputLayer instance.",
                                   [&] { small_net().add_ext("h0", conv4); }),
      refused<bp::invalid_network>("unknown layer name", "Network: 'conv7' layer not found.", [] { (void)small_net().id_of("conv7"); }),
      refused<bp::invalid_network>("unknown layer id", "Network: layer id 17 not found.", [] { (void)small_net()[17]; }),
      refused<bp::invalid_network>("producers of the input", "Network: cannot get previous layers for input layer.",
                                   [] { (void)small_net().prevs(bp::network::input); }),
      refused<bp::invalid_network>("a network without layers", "NNDataflow: network empty has no layers.",
                                   [] { search(bp::network("empty", input{.nofm = 4, .sofm = 8}), 1, chip()); }),
      refused<bp::invalid_network>("a disconnected external input", "Network small: external layer h0 feeds no layer (a disconnected input)",
                                   [] {
                                     bp::network n = small_net();
                                     n.add_ext("h0", input{.nofm = 4, .sofm = 8});
                                     search(n, 1, chip());
                                   }),
  });
}

TEST_CASE("unknown names throw bp::unknown_name listing the choices", "[hardening]") {
  check_refusals({
      refused<bp::unknown_name>("unknown network", "unknown network 'alexnet'; choices: alex_net, ", [] { (void)bp::zoo::make("alexnet"); }),
      refused<bp::unknown_name>("empty network name", "unknown network ''", [] { (void)bp::zoo::make(""); }),
      refused<bp::unknown_name>("unknown allocation policy",
                                "buffer allocation policy = greedy: must be one of none, nf_lrf, best_fit, producer_only, ideal, relaxed_dram",
                                [] { (void)bp::allocate_with("greedy", bp::allocation_problem{bp::spare_buffer({2, 2}, 64)}); }),
  });
}

TEST_CASE("the statistics table and the prospector's allocator API refuse bad values", "[hardening]") {
  check_refusals({
      refused<bp::invalid_option>("stats at batch 0", "layer_stats_table: batch = 0 must be > 0",
                                  [] { (void)bp::layer_stats_table(small_net(), 0, 16); }),
      refused<bp::invalid_option>("stats with -8-bit words", "layer_stats_table: word_bits = -8",
                                  [] { (void)bp::layer_stats_table(small_net(), 1, -8); }),
      refused<bp::invalid_option>("stats whose byte counts overflow", "layer_stats: batch = 4611686018427387904",
                                  [] { (void)bp::layer_stats_table(small_net(), std::int64_t{1} << 62, 16); }),
      refused<bp::invalid_spec>("spare map of an empty mesh", "spare_buffer: mesh = (0, 4) must have positive dimensions",
                                [] { bp::spare_buffer({0, 4}, 64); }),
      refused<bp::invalid_spec>("spare map with a negative gbuf", "spare_buffer: gbuf_words = -1: must be >= 0",
                                [] { bp::spare_buffer({2, 2}, -1); }),
      refused<bp::invalid_option>("spare map reserving 200%", "prospector_options.reserve = 2.0: must be in [0, 1]",
                                  [] { bp::spare_buffer({2, 2}, 64, 2.0); }),
      refused<bp::invalid_spec>("allocation with a NaN relocation cost", "allocation_problem.costs.gbuf = nan: must be finite and >= 0",
                                [] {
                                  bp::allocation_problem p{bp::spare_buffer({2, 2}, 64)};
                                  p.costs.gbuf = not_a_number;
                                  (void)bp::allocate_with("nf_lrf", p);
                                }),
      refused<bp::invalid_spec>("a hold with zero batch groups", "held edge: batch_groups = 0: must be >= 1",
                                [] { (void)bp::live_batch_groups(0, 10, 0, 1); }),
  });
}

TEST_CASE("buffers too small for every schedule: an empty search, and bp::no_valid_schedule from best_scheme", "[hardening]") {
  // A 1-word regf cannot hold one word of each operand: no loop blocking is valid.
  const bp::network net = small_net();
  const bp::resource tiny = chip(2, 8, {.regf_words = 1, .gbuf_words = 4096});
  const bp::search_result r = bp::tangram_search(net, 1, tiny, bp::cost_values{}, solver_options());
  CHECK(r.tops.empty());
  REQUIRE(r.failed_layer.has_value());
  CHECK(net.name_of(*r.failed_layer) == "conv1");
  check_refusals({
      refused<bp::no_valid_schedule>("a 1-word register file",
                                     "No valid dataflow found for network small: layer conv1 (ConvLayer(nifm=4, nofm=8, sofm=(8, 8), "
                                     "sfil=(3, 3), strd=(1, 1))) has no valid schedule.",
                                     [&] { (void)bp::best_scheme(r, net); }),
  });
  // With buffers that fit, best_scheme is the first top.
  const bp::search_result ok = bp::tangram_search(net, 1, chip(), bp::cost_values{}, solver_options());
  REQUIRE_FALSE(ok.tops.empty());
  CHECK(&bp::best_scheme(ok, net) == &ok.tops.front());
}
