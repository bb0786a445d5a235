// bufferprospector/report/layer_stats.hpp -- per-layer data sizes, MACs and the minimum
// "optimal" buffer of a network, as Tangram's tools/nn_layer_stats.py prints them.
//
//   std::cout << bp::layer_stats_table(bp::zoo::make("alex_net"), /*batch=*/1, /*word_bits=*/16);
//
// The table is byte-identical to the Python tool's output: the same header, `{:30s}` names,
// `{:12.2f}` numbers (kB = 1024 bytes, M = 1024 * 1024 MACs), MAX and SUM lines with `nan` in the
// columns that are not aggregated, and the closing layer-count line. Every float is computed from
// the same integers in the same operation order as the Python, so the rounding to 2 decimals
// cannot differ.
#pragma once

#include <algorithm>  // std::min, std::max
#include <cstdint>    // std::int64_t
#include <initializer_list>
#include <limits>     // std::numeric_limits
#include <optional>   // std::optional
#include <string>     // std::string, std::to_string

#include <bufferprospector/core/error.hpp>        // bp::invalid_option
#include <bufferprospector/core/format.hpp>       // bp::fixed, bp::pad_right
#include <bufferprospector/core/math.hpp>         // bp::checked_mul
#include <bufferprospector/workload/layer.hpp>    // bp::layer
#include <bufferprospector/workload/network.hpp>  // bp::network

namespace bp {

/// One row of the table. Sizes in kB (1024 bytes), MACs in M (1024 * 1024).
struct layer_stats {
  double ifmap_kb = 0;
  double ofmap_kb = 0;
  double weight_kb = 0;        ///< 0 for layers without weights (local-region layers)
  double macs_m = 0;
  double min_opt_buf_kb = 0;   ///< see layer_stats_of
};

namespace detail {

inline constexpr double stats_kilo = 1024.;
inline constexpr double stats_million = 1024. * 1024.;

/// Python's `(word + 7) // 8` for word > 0, without overflowing at the top of the range.
constexpr std::int64_t word_bytes_of(std::int64_t word_bits) noexcept {
  return word_bits / 8 + (word_bits % 8 != 0 ? 1 : 0);
}

[[noreturn]] inline void throw_stats_overflow(const char* what, std::int64_t batch,
                                              std::int64_t word_bytes) {
  throw invalid_option(std::string("layer_stats: batch = ") + std::to_string(batch) +
                       " with a word of " + std::to_string(word_bytes) + " bytes makes the " +
                       what + " overflow int64");
}

/// Product of positive factors, or nullopt on int64 overflow (Python's ints do not overflow; the
/// library refuses instead of printing a wrong number).
inline std::optional<std::int64_t> checked_product(std::initializer_list<std::int64_t> factors) {
  std::optional<std::int64_t> out = 1;
  for (auto f : factors)
    if (out) out = checked_mul(*out, f);
  return out;
}

}  // namespace detail

/// The statistics of one layer for `batch` samples of `word_bytes` bytes per word.
///
/// The minimum optimal buffer is, over the three data categories, the smallest sum of the full
/// size of one category, one channel (or one sample) of the second and one point of the third
/// (nn_layer_stats.py's six candidates, in its order and association).
/// Throws bp::invalid_option when batch or word_bytes is not positive, or when a size in bytes
/// or the MAC count does not fit in int64.
inline layer_stats layer_stats_of(const layer& l, std::int64_t batch, std::int64_t word_bytes) {
  if (batch <= 0)
    throw invalid_option("layer_stats: batch = " + std::to_string(batch) + " must be > 0");
  if (word_bytes <= 0)
    throw invalid_option("layer_stats: word_bytes = " + std::to_string(word_bytes) +
                         " must be > 0");
  // The layer guarantees that its per-sample, per-word totals fit in int64 (layer.hpp
  // check_volume); only the scaling by batch and word can overflow. Integer products are exact,
  // so the factor order does not matter here, only the int -> double conversion that follows.
  const auto ifmap_bytes = detail::checked_product({l.total_ifmap_size(), batch, word_bytes});
  const auto ofmap_bytes = detail::checked_product({l.total_ofmap_size(), batch, word_bytes});
  const auto filter_bytes = detail::checked_product({l.total_filter_size(), word_bytes});
  const auto ops = detail::checked_product({l.total_ops(), batch});
  if (!ifmap_bytes) detail::throw_stats_overflow("ifmap size", batch, word_bytes);
  if (!ofmap_bytes) detail::throw_stats_overflow("ofmap size", batch, word_bytes);
  if (!filter_bytes) detail::throw_stats_overflow("weight size", batch, word_bytes);
  if (!ops) detail::throw_stats_overflow("MAC count", batch, word_bytes);

  layer_stats s;
  s.ifmap_kb = static_cast<double>(*ifmap_bytes) / detail::stats_kilo;
  s.ofmap_kb = static_cast<double>(*ofmap_bytes) / detail::stats_kilo;
  // Python catches the AttributeError of layers without total_filter_size and uses 0; ours
  // returns 0 for them, and 0 / 1024. is the same 0.
  s.weight_kb = static_cast<double>(*filter_bytes) / detail::stats_kilo;
  s.macs_m = static_cast<double>(*ops) / detail::stats_million;

  const double ifm = s.ifmap_kb;
  const double ofm = s.ofmap_kb;
  const double fil = s.weight_kb;
  const auto b = static_cast<double>(batch);
  const auto ni = static_cast<double>(l.nifm());
  const auto no = static_cast<double>(l.nofm());
  // Python's min() keeps the first of equal values; with no NaN possible here, std::min over the
  // same sequence returns the same value.
  s.min_opt_buf_kb = std::min({fil + (ifm + ofm / no) / b,  //
                               fil + (ifm / ni + ofm) / b,  //
                               ifm + (ofm + fil / ni) / no,  //
                               ifm + (ofm / b + fil) / no,  //
                               ofm + (ifm + fil / no) / ni,  //
                               ofm + (ifm / b + fil) / ni});
  return s;
}

namespace detail {

/// layer_stats_of, naming the layer in the error message.
inline layer_stats stats_of_named(const layer& l, const std::string& name, std::int64_t batch,
                                  std::int64_t word_bytes) {
  try {
    return layer_stats_of(l, batch, word_bytes);
  } catch (const invalid_option& e) {
    throw invalid_option(std::string(e.what()) + " (layer " + name + ")");
  }
}

}  // namespace detail

/// The text that `nn_layer_stats.py NET -b batch -w word_bits` prints for `net`.
///
/// Counts: an FC layer counts as FC, a conv layer as CONV. A matmul layer (activation x
/// activation, not in Tangram) is neither a weight-bearing convolution nor a fully-connected
/// layer, so it is deliberately counted as neither; its row is still printed, with its second
/// operand in the weight column.
/// Throws bp::invalid_option for batch <= 0, word_bits <= 0, or sizes that overflow int64.
///
/// **Example**: `bp::layer_stats_table(bp::zoo::make("mlp_s"), 1, 16)` starts with
/// `"Layer                         ,    Ifmap/kB,    Ofmap/kB,..."`.
inline std::string layer_stats_table(const network& net, std::int64_t batch,
                                     std::int64_t word_bits) {
  if (batch <= 0)
    throw invalid_option("layer_stats_table: batch = " + std::to_string(batch) + " must be > 0");
  if (word_bits <= 0)
    throw invalid_option("layer_stats_table: word_bits = " + std::to_string(word_bits) +
                         " must be > 0");
  const std::int64_t word_bytes = detail::word_bytes_of(word_bits);

  constexpr std::size_t name_width = 30;
  constexpr int number_width = 12;
  constexpr int precision = 2;
  const auto row = [](std::string_view name, std::initializer_list<double> values) {
    std::string line = pad_right(name, name_width);
    for (double v : values) line += "," + fixed(v, number_width, precision);
    return line + "\n";
  };
  const auto header_cell = [](std::string_view text) {  // Python's "{:>12}"
    return std::string(text.size() < number_width ? number_width - text.size() : 0, ' ') +
           std::string(text);
  };
  const std::string separator = std::string(name_width, '-') + "\n";

  std::string out = pad_right("Layer", name_width);
  for (const char* h : {"Ifmap/kB", "Ofmap/kB", "Weight/kB", "MACs/M", "MinOptBuf/kB"})
    out += "," + header_cell(h);
  out += "\n";

  double max_fmaps = 0, max_filters = 0, max_ops = 0;
  double sum_fmaps = 0, sum_filters = 0, sum_ops = 0;
  int convs = 0, fcs = 0;
  for (layer_id id = 0; id < net.size(); ++id) {
    const layer& l = net[id];
    if (l.kind() == layer_kind::fc) ++fcs;
    if (l.kind() == layer_kind::conv) ++convs;  // matmul: neither (see above)

    const layer_stats s = detail::stats_of_named(l, net.name_of(id), batch, word_bytes);
    out += row(net.name_of(id), {s.ifmap_kb, s.ofmap_kb, s.weight_kb, s.macs_m, s.min_opt_buf_kb});

    max_fmaps = std::max(max_fmaps, s.ofmap_kb);
    max_filters = std::max(max_filters, s.weight_kb);
    max_ops = std::max(max_ops, s.macs_m);
    sum_fmaps += s.ofmap_kb;
    sum_filters += s.weight_kb;
    sum_ops += s.macs_m;
  }

  constexpr double nan = std::numeric_limits<double>::quiet_NaN();  // prints "nan", as Python
  out += separator;
  out += row("MAX", {nan, max_fmaps, max_filters, max_ops, nan});
  out += row("SUM", {nan, sum_fmaps, sum_filters, sum_ops, nan});
  out += separator;
  out += "# CONV layers = " + std::to_string(convs) + ", # FC layers = " + std::to_string(fcs) +
         "\n";
  return out;
}

}  // namespace bp
