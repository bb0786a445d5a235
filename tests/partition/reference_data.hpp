// tests/partition/reference_data.hpp -- reading the reference files of tests/data/partition
// (written by tests/data/gen/gen_partition.py): whitespace-separated records, one per line.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <bufferprospector/arch/node_region.hpp>
#include <bufferprospector/core/fmap_range.hpp>
#include <bufferprospector/intra/data_layout.hpp>
#include <bufferprospector/intra/partition_scheme.hpp>
#include <bufferprospector/options.hpp>
#include <bufferprospector/workload/layer.hpp>

#include "test_data.hpp"

namespace bp_test {

/// One line: its tag (first word) and a cursor over the remaining words.
struct record {
  std::string tag;
  std::vector<std::string> words;
  std::size_t pos = 0;

  bool done() const { return pos == words.size(); }
  const std::string& word() {
    REQUIRE(pos < words.size());
    return words[pos++];
  }
  std::int64_t integer() { return std::stoll(word()); }
  bp::phy_dim2 dim() {
    const std::int64_t h = integer();
    return {h, integer()};
  }
  bp::fmap_range frng() {
    bp::fmap_range f;
    f.beg = {integer(), integer(), integer(), integer()};
    f.end = {integer(), integer(), integer(), integer()};
    return f;
  }
  bp::node_region region() {
    const bp::phy_dim2 d = dim(), origin = dim(), dist = dim();
    const auto type = integer() == 0 ? bp::region_type::proc : bp::region_type::dram;
    const std::int64_t wtot = integer();
    return bp::node_region(d, origin, dist, type, wtot, integer());
  }
  bp::partition_scheme part() {
    bp::partition_scheme::order_type order{};
    for (auto& o : order) o = static_cast<bp::parallel_dim>(integer());
    bp::per_parallel<bp::phy_dim2> pdims;
    for (auto& d : pdims) d = dim();
    return bp::partition_scheme(order, pdims);
  }
  bp::data_layout::piece piece() {
    const bp::fmap_range f = frng();
    const bp::node_region r = region();
    return {f, r, part()};
  }
  /// The layer of a `layer` record (formats of gen_mapping.py / gen_partition.py).
  bp::layer layer() {
    using namespace bp::layers;
    const std::string kind = word();
    if (kind == "conv") {
      const std::int64_t nifm = integer(), nofm = integer();
      const bp::phy_dim2 o = dim(), f = dim(), s = dim();
      return conv{.nifm = nifm, .nofm = nofm, .sofm = {o.h, o.w}, .sfil = {f.h, f.w}, .strd = {s.h, s.w}};
    }
    if (kind == "fc") {
      const std::int64_t nifm = integer(), nofm = integer();
      const bp::phy_dim2 f = dim();
      return fc{.nifm = nifm, .nofm = nofm, .sfil = {f.h, f.w}};
    }
    if (kind == "pool") {
      const std::int64_t nofm = integer();
      const bp::phy_dim2 o = dim(), r = dim(), s = dim();
      return pooling{.nofm = nofm, .sofm = {o.h, o.w}, .sreg = {r.h, r.w}, .strd = bp::size2{s.h, s.w}};
    }
    if (kind == "eltwise") {
      const std::int64_t nofm = integer();
      const bp::phy_dim2 o = dim();
      return eltwise{.nofm = nofm, .sofm = {o.h, o.w}, .nreg = integer()};
    }
    if (kind == "input") {
      const std::int64_t nofm = integer();
      const bp::phy_dim2 o = dim();
      return input{.nofm = nofm, .sofm = {o.h, o.w}};
    }
    REQUIRE(kind == "lr");
    const std::int64_t nofm = integer();
    const bp::phy_dim2 o = dim();
    const std::int64_t nreg = integer();
    const bp::phy_dim2 r = dim();
    const std::int64_t ntrd = integer();
    const bp::phy_dim2 s = dim();
    return local_region{.nofm = nofm, .sofm = {o.h, o.w}, .nreg = nreg, .sreg = {r.h, r.w}, .ntrd = ntrd,
                        .strd = {s.h, s.w}};
  }
  /// `<hybrid> <batch> <ifmaps>` partition option flags.
  bp::options partition_options() {
    bp::options o;
    o.partition_hybrid = integer() != 0;
    o.partition_batch = integer() != 0;
    o.partition_ifmaps = integer() != 0;
    return o;
  }
};

/// All records of a data file, in order.
inline std::vector<record> read_records(const std::string& relative) {
  std::istringstream in(read_data(relative));
  std::vector<record> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    record r;
    if (!(ls >> r.tag)) continue;
    for (std::string w; ls >> w;) r.words.push_back(w);
    out.push_back(std::move(r));
  }
  return out;
}

/// Sequential access to the records, checking tags.
struct record_stream {
  std::vector<record> records;
  std::size_t next = 0;

  bool done() const { return next == records.size(); }
  const std::string& peek_tag() const { return records.at(next).tag; }
  record& take(const std::string& tag) {
    REQUIRE(next < records.size());
    record& r = records[next++];
    REQUIRE(r.tag == tag);
    return r;
  }
};

}  // namespace bp_test
