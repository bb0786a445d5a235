// examples/03_buffer_prospector.cpp -- what the buffer prospector buys over Tangram: one network
// on the model note's default chip (8x8 cores of 16x16 PEs, 128 KiB GBUF, 16-bit words, DRAM at
// r = 0.5 GB/s per TOPS), scheduled three ways through the one run-time entry point bp::schedule:
// Tangram's beam search, the DP with holds inside segments (nf_lrf), and the DP with holds inside
// and across segments. Prints energy, time, DRAM words and the held edges of each.
//
//   build/examples/03_buffer_prospector [NET]      (default: googlenet)
#include <bufferprospector/bufferprospector.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) try {
  const bp::network net = bp::zoo::make(argc > 1 ? argv[1] : "googlenet");
  const bp::runtime_spec chip{bp::pe_array<>{16, 16}, bp::node_mesh<>{8, 8},
                              bp::memory_hierarchy<>{{.regf_words = 256, .gbuf_words = 65536,
                                                      .dram_bandwidth = 16.384 / 2}}};  // words per cycle
  bp::options opt{.sw_solve_loopblocking = true, .hw_access_forwarding = true,
                  .partition_hybrid = true, .partition_interlayer = true, .tangram_quirks = false};

  const auto report = [&](const char* what, const bp::search_result& r) {
    if (r.tops.empty()) return std::printf("%-26s no valid schedule\n", what), void();
    const bp::network_scheme& s = r.tops.front();
    const bp::prospector_totals t = bp::prospector_totals_of(s);
    std::printf("%-26s energy %.4g  time %-10lld DRAM words %-10.0f held edges %lld (%lld words)\n", what,
                s.total_cost(), static_cast<long long>(s.total_time()), s.total_accesses()[bp::mem_level::dram],
                static_cast<long long>(t.held_edges), static_cast<long long>(t.held_words));
  };
  std::printf("%s, batch 4, 8x8 cores, goal e\n", net.name().c_str());
  report("Tangram (beam, none)", bp::schedule(chip, net, opt, {.batch = 4}));
  report("DP, nf_lrf, intra holds", bp::schedule(chip, net, opt, {.batch = 4, .segment_search = "dp", .policy = "nf_lrf"}));
  opt.prospector.holds = bp::hold_mode::both;
  report("DP, nf_lrf, intra + inter", bp::schedule(chip, net, opt, {.batch = 4, .segment_search = "dp", .policy = "nf_lrf"}));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "03_buffer_prospector: %s\n", e.what());
  return 2;
}
