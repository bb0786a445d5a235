// bufferprospector/intra/map_strategy.hpp -- the Eyeriss row-stationary array mapping
// (Tangram's MapStrategyEyeriss, nn_dataflow/core/map_strategy.py).
//
// A partitioned layer on one node is mapped onto the PE array as "logical PE sets": for a
// CONV/FC layer one set per (batch, ofmap, ifmap) triple, hfil x hofm PEs each computing one 1D
// convolution (a filter row over an ofmap row); for a local-region layer one set per
// (batch, ofmap), hreg x hofm PEs. A set that is too large is folded over several array passes
// (fold), a small one is replicated over the array (repl); height replication first absorbs the
// width folding. What remains is a loop nest (IFM, OFM, BAT) around one "processing pass", which
// nested_loop_descs() describes, one description per way of spending the height replication on
// ifmaps vs ofmaps (Chen, Emer, Sze, ISCA'16; Gao et al., ASPLOS'17).
//
//   bp::eyeriss_mapping m(p.l, p.batch, p.occupancy, {16, 16});   // p from part_layer()
//   if (m.below_half_utilization()) ...;                            // Tangram dies here
//   for (const bp::nested_loop_desc& nld : m.nested_loop_descs()) ...;
//
// Tangram computes the unit pass with a *fractional* ofmap height (hofm / fold.w); those values
// are computed here in doubles in the same operation order, so every float is bit-identical.
//
// A matmul (activation x activation product, not in Tangram) is mapped as its group convolution
// (intra/matmul.hpp): a 1x1 ConvLayer per group with batch * groups samples and the matmul's
// data loops; its width folds stay inside the unit pass, since they share the sample's operand.
#pragma once

#include <algorithm>  // std::min
#include <array>      // std::array
#include <cmath>      // std::abs
#include <cstdint>    // std::int64_t
#include <limits>     // std::numeric_limits
#include <string>     // std::string
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>             // BP_ASSERT
#include <bufferprospector/core/enums.hpp>         // bp::per_data, bp::per_level, bp::per_loop
#include <bufferprospector/core/error.hpp>         // bp::invalid_layer
#include <bufferprospector/core/format.hpp>        // bp::python_repr
#include <bufferprospector/core/math.hpp>          // bp::idivc, bp::for_each_factorization
#include <bufferprospector/core/phy_dim2.hpp>      // bp::phy_dim2
#include <bufferprospector/intra/matmul.hpp>       // bp::matmul_group_conv
#include <bufferprospector/intra/nested_loop.hpp>  // bp::nested_loop_desc
#include <bufferprospector/workload/layer.hpp>     // bp::layer

namespace bp {

/// Python's repr of a PhyDim2 namedtuple, e.g. "PhyDim2(h=6, w=8)".
inline std::string phy_dim2_repr(phy_dim2 d) {
  return "PhyDim2(h=" + std::to_string(d.h) + ", w=" + std::to_string(d.w) + ")";
}

class eyeriss_mapping {
 public:
  /// `p_layer` is the layer of one node after partitioning, `occupancy` its useful fraction of
  /// ops (partition_scheme::part_layer). Throws bp::invalid_layer for kinds that cannot be
  /// mapped (input) and for an occupancy outside (0, 1]. A matmul is mapped as its group
  /// convolution on batch * groups samples.
  eyeriss_mapping(const layer& p_layer, std::int64_t batch, double occupancy, phy_dim2 dim_array)
      : layer_(mapped_layer(p_layer)), batch_(batch), occupancy_(occupancy), dim_array_(dim_array),
        data_loops_(p_layer.data_loops()) {
    if (!layer_.is_conv_like() && !layer_.is_local_region())
      throw invalid_layer("MapEyeriss: unrecognized layer type " +
                          std::string(to_string(layer_.kind())) + ".");
    if (!(0 < occupancy_ && occupancy_ <= 1))
      throw invalid_layer("MapStrategy: occupancy must be between 0 and 1 (got " +
                          python_repr(occupancy_) + ").");
    if (batch_ <= 0) throw invalid_layer("MapStrategy: batch = " + std::to_string(batch_) + " must be > 0.");
    batch_ *= p_layer.groups();  // independent groups are more samples (1 for other kinds)
    if (dim_array_.h <= 0 || dim_array_.w <= 0)
      throw invalid_spec("MapStrategy: dim_array = " + phy_dim2_repr(dim_array_) + " must be positive.");

    // Logical PE set: one PE per (filter/region row, ofmap row), each doing a 1D convolution.
    [[maybe_unused]] std::int64_t cnt_lpeset = 0;  // only checked
    if (conv_like()) {
      ops_lpe_ = layer_.wfil() * layer_.wofm();
      dim_lpeset_ = {layer_.hfil(), layer_.hofm()};
      cnt_lpeset = batch_ * layer_.nofm() * layer_.nifm();
    } else {
      ops_lpe_ = layer_.nreg() * layer_.wreg() * layer_.wofm();
      dim_lpeset_ = {layer_.hreg(), layer_.hofm()};
      cnt_lpeset = batch_ * layer_.nofm();
    }
    BP_ASSERT(ops_lpe_ * dim_lpeset_.size() * cnt_lpeset == layer_.total_ops(batch_));

    replicate_and_fold();
    // An operand that varies with BAT is shared by all width folds of a sample, so those folds
    // stay in one unit pass instead of becoming more BAT iterations (only matmul; a 1x1 filter
    // is never folded in height).
    if (data_loops_[data_category::fil].contains(loop_dim::bat)) unit_folds_ = fold_.w;
    BP_ASSERT(unit_folds_ == 1 || fold_.h == 1);

    // repl.size() logical sets share the array over fold.size() passes.
    util_ = 1. * static_cast<double>(dim_lpeset_.size() * repl_.size()) /
            static_cast<double>(dim_array_.size() * fold_.size());
    BP_ASSERT(util_ <= 1. + 1e-6);
  }

  /// Average fraction of active PEs.
  double utilization() const noexcept { return util_; }

  /// Tangram asserts utilization > 0.5 and the whole run dies (AssertionError) otherwise.
  bool below_half_utilization() const noexcept { return !(util_ > 0.5); }

  /// Tangram's assertion text for a mapping below half utilization.
  std::string low_utilization_message() const {
    return "MapEyeriss: PE array resource utilization < 50%. Physical PE set " +
           phy_dim2_repr(dim_ppeset_) + "; array size " + phy_dim2_repr(dim_array_) +
           "; logic PE set " + phy_dim2_repr(dim_lpeset_) + "; folded logic PE set " +
           phy_dim2_repr(dim_flpeset_) + ". Can't we fit more?";
  }

  /// Calls fn(const nested_loop_desc&) for each mapping, in gen_nested_loop_desc's order.
  template <class Fn>
  void for_each_nested_loop_desc(Fn&& fn) const {
    const unit_pass up = calc_unit_pass();
    const per_data<data_dim_loops>& dls = data_loops_;
    for_each_replication([&](const replication& r) { fn(make_desc(up, dls, r)); });
  }

  /// All mappings (MapStrategyEyeriss.gen_nested_loop_desc), in Tangram's order.
  std::vector<nested_loop_desc> nested_loop_descs() const {
    std::vector<nested_loop_desc> out;
    for_each_nested_loop_desc([&](const nested_loop_desc& d) { out.push_back(d); });
    return out;
  }

  // -- the mapping's geometry (for reports and tests) ----------------------------------------
  phy_dim2 dim_lpeset() const noexcept { return dim_lpeset_; }   ///< logical PE set
  phy_dim2 fold() const noexcept { return fold_; }               ///< passes per logical set
  phy_dim2 repl() const noexcept { return repl_; }               ///< sets side by side
  phy_dim2 dim_flpeset() const noexcept { return dim_flpeset_; } ///< one folded logical set
  phy_dim2 dim_ppeset() const noexcept { return dim_ppeset_; }   ///< one physical array pass
  std::int64_t ops_lpe() const noexcept { return ops_lpe_; }     ///< ops of one logical PE

 private:
  // Execution stats of one unit pass: fold.h folded sets, all filter parts, one folded fmap (all
  // unit_folds width folds of it).
  struct unit_pass {
    double ops = 0;
    std::int64_t time = 0;
    per_level<per_data<double>> access{};
    per_data<std::int64_t> sz_gbuf{};
    per_data<std::int64_t> sz_regf{};
    double amp_acc_ifm = 0;  // ifmap rows re-fetched because fold.w splits overlapping windows
  };

  // One way to turn the replication into ifmap/ofmap parallelism (_gen_repl).
  struct replication {
    per_loop<std::int64_t> lcnt{};
    per_loop<double> locc{1., 1., 1.};
    std::int64_t size = 0;
    per_data<std::int64_t> count{};
  };

  bool conv_like() const noexcept { return layer_.is_conv_like(); }

  static layer mapped_layer(const layer& l) { return l.kind() == layer_kind::matmul ? matmul_group_conv(l) : l; }

  /// Width folds iterated like samples (the BAT loop); the others are inside the unit pass.
  std::int64_t bat_folds() const noexcept { return fold_.w / unit_folds_; }

  // _repl_fold: fold what does not fit, replicate what is small; height replication first hosts
  // the width folds.
  void replicate_and_fold() {
    std::int64_t fold_w = 1, repl_w = 1, fold_h = 1, repl_h = 1;
    if (dim_lpeset_.h > dim_array_.h)
      fold_h = idivc(dim_lpeset_.h, dim_array_.h);
    else
      repl_h = dim_array_.h / dim_lpeset_.h;
    if (dim_lpeset_.w > dim_array_.w)
      fold_w = idivc(dim_lpeset_.w, dim_array_.w);
    else
      repl_w = dim_array_.w / dim_lpeset_.w;

    const std::int64_t f_w2h = std::min(repl_h, fold_w);
    fold_w = idivc(fold_w, f_w2h);
    repl_h = repl_h / f_w2h;

    fold_ = {fold_h, fold_w};
    repl_ = {repl_h, repl_w};
    dim_flpeset_ = {idivc(dim_lpeset_.h, fold_.h), idivc(dim_lpeset_.w, fold_.w)};
    dim_ppeset_ = {dim_flpeset_.h * repl_.h * f_w2h, idivc(dim_flpeset_.w * repl_.w, f_w2h)};
    BP_ASSERT(dim_ppeset_.h <= dim_array_.h && dim_ppeset_.w <= dim_array_.w);
  }

  // _calc_unitpass. The "acc" quantities use the fractional folded ofmap height hofm / fold.w
  // (Tangram builds a layer with a float height); the "buf" ones its ceiling.
  unit_pass calc_unit_pass() const {
    using M = mem_level;
    unit_pass u;
    const std::int64_t flpesets_per_unitpass = fold_.h;
    const std::int64_t folds = unit_folds_;  // width folds run one after the other in the pass
    const double acc_hofm = 1. * static_cast<double>(layer_.hofm()) / static_cast<double>(bat_folds());
    const std::int64_t buf_hofm = idivc(layer_.hofm(), bat_folds());
    const std::int64_t wofm = layer_.wofm();
    // The window is the filter (conv) or the region (local region); same fields in bp::layer.
    const std::int64_t hwin = layer_.hfil(), wwin = layer_.wfil();
    const std::int64_t acc_wifm = wwin + (wofm - 1) * layer_.wtrd();
    const double acc_hifm = static_cast<double>(hwin) + (acc_hofm - 1) * static_cast<double>(layer_.htrd());
    const std::int64_t buf_hifm = hwin + (buf_hofm - 1) * layer_.htrd();
    // Size of the ofmap and of the ifmap of one folded channel (Layer.total_*fmap_size with
    // nofm = 1, batch = 1, word = 1): the float height times the width.
    const double acc_ofmap = acc_hofm * static_cast<double>(wofm);
    const double acc_ifmap_1ch = acc_hifm * static_cast<double>(acc_wifm);
    const double fh = static_cast<double>(flpesets_per_unitpass);
    const std::int64_t flpeset_size = dim_flpeset_.size();

    u.time = flpesets_per_unitpass * ops_lpe_ * folds;
    if (conv_like()) {
      u.ops = acc_ofmap * static_cast<double>(hwin * wwin);
      const std::int64_t fil = hwin * wwin;
      u.access[M::dram] = {static_cast<double>(fil), acc_ifmap_1ch, acc_ofmap};
      // One folded filter at a time in the regf, so fmaps are re-read once per folded set.
      u.access[M::gbuf] = {static_cast<double>(fil), acc_ifmap_1ch * fh, acc_ofmap * fh};
      // The filter rows stay in the PEs across the width folds of the pass.
      u.access[M::itcn] = {static_cast<double>(wwin * flpeset_size * flpesets_per_unitpass),
                           static_cast<double>(acc_wifm * flpeset_size * flpesets_per_unitpass * folds),
                           static_cast<double>(wofm * flpeset_size * flpesets_per_unitpass * folds)};
      u.access[M::regf] = {u.ops, u.ops, u.ops};
      u.sz_gbuf = {fil, buf_hifm * acc_wifm, buf_hofm * wofm};
      // A filter row per PE; ifmap and ofmap stream through a sliding window.
      u.sz_regf = {wwin, wwin, 1};
    } else {
      // Tangram's unit-pass layer has ntrd = 1 (one ifmap channel per ofmap channel). Partitioned
      // layers always have ntrd = 1 in Tangram mode; with full eltwise inputs (quirks off) the
      // ifmap volume carries all ntrd operand channels.
      const std::int64_t ntrd = layer_.ntrd();
      u.ops = acc_ofmap * static_cast<double>(layer_.nreg() * hwin * wwin);
      const double acc_ifmap = ntrd == 1 ? acc_ifmap_1ch : static_cast<double>(ntrd) * acc_ifmap_1ch;
      u.access[M::dram] = {0, acc_ifmap, acc_ofmap};
      // Each folded set reads a different ifmap range, but the ofmap is revisited.
      u.access[M::gbuf] = {0, acc_ifmap, acc_ofmap * fh};
      u.access[M::itcn] = {0, static_cast<double>(ntrd * acc_wifm * flpeset_size),
                           static_cast<double>(wofm * flpeset_size * flpesets_per_unitpass)};
      u.access[M::regf] = {0, u.ops, u.ops};
      u.sz_gbuf = {0, ntrd * buf_hifm * acc_wifm, buf_hofm * wofm};
      u.sz_regf = {0, wwin, 1};
    }
    // All used PEs run `time` to execute the replicated ops.
    BP_ASSERT(isclose(static_cast<double>(u.time * dim_array_.size()) * util_,
                      u.ops * static_cast<double>(repl_.size()), 1e-9, 1e-3));
    u.amp_acc_ifm = 1. * acc_hifm * static_cast<double>(bat_folds()) / static_cast<double>(layer_.hifm());
    return u;
  }

  // _gen_repl. CONV: repl.w serves ofmaps, repl.h is split between ifmaps and ofmaps; the unit
  // time does not depend on the split, so splits with more total loops than one seen before are
  // dropped (a running minimum, exactly as Tangram filters). Local region: ofmaps only.
  template <class Fn>
  void for_each_replication(Fn&& fn) const {
    using L = loop_dim;
    using D = data_category;
    if (conv_like()) {
      std::int64_t min_cnt_loops = std::numeric_limits<std::int64_t>::max();
      for_each_factorization<2>(repl_.h, [&](const std::array<std::int64_t, 2>& t_repl_h) {
        const std::int64_t ifms = std::min(t_repl_h[0], layer_.nifm());
        const std::int64_t ofms = std::min(t_repl_h[1] * repl_.w, layer_.nofm());
        replication r;
        r.size = ifms * ofms;
        r.lcnt[L::ifm] = idivc(layer_.nifm(), ifms);
        r.lcnt[L::ofm] = idivc(layer_.nofm(), ofms);
        r.lcnt[L::bat] = batch_ * bat_folds();  // width folds act as more batch
        const std::int64_t cnt_loops = r.lcnt[L::ifm] * r.lcnt[L::ofm] * r.lcnt[L::bat];
        if (cnt_loops < min_cnt_loops)
          min_cnt_loops = cnt_loops;
        else if (cnt_loops > min_cnt_loops)
          return;
        r.locc[L::ifm] = 1. * static_cast<double>(layer_.nifm()) / static_cast<double>(ifms) /
                         static_cast<double>(r.lcnt[L::ifm]);
        r.locc[L::ofm] = 1. * static_cast<double>(layer_.nofm()) / static_cast<double>(ofms) /
                         static_cast<double>(r.lcnt[L::ofm]);
        r.count[D::fil] = ifms * ofms;
        r.count[D::ifm] = ifms;
        r.count[D::ofm] = ofms;
        fn(static_cast<const replication&>(r));
      });
    } else {
      const std::int64_t ofms = std::min(repl_.size(), layer_.nofm());
      replication r;
      r.size = ofms;
      r.lcnt[L::ifm] = 1;  // the ifmap loop follows the ofmap loop
      r.lcnt[L::ofm] = idivc(layer_.nofm(), ofms);
      r.lcnt[L::bat] = batch_ * bat_folds();
      r.locc[L::ofm] = 1. * static_cast<double>(layer_.nofm()) / static_cast<double>(ofms) /
                       static_cast<double>(r.lcnt[L::ofm]);
      r.count = {0, ofms, ofms};  // ifmaps and ofmaps one to one
      fn(static_cast<const replication&>(r));
    }
  }

  // The body of gen_nested_loop_desc's loop: replicate the unit pass to a processing pass.
  nested_loop_desc make_desc(const unit_pass& up, const per_data<data_dim_loops>& dls,
                             const replication& r) const {
    using M = mem_level;
    const double prod_locc = r.locc[0] * r.locc[1] * r.locc[2];
    const double rsz = static_cast<double>(r.size);
    nested_loop_desc nld;
    nld.loopcnt = r.lcnt;
    // Ops scale with replication, the external (partition) and the loop occupancies.
    nld.unit_ops = up.ops * rsz * occupancy_ * prod_locc;
    nld.unit_time = up.time;  // replicas run side by side; a partial loop takes as long
    for (auto d : all<data_category>) {
      nld.usize_gbuf[d] = up.sz_gbuf[d] * r.count[d];  // replicas share the one gbuf
      nld.usize_regf[d] = up.sz_regf[d];                // replicas use other PEs
    }
    for (auto d : all<data_category>) {
      const double aocc = dls[d].take_product(r.locc);
      const double n = static_cast<double>(r.count[d]);
      nld.unit_access[M::dram][d] = up.access[M::dram][d] * n * aocc;
      nld.unit_access[M::gbuf][d] = up.access[M::gbuf][d] * n * aocc;
      nld.unit_access[M::itcn][d] = up.access[M::itcn][d] * rsz * aocc;
      nld.unit_access[M::regf][d] = up.access[M::regf][d] * rsz * occupancy_ * prod_locc;
    }
    nld.data_loops = dls;
    check_desc(nld, up);
    return nld;
  }

  // Tangram's consistency checks (assert_float_eq_int: within 1).
  void check_desc([[maybe_unused]] const nested_loop_desc& nld, [[maybe_unused]] const unit_pass& up) const {
#if BP_ENABLE_ASSERT
    using M = mem_level;
    using D = data_category;
    const auto near = [](double f, double i) { return !(std::abs(f - i) > 1); };
    const double ops = static_cast<double>(layer_.total_ops(batch_)) * occupancy_;
    const double loops = static_cast<double>(nld.loopcnt[0] * nld.loopcnt[1] * nld.loopcnt[2]);
    BP_ASSERT(near(nld.total_ops(), ops));
    // An operand that varies with BAT is read once per sample.
    const std::int64_t fil_samples = data_loops_[D::fil].contains(loop_dim::bat) ? batch_ : 1;
    BP_ASSERT(near(nld.total_access_at_of(M::dram, D::fil),
                   conv_like() ? static_cast<double>(layer_.total_filter_size() * fil_samples) : 0.));
    BP_ASSERT(near(nld.total_access_at_of(M::dram, D::ifm) / up.amp_acc_ifm,
                   static_cast<double>(layer_.total_ifmap_size(batch_))));
    BP_ASSERT(near(nld.total_access_at_of(M::dram, D::ofm),
                   static_cast<double>(layer_.total_ofmap_size(batch_))));
    BP_ASSERT(near(nld.unit_access[M::regf][D::fil] * loops, conv_like() ? ops : 0.));
    BP_ASSERT(near(nld.unit_access[M::regf][D::ifm] * loops, ops));
    BP_ASSERT(near(nld.unit_access[M::regf][D::ofm] * loops, ops));
#endif
  }

  layer layer_;             // a matmul's group convolution
  std::int64_t batch_;      // times a matmul's groups
  double occupancy_;
  phy_dim2 dim_array_;
  per_data<data_dim_loops> data_loops_;
  std::int64_t unit_folds_ = 1;  // width folds inside one unit pass
  std::int64_t ops_lpe_ = 0;
  phy_dim2 dim_lpeset_;
  phy_dim2 fold_;
  phy_dim2 repl_;
  phy_dim2 dim_flpeset_;
  phy_dim2 dim_ppeset_;
  double util_ = 0;
};

}  // namespace bp
