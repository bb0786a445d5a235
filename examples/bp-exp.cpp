// examples/bp-exp.cpp -- the experiment runner (the README's main command).
//
// With no arguments it describes the default design point of the buffer-prospector experiments
// (docs: model note 7.3: 8x8 cores of 16x16 PEs, 512 B regf per PE, 128 KiB gbuf per core, 16-bit
// words, DRAM at r = 0.5 GB/s per TOPS, batch 4) and the layer statistics of the default network.
// The overall comparison, design-space exploration and result gathering come with the experiments
// issue; until then `bp-exp` only shows what they will run on.
#include <bufferprospector/bufferprospector.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli_args.hpp"

namespace {

struct default_point {
  std::int64_t mesh = 8, pe = 16, regf_bytes = 512, gbuf_bytes = 131072, word_bits = 16, batch = 4;
  double dram_ratio = 0.5;  // GB/s per TOPS at 1 GHz (SET's rel_dram_bw)
  /// r GB/s per TOPS at 1 GHz -> bytes per cycle: r * 2 * #PEs / 1000 (model note 7.3).
  double dram_bytes_per_cycle() const {
    return dram_ratio * 2.0 * static_cast<double>(mesh * mesh * pe * pe) / 1000.0;
  }
};

void describe(const default_point& p, const bp::runtime_spec& chip) {
  std::printf("bufferprospector %s -- default design point\n", BP_VERSION_STRING);
  std::printf("  cores        %lld x %lld, each a %lld x %lld PE array\n", static_cast<long long>(chip.mesh().h()),
              static_cast<long long>(chip.mesh().w()), static_cast<long long>(chip.array().h()),
              static_cast<long long>(chip.array().w()));
  std::printf("  regf         %lld B per PE  = %lld words\n", static_cast<long long>(p.regf_bytes),
              static_cast<long long>(chip.memory().regf_words()));
  std::printf("  gbuf         %lld B per core = %lld words\n", static_cast<long long>(p.gbuf_bytes),
              static_cast<long long>(chip.memory().gbuf_words()));
  std::printf("  word         %lld bits; DRAM at the 4 corner cores, %s bytes/cycle (r = %s)\n",
              static_cast<long long>(p.word_bits), bp::python_repr(p.dram_bytes_per_cycle()).c_str(),
              bp::python_repr(p.dram_ratio).c_str());
  std::printf("  batch        %lld\n\n", static_cast<long long>(p.batch));
}

}  // namespace

int main(int argc, char** argv) {
  bp_cli::parser cli("bp-exp", "Buffer-prospector experiments (no arguments: show the default design point).");
  cli.option({"--net"}, {.help = "network to describe", .defaults = {"resnet50"}});
  return bp_cli::run_main(cli.prog(), [&] {
    const bp_cli::parsed_args args = cli.parse(argc, argv);
    if (args.help_requested()) {
      std::cout << cli.help();
      return 0;
    }
    const default_point p;
    const bp::runtime_spec chip{
        bp::pe_array<>{p.pe, p.pe}, bp::node_mesh<>{p.mesh, p.mesh},
        bp::memory_hierarchy<>{{.regf_words = bp::words_from_bytes(p.regf_bytes, p.word_bits),
                                .gbuf_words = bp::words_from_bytes(p.gbuf_bytes, p.word_bits),
                                .word_bits = p.word_bits,
                                .dram_bandwidth = p.dram_bytes_per_cycle() / static_cast<double>(bp::word_bytes(p.word_bits))}}};
    const std::string net_name = args.str("net");
    const bp::network net = bp::zoo::make(net_name);  // before any output: a bad name prints nothing else
    describe(p, chip);
    std::printf("Layer statistics of %s (batch %lld, %lld-bit words):\n", net_name.c_str(),
                static_cast<long long>(p.batch), static_cast<long long>(p.word_bits));
    std::cout << bp::layer_stats_table(net, p.batch, p.word_bits);
    return 0;
  });
}
