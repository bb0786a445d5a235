// tests/prospector/reference_cases.hpp -- reading tests/data/prospector/reference.txt, written by
// tests/data/gen/gen_prospector.py (the exact command is in its header).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <bufferprospector/core/fmap_range.hpp>
#include <bufferprospector/core/phy_dim2.hpp>
#include <bufferprospector/prospector/requirements.hpp>

#include "test_data.hpp"

namespace bp_test {

/// One "f" record: F(x, S) from DataLayout.nhops_to.
struct forwarding_case {
  bool forwarding = false;
  bp::phy_dim2 source;
  std::vector<bp::phy_dim2> dests;
  std::int64_t nhops = 0;
};

struct expected_piece {
  bp::phy_dim2 node;
  std::int64_t words = 0;
  std::vector<bp::phy_dim2> consumers;
  std::int64_t f_plain = 0, f_forwarding = 0;
};

struct consumer_case {
  std::int64_t td_xb = 0, channel_offset = 0;
  std::vector<bp::node_fmap_range> ranges;
};

/// One "case" record: a held edge on real per-node ranges and the expected requirement.
struct requirement_case {
  std::string name;
  std::int64_t batch_groups = 0, critical_time = 0, ts_xb = 0;
  std::vector<bp::node_fmap_range> producer;
  std::vector<consumer_case> consumers;
  std::int64_t live = 0, ofmap_words = 0, words = 0;
  std::vector<expected_piece> pieces;
};

struct reference_data {
  std::vector<forwarding_case> forwarding;
  std::vector<requirement_case> cases;
};

inline reference_data read_reference() {
  std::vector<std::string> lines;
  {
    std::istringstream file(read_data("prospector/reference.txt"));
    for (std::string l; std::getline(file, l);) lines.push_back(l);
  }
  std::size_t at = 0;
  const auto tag_of = [&](std::size_t i) { return lines[i].substr(0, lines[i].find(' ')); };
  const auto next_line = [&](const std::string& tag) {
    REQUIRE(at < lines.size());
    std::istringstream in(lines[at++]);
    std::string t;
    in >> t;
    REQUIRE(t == tag);
    return in;
  };
  const auto read_dim = [](std::istringstream& in) {
    bp::phy_dim2 d;
    in >> d.h >> d.w;
    return d;
  };
  const auto read_ranges = [&](std::int64_t n) {
    std::vector<bp::node_fmap_range> v;
    for (std::int64_t i = 0; i < n; ++i) {
      std::istringstream in = next_line("r");
      bp::node_fmap_range r;
      r.node = read_dim(in);
      in >> r.range.beg.b >> r.range.beg.n >> r.range.beg.h >> r.range.beg.w >> r.range.end.b >> r.range.end.n >>
          r.range.end.h >> r.range.end.w;
      REQUIRE(in);
      v.push_back(r);
    }
    return v;
  };

  reference_data out;
  while (at < lines.size()) {
    if (tag_of(at) == "f") {
      std::istringstream in = next_line("f");
      forwarding_case f;
      int fwd = 0;
      std::int64_t k = 0;
      in >> fwd;
      f.forwarding = fwd != 0;
      f.source = read_dim(in);
      in >> k;
      for (std::int64_t i = 0; i < k; ++i) f.dests.push_back(read_dim(in));
      in >> f.nhops;
      REQUIRE(in);
      out.forwarding.push_back(f);
      continue;
    }
    requirement_case c;
    std::int64_t n = 0;
    next_line("case") >> c.name;
    next_line("batching") >> c.batch_groups >> c.critical_time >> c.ts_xb;
    next_line("producer") >> n;
    c.producer = read_ranges(n);
    while (at < lines.size() && tag_of(at) == "consumer") {
      consumer_case cc;
      next_line("consumer") >> cc.td_xb >> cc.channel_offset >> n;
      cc.ranges = read_ranges(n);
      c.consumers.push_back(cc);
    }
    std::int64_t npieces = 0;
    next_line("expect") >> c.live >> c.ofmap_words >> c.words >> npieces;
    for (std::int64_t i = 0; i < npieces; ++i) {
      std::istringstream in = next_line("piece");
      expected_piece p;
      p.node = read_dim(in);
      std::int64_t k = 0;
      in >> p.words >> k;
      for (std::int64_t j = 0; j < k; ++j) p.consumers.push_back(read_dim(in));
      in >> p.f_plain >> p.f_forwarding;
      REQUIRE(in);
      c.pieces.push_back(p);
    }
    out.cases.push_back(c);
  }
  return out;
}

}  // namespace bp_test
