// bufferprospector/arch/memory.hpp -- the memory hierarchy of the chip.
//
// Per core: a global buffer (gbuf) in words; per PE: a register file (regf) in words. Both can
// be static (template arguments) or dynamic. The rest are run-time quantities: word size, where
// DRAM sits (the four corners of a 2D mesh, or stacked on every core), total DRAM bandwidth and
// the array bus width (both in words per cycle, infinite allowed).
//
//   bp::memory_hierarchy<256, 65536> m{{.dram_bandwidth = 8.192}};          // static sizes
//   bp::memory_hierarchy<> d{{.regf_words = 256, .gbuf_words = 65536}};    // dynamic sizes
//
// Tangram's CLI takes bytes; words_from_bytes() converts as it does (integer division by the
// word's bytes, (bits + 7) / 8).
#pragma once

#include <cmath>        // std::isnan
#include <type_traits>  // std::false_type
#include <cstdint>      // std::int64_t
#include <string_view>  // std::string_view

#include <bufferprospector/core/error.hpp>    // bp::detail::throw_invalid_spec
#include <bufferprospector/core/extents.hpp>  // bp::extents, bp::dynamic
#include <bufferprospector/core/math.hpp>     // bp::inf

namespace bp {

/// Where the DRAM channels attach to the mesh.
enum class dram_placement : std::uint8_t {
  edge_2d,    ///< Tangram "2D": four channels at the corner nodes
  stacked_3d  ///< Tangram "3D": one channel on top of every node
};

constexpr std::string_view to_string(dram_placement p) noexcept {
  return p == dram_placement::edge_2d ? "2D" : "3D";
}

/// Word bytes as Tangram computes them from bits: (bits + 7) / 8 (written so that it cannot
/// overflow for any positive bits).
constexpr std::int64_t word_bytes(std::int64_t word_bits) noexcept {
  return word_bits / 8 + (word_bits % 8 > 0 ? 1 : 0);
}

/// A byte capacity in words, integer-divided as nn_dataflow_search does.
constexpr std::int64_t words_from_bytes(std::int64_t bytes, std::int64_t word_bits) noexcept {
  return bytes / word_bytes(word_bits);
}

/// Run-time fields of a memory hierarchy; 0 sizes mean "the static value".
struct memory_params {
  std::int64_t regf_words = 0;   ///< register file words per PE
  std::int64_t gbuf_words = 0;   ///< global buffer words per core
  std::int64_t word_bits = 16;
  dram_placement placement = dram_placement::edge_2d;
  double dram_bandwidth = inf;   ///< total, words per cycle
  double array_bus_width = inf;  ///< words per cycle between gbuf and the PE array
};

template <std::int64_t RegfWords = dynamic, std::int64_t GbufWords = dynamic>
class memory_hierarchy {
 public:
  using extents_type = extents<RegfWords, GbufWords>;
  static constexpr std::int64_t static_regf_words = RegfWords;
  static constexpr std::int64_t static_gbuf_words = GbufWords;

  constexpr explicit memory_hierarchy(const memory_params& p)
      : sizes_(make(p.regf_words, p.gbuf_words)),
        word_bits_(p.word_bits),
        placement_(p.placement),
        dram_bandwidth_(p.dram_bandwidth),
        array_bus_width_(p.array_bus_width) {
    sizes_.validate({"memory.regf_words", "memory.gbuf_words"});
    if (word_bits_ <= 0 || word_bits_ > 64)
      detail::throw_invalid_spec("memory.word_bits", static_cast<long long>(word_bits_), "must be in [1, 64]");
    if (!(dram_bandwidth_ > 0))  // also rejects NaN
      detail::throw_invalid_spec("memory.dram_bandwidth", dram_bandwidth_, "must be > 0 (inf allowed)");
    if (!(array_bus_width_ > 0))
      detail::throw_invalid_spec("memory.array_bus_width", array_bus_width_, "must be > 0 (inf allowed)");
  }

  template <std::int64_t R2, std::int64_t G2>
  constexpr explicit(!((RegfWords == dynamic || RegfWords == R2) &&
                       (GbufWords == dynamic || GbufWords == G2)))
      memory_hierarchy(const memory_hierarchy<R2, G2>& o)
      : memory_hierarchy(o.params()) {}

  constexpr std::int64_t regf_words() const noexcept { return sizes_.value(0); }
  constexpr std::int64_t gbuf_words() const noexcept { return sizes_.value(1); }
  constexpr std::int64_t word_bits() const noexcept { return word_bits_; }
  constexpr dram_placement placement() const noexcept { return placement_; }
  constexpr double dram_bandwidth() const noexcept { return dram_bandwidth_; }
  constexpr double array_bus_width() const noexcept { return array_bus_width_; }

  constexpr memory_params params() const noexcept {
    return {regf_words(), gbuf_words(), word_bits_, placement_, dram_bandwidth_, array_bus_width_};
  }

  friend constexpr bool operator==(const memory_hierarchy&, const memory_hierarchy&) = default;

 private:
  static constexpr extents_type make(std::int64_t regf, std::int64_t gbuf) {
    if (RegfWords != dynamic && regf != 0 && regf != RegfWords)
      detail::throw_invalid_spec("memory.regf_words", static_cast<long long>(regf), "differs from the static extent");
    if (GbufWords != dynamic && gbuf != 0 && gbuf != GbufWords)
      detail::throw_invalid_spec("memory.gbuf_words", static_cast<long long>(gbuf), "differs from the static extent");
    if constexpr (RegfWords == dynamic && GbufWords == dynamic) return extents_type(regf, gbuf);
    else if constexpr (RegfWords == dynamic) return extents_type(regf);
    else if constexpr (GbufWords == dynamic) return extents_type(gbuf);
    else return extents_type();
  }

  [[no_unique_address]] extents_type sizes_;
  std::int64_t word_bits_;
  dram_placement placement_;
  double dram_bandwidth_;
  double array_bus_width_;
};

template <class T>
struct is_memory_hierarchy : std::false_type {};
template <std::int64_t R, std::int64_t G>
struct is_memory_hierarchy<memory_hierarchy<R, G>> : std::true_type {};
template <class T>
concept memory_hierarchy_type = is_memory_hierarchy<T>::value;

}  // namespace bp
