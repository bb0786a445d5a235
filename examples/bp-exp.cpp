// examples/bp-exp.cpp -- the buffer-prospector experiments (docs/bufferprospector-model.md 7.1-7.5).
//
//   bp-exp                               overall --quick into ./bp-out, then data ./bp-out (the
//                                        README's main command; CI runs it)
//   bp-exp overall [--out DIR] [--quick] [--jobs N] [--nets NET ...] [--methods M ...] [--goals G ...]
//   bp-exp dse     [--out DIR] [--quick] [--jobs N] [--nets NET ...] [--methods M ...] [--goals G ...]
//   bp-exp data DIR                      res.csv, the summary table and the SVG plots of DIR
//
// overall: every workload x method matrix at the default point (8x8 cores of 16x16 PEs, 512 B
// regf, 128 KiB gbuf, 16-bit words, 2D DRAM at r = 0.5, batch 4), goals e and d; dse: one factor
// at a time around it (examples/bp_exp/experiments.hpp). Each run writes DIR/01_overall (or
// 02_DSE)/<net>_<cfg>_<method>_<policy>_<goal>.{json,txt,dat}; the .dat comes last and atomically,
// and a rerun skips every run that has one (examples/bp_exp/runner.hpp). Methods whose search is
// not in the library yet are skipped with a note (search/methods.hpp).
//
// Exit status: 0; 1 when a run failed on an error (the others still ran; no .dat for it); 2 for a
// bad command line (one line on stderr).
#include <unistd.h>  // isatty, STDERR_FILENO

#include <algorithm>    // std::max, std::min
#include <cstdint>      // std::int64_t
#include <fstream>      // std::ifstream
#include <iostream>     // std::cout
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <thread>       // std::thread::hardware_concurrency
#include <vector>       // std::vector

#include <bufferprospector/report/run_naming.hpp>  // bp::design_point
#include <bufferprospector/search/methods.hpp>     // bp::methods
#include <bufferprospector/workload/zoo.hpp>       // bp::zoo::names

#include "bp_exp/experiments.hpp"  // bp_exp::overall_runs, bp_exp::dse_runs
#include "bp_exp/gather.hpp"       // bp_exp::write_results
#include "bp_exp/runner.hpp"       // bp_exp::execute
#include "cli_args.hpp"            // bp_cli::parser

namespace {

using bp_cli::usage_error;

/// What fits: one run per core, and no more runs than 1 GiB of available memory each (the
/// largest full-depth runs stay well below that).
unsigned default_jobs() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") {
      const auto by_memory = static_cast<unsigned>(std::max<std::int64_t>(1, kib / (1024 * 1024)));
      return std::min(cores, by_memory);
    }
  return cores;
}

std::vector<std::string> network_names() {
  std::vector<std::string> out;
  for (const auto n : bp::zoo::names()) out.emplace_back(n);
  return out;
}

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (const auto& m : bp::methods()) out.emplace_back(m.name);
  return out;
}

bp_cli::parser experiment_parser(const std::string& command, const std::string& what) {
  bp_cli::parser p("bp-exp " + command, what);
  p.option({"--out"}, {.help = "output directory", .metavars = {"DIR"}, .defaults = {"bp-out"}});
  p.flag({"--quick"}, "a small subset (runs in under 2 minutes on 2 cores)");
  p.option({"-j", "--jobs"}, {.help = "runs in parallel", .metavars = {"N"},
                              .defaults = {std::to_string(default_jobs())}});
  p.option({"--nets"}, {.help = "only these workloads (default: the experiment's)", .metavars = {"NET"},
                        .nargs = bp_cli::zero_or_more, .choices = network_names()});
  p.option({"--methods"}, {.help = "only these methods", .metavars = {"METHOD"}, .nargs = bp_cli::zero_or_more,
                           .choices = method_names()});
  p.option({"--goals"}, {.help = "optimization goals", .metavars = {"GOAL"}, .nargs = bp_cli::zero_or_more,
                         .defaults = {"e", "d"}, .choices = {"e", "d", "ed"}});
  return p;
}

bp_cli::parser data_parser() {
  bp_cli::parser p("bp-exp data", "Gather the finished runs of DIR into DIR/res.csv, plots and a summary table.");
  p.positional("dir", {.help = "the output directory of bp-exp overall/dse"});
  return p;
}

std::string top_help() {
  return "usage: bp-exp [-h] [{overall,dse,data} ...]\n\n"
         "Buffer-prospector experiments. Without arguments: overall --quick --out bp-out, then data bp-out.\n\n"
         "commands:\n"
         "  overall     every workload x method at the default point (DIR/01_overall)\n"
         "  dse         one factor at a time around the default point (DIR/02_DSE)\n"
         "  data DIR    DIR/res.csv, SVG plots and the summary table\n\n"
         "`bp-exp COMMAND -h` shows the options of a command.\n";
}

int print_data(const bp_exp::fs::path& dir) {
  if (!bp_exp::fs::is_directory(dir))
    throw usage_error("argument dir: '" + dir.string() + "' is not a directory");
  const bp_exp::gathered g = bp_exp::write_results(dir);
  for (const std::string& w : g.warnings) std::cerr << "bp-exp: warning: skipped " << w << "\n";
  std::cout << "Gathered " << g.rows.size() << " finished runs of " << dir.string() << " into " << dir.string()
            << "/res.csv (" << g.files.size() - 1 << " SVG plots beside it).\n\n";
  std::cout << bp::summary_table(g.rows);
  return 0;
}

struct experiment_args {
  bp_exp::runner_options runner;
  bool quick = false;
  bp_exp::run_filter filter;
};

experiment_args read_experiment_args(const bp_cli::parsed_args& a) {
  experiment_args e;
  e.runner.out = a.str("out");
  e.runner.jobs = static_cast<unsigned>(a.integer("jobs", {1, 1024}));
  e.runner.terminal = ::isatty(STDERR_FILENO) != 0;
  e.quick = a.flag("quick");
  e.filter.nets = a.strs("nets");
  e.filter.methods = a.strs("methods");
  e.filter.goals.clear();
  for (const std::string& g : a.strs("goals"))
    e.filter.goals.push_back(g == "d" ? bp::opt_goal::d : g == "ed" ? bp::opt_goal::ed : bp::opt_goal::e);
  if (e.filter.goals.empty()) throw usage_error("argument --goals: expected at least one goal");
  return e;
}

/// Runs an experiment; returns the exit status.
int run_experiment(const std::string& exp, const experiment_args& e) {
  const std::vector<bp_exp::planned_run> runs =
      exp == "overall" ? bp_exp::overall_runs(e.quick, e.filter) : bp_exp::dse_runs(e.quick, e.filter);
  const bp::design_point def{};
  std::cout << "bp-exp " << exp << (e.quick ? " --quick" : "") << ": " << runs.size() << " runs into "
            << e.runner.out.string() << " on " << e.runner.jobs << " threads; default point " << def.tag() << " ("
            << bp::design_point::number_text(def.dram_bytes_per_cycle()) << " DRAM bytes/cycle)\n"
            << std::flush;
  const bp_exp::execution_summary s = bp_exp::execute(runs, e.runner);
  std::cout << bp_exp::summary_text(exp, s) << std::flush;
  return s.failed > 0 ? 1 : 0;
}

int run(int argc, char** argv) {
  if (argc < 2) {  // the main command
    experiment_args e;
    e.runner.jobs = default_jobs();
    e.runner.terminal = ::isatty(STDERR_FILENO) != 0;
    e.quick = true;
    const int status = run_experiment("overall", e);
    std::cout << "\n";
    const int data_status = print_data(e.runner.out);
    return std::max(status, data_status);
  }
  const std::string command = argv[1];
  if (command == "-h" || command == "--help") {
    std::cout << top_help();
    return 0;
  }
  if (command == "overall" || command == "dse") {
    const bp_cli::parser p = experiment_parser(
        command, command == "overall" ? "Every workload x method at the default point."
                                      : "One factor at a time around the default point.");
    const bp_cli::parsed_args a = p.parse(argc - 1, argv + 1);
    if (a.help_requested()) {
      std::cout << p.help();
      return 0;
    }
    return run_experiment(command, read_experiment_args(a));
  }
  if (command == "data") {
    const bp_cli::parser p = data_parser();
    const bp_cli::parsed_args a = p.parse(argc - 1, argv + 1);
    if (a.help_requested()) {
      std::cout << p.help();
      return 0;
    }
    return print_data(a.str("dir"));
  }
  throw usage_error("argument command: invalid choice: '" + command + "' (choose from 'overall', 'dse', 'data')");
}

}  // namespace

int main(int argc, char** argv) {
  return bp_cli::run_main("bp-exp", [&] { return run(argc, argv); });
}
