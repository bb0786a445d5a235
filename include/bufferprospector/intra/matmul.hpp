// bufferprospector/intra/matmul.hpp -- how an activation x activation product (layers::matmul,
// attention's Q*K^T and softmax*V) is scheduled in Tangram's model. Tangram has no such layer;
// this is the library's own model, "a Conv-like layer whose filter operand comes from its
// producer", and in Tangram mode that operand is read from DRAM like weights ("weights-from-DRAM
// approximation", docs/bufferprospector-model.md section 7.2).
//
//   bp::layer qk = bp::layers::matmul{.nifm = 768, .nofm = 12 * 512, .sofm = {512, 1}, .groups = 12};
//   bp::matmul_group_conv(qk);   // ConvLayer 64 -> 512 over (512, 1), 1x1: one group, one sample
//
// The model
// ---------
// A matmul with G groups (heads), nifm inputs and nofm outputs is G independent dense products:
// group g maps input channels [g*Ci, (g+1)*Ci) to output channels [g*K, (g+1)*K) (Ci = nifm/G,
// K = nofm/G, channels group-major), each output neuron a dot product of Ci terms with a column
// of the second operand, a Ci x K matrix per group and per sample (the producer's output).
// Groups therefore behave like extra batch samples for all three data categories: the layer is
// one 1x1 ConvLayer Ci -> K over sofm (matmul_group_conv) run on batch * G "samples", with the
// matmul's data loops FIL = (IFM, OFM, BAT): the operand differs per sample and per group.
// Every total of that convolution equals the matmul's own (BERT-base _QK: Ci = 64, K = 512,
// T = 512, G = 12):
//   ops      K*T*Ci * batch*G  = nofm*T*(nifm/G) * batch = total_ops(batch)      201,326,592
//   ifmaps   Ci*T   * batch*G  = nifm*T * batch          = total_ifmap_size       393,216
//   ofmaps   K*T    * batch*G  = nofm*T * batch          = total_ofmap_size     3,145,728
//   operand  Ci*K   * batch*G  = nifm*nofm/G * batch     = total_filter_size      393,216
// (per sample of batch 1). Each Eyeriss mapping, loop blocking and DRAM access count below is
// that of the group convolution; only partitioning sees the real (b, n, h, w) fmaps.
//
// Partitioning (intra/partition.hpp, intra/partition_scheme.hpp) keeps every node's data a box of
// the real fmaps, so data layouts, NoC hops and the network's other layers are unchanged:
//   OUTP splits the real output channels [0, nofm) as for a ConvLayer; since channels are
//        group-major, a part holds whole groups (parts divide G), a slice of one group (G divides
//        the parts) or straddles group boundaries. A node reads the inputs of every group it
//        touches (matmul_groups_touched): a contiguous channel range.
//   INPP splits each group's Ci inputs (partial sums, as for a ConvLayer). Allowed only when
//        every OUTP part lies within one group (or G = 1); otherwise a node's inputs would not be
//        one channel range.
//   BATP splits the real samples only (a group is never split between BATP nodes).
//   OFMP tiles the positions; all tiles of a sample need the same operand.
// The operand a node needs is (its share of the group inputs) x (its output channels) x (its
// samples), identified by those three ranges (proc_data_ranges::fil_*).
//
// Per-node layer (matmul_part_layer): Tangram describes all nodes by one padded per-node layer.
// For a matmul it is a matmul of g groups, g = the most groups any OUTP part touches, with
// ceil(ceil(nofm/OUTP) / g) outputs and ceil(Ci/INPP) inputs per group. When the OUTP parts align
// with group boundaries this is exact; when they straddle them, the node's outputs are assumed
// spread evenly over its g groups (ops, operand and ofmap volumes stay those of the real part;
// nodes touching fewer groups are charged g groups of ifmaps). Occupancy accounts the padding.
//
// Mapping (intra/map_strategy.hpp): the Eyeriss mapping of the group convolution with batch
// * g samples. Tangram turns the width folds of a logical PE set into more batch iterations; for
// a ConvLayer that is harmless (filters do not vary with BAT), but an operand that varies with
// BAT would then be counted once per fold. All folds of one sample share its operand, so for a
// matmul the width folds stay inside the unit pass (unit time, fmap accesses and gbuf unit sizes
// times the folds; the operand once). Without width folds the group convolution maps exactly
// like a ConvLayer.
//
// Loop blocking: the exhaustive sweep, all 36 level orders (skip_conv is Tangram's pruning for
// ConvLayer loops only). The analytical solver does not apply: its derivation keeps the resident
// filter across the BAT loop, which the operand does not allow. The LoopBlockingScheme model
// itself is generic in the data loops: the operand's fetch count is 1 at every level (no loop is
// unrelated to it), its buffered units grow with the BAT factors below a level, and every DRAM
// access of it is a DRAM access (filter nodes = DRAM nodes, read once per fetch). It is never
// pinned on chip (no_time_mux): it changes every run.
//
// Buffer sharing and access forwarding (intra/buf_shr_scheme.hpp): the operand of a sample is
// shared by the OFMP nodes (not by BATP nodes); the ifmaps are shared by the OUTP nodes only when
// G = 1 (grouped OUTP nodes read other groups' inputs; when G divides the OUTP parts a few nodes
// do read the same inputs: not exploited, pessimistic); the ofmaps by the INPP nodes.
//
// Whole network (pipeline/): the operand edge (network::weight_prevs) is a dependency: the
// producer is scheduled first. In Tangram mode it writes its ofmaps to DRAM (it has a memory
// destination even without data consumers), and a segment never holds both ends (segment_status::
// weight_edge_inside). With the buffer prospector's held-edge typing an operand edge inside a
// segment is a held edge (pipeline/pipeline_segment.hpp, search/segment_prospector.hpp): the
// producer keeps its ofmaps in spare buffers and the matmul, scheduled as reading its operand
// from DRAM, is converted to read it from there. Where a node's operand lies in the producer's
// ofmaps is matmul_operand_box. External producers (a decode step's KV cache) are DRAM inputs. The BAT
// loop runs sample-major (all groups of a sample, then the next), so a pipeline's top-level
// batch blocking (topbat, a divisor of the batch) splits whole samples. A top-level IFM or OFM
// block of a grouped matmul, however, is a slice of every group, not a channel range its
// producer or consumer could forward: with G > 1 only topifm = topofm = 1 (whole fmaps) is
// schedulable (layer_scheduler).
//
// Approximations, all pessimistic except the first: the operand is read from the nearest DRAM
// node as if replicated in all of them (its producer's real layout is ignored, as Tangram ignores
// where weights are); straddling OUTP parts are padded as above; grouped OUTP nodes never share
// ifmaps; grouped matmuls forward whole fmaps only.
#pragma once

#include <algorithm>  // std::max
#include <cstdint>    // std::int64_t

#include <bufferprospector/config.hpp>           // BP_ASSERT
#include <bufferprospector/core/fmap_range.hpp>  // bp::int_range
#include <bufferprospector/core/math.hpp>        // bp::idivc, bp::ith_range
#include <bufferprospector/workload/layer.hpp>   // bp::layer, bp::layers::matmul

namespace bp {

/// Input channels of one group (Ci = nifm / groups).
inline std::int64_t matmul_inputs_per_group(const layer& mm) noexcept { return mm.nifm() / mm.groups(); }
/// Output channels of one group (K = nofm / groups).
inline std::int64_t matmul_outputs_per_group(const layer& mm) noexcept { return mm.nofm() / mm.groups(); }

/// The groups [g0, g1) whose outputs meet the output-channel range `ofm_channels` (empty for an
/// empty range).
inline int_range matmul_groups_touched(const layer& mm, int_range ofm_channels) noexcept {
  if (ofm_channels.empty()) return {0, 0};
  const std::int64_t k = matmul_outputs_per_group(mm);
  return {ofm_channels.beg / k, idivc(ofm_channels.end, k)};
}

/// The most groups any of the `parts` OUTP parts of the output channels touches (Tangram's
/// get_ith_range split; 1 for a layer without groups).
inline std::int64_t matmul_max_groups_per_part(const layer& mm, std::int64_t parts) noexcept {
  std::int64_t most = 1;
  for (std::int64_t i = 0; i < parts; ++i) {
    const auto [beg, end] = ith_range(0, mm.nofm(), i, parts);
    most = std::max(most, matmul_groups_touched(mm, {beg, end}).size());
  }
  return most;
}

/// The per-node layer of a matmul split over `outp_parts` output-channel and `inpp_parts`
/// input-channel parts, with the per-node ofmap `p_ofm` (see the header comment).
inline layer matmul_part_layer(const layer& mm, std::int64_t outp_parts, std::int64_t inpp_parts, size2 p_ofm) {
  BP_ASSERT(mm.kind() == layer_kind::matmul);
  const std::int64_t groups = matmul_max_groups_per_part(mm, outp_parts);
  const std::int64_t outputs = idivc(idivc(mm.nofm(), outp_parts), groups);
  const std::int64_t inputs = idivc(matmul_inputs_per_group(mm), inpp_parts);
  return layers::matmul{.nifm = groups * inputs, .nofm = groups * outputs, .sofm = p_ofm, .groups = groups};
}

/// The part of its producer's ofmaps (whole batch, as proc_data_range gives them) that holds the
/// operand a matmul node needs: `fil_ifm` (the node's share of each group's Ci inputs, relative
/// to the group), `fil_ofm` (its output channels) and `fil_bat` (its samples), as in
/// proc_data_ranges. The producer (one layer, the only weight prev) has C_P = G * c channels of
/// S = h * w positions; group g's Ci x K operand is its channels [g*c, (g+1)*c) at all positions,
/// in one of two orientations:
///   c = Ci, S = K: a channel indexes the inputs, a position the outputs (Q*K^T reading K);
///   c = K, S = Ci: a channel indexes the outputs, a position the inputs (softmax*V reading V).
/// (When both hold the first is taken; when neither does, the box is the node's whole groups.)
/// Positions are row-major; a range of them that is not whole rows becomes its bounding rows.
/// The box is exact when the node's outputs lie in one group (or it reads whole groups) and its
/// positions are whole rows (always for the transformers' (T, 1) fmaps); otherwise it is the
/// bounding box and may be larger than the operand (its filter_volume): callers weigh by that.
inline fmap_range matmul_operand_box(const layer& mm, const layer& producer, int_range fil_ifm, int_range fil_ofm,
                                     int_range fil_bat) {
  BP_ASSERT(mm.kind() == layer_kind::matmul);
  const std::int64_t ci = matmul_inputs_per_group(mm), k = matmul_outputs_per_group(mm);
  const std::int64_t c = producer.nofm() / mm.groups();
  const std::int64_t rows = producer.hofm(), cols = producer.wofm(), s = rows * cols;
  const int_range g = matmul_groups_touched(mm, fil_ofm);
  if (g.empty() || fil_ifm.empty() || fil_bat.empty()) return {};
  int_range ch{g.beg * c, g.end * c}, pos{0, s};
  if (c == ci && s == k) {
    ch = {g.beg * c + fil_ifm.beg, (g.end - 1) * c + fil_ifm.end};
    if (g.size() == 1) pos = {fil_ofm.beg - g.beg * k, fil_ofm.end - g.beg * k};
  } else if (c == k && s == ci) {
    ch = fil_ofm;  // output o of group g is channel g*c + (o - g*k) = o
    pos = fil_ifm;
  }
  int_range h{0, rows}, w{0, cols};
  if (pos.beg != 0 || pos.end != s) {
    if (cols == 1) h = pos;
    else if (rows == 1) w = pos;
    else h = {pos.beg / cols, idivc(pos.end, cols)};
  }
  return {{fil_bat.beg, ch.beg, h.beg, w.beg}, {fil_bat.end, ch.end, h.end, w.end}};
}

/// One group of one sample as a ConvLayer: Ci -> K over the matmul's ofmap, 1x1 filter.
inline layer matmul_group_conv(const layer& mm) {
  BP_ASSERT(mm.kind() == layer_kind::matmul);
  return layers::conv{.nifm = matmul_inputs_per_group(mm), .nofm = matmul_outputs_per_group(mm),
                      .sofm = {mm.hofm(), mm.wofm()}, .sfil = 1, .strd = 1};
}

}  // namespace bp
