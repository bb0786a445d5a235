// examples/bp-layer-stats.cpp -- bp-layer-stats NET [-b BATCH] [-w WORD]: Tangram's
// tools/nn_layer_stats.py in C++ (same arguments, same defaults, byte-identical table).
//
//   $ bp-layer-stats alex_net -b 16
//   Layer                         ,    Ifmap/kB,    Ofmap/kB,   Weight/kB,      MACs/M,MinOptBuf/kB
//   conv1_a                       ,     2352.00,     4537.50,       34.03,     1678.14,     2386.03
//   ...
//
// Exit status: 0, or 2 with one line "bp-layer-stats: error: ..." on stderr for a bad command
// line (unknown network, bad or out-of-range number, unknown flag).
#include <cstdint>    // std::int64_t
#include <iostream>   // std::cout
#include <string>     // std::string
#include <vector>     // std::vector

#include <bufferprospector/core/error.hpp>           // bp::invalid_option
#include <bufferprospector/report/layer_stats.hpp>   // bp::layer_stats_table
#include <bufferprospector/workload/zoo.hpp>         // bp::zoo::make, bp::zoo::names

#include "cli_args.hpp"  // bp_cli::parser

int main(int argc, char** argv) {
  std::vector<std::string> networks;
  for (auto n : bp::zoo::names()) networks.emplace_back(n);

  bp_cli::parser cli("bp-layer-stats",
                     "Print per-layer sizes, MACs and minimum optimal buffer of a network "
                     "(Tangram's nn_layer_stats.py).");
  cli.positional("net", {.help = "network name", .choices = networks});
  cli.option({"-b", "--batch"}, {.help = "batch size", .defaults = {"1"}});
  cli.option({"-w", "--word"}, {.help = "word size in bits", .defaults = {"16"}});

  return bp_cli::run_main(cli.prog(), [&] {
    const bp_cli::parsed_args args = cli.parse(argc, argv);
    if (args.help_requested()) {
      std::cout << cli.help();
      return 0;
    }
    const std::int64_t batch = args.integer("batch", bp_cli::positive);
    const std::int64_t word = args.integer("word", bp_cli::positive);
    const bp::network net = bp::zoo::make(args.str("net"));
    std::string table;
    try {
      table = bp::layer_stats_table(net, batch, word);
    } catch (const bp::invalid_option& e) {
      // Sizes that overflow int64: name both flags, since their product is at fault.
      throw bp_cli::usage_error("arguments -b/--batch " + std::to_string(batch) + " and -w/--word " +
                                std::to_string(word) + " are too large: " + e.what());
    }
    std::cout << table;
    return 0;
  });
}
