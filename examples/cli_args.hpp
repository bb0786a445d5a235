// examples/cli_args.hpp -- a small argparse-style command-line parser for the example programs.
//
// Not part of the library (the library never parses, prints or exits): the CLIs share it.
// It follows Python's argparse closely enough that the Tangram tools' command lines work unchanged
// (`nn_layer_stats.py NET -b 16`, `nn_dataflow_search.py NET --batch 16 --nodes 4 4 ...`):
//   - positionals in order, optionally restricted to a list of choices;
//   - options with a fixed number of values (`--batch 16`, `--batch=16`, `-b16`, `--nodes 4 4`)
//     or with any number (nargs='*': `--disable-bypass i f`), the last occurrence winning;
//     values may be negative numbers (`--x -1`);
//   - store_true flags (`--solve-loopblocking`);
//   - `-h/--help` anywhere (before `--`) asks for the help text;
//   - `--` ends the options;
//   - names match exactly: unlike argparse, no abbreviations (`--bat` is not `--batch`), so that
//     adding an option never changes what an existing command line means.
// Every mistake throws bp_cli::usage_error with a one-line message that names the argument and
// the value, e.g. "argument -b/--batch: invalid int value: 'x'". run_main() turns it into
// "PROG: error: MESSAGE" on stderr and exit status 2, as argparse does.
//
//   bp_cli::parser p("bp-layer-stats", "Print the layer statistics of a network.");
//   p.positional("net", {.help = "network name", .choices = names});
//   p.option({"-b", "--batch"}, {.help = "batch size", .defaults = {"1"}});
//   p.option({"--nodes"}, {.help = "node mesh", .metavars = {"H", "W"}, .nargs = 2});
//   p.option({"--disable-bypass"}, {.help = "...", .nargs = bp_cli::zero_or_more,
//                                   .choices = {"i", "o", "f"}});
//   p.flag({"--solve-loopblocking"}, "use the analytical loop blocking solver");
//   return bp_cli::run_main(p.prog(), [&] {
//     const bp_cli::parsed_args args = p.parse(argc, argv);
//     if (args.help_requested()) { std::cout << p.help(); return 0; }
//     const std::int64_t batch = args.integer("batch", bp_cli::positive);
//     ...
//   });
#pragma once

#include <algorithm>     // std::find
#include <cerrno>        // errno, ERANGE
#include <charconv>      // std::from_chars
#include <cmath>         // std::abs, std::isinf, std::isnan
#include <cstdint>       // std::int64_t
#include <cstdio>        // std::fprintf, std::snprintf
#include <cstdlib>       // std::strtod
#include <exception>     // std::exception
#include <initializer_list>
#include <limits>        // std::numeric_limits
#include <map>           // std::map
#include <optional>      // std::optional
#include <stdexcept>     // std::invalid_argument, std::logic_error
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::errc
#include <utility>       // std::move
#include <vector>        // std::vector

namespace bp_cli {

/// The exit status for a bad command line (argparse's).
inline constexpr int exit_usage = 2;

/// option_args::nargs for "any number of values, possibly none" (argparse's nargs='*').
inline constexpr int zero_or_more = -1;

/// A bad command line. Derived from std::invalid_argument like bp::error, so that run_main
/// treats bad values found later by the library the same way.
class usage_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// How a positional argument is declared.
struct positional_args {
  std::string help;
  std::vector<std::string> choices = {};  ///< empty: any value
};

/// How an option with values is declared.
struct option_args {
  std::string help;
  std::vector<std::string> metavars = {};  ///< one per value; default: the dest in upper case
  int nargs = 1;  ///< number of values after the flag (>= 1), or zero_or_more
  std::vector<std::string> defaults = {};  ///< values when absent; empty: no value
  std::vector<std::string> choices = {};   ///< allowed values; empty: any
  bool required = false;
  std::string dest = {};  ///< lookup key; default: the first long flag without "--", '-' -> '_'
};

/// Closed range accepted by parsed_args::integer.
struct int_range {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};
inline constexpr int_range any_int{};
inline constexpr int_range positive{1, std::numeric_limits<std::int64_t>::max()};
inline constexpr int_range non_negative{0, std::numeric_limits<std::int64_t>::max()};

/// Range accepted by parsed_args::real. NaN is never accepted; infinity (Python's float()
/// reads "inf", e.g. nn_dataflow_search's --dram-bw default) only by the *_or_inf ranges.
struct real_range {
  double min = -std::numeric_limits<double>::max();
  double max = std::numeric_limits<double>::max();
  bool min_exclusive = false;
};
inline constexpr real_range any_real{};
inline constexpr real_range positive_real{0.0, std::numeric_limits<double>::max(), true};
inline constexpr real_range non_negative_real{0.0, std::numeric_limits<double>::max(), false};
inline constexpr real_range any_real_or_inf{-std::numeric_limits<double>::infinity(),
                                            std::numeric_limits<double>::infinity(), false};
inline constexpr real_range positive_or_inf{0.0, std::numeric_limits<double>::infinity(), true};
inline constexpr real_range non_negative_or_inf{0.0, std::numeric_limits<double>::infinity(), false};

//
// Value conversion (also usable on their own)
//

namespace detail {

inline std::string quoted(std::string_view s) {
  std::string out("'");  // appended, not "'" + s: GCC 12 -O3 reports a false -Wrestrict there
  out += s;
  out += '\'';
  return out;
}

/// "-1", "-2.5", "-.5": argparse treats these as values, not as options.
inline bool is_negative_number(std::string_view s) {
  if (s.size() < 2 || s[0] != '-') return false;
  bool digit = false, dot = false;
  for (char c : s.substr(1)) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

inline bool looks_like_option(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && !is_negative_number(s);
}

/// A bound for an error message: "0", "2.5", "1.79769e+308".
inline std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace detail

/// Parses a whole token as a base-10 int64 within `range`; `what` names the argument.
inline std::int64_t to_int(std::string_view text, std::string_view what, int_range range = any_int) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);  // Python's int("+5")
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
      end != digits.data() + digits.size())
    throw usage_error("argument " + std::string(what) + ": invalid int value: " + detail::quoted(text));
  if (ec == std::errc::result_out_of_range || v < range.min || v > range.max) {
    std::string rule;
    if (range.min != any_int.min) rule += ">= " + std::to_string(range.min);
    if (range.max != any_int.max) rule += (rule.empty() ? "<= " : " and <= ") + std::to_string(range.max);
    throw usage_error("argument " + std::string(what) + ": value " + detail::quoted(text) +
                      " is out of range" + (rule.empty() ? " for int64" : " (must be " + rule + ")"));
  }
  return v;
}

/// Parses a whole token as a double within `range`; `what` names the argument.
inline double to_real(std::string_view text, std::string_view what, real_range range = any_real) {
  const std::string s(text);
  // strtod also reads hex floats and leading blanks, which Python's float() does not.
  const bool plain = !s.empty() && s.find_first_of("xX \t\n") == std::string::npos;
  char* end = nullptr;
  errno = 0;
  const double v = plain ? std::strtod(s.c_str(), &end) : 0.0;
  if (!plain || end != s.c_str() + s.size())
    throw usage_error("argument " + std::string(what) + ": invalid float value: " + detail::quoted(text));
  const bool overflow = errno == ERANGE && std::isinf(v) && !std::isinf(range.max);
  const bool below = range.min_exclusive ? !(v > range.min) : !(v >= range.min);
  if (std::isnan(v) || overflow || below || v > range.max) {
    // Only the bounds that say something: not the (infinite or largest) default ones.
    const auto shown = [](double b) { return std::abs(b) < std::numeric_limits<double>::max(); };
    std::string rule;
    if (shown(range.min)) rule = (range.min_exclusive ? "> " : ">= ") + detail::number(range.min);
    if (shown(range.max)) rule += (rule.empty() ? "<= " : " and <= ") + detail::number(range.max);
    throw usage_error("argument " + std::string(what) + ": value " + detail::quoted(text) +
                      " is out of range" + (rule.empty() ? "" : " (must be " + rule + ")"));
  }
  return v;
}

//
// Parse results
//

/// The values found on a command line (or the declared defaults), looked up by dest.
class parsed_args {
 public:
  bool help_requested() const noexcept { return help_; }

  /// Whether the option or positional appeared on the command line.
  bool given(std::string_view dest) const { return find(dest).given; }
  /// A store_true flag.
  bool flag(std::string_view dest) const { return find(dest).given; }
  /// Whether there is a value (given, or a default).
  bool has_value(std::string_view dest) const { return !find(dest).values.empty(); }

  /// The values of an option (or the one value of a positional); empty when it has none.
  const std::vector<std::string>& strs(std::string_view dest) const { return find(dest).values; }
  /// The first value; asking for an absent value without a default is a programming error.
  const std::string& str(std::string_view dest) const {
    const auto& v = strs(dest);
    if (v.empty()) throw std::logic_error("cli_args: no value for '" + std::string(dest) + "'");
    return v.front();
  }

  std::int64_t integer(std::string_view dest, int_range range = any_int) const {
    return to_int(str(dest), find(dest).display, range);
  }
  std::vector<std::int64_t> integers(std::string_view dest, int_range range = any_int) const {
    std::vector<std::int64_t> out;
    for (const auto& v : strs(dest)) out.push_back(to_int(v, find(dest).display, range));
    return out;
  }
  double real(std::string_view dest, real_range range = any_real) const {
    return to_real(str(dest), find(dest).display, range);
  }
  std::vector<double> reals(std::string_view dest, real_range range = any_real) const {
    std::vector<double> out;
    for (const auto& v : strs(dest)) out.push_back(to_real(v, find(dest).display, range));
    return out;
  }

  /// "-b/--batch" or "net": how error messages name the argument.
  const std::string& display_name(std::string_view dest) const { return find(dest).display; }

 private:
  friend class parser;
  struct slot {
    std::string display;
    std::vector<std::string> values;
    bool given = false;
  };
  const slot& find(std::string_view dest) const {
    auto it = slots_.find(std::string(dest));
    if (it == slots_.end()) throw std::logic_error("cli_args: no argument '" + std::string(dest) + "'");
    return it->second;
  }
  std::map<std::string, slot> slots_;
  bool help_ = false;
};

//
// The parser
//

class parser {
 public:
  explicit parser(std::string prog, std::string description = {})
      : prog_(std::move(prog)), description_(std::move(description)) {}

  const std::string& prog() const noexcept { return prog_; }

  /// Declares the next positional argument.
  parser& positional(std::string name, positional_args a) {
    positionals_.push_back({std::move(name), std::move(a)});
    return *this;
  }

  /// Declares an option taking `a.nargs` values.
  parser& option(std::initializer_list<std::string_view> flags, option_args a) {
    if (a.nargs < 1 && a.nargs != zero_or_more)
      throw std::logic_error("cli_args: an option needs nargs >= 1 or zero_or_more; use flag()");
    add(flags, std::move(a), false);
    return *this;
  }

  /// Declares a store_true flag.
  parser& flag(std::initializer_list<std::string_view> flags, std::string help) {
    option_args a;
    a.help = std::move(help);
    a.nargs = 0;
    add(flags, std::move(a), true);
    return *this;
  }

  /// Parses argv[1..argc-1]; throws usage_error. With -h/--help anywhere, returns at once with
  /// help_requested() set and nothing else checked.
  parsed_args parse(int argc, const char* const* argv) const {
    std::vector<std::string_view> tokens;
    for (int i = 1; i < argc; ++i) tokens.emplace_back(argv[i]);
    return parse(tokens);
  }

  parsed_args parse(const std::vector<std::string_view>& tokens) const {
    parsed_args out;
    for (auto t : tokens) {
      if (t == "--") break;
      if (t == "-h" || t == "--help") {
        out.help_ = true;
        return out;
      }
    }
    for (const auto& p : positionals_) out.slots_[p.name].display = p.name;
    for (const auto& o : options_) {
      auto& s = out.slots_[o.args.dest];
      s.display = o.display;
      s.values = o.args.defaults;
    }

    std::size_t next_positional = 0;
    std::vector<std::string> extras;
    bool options_ended = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string_view tok = tokens[i];
      if (!options_ended && tok == "--") {
        options_ended = true;
        continue;
      }
      if (options_ended || !detail::looks_like_option(tok)) {
        if (next_positional < positionals_.size()) {
          const auto& p = positionals_[next_positional++];
          check_choice(p.name, p.args.choices, tok);
          auto& s = out.slots_[p.name];
          s.values = {std::string(tok)};
          s.given = true;
        } else {
          extras.emplace_back(tok);
        }
        continue;
      }
      i = take_option(tokens, i, out);
    }

    if (!extras.empty()) {
      std::string list;
      for (const auto& e : extras) list += (list.empty() ? "" : " ") + e;
      throw usage_error("unrecognized arguments: " + list);
    }
    std::string missing;
    for (std::size_t k = next_positional; k < positionals_.size(); ++k)
      missing += (missing.empty() ? "" : ", ") + positionals_[k].name;
    for (const auto& o : options_)
      if (o.args.required && !out.slots_[o.args.dest].given)
        missing += (missing.empty() ? "" : ", ") + o.display;
    if (!missing.empty()) throw usage_error("the following arguments are required: " + missing);
    return out;
  }

  /// "usage: prog [-h] [-b BATCH] net"
  std::string usage() const {
    std::string u = "usage: " + prog_ + " [-h]";
    for (const auto& o : options_) {
      const std::string inv = o.flags.front() + values_text(o);
      u += o.args.required ? " " + inv : " [" + inv + "]";
    }
    for (const auto& p : positionals_) u += " " + p.name;
    return u + "\n";
  }

  /// The full help text, laid out like argparse's.
  std::string help() const {
    std::string h = usage();
    if (!description_.empty()) h += "\n" + description_ + "\n";
    if (!positionals_.empty()) {
      h += "\npositional arguments:\n";
      for (const auto& p : positionals_) {
        std::string text = p.args.help;
        if (!p.args.choices.empty()) text += " (choices: " + join(p.args.choices) + ")";
        h += help_line(p.name, text);
      }
    }
    h += "\noptions:\n";
    h += help_line("-h, --help", "show this help message and exit");
    for (const auto& o : options_) {
      std::string inv;
      for (const auto& f : o.flags) inv += (inv.empty() ? "" : ", ") + f + values_text(o);
      std::string text = o.args.help;
      if (!o.args.choices.empty()) text += " (choices: " + join(o.args.choices) + ")";
      if (!o.args.defaults.empty()) text += " (default: " + join(o.args.defaults, " ") + ")";
      h += help_line(inv, text);
    }
    return h;
  }

 private:
  struct positional_spec {
    std::string name;
    positional_args args;
  };
  struct option_spec {
    std::vector<std::string> flags;
    std::string display;  // "-b/--batch"
    option_args args;
    bool is_flag = false;
  };

  void add(std::initializer_list<std::string_view> flags, option_args a, bool is_flag) {
    option_spec o;
    for (auto f : flags) {
      if (!detail::looks_like_option(f)) throw std::logic_error("cli_args: bad flag '" + std::string(f) + "'");
      if (f == "-h" || f == "--help" || find_option(f) != nullptr)
        throw std::logic_error("cli_args: flag '" + std::string(f) + "' declared twice");
      o.flags.emplace_back(f);
      o.display += (o.display.empty() ? "" : "/") + std::string(f);
    }
    if (o.flags.empty()) throw std::logic_error("cli_args: an option needs a flag");
    if (a.dest.empty()) a.dest = default_dest(o.flags);
    if (a.metavars.empty()) {
      std::string upper;
      for (char c : a.dest) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      a.metavars.assign(a.nargs == zero_or_more ? 1 : static_cast<std::size_t>(a.nargs), upper);
    }
    const std::size_t wanted = a.nargs == zero_or_more ? 1 : static_cast<std::size_t>(a.nargs);
    if (!is_flag && a.metavars.size() != wanted)
      throw std::logic_error("cli_args: " + o.display + " needs one metavar per value");
    o.args = std::move(a);
    o.is_flag = is_flag;
    options_.push_back(std::move(o));
  }

  // argparse's dest: the first long flag (else the first flag) without dashes, '-' -> '_'.
  static std::string default_dest(const std::vector<std::string>& flags) {
    std::string chosen = flags.front();
    for (const auto& f : flags)
      if (f.rfind("--", 0) == 0) {
        chosen = f;
        break;
      }
    std::string dest = chosen.substr(chosen.find_first_not_of('-'));
    for (char& c : dest)
      if (c == '-') c = '_';
    return dest;
  }

  const option_spec* find_option(std::string_view flag) const {
    for (const auto& o : options_)
      if (std::find(o.flags.begin(), o.flags.end(), flag) != o.flags.end()) return &o;
    return nullptr;
  }

  static void check_choice(const std::string& display, const std::vector<std::string>& choices,
                           std::string_view value) {
    if (choices.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) return;
    std::string list;
    for (const auto& c : choices) {
      if (!list.empty()) list += ", ";
      list += detail::quoted(c);
    }
    throw usage_error("argument " + display + ": invalid choice: " + detail::quoted(value) +
                      " (choose from " + list + ")");
  }

  // Consumes the option at tokens[i] and its values; returns the index of the last token used.
  std::size_t take_option(const std::vector<std::string_view>& tokens, std::size_t i,
                          parsed_args& out) const {
    std::string_view tok = tokens[i];
    std::string_view flag = tok;
    std::optional<std::string> attached;  // "--batch=16" or "-b16"
    if (tok.rfind("--", 0) == 0) {
      if (const auto eq = tok.find('='); eq != std::string_view::npos) {
        flag = tok.substr(0, eq);
        attached = std::string(tok.substr(eq + 1));
      }
    } else if (tok.size() > 2 && find_option(tok) == nullptr) {
      flag = tok.substr(0, 2);
      attached = std::string(tok.substr(2));
    }
    const option_spec* o = find_option(flag);
    if (o == nullptr) throw usage_error("unrecognized arguments: " + std::string(tok));

    auto& slot = out.slots_[o->args.dest];
    slot.given = true;
    if (o->is_flag) {
      if (attached)
        throw usage_error("argument " + o->display + ": ignored explicit argument " + detail::quoted(*attached));
      return i;
    }
    const auto is_value = [&](std::size_t k) {
      return k < tokens.size() && tokens[k] != "--" && !detail::looks_like_option(tokens[k]);
    };
    std::vector<std::string> values;
    if (o->args.nargs == zero_or_more) {
      if (attached) {
        values.push_back(*attached);
      } else {
        while (is_value(i + 1)) values.emplace_back(tokens[++i]);
      }
      for (const auto& v : values) check_choice(o->display, o->args.choices, v);
      slot.values = std::move(values);
      return i;
    }
    const auto n = static_cast<std::size_t>(o->args.nargs);
    const std::string expected =
        n == 1 ? "expected one argument" : "expected " + std::to_string(n) + " arguments";
    if (attached) {
      if (n != 1) throw usage_error("argument " + o->display + ": " + expected);
      values.push_back(*attached);
    } else {
      for (std::size_t k = 1; k <= n; ++k) {
        if (!is_value(i + k)) throw usage_error("argument " + o->display + ": " + expected);
        values.emplace_back(tokens[i + k]);
      }
      i += n;
    }
    for (const auto& v : values) check_choice(o->display, o->args.choices, v);
    slot.values = std::move(values);
    return i;
  }

  static std::string values_text(const option_spec& o) {
    if (o.is_flag) return {};
    if (o.args.nargs == zero_or_more) return " [" + o.args.metavars.front() + " ...]";
    std::string s;
    for (const auto& m : o.args.metavars) s += " " + m;
    return s;
  }

  static std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string s;
    for (const auto& it : items) s += (s.empty() ? "" : sep) + it;
    return s;
  }

  // "  invocation            help", the help on the next line when the invocation is long.
  static std::string help_line(const std::string& invocation, const std::string& text) {
    constexpr std::size_t column = 24;
    std::string line = "  " + invocation;
    if (text.empty()) return line + "\n";
    if (line.size() + 2 <= column) {
      line.append(column - line.size(), ' ');
    } else {
      line += "\n" + std::string(column, ' ');
    }
    return line + text + "\n";
  }

  std::string prog_;
  std::string description_;
  std::vector<positional_spec> positionals_;
  std::vector<option_spec> options_;
};

//
// main()
//

/// Runs `body` (returning the exit status) and turns exceptions into one line on stderr:
/// bad input (usage_error, and any std::invalid_argument such as bp::error) gives
/// "PROG: error: MESSAGE" and exit_usage; anything else "PROG: internal error: ..." and 1.
template <class Body>
int run_main(const std::string& prog, Body&& body) noexcept {
  const auto say = [&](const char* kind, const char* what) {
    std::string msg(what);
    for (char& c : msg)
      if (c == '\n') c = ' ';  // keep it to one line
    std::fprintf(stderr, "%s: %s: %s\n", prog.c_str(), kind, msg.c_str());
  };
  try {
    return body();
  } catch (const std::invalid_argument& e) {
    say("error", e.what());
    return exit_usage;
  } catch (const std::exception& e) {
    say("internal error", e.what());
    return 1;
  } catch (...) {
    say("internal error", "unknown exception");
    return 1;
  }
}

}  // namespace bp_cli
