// examples/bp-search.cpp -- Tangram's nn_dataflow_search.py as a C++ program.
//
//   bp-search alex_net --batch 16 --nodes 4 4 --array 16 16 --regf 512 --gbuf 131072
//       --solve-loopblocking --hybrid-partition --enable-access-forwarding --interlayer-partition
//
// Same flags, names, defaults, units and meanings as nn_dataflow_search.py (v2.1), and the same
// JSON on stdout (every key; "elapsed" and "cache_stats" depend on the run). Plus
// --no-tangram-quirks: schedule with Tangram's known bugs fixed (docs/architecture.md,
// "Tangram compatibility"); the options then record "tangram_quirks": false.
//
// The buffer prospector (docs/bufferprospector-model.md): --prospector POLICY searches the
// relaxed segments with that buffer allocator (none = Tangram mode, the default);
// --segment-search {beam,dp} picks Tangram's beam search (default) or the DP (section 6; over
// Tangram's candidates with --prospector none it gives Tangram's result); --hold
// {intra,inter,both} says which holds the prospector makes (inside segments, across segments:
// the E3 post-pass, or both); --log FILE writes the DP's transitions and final segmentation
// (section 6.6; needs --segment-search dp). Every field of the prospector's options has one
// --bp- flag: --bp-fallback {reject,dram} (a hold that does not fit), --bp-reserve RHO (GBUF
// fraction kept free), --bp-quantum Q (holds split only at multiples of Q words), --bp-order
// {lrf,density} (edge order), --bp-interval-packing (holds with disjoint lifetimes share a
// core), --bp-candidates {auto,tangram,relaxed}, --bp-no-rule3 (relaxed segments ignore
// Tangram's rule 3), --bp-dp-mode {prefix,independent}, --bp-dp-break (SoMa's break on the
// first infeasible segment, independent mode) and --bp-max-points N (candidates with held edges
// whose constraint space is larger are not evaluated). With --prospector (or --hold inter/both) the
// JSON gains a "prospector" object (per segment: per-core buffer use, held edges and
// placements; see report/prospector_json.hpp); --compare-tangram also runs Tangram mode and adds
// its totals as "tangram". Without these flags the output is Tangram's, byte for byte.
//
// Units, as Tangram converts them: word bytes = (word bits + 7) // 8; --gbuf (bytes per node)
// and --regf (bytes per PE) become words by integer division; --bus-width (bits) becomes
// bus_width // word bits words (0 = unlimited); --dram-bw (total bytes per cycle) becomes
// dram_bw / word bytes words per cycle.
//
// Exit status: 0 with a schedule; 2 for a bad command line, an invalid option combination
// (Tangram's message), an unknown network, or no valid schedule (stdout "null", stderr names
// the layer that could not be scheduled and what limited it). Never a crash.
#include <algorithm>    // std::max
#include <chrono>       // std::chrono::steady_clock
#include <fstream>      // std::ofstream (--log)
#include <cstdint>      // std::int64_t
#include <iostream>     // std::cout, std::cerr
#include <memory>       // std::make_shared
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <thread>       // std::thread::hardware_concurrency
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/arch/memory.hpp>          // bp::word_bytes, bp::dram_placement
#include <bufferprospector/arch/node_region.hpp>     // bp::node_region
#include <bufferprospector/arch/resource.hpp>        // bp::resource, bp::dram_region_of
#include <bufferprospector/core/math.hpp>            // bp::inf
#include <bufferprospector/intra/layer_scheduler.hpp>  // bp::layer_schedule_cache
#include <bufferprospector/options.hpp>              // bp::options
#include <bufferprospector/prospector/policies.hpp>   // bp::buffer_policy_names
#include <bufferprospector/report/json.hpp>          // bp::json::dump
#include <bufferprospector/report/prospector_json.hpp>  // bp::report::prospector_json
#include <bufferprospector/report/search_json.hpp>   // bp::report::search_json
#include <bufferprospector/report/tangram_json.hpp>  // bp::report::tangram_cost
#include <bufferprospector/search/beam_search.hpp>   // bp::tangram_search
#include <bufferprospector/search/prospector_search.hpp>  // bp::prospector_totals
#include <bufferprospector/search/scheduler.hpp>     // bp::schedule, bp::search_log
#include <bufferprospector/workload/zoo.hpp>         // bp::zoo::make, bp::zoo::names

#include "cli_args.hpp"  // bp_cli::parser

namespace {

using bp_cli::usage_error;

//
// Command line
//

std::vector<std::string> network_names() {
  std::vector<std::string> out;
  for (auto n : bp::zoo::names()) out.emplace_back(n);
  return out;
}

bp_cli::parser make_parser() {
  bp_cli::parser p("bp-search",
                   "Search the best schedule of a network on a Tangram accelerator (nn_dataflow_search.py "
                   "of Tangram v2.1, in C++). Prints Tangram's JSON.");
  p.positional("net", {.help = "network name", .choices = network_names()});
  p.option({"--batch"}, {.help = "batch size", .required = true});
  p.option({"--word"}, {.help = "word size in bits", .defaults = {"16"}});
  p.option({"--nodes"}, {.help = "Parallel node partitioning dimensions", .metavars = {"H", "W"}, .nargs = 2,
                         .required = true});
  p.option({"--array"}, {.help = "PE array dimensions", .metavars = {"H", "W"}, .nargs = 2, .required = true});
  p.option({"--regf"}, {.help = "register file size in bytes per PE", .required = true});
  p.option({"--gbuf"}, {.help = "global buffer size in bytes", .required = true});
  p.option({"--bus-width"}, {.help = "array bus width in bits. set 0 to ignore", .defaults = {"0"}});
  p.option({"--dram-bw"}, {.help = "total DRAM bandwidth in bytes per cycle.", .defaults = {"inf"}});
  p.option({"--op-cost"}, {.help = "cost of arithmetic operation", .defaults = {"1"}});
  p.option({"--hier-cost"}, {.help = "cost of access to memory hierarchy",
                             .metavars = {"DRAM_COST", "GBUF_COST", "ITCN_COST", "REGF_COST"},
                             .nargs = 4,
                             .defaults = {"200", "6", "2", "1"}});
  p.option({"--hop-cost"}, {.help = "cost of access through one NoC hop", .defaults = {"10"}});
  p.option({"--unit-idle-cost"}, {.help = "static cost over all nodes for unit execution time", .defaults = {"0"}});
  p.option({"--mem-type"}, {.help = "memory type. \"2D\" has memory only on edge nodes; \"3D\" has memory "
                                    "vertially on top of all nodes.",
                            .defaults = {"2D"},
                            .choices = {"2D", "3D"}});
  p.option({"--disable-bypass"},
           {.help = "whether disallowing gbuf bypass for i (input), o (output), or f (filter)",
            .nargs = bp_cli::zero_or_more,
            .choices = {"i", "o", "f"}});
  p.flag({"--solve-loopblocking"}, "Use analytical solver to choose loop blocking. Otherwise use exhaustive search.");
  p.flag({"--enable-access-forwarding"}, "Each node fetches a subset of data and forwards to other nodes.");
  p.flag({"--enable-gbuf-sharing"}, "Share gbuf capacity across nodes through NoC.");
  p.flag({"--enable-save-writeback"},
         "Allow to save the writeback to memory for the intermediate data between layers if able to store the "
         "entire data set in on-chip buffers.");
  p.flag({"--disable-interlayer-opt", "--basic-interlayer-partition"},
         "Disable optimizations and only allow basic inter-layer pipeline.");
  p.flag({"--hybrid-partition", "--hybrid-partition2d"},
         "Use hybrid partition for layer for node mapping. Otherwise use naive method based on layer type.");
  p.flag({"--batch-partition"}, "Allow partitioning batch, i.e., consider data parallelism.");
  p.flag({"--ifmaps-partition", "--ifmap-partition"},
         "Allow partitioning ifmap channel dimension, which requires extra data synchronization.");
  p.flag({"--interlayer-partition", "--inter-layer-partition"},
         "Allow partitioning resources across multiple layers and process them simultaneously as an inter-layer "
         "pipeline.");
  p.option({"--layer-pipeline-time-overhead"},
           {.help = "maximum allowed execution time overhead due to layer pipelining.", .defaults = {"inf"}});
  p.option({"--layer-pipeline-max-degree"},
           {.help = "maximum allowed layer pipelining degree, i.e., number of vertices in a pipeline segment.",
            .defaults = {"inf"}});
  p.option({"-g", "--goal"}, {.help = "Goal of optimization: E(nergy), D(elay), or ED.",
                              .defaults = {"e"},
                              .choices = {"e", "d", "ed", "E", "D", "ED"}});
  p.option({"-t", "--top"}, {.help = "Number of top schedules to keep during search.", .defaults = {"1"}});
  const unsigned cores = std::thread::hardware_concurrency();
  p.option({"-p", "--processes"}, {.help = "Number of parallel processes to use for search.",
                                   .defaults = {std::to_string(std::max(1u, cores / 2))}});
  p.flag({"-v", "--verbose"}, "Show progress and details.");
  std::vector<std::string> policies;
  for (const std::string_view n : bp::buffer_policy_names) policies.emplace_back(n);
  p.option({"--prospector"}, {.help = "buffer prospector allocation policy (none: Tangram's search)",
                              .defaults = {"none"},
                              .choices = policies});
  p.option({"--segment-search"}, {.help = "segment search: Tangram's beam search, or the DP over segmentations",
                                   .defaults = {"beam"},
                                   .choices = {"beam", "dp"}});
  p.option({"--hold"}, {.help = "which holds the prospector makes: inside segments (intra), across segments "
                                "(inter, on Tangram's segments), or both",
                        .defaults = {"intra"},
                        .choices = {"intra", "inter", "both"}});
  p.option({"--log"}, {.help = "write the DP's transitions and final segmentation to this file (with --segment-search dp)",
                       .metavars = {"FILE"}});
  p.option({"--bp-fallback"}, {.help = "what a held edge that does not fit does: reject the segment, or go through DRAM",
                               .defaults = {"reject"},
                               .choices = {"reject", "dram"}});
  p.option({"--bp-reserve"}, {.help = "fraction of each gbuf the prospector keeps free", .defaults = {"0"}});
  p.option({"--bp-quantum"}, {.help = "held data is split across cores only at multiples of this many words",
                              .defaults = {"1"}});
  p.option({"--bp-order"}, {.help = "order in which held edges are allocated: largest requirement first, or density "
                                    "(saved energy per held word and segment)",
                            .defaults = {"lrf"},
                            .choices = {"lrf", "density"}});
  p.flag({"--bp-interval-packing"}, "Let holds with disjoint lifetimes share a core's spare buffer.");
  p.option({"--bp-candidates"}, {.help = "candidate segments: auto (Tangram's with --prospector none, else relaxed), "
                                         "Tangram's, or relaxed",
                                 .defaults = {"auto"},
                                 .choices = {"auto", "tangram", "relaxed"}});
  p.flag({"--bp-no-rule3"}, "Relaxed segments: drop Tangram's rule 3 (members feeding several vertices outside).");
  p.option({"--bp-dp-mode"}, {.help = "DP: evaluate a segment after the best schemes before it (prefix), or once with "
                                      "DRAM inputs in a canonical layout (independent)",
                              .defaults = {"prefix"},
                              .choices = {"prefix", "independent"}});
  p.flag({"--bp-dp-break"}, "DP, independent mode: stop extending a segment backwards at the first infeasible one.");
  p.option({"--bp-max-points"}, {.help = "candidates with held edges whose constraint space has more points are not evaluated",
                                 .defaults = {"4096"}});
  p.flag({"--compare-tangram"}, "Also run Tangram's search and add its totals as \"tangram\".");
  p.flag({"--no-tangram-quirks"},
         "Fix Tangram v2.1's known bugs (goal-d loop-blocking ranking, the Eyeriss < 50% assertion, the "
         "single-segment time rule, eltwise input traffic, colliding NoC-hop memos) instead of reproducing them.");
  return p;
}

/// A cost: finite and >= 0. A cost given on the command line is a Python float (argparse
/// type=float); a default stays the int Tangram wrote.
bp::report::number cost_number(const bp_cli::parsed_args& a, std::string_view dest, std::size_t index = 0) {
  const double v = a.reals(dest, bp_cli::non_negative_real).at(index);
  return a.given(dest) ? bp::report::number::real(v) : bp::report::number::integer(v);
}

/// Every layer's ops and fmap sizes over the batch must fit in int64.
void check_batch_fits(const bp::network& net, std::int64_t batch, const std::string& text) {
  for (bp::layer_id id = 0; id < net.size(); ++id) {
    const bp::layer& l = net[id];
    auto ops = bp::checked_mul(l.total_ofmap_size(), std::max<std::int64_t>(1, l.ops_per_neuron()));
    if (ops) ops = bp::checked_mul(*ops, batch);
    if (!ops || !bp::checked_mul(l.total_ifmap_size(), batch))
      throw usage_error("argument --batch: value '" + text + "' is too large: the ops of layer " + net.name_of(id) +
                        " overflow int64");
  }
}

struct run_inputs {
  std::string net_name;
  bp::network net;
  std::int64_t batch;
  bp::resource res;
  bp::report::tangram_cost cost;
  bp::options opt;
  std::string policy;       ///< --prospector
  bool prospector = false;  ///< --prospector (or --hold inter/both) given: report the "prospector" object
  bool compare_tangram = false;
  std::string segment_search;  ///< --segment-search
  std::string log_file;        ///< --log (empty: none)
};

/// Everything nn_dataflow_search.do_scheduling builds, with every value checked and named.
run_inputs read_inputs(const bp_cli::parsed_args& a) {
  using bp_cli::non_negative;
  using bp_cli::positive;

  const std::string net_name = a.str("net");
  const std::int64_t batch = a.integer("batch", positive);
  const std::int64_t word = a.integer("word", {1, 64});  // as bp::memory_hierarchy (bits + 7 must not overflow)
  const auto nodes = a.integers("nodes", positive);
  const auto array = a.integers("array", positive);
  const std::int64_t regf = a.integer("regf", non_negative);
  const std::int64_t gbuf = a.integer("gbuf", non_negative);
  const std::int64_t bus_width = a.integer("bus_width", non_negative);
  const double dram_bw = a.real("dram_bw", bp_cli::positive_or_inf);

  // Units, exactly as nn_dataflow_search.py converts them.
  const std::int64_t word_bytes = bp::word_bytes(word);
  const std::int64_t bus_words = bus_width / word;
  const double array_bus_width = bus_words == 0 ? bp::inf : static_cast<double>(bus_words);
  const double dram_bandwidth = dram_bw / static_cast<double>(word_bytes);

  const bp::phy_dim2 dim_nodes{nodes[0], nodes[1]};
  const bp::node_region proc(dim_nodes, {0, 0}, bp::region_type::proc);
  const bp::dram_placement placement =
      a.str("mem_type") == "3D" ? bp::dram_placement::stacked_3d : bp::dram_placement::edge_2d;
  const bp::node_region data = bp::dram_region_of(dim_nodes, placement);
  const bp::resource res{proc,         data,        data, data, {array[0], array[1]}, gbuf / word_bytes,
                         regf / word_bytes, array_bus_width, dram_bandwidth, false};

  bp::report::tangram_cost cost;
  cost.mac_op = cost_number(a, "op_cost");
  for (std::size_t m = 0; m < 4; ++m) cost.mem_hier[m] = cost_number(a, "hier_cost", m);
  cost.noc_hop = cost_number(a, "hop_cost");
  cost.idl_unit = cost_number(a, "unit_idle_cost");

  bp::options opt;
  for (const auto& d : a.strs("disable_bypass")) {
    if (d == "i") opt.sw_gbuf_bypass[bp::data_category::ifm] = false;
    if (d == "o") opt.sw_gbuf_bypass[bp::data_category::ofm] = false;
    if (d == "f") opt.sw_gbuf_bypass[bp::data_category::fil] = false;
  }
  opt.sw_solve_loopblocking = a.flag("solve_loopblocking");
  opt.hw_access_forwarding = a.flag("enable_access_forwarding");
  opt.hw_gbuf_sharing = a.flag("enable_gbuf_sharing");
  opt.hw_gbuf_save_writeback = a.flag("enable_save_writeback");
  opt.partition_hybrid = a.flag("hybrid_partition");
  opt.partition_batch = a.flag("batch_partition");
  opt.partition_ifmaps = a.flag("ifmaps_partition");
  opt.partition_interlayer = a.flag("interlayer_partition");
  opt.layer_pipeline_time_ovhd = a.real("layer_pipeline_time_overhead", bp_cli::non_negative_or_inf);
  opt.layer_pipeline_max_degree = a.real("layer_pipeline_max_degree", bp_cli::non_negative_or_inf);
  opt.layer_pipeline_opt = !a.flag("disable_interlayer_opt");
  const std::string goal = a.str("goal");
  opt.goal = (goal == "d" || goal == "D") ? bp::opt_goal::d : (goal == "ed" || goal == "ED") ? bp::opt_goal::ed
                                                                                             : bp::opt_goal::e;
  opt.ntops = static_cast<int>(a.integer("top", {1, 1 << 20}));
  opt.nprocesses = static_cast<int>(a.integer("processes", {1, 1 << 12}));
  opt.verbose = a.flag("verbose");
  opt.tangram_quirks = !a.flag("no_tangram_quirks");
  bp::prospector_settings& bp_opt = opt.prospector;
  bp_opt.allocation.fallback =
      a.str("bp_fallback") == "dram" ? bp::allocation_fallback::dram : bp::allocation_fallback::reject;
  bp_opt.allocation.reserve = a.real("bp_reserve", {0.0, 1.0, false});
  bp_opt.allocation.quantum_words = a.integer("bp_quantum", positive);
  bp_opt.allocation.order =
      a.str("bp_order") == "density" ? bp::edge_order::density_first : bp::edge_order::largest_requirement_first;
  bp_opt.allocation.interval_packing = a.flag("bp_interval_packing");
  const std::string candidates = a.str("bp_candidates");
  bp_opt.candidates = candidates == "tangram"   ? bp::candidate_set::tangram
                      : candidates == "relaxed" ? bp::candidate_set::relaxed
                                                : bp::candidate_set::automatic;
  bp_opt.keep_rule3 = !a.flag("bp_no_rule3");
  const std::string hold = a.str("hold");
  bp_opt.holds = hold == "inter" ? bp::hold_mode::inter_segment
                 : hold == "both" ? bp::hold_mode::both
                                  : bp::hold_mode::intra_segment;
  bp_opt.dp = a.str("bp_dp_mode") == "independent" ? bp::dp_mode::independent : bp::dp_mode::prefix;
  bp_opt.dp_break_on_infeasible = a.flag("bp_dp_break");
  bp_opt.max_constraint_points = a.integer("bp_max_points", positive);
  opt.validate();  // Tangram's refused combinations, with Tangram's messages

  const std::string search = a.str("segment_search");
  std::string log_file;
  if (a.has_value("log")) {
    log_file = a.str("log");
    if (search != "dp") throw usage_error("argument --log: the transition log needs --segment-search dp");
    if (log_file.empty()) throw usage_error("argument --log: expected a file name");
  }

  bp::network net = bp::zoo::make(net_name);
  check_batch_fits(net, batch, a.str("batch"));
  const bool prospector = a.given("prospector") || bp_opt.holds != bp::hold_mode::intra_segment;
  return {net_name, std::move(net), batch, res, cost, opt, a.str("prospector"), prospector, a.flag("compare_tangram"),
          search, log_file};
}

//
// No valid schedule: say which layer, and what limited it
//

std::string failure_reason(const run_inputs& in, const bp::search_result& r) {
  std::string msg = "No valid dataflow found.";
  if (!r.failed_layer) return msg;
  const bp::layer_id id = *r.failed_layer;
  const bp::layer& l = in.net[id];
  msg += " Layer " + in.net.name_of(id) + " (" + l.repr() + ") has no valid schedule";
  // What its search saw on the whole chip, reading from and writing to DRAM.
  const bp::layer_scheduler<> sched(l, in.batch, in.cost.values());
  const bp::search_diagnosis d = sched.diagnose(in.res, {}, in.opt);
  const auto dims = [](bp::phy_dim2 p) { return std::to_string(p.h) + "x" + std::to_string(p.w); };
  if (d.mappings > 0 && d.low_utilization_mappings == d.mappings)
    return msg + ": every Eyeriss mapping of its " + std::to_string(d.partitions) + " partitionings over " +
           dims(in.res.proc_region.dim()) + " nodes uses < 50% of the " + dims(in.res.dim_array) +
           " PE array (without the quirks such mappings are skipped; Tangram stops on its assertion).";
  std::string no_bypass;
  int n_no_bypass = 0;
  const char* names[] = {"f", "i", "o"};
  for (std::size_t k = 0; k < 3; ++k)
    if (!in.opt.sw_gbuf_bypass[k]) {
      no_bypass += (no_bypass.empty() ? "" : " ") + std::string(names[k]);
      ++n_no_bypass;
    }
  const bool solver = in.opt.sw_solve_loopblocking && l.is_conv_like();
  if (d.blockings == 0 && solver && n_no_bypass >= 2)
    return msg + ": the analytical loop-blocking solver (--solve-loopblocking) keeps one data category in the "
                 "gbuf and bypasses the others, which --disable-bypass " + no_bypass + " forbids.";
  msg += (d.blockings == 0 ? std::string(": no loop blocking fits")
                           : ": none of the " + std::to_string(d.blockings) + " loop blockings its search kept fits") +
         " a " + std::to_string(in.res.size_gbuf) + "-word gbuf per node and a " + std::to_string(in.res.size_regf) +
         "-word regf per PE";
  if (!no_bypass.empty()) msg += " with gbuf bypass disabled for " + no_bypass;
  const bool exhaustive = !solver;
  if (in.opt.tangram_quirks && in.opt.goal == bp::opt_goal::d && exhaustive)
    msg += " (with -g d, Tangram's exhaustive loop blocking keeps the first scheme of each chunk, valid or not; "
           "--no-tangram-quirks ranks them properly)";
  return msg + ".";
}

int run(int argc, const char* const* argv) {
  const bp_cli::parser parser = make_parser();
  const bp_cli::parsed_args args = parser.parse(argc, argv);
  if (args.help_requested()) {
    std::cout << parser.help();
    return 0;
  }
  const run_inputs in = read_inputs(args);

  auto cache = std::make_shared<bp::layer_schedule_cache>();
  bp::search_progress progress = nullptr;
  if (in.opt.verbose) progress = [](const std::string& line) { std::cerr << line << std::endl; };

  const auto start = std::chrono::steady_clock::now();
  const bp::cost_values costs = in.cost.values();
  bp::search_log log;
  const bp::schedule_request request{.batch = in.batch,
                                     .segment_search = in.segment_search,
                                     .policy = in.policy,
                                     .hooks = {.cache = cache, .progress = progress, .log = &log}};
  const bp::search_result result = bp::schedule(in.res, costs, in.net, in.opt, request);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!in.log_file.empty()) {
    std::ofstream f(in.log_file);
    for (const std::string& line : log.lines(in.net)) f << line << "\n";
    if (!f) throw usage_error("argument --log: cannot write '" + in.log_file + "'");
  }

  if (result.tops.empty()) {
    std::cerr << failure_reason(in, result) << "\n";
    std::cout << "null\n";
    return 2;
  }
  const bp::report::search_run info{.net_name = in.net_name,
                                   .batch = in.batch,
                                   .res = in.res,
                                   .cost = in.cost,
                                   .opt = in.opt,
                                   .cache = cache->node_stats(),
                                   .elapsed_seconds = elapsed};
  bp::json::value out = bp::report::search_json(info, result.tops.front());
  if (in.prospector) {
    bp::json::value pj = bp::report::prospector_json(result.tops.front(), in.policy, in.opt);
    pj.set("segment_search", bp::json::value(in.segment_search));
    pj.set("hold", bp::json::value(std::string(bp::to_string(in.opt.prospector.holds))));
    out.set("prospector", std::move(pj));
  }
  if (in.compare_tangram) {
    // Tangram mode on its own memo (with the quirks, results depend on what the memos held).
    const bp::search_result tangram = bp::tangram_search(in.net, in.batch, in.res, costs, in.opt);
    out.set("tangram", tangram.tops.empty() ? bp::json::value(nullptr)
                                            : bp::report::tangram_totals_json(tangram.tops.front()));
  }
  std::cout << bp::json::dump(out) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bp_cli::run_main("bp-search", [&] { return run(argc, argv); });
}
