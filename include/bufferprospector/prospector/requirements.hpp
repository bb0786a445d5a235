// bufferprospector/prospector/requirements.hpp -- the Buffer Requirement Calculator's output
// types and the formulas that need no scheduler (docs/bufferprospector-model.md section 3.2).
//
// A held edge P -> L keeps P's ofmap in spare GBUF space instead of sending it through DRAM. With
// the segment's B batch groups issued every C/B cycles (C = critical_time), group b of P's data
// lives from P's start of group b to L's end of group b, so at most
//   N_live = min(B, ceil((td_xb(L) - ts_xb(P)) / C))
// groups are alive at once, and the hold needs R_e = N_live * V_e / B words (V_e = P's ofmap of
// the whole batch). It is split into pieces, one per producer node n, of
// r_{e,n} = N_live * |ofrng_n| / B words, each read by the consumer nodes S_{e,n} whose ifmap
// range overlaps it. Several held consumers of one producer share one hold (max td_xb).
// A cross-segment hold (E3) keeps every group: R_e = V_e.
//
// Rounding. Words are integers, so R_e = floor(N_live * V_e / B), which is exact whenever B
// divides N_live * V_e (always for a whole-batch ofmap, since B divides the batch). The pieces
// are apportioned by largest remainder: each gets floor(N_live * |ofrng_n| / B), and the
// R_e - sum(floors) words left (fewer than the number of pieces) go one each to the pieces with
// the largest remainder (N_live * |ofrng_n|) mod B, ties to the earlier node in the input list.
// So the pieces always sum to R_e exactly and each differs from its exact share by less than 1.
//
//   const bp::held_edge e = bp::intra_segment_hold(
//       {.layer = p, .order = 0, .ts_xb = 0, .ofmap_ranges = p_ranges},
//       std::array{bp::hold_consumer{.layer = res, .td_xb = 37968, .ifmap_ranges = res_ranges}},
//       {.batch_groups = 2, .critical_time = 11520});   // e.words == 200704
#pragma once

#include <algorithm>  // std::sort, std::stable_sort, std::max, std::unique
#include <cstddef>    // std::size_t
#include <cstdint>    // std::int64_t
#include <numeric>    // std::iota
#include <span>       // std::span
#include <string>     // std::string, std::to_string
#include <vector>     // std::vector

#include <bufferprospector/core/error.hpp>                   // bp::invalid_spec
#include <bufferprospector/core/fmap_range.hpp>              // bp::fmap_range
#include <bufferprospector/core/math.hpp>                    // bp::idivc
#include <bufferprospector/core/phy_dim2.hpp>                // bp::phy_dim2
#include <bufferprospector/prospector/spare_buffer.hpp>      // bp::hold_lifetime
#include <bufferprospector/workload/network.hpp>             // bp::layer_id

namespace bp {

//
// Value types: what the allocator receives
//

/// E1: a hold inside one segment (timing mismatch M1-M3); E3: a hold across segments.
enum class hold_kind : std::uint8_t { intra_segment, inter_segment };

/// One node's share of an fmap: the ofmap range a producer node writes, or the ifmap range a
/// consumer node reads (partition.proc_data_range).
struct node_fmap_range {
  phy_dim2 node;
  fmap_range range{};
};

/// One allocation piece: the words of a held edge produced on one producer node, and the
/// consumer nodes that read them (S_{e,n}, sorted by node id, without duplicates).
struct hold_piece {
  phy_dim2 producer_node;
  std::int64_t words = 0;
  std::vector<phy_dim2> consumers{};
  friend bool operator==(const hold_piece&, const hold_piece&) = default;
};

/// A held edge (or several held consumers of one producer sharing one hold) and its requirement.
struct held_edge {
  layer_id producer = 0;
  std::vector<layer_id> consumers{};
  std::int64_t producer_order = 0;  ///< producer's position in ordered_layer_list: order tie-break
  hold_kind kind = hold_kind::intra_segment;
  std::int64_t ofmap_words = 0;     ///< V_e: the producer's ofmap of the whole batch
  std::int64_t batch_groups = 1;    ///< B
  std::int64_t live_groups = 1;     ///< N_live (E3: 1 of batch_groups = 1, the whole batch)
  std::int64_t words = 0;           ///< R_e, the sum of the pieces' words
  hold_lifetime lifetime{};         ///< when the hold occupies its hosts (interval packing only)
  double saved_energy = 0;          ///< energy the hold saves (density-first order only)
  std::int64_t segments_spanned = 1;  ///< segments the hold lives through (E3: k' - k + 1)
  std::vector<hold_piece> pieces{};

  /// Saved energy per held word and segment: the density-first order key.
  double density() const noexcept {
    const double denom = static_cast<double>(words) * static_cast<double>(segments_spanned);
    return denom > 0 ? saved_energy / denom : 0;
  }
  friend bool operator==(const held_edge&, const held_edge&) = default;
};

//
// Formulas
//

/// N_live = min(B, ceil((td_xb(L) - ts_xb(P)) / C)): the batch groups of P's data alive at once.
/// Throws bp::invalid_spec unless B >= 1, C >= 1 and td_xb(L) > ts_xb(P).
inline std::int64_t live_batch_groups(std::int64_t batch_groups, std::int64_t critical_time,
                                      std::int64_t producer_ts_xb, std::int64_t consumer_td_xb) {
  if (batch_groups < 1)
    detail::throw_invalid_spec("held edge: batch_groups", static_cast<long long>(batch_groups), "must be >= 1");
  if (critical_time < 1)
    detail::throw_invalid_spec("held edge: critical_time", static_cast<long long>(critical_time), "must be >= 1");
  if (consumer_td_xb <= producer_ts_xb)
    throw invalid_spec("held edge: consumer td_xb = " + std::to_string(consumer_td_xb) +
                       " must be > producer ts_xb = " + std::to_string(producer_ts_xb));
  return std::min(batch_groups, idivc(consumer_td_xb - producer_ts_xb, critical_time));
}

/// R_e = floor(N_live * V_e / B) words (exact when B divides N_live * V_e).
constexpr std::int64_t total_requirement(std::int64_t live_groups, std::int64_t ofmap_words,
                                         std::int64_t batch_groups) noexcept {
  return live_groups * ofmap_words / batch_groups;
}

/// The lifetime of an intra-segment hold, in _xb units: from the producer's start to the last
/// consumer's end of the last batch group, [ts_xb(P), td_xb(L) + (B - 1) * C).
constexpr hold_lifetime intra_hold_lifetime(std::int64_t producer_ts_xb, std::int64_t consumer_td_xb,
                                            std::int64_t batch_groups, std::int64_t critical_time) noexcept {
  return {producer_ts_xb, consumer_td_xb + (batch_groups - 1) * critical_time};
}

/// The pieces' words: share_i = live * sizes[i] / groups, apportioned by largest remainder so that
/// they sum to floor(live * sum(sizes) / groups) (header comment: "Rounding").
inline std::vector<std::int64_t> apportion_words(std::span<const std::int64_t> sizes, std::int64_t live_groups,
                                                 std::int64_t batch_groups) {
  std::vector<std::int64_t> words(sizes.size());
  std::int64_t total = 0, assigned = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    words[i] = live_groups * sizes[i] / batch_groups;
    assigned += words[i];
    total += sizes[i];
  }
  std::int64_t left = total_requirement(live_groups, total, batch_groups) - assigned;
  BP_ASSERT(0 <= left && left <= static_cast<std::int64_t>(sizes.size()));
  if (left == 0) return words;
  std::vector<std::size_t> by_remainder(sizes.size());
  std::iota(by_remainder.begin(), by_remainder.end(), std::size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(), [&](std::size_t a, std::size_t b) {
    return live_groups * sizes[a] % batch_groups > live_groups * sizes[b] % batch_groups;
  });
  for (std::size_t k = 0; left > 0; ++k, --left) ++words[by_remainder[k]];
  return words;
}

/// S: the consumer nodes whose ifmap range overlaps `piece` (a producer ofmap range), after
/// shifting the piece by the producer's channel offset in the consumer's concatenated ifmap
/// (DataLayout.concat). Sorted by node id, without duplicates; appended to `out`.
inline void add_consumer_nodes(const fmap_range& piece, std::int64_t channel_offset,
                               std::span<const node_fmap_range> consumer_ifmap_ranges, std::vector<phy_dim2>& out) {
  fmap_range shifted = piece;
  shifted.beg.n += channel_offset;
  shifted.end.n += channel_offset;
  for (const node_fmap_range& c : consumer_ifmap_ranges)
    if (c.range.overlap_size(shifted) > 0) out.push_back(c.node);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

/// The producer of a held edge: its per-node ofmap ranges over the whole batch (replicas of one
/// range, as INPP nodes that only sum partial results, count once: the first node listed keeps
/// it) and its start ts_xb in the segment.
struct hold_producer {
  layer_id layer = 0;
  std::int64_t order = 0;  ///< position in ordered_layer_list
  std::int64_t ts_xb = 0;
  std::span<const node_fmap_range> ofmap_ranges{};
};

/// One held consumer: its per-node ifmap ranges, the producer's channel offset in its
/// concatenated ifmap, and its done time td_xb in the segment (unused for E3).
struct hold_consumer {
  layer_id layer = 0;
  std::int64_t td_xb = 0;
  std::int64_t channel_offset = 0;
  std::span<const node_fmap_range> ifmap_ranges{};
};

/// The segment's batching: B = bat_ngrp and C = critical_time.
struct segment_batching {
  std::int64_t batch_groups = 1;
  std::int64_t critical_time = 1;
};

namespace detail {

// The producer's ranges with replicas dropped; throws when two distinct ranges overlap (each word
// must have one producing node).
inline std::vector<node_fmap_range> distinct_ofmap_ranges(std::span<const node_fmap_range> ranges) {
  std::vector<node_fmap_range> out;
  out.reserve(ranges.size());
  for (const node_fmap_range& r : ranges) {
    if (r.range.size() <= 0) continue;
    bool replica = false;
    for (const node_fmap_range& o : out) {
      if (o.range == r.range) {
        replica = true;
        break;
      }
      if (o.range.overlap_size(r.range) > 0)
        throw invalid_spec("held edge: ofmap ranges of producer nodes (" + std::to_string(o.node.h) + ", " +
                           std::to_string(o.node.w) + ") and (" + std::to_string(r.node.h) + ", " +
                           std::to_string(r.node.w) + ") overlap without being equal");
    }
    if (!replica) out.push_back(r);
  }
  if (out.empty()) throw invalid_spec("held edge: the producer has no ofmap range");
  return out;
}

inline held_edge make_hold(const hold_producer& p, std::span<const hold_consumer> consumers, hold_kind kind,
                           std::int64_t batch_groups, std::int64_t live_groups) {
  if (consumers.empty()) throw invalid_spec("held edge: no consumer");
  const std::vector<node_fmap_range> ranges = distinct_ofmap_ranges(p.ofmap_ranges);
  std::vector<std::int64_t> sizes;
  sizes.reserve(ranges.size());
  held_edge e;
  e.producer = p.layer;
  e.producer_order = p.order;
  e.kind = kind;
  e.batch_groups = batch_groups;
  e.live_groups = live_groups;
  for (const node_fmap_range& r : ranges) {
    sizes.push_back(r.range.size());
    e.ofmap_words += r.range.size();
  }
  for (const hold_consumer& c : consumers) {
    if (c.channel_offset < 0)
      detail::throw_invalid_spec("held edge: channel_offset", static_cast<long long>(c.channel_offset), "must be >= 0");
    e.consumers.push_back(c.layer);
  }
  const std::vector<std::int64_t> words = apportion_words(sizes, live_groups, batch_groups);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (words[i] == 0) continue;  // nothing of this node is alive at once: no piece
    hold_piece piece{ranges[i].node, words[i], {}};
    for (const hold_consumer& c : consumers) add_consumer_nodes(ranges[i].range, c.channel_offset, c.ifmap_ranges, piece.consumers);
    e.words += words[i];
    e.pieces.push_back(std::move(piece));
  }
  BP_ASSERT(e.words == total_requirement(live_groups, e.ofmap_words, batch_groups));
  return e;
}

}  // namespace detail

/// An intra-segment hold (E1) of producer `p` for `consumers` (several share one hold: N_live from
/// the latest td_xb), with its pieces, consumer sets and lifetime.
inline held_edge intra_segment_hold(const hold_producer& p, std::span<const hold_consumer> consumers,
                                    const segment_batching& seg) {
  if (consumers.empty()) throw invalid_spec("held edge: no consumer");
  std::int64_t last_td_xb = consumers.front().td_xb;
  for (const hold_consumer& c : consumers) last_td_xb = std::max(last_td_xb, c.td_xb);
  const std::int64_t live = live_batch_groups(seg.batch_groups, seg.critical_time, p.ts_xb, last_td_xb);
  held_edge e = detail::make_hold(p, consumers, hold_kind::intra_segment, seg.batch_groups, live);
  e.lifetime = intra_hold_lifetime(p.ts_xb, last_td_xb, seg.batch_groups, seg.critical_time);
  return e;
}

/// A cross-segment hold (E3): every batch group stays (R_e = V_e, pieces |ofrng_n|), for the
/// whole of every segment it spans.
inline held_edge inter_segment_hold(const hold_producer& p, std::span<const hold_consumer> consumers,
                                    std::int64_t segments_spanned) {
  if (segments_spanned < 1)
    detail::throw_invalid_spec("held edge: segments_spanned", static_cast<long long>(segments_spanned), "must be >= 1");
  held_edge e = detail::make_hold(p, consumers, hold_kind::inter_segment, 1, 1);
  e.segments_spanned = segments_spanned;
  return e;
}

}  // namespace bp
