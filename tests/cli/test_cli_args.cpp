// tests/cli/test_cli_args.cpp -- examples/cli_args.hpp, the argparse-style parser of the CLIs.
// Expected messages follow Python's argparse (checked with python3 -c "import argparse; ..."),
// except where cli_args deliberately differs (no abbreviations, one-line errors).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../../examples/cli_args.hpp"

namespace {

using Catch::Matchers::Contains;
using strings = std::vector<std::string>;

// A parser shaped like nn_dataflow_search's (a subset of its options).
bp_cli::parser search_like() {
  bp_cli::parser p("bp-search", "Search a schedule.");
  p.positional("net", {.help = "network name", .choices = {"alex_net", "mlp_s"}});
  p.option({"--batch"}, {.help = "batch size", .required = true});
  p.option({"-w", "--word"}, {.help = "word size in bits", .defaults = {"16"}});
  p.option({"--nodes"}, {.help = "node mesh", .metavars = {"H", "W"}, .nargs = 2, .required = true});
  p.option({"--hier-cost"}, {.help = "costs", .nargs = 4, .defaults = {"200", "6", "2", "1"}});
  p.option({"--dram-bw"}, {.help = "DRAM bandwidth", .defaults = {"inf"}});
  p.option({"--disable-bypass"},
           {.help = "no bypass", .nargs = bp_cli::zero_or_more, .choices = {"i", "o", "f"}});
  p.option({"-g", "--goal"}, {.help = "goal", .defaults = {"e"}, .choices = {"e", "d", "ed"}});
  p.flag({"--solve-loopblocking"}, "use the solver");
  p.flag({"--disable-interlayer-opt", "--basic-interlayer-partition"}, "basic pipelining");
  return p;
}

bp_cli::parsed_args parse(const bp_cli::parser& p, std::vector<std::string_view> tokens) {
  return p.parse(tokens);
}

}  // namespace

TEST_CASE("cli_args: values, defaults, nargs and flags", "[cli]") {
  const auto p = search_like();
  const auto a = parse(p, {"alex_net", "--batch", "16", "--nodes", "4", "-4", "--solve-loopblocking"});
  CHECK_FALSE(a.help_requested());
  CHECK(a.str("net") == "alex_net");
  CHECK(a.integer("batch", bp_cli::positive) == 16);
  CHECK(a.integers("nodes") == std::vector<std::int64_t>{4, -4});  // a negative number is a value
  CHECK(a.integer("word") == 16);                                    // default
  CHECK_FALSE(a.given("word"));
  CHECK(a.reals("hier_cost") == std::vector<double>{200, 6, 2, 1});
  CHECK(std::isinf(a.real("dram_bw", bp_cli::positive_or_inf)));
  CHECK(a.strs("disable_bypass").empty());
  CHECK_FALSE(a.has_value("disable_bypass"));
  CHECK(a.flag("solve_loopblocking"));
  CHECK_FALSE(a.flag("disable_interlayer_opt"));
  CHECK(a.display_name("word") == "-w/--word");
}

TEST_CASE("cli_args: attached values, aliases, zero-or-more, last wins, --", "[cli]") {
  const auto p = search_like();
  const auto a = parse(p, {"--batch=8", "-w8", "--nodes", "2", "2", "--basic-interlayer-partition",
                           "--disable-bypass", "i", "f", "--word", "32", "-g", "ed", "--", "mlp_s"});
  CHECK(a.integer("batch") == 8);
  CHECK(a.integer("word") == 32);
  CHECK(a.given("word"));
  CHECK(a.strs("disable_bypass") == strings{"i", "f"});
  CHECK(a.flag("disable_interlayer_opt"));
  CHECK(a.str("goal") == "ed");
  CHECK(a.str("net") == "mlp_s");
  // An empty zero-or-more list: the option is given but has no values.
  const auto b = parse(p, {"mlp_s", "--disable-bypass", "--batch", "1", "--nodes", "1", "1"});
  CHECK(b.given("disable_bypass"));
  CHECK(b.strs("disable_bypass").empty());
}

TEST_CASE("cli_args: -h/--help anywhere wins over every other problem", "[cli]") {
  const auto p = search_like();
  CHECK(parse(p, {"--frob", "-h"}).help_requested());
  CHECK(parse(p, {"--help"}).help_requested());
  CHECK_THROWS_AS(parse(p, {"--", "-h"}), bp_cli::usage_error);  // after --, -h is a positional
  const std::string help = p.help();
  CHECK_THAT(help, Contains("usage: bp-search [-h] --batch BATCH [-w WORD] --nodes H W"));
  CHECK_THAT(help, Contains("[--disable-bypass [DISABLE_BYPASS ...]]"));
  CHECK_THAT(help, Contains("  -w WORD, --word WORD  word size in bits (default: 16)\n"));
  CHECK_THAT(help, Contains("  --disable-interlayer-opt, --basic-interlayer-partition\n"
                            "                        basic pipelining\n"));
  CHECK_THAT(help, Contains("network name (choices: alex_net, mlp_s)"));
}

TEST_CASE("cli_args: bad command lines name the argument and the value", "[cli]") {
  const auto p = search_like();
  const auto error_of = [&](std::vector<std::string_view> tokens) -> std::string {
    try {
      const auto a = parse(p, tokens);
      (void)a.integer("batch", bp_cli::positive);
      (void)a.integers("nodes", bp_cli::positive);
      (void)a.reals("hier_cost", bp_cli::non_negative_real);
      (void)a.real("dram_bw", bp_cli::positive_or_inf);
    } catch (const bp_cli::usage_error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::vector<std::string_view> ok{"alex_net", "--batch", "1", "--nodes", "1", "1"};
  CHECK(error_of(ok) == "no error");
  CHECK(error_of({"--batch", "1", "--nodes", "1", "1"}) ==
        "the following arguments are required: net");
  CHECK(error_of({"alex_net"}) == "the following arguments are required: --batch, --nodes");
  CHECK(error_of({"vgg", "--batch", "1", "--nodes", "1", "1"}) ==
        "argument net: invalid choice: 'vgg' (choose from 'alex_net', 'mlp_s')");
  CHECK(error_of({"alex_net", "--batch", "x", "--nodes", "1", "1"}) ==
        "argument --batch: invalid int value: 'x'");
  CHECK(error_of({"alex_net", "--batch", "0", "--nodes", "1", "1"}) ==
        "argument --batch: value '0' is out of range (must be >= 1)");
  CHECK(error_of({"alex_net", "--batch", "9223372036854775808", "--nodes", "1", "1"}) ==
        "argument --batch: value '9223372036854775808' is out of range (must be >= 1)");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1"}) ==
        "argument --nodes: expected 2 arguments");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "--batch", "2"}) ==
        "argument --nodes: expected 2 arguments");
  CHECK(error_of({"alex_net", "--batch", "--nodes", "1", "1"}) ==
        "argument --batch: expected one argument");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--bat", "1"}) ==
        "unrecognized arguments: --bat");  // no abbreviations
  CHECK(error_of({"alex_net", "mlp_s", "--batch", "1", "--nodes", "1", "1"}) ==
        "unrecognized arguments: mlp_s");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--solve-loopblocking=1"}) ==
        "argument --solve-loopblocking: ignored explicit argument '1'");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--disable-bypass", "x"}) ==
        "argument --disable-bypass: invalid choice: 'x' (choose from 'i', 'o', 'f')");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--hier-cost", "1", "2", "3",
                  "-4"}) == "argument --hier-cost: value '-4' is out of range (must be >= 0)");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--dram-bw", "0x10"}) ==
        "argument --dram-bw: invalid float value: '0x10'");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--dram-bw", "nan"}) ==
        "argument --dram-bw: value 'nan' is out of range (must be > 0)");
  CHECK(error_of({"alex_net", "--batch", "1", "--nodes", "1", "1", "--dram-bw", "0"}) ==
        "argument --dram-bw: value '0' is out of range (must be > 0)");
}

TEST_CASE("cli_args: conversions on their own", "[cli]") {
  CHECK(bp_cli::to_int("+7", "x") == 7);
  CHECK(bp_cli::to_int("-7", "x") == -7);
  CHECK_THROWS_WITH(bp_cli::to_int("", "x"), "argument x: invalid int value: ''");
  CHECK_THROWS_WITH(bp_cli::to_int("7 ", "x"), "argument x: invalid int value: '7 '");
  CHECK_THROWS_WITH(bp_cli::to_int("99999999999999999999", "x"),
                    "argument x: value '99999999999999999999' is out of range for int64");
  CHECK_THROWS_WITH(bp_cli::to_int("5", "x", {1, 4}),
                    "argument x: value '5' is out of range (must be >= 1 and <= 4)");
  CHECK(bp_cli::to_real("2.5e3", "x") == 2500.0);
  CHECK(bp_cli::to_real("-inf", "x", bp_cli::any_real_or_inf) == -std::numeric_limits<double>::infinity());
  CHECK(bp_cli::to_real("Infinity", "x", bp_cli::non_negative_or_inf) == std::numeric_limits<double>::infinity());
  // Infinity only when asked for: the default ranges are finite.
  CHECK_THROWS_WITH(bp_cli::to_real("inf", "x"), "argument x: value 'inf' is out of range");
  CHECK_THROWS_WITH(bp_cli::to_real("inf", "x", bp_cli::positive_real),
                    "argument x: value 'inf' is out of range (must be > 0)");
  CHECK_THROWS_WITH(bp_cli::to_real("1e999", "x", bp_cli::positive_real), Contains("out of range"));
  CHECK_THROWS_WITH(bp_cli::to_real("-0.5", "x", bp_cli::non_negative_or_inf),
                    "argument x: value '-0.5' is out of range (must be >= 0)");
  CHECK_THROWS_WITH(bp_cli::to_real("3", "x", {1.0, 2.5}),
                    "argument x: value '3' is out of range (must be >= 1 and <= 2.5)");
  CHECK_THROWS_WITH(bp_cli::to_real(" 1", "x"), "argument x: invalid float value: ' 1'");
}

TEST_CASE("cli_args: declaration mistakes are logic errors, not usage errors", "[cli]") {
  bp_cli::parser p("t");
  p.option({"-b", "--batch"}, {.help = "b"});
  CHECK_THROWS_AS(p.option({"--batch"}, {.help = "again"}), std::logic_error);
  CHECK_THROWS_AS(p.flag({"-h"}, "help is built in"), std::logic_error);
  CHECK_THROWS_AS(p.option({"--nodes"}, {.help = "n", .metavars = {"H"}, .nargs = 2}),
                  std::logic_error);
  CHECK_THROWS_AS(p.option({"--zero"}, {.help = "z", .nargs = 0}), std::logic_error);
  const auto a = p.parse(std::vector<std::string_view>{});
  CHECK_FALSE(a.has_value("batch"));
  CHECK_THROWS_AS(a.str("batch"), std::logic_error);        // absent without default
  CHECK_THROWS_AS(a.str("undeclared"), std::logic_error);   // never declared
}

TEST_CASE("cli_args: run_main maps exceptions to exit statuses", "[cli]") {
  CHECK(bp_cli::run_main("t", [] { return 0; }) == 0);
  CHECK(bp_cli::run_main("t", []() -> int { throw bp_cli::usage_error("bad"); }) == bp_cli::exit_usage);
  CHECK(bp_cli::run_main("t", []() -> int { throw std::invalid_argument("bad value"); }) == 2);
  CHECK(bp_cli::run_main("t", []() -> int { throw std::runtime_error("bug"); }) == 1);
}
