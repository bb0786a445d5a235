// tests/fuzz/fuzz_target.hpp -- the fuzz entry: bytes -> a network, a chip, options -> the
// scheduler, in Tangram mode or with a buffer-prospector policy.
//
//   bp_fuzz::run_one(data, size);   // returns normally, or aborts on a bug
//
// Used by two mains: fuzz_main.cpp (libFuzzer, clang only, .ci/fuzz.sh) and replay_main.cpp (a
// plain main feeding every file of tests/data/fuzz_corpus/ to run_one: the regression test, built
// with both compilers).
//
// What counts as a bug: any exception that is not a bp::error (bad input must be refused with one
// of the library's types), an internal assertion (BP_ASSERT aborts: the tests build with it on),
// a sanitizer report, a violated invariant of a result (checked below), or a hang (libFuzzer's
// -timeout). A bp::error is the expected answer to a bad input.
//
// The decoder reads one header byte: its low bits pick the engine, bit 7 turns on "wild" values
// (each size then has a 1 in 8 chance to be an extreme constant or raw bytes: 0, negatives,
// 2^24 +- 1, 2^31, 2^40, 2^62, INT64_MIN/MAX, huge primes, NaN, inf, denormals). Without it,
// every value is small and the network is built to be consistent (each layer's shape follows its
// producers), so most inputs reach deep into the search. Engines:
//   0, 1  Tangram's beam search (bp::tangram_search)
//   2, 3  the beam search with a buffer-allocation policy (nf_lrf, best_fit, producer_only, ideal,
//         relaxed_dram, no_prospecting), when BP_FUZZ_PROSPECTOR (default on)
//   4     the layer-statistics table and the size limits only (no search)
// Searches that would take long on purpose (big but valid layers, many blocking candidates) are
// skipped after validation: the fuzzer looks for bugs, not for the limits' worst cases, which
// the hardening tests cover.
#pragma once

#include <array>        // std::array
#include <cmath>        // std::isfinite
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::int64_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort, std::getenv
#include <cstring>      // std::memcpy
#include <exception>    // std::exception
#include <limits>       // std::numeric_limits
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tuple>        // std::tuple_size, std::get
#include <utility>      // std::index_sequence
#include <vector>       // std::vector

#include <bufferprospector/arch/resource.hpp>        // bp::make_resource, bp::resource
#include <bufferprospector/arch/spec.hpp>            // bp::runtime_spec
#include <bufferprospector/core/error.hpp>           // bp::error
#include <bufferprospector/core/limits.hpp>          // bp::limits
#include <bufferprospector/options.hpp>              // bp::options
#include <bufferprospector/report/layer_stats.hpp>   // bp::layer_stats_table
#include <bufferprospector/search/beam_search.hpp>   // bp::tangram_search, bp::beam_search
#include <bufferprospector/workload/network.hpp>     // bp::network
#include <bufferprospector/workload/schedulable.hpp> // bp::check_schedulable

#ifndef BP_FUZZ_PROSPECTOR
#define BP_FUZZ_PROSPECTOR 1  // the prospector's search landed in 76a5b38 (beam_search<LBS, Alloc>)
#endif
#if BP_FUZZ_PROSPECTOR
#include <bufferprospector/prospector/policies.hpp>  // bp::builtin_buffer_policies
#endif

namespace bp_fuzz {

//
// Reading values from bytes
//

/// Hands out the input's bytes; zeros once they run out (so every input decodes to something).
class byte_source {
 public:
  byte_source(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
  bool bit() noexcept { return (byte() & 1) != 0; }
  /// True with probability about 1 / n.
  bool one_in(int n) noexcept { return byte() % n == 0; }
  /// A value in [lo, hi] (hi - lo < 65536).
  std::int64_t in(std::int64_t lo, std::int64_t hi) noexcept {
    const std::int64_t span = hi - lo + 1;
    const std::int64_t raw = span <= 256 ? byte() : byte() | (byte() << 8);
    return lo + raw % span;
  }
  template <class T, std::size_t N>
  T pick(const std::array<T, N>& choices) noexcept {
    return choices[static_cast<std::size_t>(byte()) % N];
  }

  void set_wild(bool w) noexcept { wild_ = w; }
  bool wild() const noexcept { return wild_; }
  /// In wild mode, true with probability 1 / 8: the caller then uses an extreme value.
  bool go_wild() noexcept { return wild_ && one_in(8); }

  /// An extreme integer: boundaries of the limits, int64 edges, primes, or raw bytes.
  std::int64_t extreme_int() noexcept {
    constexpr std::int64_t e24 = std::int64_t{1} << 24;
    static constexpr std::array<std::int64_t, 24> values{
        0, -1, 1, 2, 3, 7, 257, 1024, 65537, e24 - 1, e24, e24 + 1, 16777213 /* prime */,
        8648640 /* 448 divisors */, 2147483647, std::int64_t{1} << 31, std::int64_t{1} << 36,
        std::int64_t{1} << 40, (std::int64_t{1} << 61) - 1 /* prime */, std::int64_t{1} << 62,
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
        -(std::int64_t{1} << 31), 0};
    if (!one_in(4)) return pick(values);
    std::uint64_t raw = 0;
    for (int i = 0; i < 8; ++i) raw = (raw << 8) | byte();
    std::int64_t v = 0;
    std::memcpy(&v, &raw, sizeof v);
    return v;
  }
  /// A size: usually in [lo, hi], sometimes (wild mode) extreme.
  std::int64_t size(std::int64_t lo, std::int64_t hi) noexcept { return go_wild() ? extreme_int() : in(lo, hi); }

  /// An extreme double: NaN, infinities, negatives, denormals, huge and tiny values.
  double extreme_real() noexcept {
    static constexpr std::array<double, 12> values{
        std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), -1.0, 0.0, 1e-320, 1e-9, 0.0625, 0.06, 1e300,
        9.3e18, 1.5};
    return pick(values);
  }
  double real(std::initializer_list<double> usual) noexcept {
    if (go_wild()) return extreme_real();
    return usual.begin()[static_cast<std::size_t>(byte()) % usual.size()];
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool wild_ = false;
};

//
// Building the inputs
//

inline constexpr double inf = std::numeric_limits<double>::infinity();

/// The chip: usually through the validated spec types, sometimes a hand-made resource.
inline bp::resource make_chip(byte_source& in) {
  const std::int64_t mesh_h = in.size(1, 3), mesh_w = in.size(1, 3);
  const std::int64_t array_h = in.size(1, 12), array_w = in.size(1, 12);
  bp::memory_params mem;
  mem.regf_words = in.go_wild() ? in.extreme_int() : in.pick(std::array<std::int64_t, 6>{1, 4, 16, 32, 64, 256});
  mem.gbuf_words = in.go_wild() ? in.extreme_int()
                                : in.pick(std::array<std::int64_t, 8>{16, 64, 256, 1024, 4096, 16384, 32768, 65536});
  mem.word_bits = in.size(8, 16);
  mem.placement = in.bit() ? bp::dram_placement::stacked_3d : bp::dram_placement::edge_2d;
  mem.dram_bandwidth = in.real({inf, inf, 1, 8, 16.384, 0.0625});
  mem.array_bus_width = in.real({inf, inf, 1, 4, 16});
  const bp::runtime_spec spec(bp::pe_array<>{array_h, array_w}, bp::node_mesh<>{mesh_h, mesh_w},
                              bp::memory_hierarchy<>{mem});
  bp::resource res = bp::make_resource(spec);
  if (in.go_wild()) {  // break one field of the resource itself: resource::validate must refuse it
    switch (in.byte() % 6) {
      case 0: res.size_gbuf = in.extreme_int(); break;
      case 1: res.size_regf = in.extreme_int(); break;
      case 2: res.dim_array = {in.extreme_int(), in.size(1, 4)}; break;
      case 3: res.dram_bandwidth = in.extreme_real(); break;
      case 4: {
        const bp::phy_dim2 dim{in.size(0, 4), in.size(0, 4)}, origin{in.size(-2, 2), 0};
        res.proc_region = bp::node_region(dim, origin, bp::region_type::proc);
        break;
      }
      default: res.array_bus_width = in.extreme_real(); break;
    }
  }
  return res;
}

inline bp::cost_values make_costs(byte_source& in) {
  bp::cost_params c;
  c.mac_op = in.real({1, 1, 0, 2.5});
  c.mem_hier[bp::mem_level::dram] = in.real({200, 200, 100});
  c.mem_hier[bp::mem_level::gbuf] = in.real({6, 6, 0});
  c.noc_hop = in.real({10, 10, 0, 1});
  c.idle_unit = in.real({0, 0, 0.5, 3});
  return bp::cost_values(c);
}

inline bp::options make_options(byte_source& in) {
  bp::options o;
  const std::uint8_t f = in.byte(), g = in.byte();
  o.sw_solve_loopblocking = (f & 1) != 0 || (f & 2) != 0;  // the solver is fast: mostly on
  o.hw_access_forwarding = (f & 4) != 0;
  o.hw_gbuf_sharing = (f & 8) != 0 && in.one_in(4);
  o.hw_gbuf_save_writeback = (f & 16) != 0 && in.one_in(4);
  o.partition_hybrid = (f & 32) != 0;
  o.partition_batch = (f & 64) != 0;
  o.partition_ifmaps = (f & 128) != 0;
  if (!in.wild()) {  // Tangram's refused combinations only in wild mode
    o.partition_ifmaps = o.partition_ifmaps && o.partition_hybrid;
    o.hw_gbuf_sharing = o.hw_gbuf_sharing && !o.sw_solve_loopblocking && !o.hw_access_forwarding;
    o.hw_gbuf_save_writeback = o.hw_gbuf_save_writeback && !o.sw_solve_loopblocking;
  }
  o.partition_interlayer = (g & 1) != 0 || (g & 2) != 0;
  o.layer_pipeline_opt = (g & 4) == 0;
  o.tangram_quirks = (g & 8) == 0;
  o.goal = (g & 48) == 16 ? bp::opt_goal::d : (g & 48) == 32 ? bp::opt_goal::ed : bp::opt_goal::e;
  if ((g & 64) != 0) {
    const std::uint8_t b = in.byte();
    o.sw_gbuf_bypass = {{(b & 1) != 0, (b & 2) != 0, (b & 4) != 0}};
  }
  o.ntops = in.go_wild() ? static_cast<int>(in.extreme_int() % (1 << 20)) : static_cast<int>(in.in(1, 3));
  o.nprocesses = in.go_wild() ? static_cast<int>(in.extreme_int() % 4096) : (in.one_in(16) ? 2 : 1);
  o.layer_pipeline_time_ovhd = in.real({inf, inf, 0, 0.1, 0.5, 2});
  o.layer_pipeline_max_degree = in.real({inf, inf, 1, 2, 3});
  bp::prospector_settings& p = o.prospector;
  p.allocation.reserve = in.real({0, 0, 0.1, 0.5, 1});
  p.allocation.quantum_words = in.size(1, 4);
  p.allocation.fallback = in.bit() ? bp::allocation_fallback::dram : bp::allocation_fallback::reject;
  p.allocation.order = in.bit() ? bp::edge_order::density_first : bp::edge_order::largest_requirement_first;
  p.allocation.interval_packing = in.bit();
  const std::uint8_t c = in.byte() % 3;
  p.candidates = c == 0 ? bp::candidate_set::automatic : c == 1 ? bp::candidate_set::tangram : bp::candidate_set::relaxed;
  p.keep_rule3 = in.bit();
  return o;
}

/// What the builder knows about each layer it added (the producers' shapes).
struct built_layer {
  std::string name;
  std::int64_t nofm, hofm, wofm;
};

/// One output extent with the window and stride that read it from `in` producer rows: the
/// unpadded size, else the padded one, else window = stride = 1 (each checked as Network does:
/// `in` between out * stride and window + (out - 1) * stride).
struct window_fit {
  std::int64_t out, window, stride;
};
inline window_fit fit_window(std::int64_t in, std::int64_t window, std::int64_t stride) {
  if (in > (std::int64_t{1} << 40)) return {in, 1, 1};  // a wild producer: keep the arithmetic in range
  const auto fits = [&](std::int64_t out) {
    const std::int64_t a = out * stride, b = window + (out - 1) * stride;
    return out >= 1 && (a < b ? a : b) <= in && in <= (a < b ? b : a);
  };
  for (const std::int64_t out : {in >= window ? (in - window) / stride + 1 : 0, (in + stride - 1) / stride})
    if (fits(out)) return {out, window, stride};
  return {in, 1, 1};
}

/// Adds one layer after producers chosen among `made`; follows their shapes unless wild.
inline void add_layer(byte_source& in, bp::network& net, std::vector<built_layer>& made, int index) {
  const auto pick_prev = [&]() -> const built_layer& {
    return made[static_cast<std::size_t>(in.byte()) % made.size()];
  };
  std::string name = "L" + std::to_string(index);
  if (in.go_wild()) name = in.bit() ? made.back().name : std::string(bp::network::input_name);  // duplicates
  const built_layer a = pick_prev();  // a copy: `made` grows below
  std::vector<std::string_view> prevs{a.name};
  std::vector<std::string_view> weight_prevs;
  if (in.go_wild()) prevs.push_back("no_such_layer");
  const std::uint8_t kind = in.byte() % 8;
  auto out = [&](std::int64_t v) { return in.go_wild() ? in.extreme_int() : v; };
  std::optional<bp::layer> l;
  switch (kind) {
    case 0:
    case 1: {  // conv, sometimes over two concatenated producers
      std::int64_t nifm = a.nofm;
      if (kind == 1) {
        const built_layer& b = pick_prev();
        if (b.hofm == a.hofm && b.wofm == a.wofm && b.name != a.name && nifm < (std::int64_t{1} << 40) &&
            b.nofm < (std::int64_t{1} << 40)) {
          prevs.push_back(b.name);
          nifm += b.nofm;
        }
      }
      const window_fit h = fit_window(a.hofm, in.in(1, 3), in.in(1, 2));
      const window_fit w = fit_window(a.wofm, h.window, h.stride);
      l = bp::layer(bp::layers::conv{.nifm = out(nifm), .nofm = in.size(1, 16), .sofm = {out(h.out), w.out},
                                     .sfil = {out(h.window), w.window}, .strd = {out(h.stride), w.stride}});
      break;
    }
    case 2:  // fc
      l = bp::layer(bp::layers::fc{.nifm = out(a.nofm), .nofm = in.size(1, 16), .sfil = {out(a.hofm), a.wofm}});
      break;
    case 3: {  // pooling
      const window_fit h = fit_window(a.hofm, in.in(1, 3), in.in(1, 3));
      const window_fit w = fit_window(a.wofm, h.window, h.stride);
      l = bp::layer(bp::layers::pooling{.nofm = out(a.nofm), .sofm = {h.out, w.out}, .sreg = {out(h.window), w.window},
                                        .strd = bp::size2{h.stride, w.stride}});
      break;
    }
    case 4: {  // eltwise of producers with the same shape
      std::int64_t n = 1;
      for (const built_layer& b : made)
        if (n < 3 && b.name != a.name && b.nofm == a.nofm && b.hofm == a.hofm && b.wofm == a.wofm && in.bit()) {
          prevs.push_back(b.name);
          ++n;
        }
      l = bp::layer(bp::layers::eltwise{.nofm = out(a.nofm), .sofm = {a.hofm, a.wofm}, .nreg = out(n)});
      break;
    }
    case 5: {  // local region (LRN-like over channels)
      const std::int64_t nreg = in.in(1, 3);
      l = bp::layer(bp::layers::local_region{.nofm = out(a.nofm), .sofm = {a.hofm, a.wofm}, .nreg = nreg});
      break;
    }
    case 6: {  // matmul: the second operand from another producer of the right volume
      const built_layer& w = pick_prev();
      const std::int64_t groups = in.in(1, 2);
      if (w.wofm > (1 << 20)) return;
      auto volume = bp::checked_mul(w.nofm, w.hofm);
      if (volume) volume = bp::checked_mul(*volume, w.wofm * groups);
      if (!volume || *volume % a.nofm != 0 || a.nofm % groups != 0) return;
      const std::int64_t nofm = *volume / a.nofm;
      if (nofm % groups != 0 || nofm > 64) return;
      weight_prevs.push_back(w.name);
      l = bp::layer(bp::layers::matmul{.nifm = a.nofm, .nofm = out(nofm), .sofm = {a.hofm, a.wofm}, .groups = groups});
      break;
    }
    default: {  // an external input (an LSTM's state) concatenated with the producer into a conv
      const std::string ext = "X" + std::to_string(index);
      const bp::layer x = bp::layers::input{.nofm = in.size(1, 8), .sofm = {a.hofm, a.wofm}};
      net.add_ext(ext, x);
      made.push_back({ext, x.nofm(), a.hofm, a.wofm});
      if (in.go_wild()) return;  // left unused: a disconnected input
      prevs.push_back(made.back().name);
      l = bp::layer(bp::layers::conv{.nifm = out(a.nofm > (std::int64_t{1} << 40) ? a.nofm : a.nofm + x.nofm()),
                                     .nofm = in.size(1, 16), .sofm = {a.hofm, a.wofm}, .sfil = 1});
      break;
    }
  }
  net.add(name, *l, prevs, weight_prevs);
  made.push_back({name, l->nofm(), l->hofm(), l->wofm()});
}

inline bp::network make_network(byte_source& in) {
  const bp::layer input(bp::layers::input{.nofm = in.size(1, 16), .sofm = {in.size(1, 16), in.size(1, 16)}});
  bp::network net("fuzz", input);
  std::vector<built_layer> made{{std::string(bp::network::input_name), input.nofm(), input.hofm(), input.wofm()}};
  const int n = static_cast<int>(in.wild() ? in.in(0, 8) : in.in(1, 5));
  for (int i = 0; i < n; ++i) add_layer(in, net, made, i);
  return net;
}

//
// Bounding the work of one input
//

/// Ordered factorisations of n into 3 factors (the exhaustive sweep's count per loop).
inline std::int64_t triples(std::int64_t n) {
  std::int64_t count = 1;
  for (std::int64_t p = 2; p * p <= n; ++p) {
    std::int64_t e = 0;
    while (n % p == 0) n /= p, ++e;
    count *= (e + 1) * (e + 2) / 2;
  }
  return n > 1 ? count * 3 : count;
}

/// Whether the search would be slow on purpose (big but valid inputs): then only validate.
inline bool too_slow_to_search(const bp::network& net, std::int64_t batch, const bp::resource& res,
                               const bp::options& opt) {
  if (res.proc_region.size() > 9 || res.dim_array.size() > 144) return true;
  if (opt.ntops > 8 || opt.nprocesses > 2) return true;
  for (bp::layer_id id = 0; id < net.size(); ++id) {
    const bp::layer& l = net[id];
    if (l.total_ofmap_size() * batch > (1 << 16) || l.total_ifmap_size() * batch > (1 << 16)) return true;
    if (triples(l.nifm()) * triples(l.nofm()) * triples(batch) > 20000) return true;
  }
  return false;
}

//
// Running and checking
//

[[noreturn]] inline void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "bp_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

inline void check_result(const bp::search_result& r, const bp::options& opt, const bp::network& net) {
  if (r.tops.size() > static_cast<std::size_t>(opt.ntops)) bug("result", "more tops than ntops");
  if (r.tops.empty()) {
    if (r.failed_layer && (*r.failed_layer < 0 || *r.failed_layer >= net.size())) bug("result", "bad failed_layer");
    return;
  }
  for (const auto& s : r.tops) {
    if (!std::isfinite(s.total_cost()) || s.total_cost() < 0) bug("result", "total_cost not finite and >= 0");
    if (s.total_time() < 1) bug("result", "total_time < 1");
    if (s.schedules().size() != static_cast<std::size_t>(net.size())) bug("result", "not every layer scheduled");
  }
}

#if BP_FUZZ_PROSPECTOR
template <std::size_t... I>
bp::search_result search_with_policy(std::size_t which, const bp::search_problem& p, std::index_sequence<I...>) {
  bp::search_result r;
  (void)((which == I
              ? (r = bp::beam_search<bp::tangram_loop_blocking,
                                     std::tuple_element_t<I, bp::builtin_buffer_policies>>{}
                         .search(p),
                 true)
              : false) ||
         ...);
  return r;
}
#endif

/// What one input led to (the replay prints how many of each).
enum class outcome : std::uint8_t {
  invalid_spec, invalid_layer, invalid_network, invalid_option, unknown_name, no_valid_schedule,
  tangram_assertion, other_error, validated_only, stats_only, scheduled, unschedulable, count
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(outcome::count)> outcome_names{
    "invalid_spec", "invalid_layer", "invalid_network", "invalid_option", "unknown_name", "no_valid_schedule",
    "tangram_assertion", "other bp::error", "validated, search skipped (slow on purpose)", "layer stats only",
    "scheduled", "searched, no valid schedule"};

inline outcome classify(const bp::error& e) {
  if (dynamic_cast<const bp::invalid_spec*>(&e)) return outcome::invalid_spec;
  if (dynamic_cast<const bp::invalid_layer*>(&e)) return outcome::invalid_layer;
  if (dynamic_cast<const bp::invalid_network*>(&e)) return outcome::invalid_network;
  if (dynamic_cast<const bp::invalid_option*>(&e)) return outcome::invalid_option;
  if (dynamic_cast<const bp::unknown_name*>(&e)) return outcome::unknown_name;
  if (dynamic_cast<const bp::no_valid_schedule*>(&e)) return outcome::no_valid_schedule;
  if (dynamic_cast<const bp::tangram_assertion*>(&e)) return outcome::tangram_assertion;
  return outcome::other_error;
}

/// Decodes and runs one input. Returns what happened, unless it finds a bug (then it aborts).
inline outcome run_one(const std::uint8_t* data, std::size_t size) {
  byte_source in(data, size);
  const std::uint8_t header = in.byte();
  in.set_wild((header & 0x80) != 0);
  const int engine = header % 5;
  try {
    const bp::network net = make_network(in);
    const std::int64_t batch = in.size(1, 4);
    if (engine == 4) {
      const std::int64_t word_bits = in.size(1, 32);
      (void)bp::layer_stats_table(net, batch, word_bits);
      bp::check_schedulable(net, batch);
      return outcome::stats_only;
    }
    const bp::resource res = make_chip(in);
    const bp::cost_values costs = make_costs(in);
    const bp::options opt = make_options(in);
    // Validate first, as the search does, so slow-but-valid inputs can be skipped.
    opt.validate();
    res.validate();
    bp::check_schedulable(net, batch);
    if (!net.empty() && too_slow_to_search(net, batch, res, opt)) return outcome::validated_only;
    const bp::search_problem problem{net, batch, res, costs, opt};
    bp::search_result r;
#if BP_FUZZ_PROSPECTOR
    if (engine >= 2) {
      constexpr std::size_t n_policies = std::tuple_size_v<bp::builtin_buffer_policies>;
      r = search_with_policy(in.byte() % n_policies, problem, std::make_index_sequence<n_policies>{});
    } else
#endif
      r = bp::tangram_search(net, batch, res, costs, opt);
    check_result(r, opt, net);
    return r.tops.empty() ? outcome::unschedulable : outcome::scheduled;
  } catch (const bp::error& e) {
    if (std::getenv("BP_FUZZ_VERBOSE") != nullptr) std::fprintf(stderr, "bp_fuzz: refused: %s\n", e.what());
    return classify(e);  // bad input, refused with the library's own type: the expected answer
  } catch (const std::exception& e) {
    bug("exception that is not a bp::error", e.what());
  }
}

}  // namespace bp_fuzz
