// bufferprospector/workload/schedulable.hpp -- whether a layer (or a whole network) at a batch
// size is within the scheduler's limits (core/limits.hpp).
//
//   bp::check_schedulable(net, batch);   // throws naming the layer, the field, its value, the limit
//
// A bp::layer only refuses shapes that are impossible (zero sizes) or whose sizes overflow int64;
// describing and counting (layer_stats_table) works for any of them. Scheduling multiplies those
// sizes further and enumerates their divisors, so the per-layer scheduler and the whole-network
// searches call this first: extents above limits::max_layer_extent throw bp::invalid_layer, a
// batch outside [1, limits::max_batch] bp::invalid_option, and data or MAC totals over the batch
// above limits::max_data_words / max_ops bp::invalid_layer (naming the batch). For a network, an
// external input that feeds no layer is refused too (bp::invalid_network).
#pragma once

#include <cstdint>   // std::int64_t
#include <optional>  // std::optional
#include <string>    // std::string, std::to_string

#include <bufferprospector/core/error.hpp>        // bp::invalid_layer, bp::invalid_option
#include <bufferprospector/core/limits.hpp>       // bp::limits
#include <bufferprospector/core/math.hpp>         // bp::checked_mul
#include <bufferprospector/workload/layer.hpp>    // bp::layer
#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp {

namespace detail {

[[noreturn]] inline void refuse_layer(const layer& l, const std::string& what) {
  throw invalid_layer("Scheduling: " + l.repr() + ": " + what);
}

inline void check_extent(const layer& l, const char* field, std::int64_t value) {
  if (value > limits::max_layer_extent)
    refuse_layer(l, std::string(field) + " = " + std::to_string(value) + " " +
                        limits::exceeds(limits::max_layer_extent, "max_layer_extent"));
}

// per_sample * batch must not exceed `limit` (per_sample absent: it overflowed int64 already).
inline void check_total(const layer& l, const char* what, std::optional<std::int64_t> per_sample,
                        std::int64_t batch, std::int64_t limit, const char* limit_name) {
  const auto total = per_sample ? checked_mul(*per_sample, batch) : per_sample;
  if (!total || *total > limit)
    refuse_layer(l, std::string(what) + " at batch " + std::to_string(batch) + " = " +
                        (total ? std::to_string(*total) : std::string("more than 2^63")) + " " +
                        limits::exceeds(limit, limit_name));
}

}  // namespace detail

/// Throws unless `l` at `batch` is within the scheduler's limits (see the header comment).
inline void check_schedulable(const layer& l, std::int64_t batch) {
  if (batch <= 0 || batch > limits::max_batch)
    throw invalid_option("Scheduling: batch = " + std::to_string(batch) +
                         (batch <= 0 ? std::string(" must be > 0") : " " + limits::exceeds(limits::max_batch, "max_batch")));
  detail::check_extent(l, "nofm", l.nofm());
  detail::check_extent(l, "hofm", l.hofm());
  detail::check_extent(l, "wofm", l.wofm());
  const auto volume = [&](const char* what, std::int64_t a, std::int64_t b, std::int64_t c) {
    auto v = checked_mul(a, b);
    if (v) v = checked_mul(*v, c);
    if (!v) detail::refuse_layer(l, std::string(what) + " overflows int64");
    return *v;
  };
  const std::int64_t ofmap = volume("ofmap words per sample", l.nofm(), l.hofm(), l.wofm());
  detail::check_total(l, "ofmap words", ofmap, batch, limits::max_data_words, "max_data_words");
  if (l.is_input()) return;

  detail::check_extent(l, "nifm", l.nifm());
  detail::check_extent(l, l.is_conv_like() ? "hfil" : "hreg", l.hfil());
  detail::check_extent(l, l.is_conv_like() ? "wfil" : "wreg", l.wfil());
  detail::check_extent(l, "htrd", l.htrd());
  detail::check_extent(l, "wtrd", l.wtrd());
  detail::check_extent(l, "nreg", l.nreg());
  detail::check_extent(l, "ntrd", l.ntrd());
  detail::check_extent(l, "groups", l.groups());
  // hifm = hfil + (hofm - 1) * htrd may reach 2^48: the layer itself checked it fits.
  const auto ifmap_h = checked_mul(l.nifm(), l.hifm());
  detail::check_total(l, "ifmap words", ifmap_h ? checked_mul(*ifmap_h, l.wifm()) : ifmap_h, batch,
                      limits::max_data_words, "max_data_words");
  const std::int64_t window = l.hfil() * l.wfil();  // both <= 2^24
  if (l.is_conv_like()) {
    // The filters of all samples (a matmul's second operand is per sample).
    const std::int64_t filters = volume("filter words", l.nifm() / l.groups(), l.nofm(), window);
    detail::check_total(l, "filter words", filters, l.kind() == layer_kind::matmul ? batch : 1,
                        limits::max_data_words, "max_data_words");
  }
  const std::int64_t ops_per_output = volume("MACs per output", window, l.is_conv_like() ? l.nifm() / l.groups() : l.nreg(), 1);
  detail::check_total(l, "MACs", checked_mul(ofmap, ops_per_output), batch, limits::max_ops, "max_ops");
}

/// Every layer of `net` (and its input and external layers) at `batch`; the error names the layer.
/// Also refuses a disconnected network: an external input that feeds no layer (bp::invalid_network;
/// a network cannot have cycles: a layer's producers must exist before it is added).
inline void check_schedulable(const network& net, std::int64_t batch) {
  for (const layer_id id : net.ext_layers())
    if (net.nexts(id).empty() && net.weight_nexts(id).empty())
      throw invalid_network("Network " + net.name() + ": external layer " + net.name_of(id) +
                            " feeds no layer (a disconnected input)");
  const auto check = [&](layer_id id, const layer& l) {
    try {
      check_schedulable(l, batch);
    } catch (const invalid_layer& e) {
      throw invalid_layer("Network " + net.name() + ": layer " + net.name_of(id) + ": " + e.what());
    }
  };
  check(network::input, net.input_layer());
  for (const layer_id id : net.ext_layers()) check(id, net[id]);
  for (layer_id id = 0; id < net.size(); ++id) check(id, net[id]);
}

}  // namespace bp
