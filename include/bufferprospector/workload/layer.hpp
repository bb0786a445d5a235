// bufferprospector/workload/layer.hpp -- NN layers with Tangram v2.1's shape semantics.
//
// One value type, bp::layer, built from a small parameter struct per kind with designated
// initializers:
//
//   bp::layer c = bp::layers::conv{.nifm = 3, .nofm = 64, .sofm = 112, .sfil = 7, .strd = 2};
//   bp::layer p = bp::layers::pooling{.nofm = 64, .sofm = 56, .sreg = 3, .strd = 2};
//
// Kinds and their Tangram classes (nn_dataflow/core/layer.py):
//   input        InputLayer          ofmaps only, no ops
//   conv         ConvLayer           hifm = hfil + (hofm - 1) * htrd
//   fc           FCLayer             ConvLayer with hofm = wofm = 1, hfil x wfil = the ifmap
//   local_region LocalRegionLayer    nifm = nofm * ntrd, region nreg x hreg x wreg
//   pooling      PoolingLayer        LocalRegion with nreg = ntrd = 1, strd defaults to sreg
//   eltwise      EltwiseLayer        LocalRegion with nreg = ntrd = N inputs, sreg = 1
//   matmul       (new)               activation x activation product (attention Q*K^T,
//                                    softmax*V): a grouped 1x1 ConvLayer whose filter operand is
//                                    the output of a producer layer (SET's wgtPrevs), see
//                                    docs/bufferprospector-model.md section 7.2
// Sizes are in words unless a word size is given; counts are int64.
#pragma once

#include <algorithm>  // std::max
#include <cstdint>    // std::int64_t
#include <optional>
#include <string>
#include <string_view>

#include <bufferprospector/core/error.hpp>         // bp::invalid_layer
#include <bufferprospector/core/format.hpp>        // bp::tuple_repr
#include <bufferprospector/core/math.hpp>          // bp::checked_mul
#include <bufferprospector/workload/data_loops.hpp>  // bp::data_loops

namespace bp {

/// h x w given either as one number (square) or as a pair: `.sofm = 56` or `.sofm = {14, 28}`.
struct size2 {
  std::int64_t h = 0;
  std::int64_t w = 0;
  constexpr size2() = default;
  constexpr size2(std::int64_t square) noexcept : h(square), w(square) {}  // NOLINT: implicit by design
  constexpr size2(std::int64_t height, std::int64_t width) noexcept : h(height), w(width) {}
  friend constexpr bool operator==(const size2&, const size2&) = default;
};

enum class layer_kind : std::uint8_t { input, conv, fc, local_region, pooling, eltwise, matmul };

constexpr std::string_view to_string(layer_kind k) noexcept {
  switch (k) {
    case layer_kind::input: return "InputLayer";
    case layer_kind::conv: return "ConvLayer";
    case layer_kind::fc: return "FCLayer";
    case layer_kind::local_region: return "LocalRegionLayer";
    case layer_kind::pooling: return "PoolingLayer";
    case layer_kind::eltwise: return "EltwiseLayer";
    case layer_kind::matmul: return "MatMulLayer";
  }
  return "?";
}

/// Parameter structs, one per kind, for designated initialization.
namespace layers {
struct input {
  std::int64_t nofm = 0;
  size2 sofm;
};
struct conv {
  std::int64_t nifm = 0;
  std::int64_t nofm = 0;
  size2 sofm;
  size2 sfil;
  size2 strd = 1;
};
struct fc {
  std::int64_t nifm = 0;
  std::int64_t nofm = 0;
  size2 sfil = 1;
};
struct local_region {
  std::int64_t nofm = 0;
  size2 sofm;
  std::int64_t nreg = 1;
  size2 sreg = 1;
  std::int64_t ntrd = 1;
  size2 strd = 1;
};
struct pooling {
  std::int64_t nofm = 0;
  size2 sofm;
  size2 sreg;
  std::optional<size2> strd{};  // defaults to sreg, as PoolingLayer does
};
struct eltwise {
  std::int64_t nofm = 0;
  size2 sofm;
  std::int64_t nreg = 1;  // number of operands
};
/// Activation x activation matmul, `groups` independent products (one per attention head).
/// ifmap: nifm channels of sofm; "filter": the producer's output, nifm/groups x nofm/groups per
/// group; each output neuron takes nifm/groups MACs.
struct matmul {
  std::int64_t nifm = 0;
  std::int64_t nofm = 0;
  size2 sofm;
  std::int64_t groups = 1;
};
}  // namespace layers

/// A layer's shape. Immutable after construction; construction validates.
class layer {
 public:
  layer(const layers::input& p) : kind_(layer_kind::input), nofm_(p.nofm), ofm_(p.sofm) {
    check_output("InputLayer");
  }

  layer(const layers::conv& p) : layer(layer_kind::conv, p.nifm, p.nofm, p.sofm, p.sfil, p.strd) {}

  layer(const layers::fc& p) : layer(layer_kind::fc, p.nifm, p.nofm, size2{1}, p.sfil, size2{1}) {}

  layer(const layers::local_region& p)
      : layer(layer_kind::local_region, p.nofm, p.sofm, p.nreg, p.sreg, p.ntrd, p.strd) {}

  layer(const layers::pooling& p)
      : layer(layer_kind::pooling, p.nofm, p.sofm, 1, p.sreg, 1, p.strd.value_or(p.sreg)) {}

  layer(const layers::eltwise& p)
      : layer(layer_kind::eltwise, p.nofm, p.sofm, p.nreg, size2{1}, p.nreg, size2{1}) {}

  layer(const layers::matmul& p)
      : layer(layer_kind::matmul, p.nifm, p.nofm, p.sofm, size2{1}, size2{1}) {
    groups_ = p.groups;
    if (groups_ <= 0) fail("MatMulLayer", "groups", groups_, "must be > 0");
    if (nifm_ % groups_ != 0) fail("MatMulLayer", "nifm", nifm_, "must be a multiple of groups");
    if (nofm_ % groups_ != 0) fail("MatMulLayer", "nofm", nofm_, "must be a multiple of groups");
  }

  // -- kind ---------------------------------------------------------------------------------
  layer_kind kind() const noexcept { return kind_; }
  /// Scheduled as a ConvLayer (Tangram's isinstance(layer, ConvLayer)): conv, fc, matmul.
  bool is_conv_like() const noexcept {
    return kind_ == layer_kind::conv || kind_ == layer_kind::fc || kind_ == layer_kind::matmul;
  }
  /// Scheduled as a LocalRegionLayer: local_region, pooling, eltwise.
  bool is_local_region() const noexcept {
    return kind_ == layer_kind::local_region || kind_ == layer_kind::pooling ||
           kind_ == layer_kind::eltwise;
  }
  bool is_input() const noexcept { return kind_ == layer_kind::input; }

  // -- shape ----------------------------------------------------------------------------------
  std::int64_t nofm() const noexcept { return nofm_; }
  std::int64_t hofm() const noexcept { return ofm_.h; }
  std::int64_t wofm() const noexcept { return ofm_.w; }
  std::int64_t htrd() const noexcept { return strd_.h; }
  std::int64_t wtrd() const noexcept { return strd_.w; }
  /// Input fmap shape implied by the layer (0 for an input layer).
  std::int64_t nifm() const noexcept { return nifm_; }
  std::int64_t hifm() const noexcept { return ifm_.h; }
  std::int64_t wifm() const noexcept { return ifm_.w; }
  /// Filter (conv-like) or local region (local-region) window.
  std::int64_t hfil() const noexcept { return win_.h; }
  std::int64_t wfil() const noexcept { return win_.w; }
  std::int64_t hreg() const noexcept { return win_.h; }
  std::int64_t wreg() const noexcept { return win_.w; }
  std::int64_t nreg() const noexcept { return nreg_; }
  std::int64_t ntrd() const noexcept { return ntrd_; }
  /// Independent groups of a matmul (1 for every other kind).
  std::int64_t groups() const noexcept { return groups_; }

  const per_data<data_dim_loops>& data_loops() const noexcept {
    switch (kind_) {
      case layer_kind::input: return bp::data_loops::input;
      case layer_kind::matmul: return bp::data_loops::matmul;
      default: return is_conv_like() ? bp::data_loops::conv : bp::data_loops::local_region;
    }
  }

  // -- sizes and ops (Layer.*_size, total_ops) -----------------------------------------------
  std::int64_t ofmap_size(std::int64_t batch = 1, std::int64_t word = 1) const noexcept {
    return ofm_.h * ofm_.w * batch * word;
  }
  std::int64_t total_ofmap_size(std::int64_t batch = 1, std::int64_t word = 1) const noexcept {
    return nofm_ * ofmap_size(batch, word);
  }
  std::int64_t ifmap_size(std::int64_t batch = 1, std::int64_t word = 1) const noexcept {
    return ifm_.h * ifm_.w * batch * word;
  }
  std::int64_t total_ifmap_size(std::int64_t batch = 1, std::int64_t word = 1) const noexcept {
    return nifm_ * ifmap_size(batch, word);
  }
  /// One filter (conv-like only; 0 otherwise).
  std::int64_t filter_size(std::int64_t word = 1) const noexcept {
    return is_conv_like() ? win_.h * win_.w * word : 0;
  }
  /// All filters; for a matmul the per-sample second operand (nifm * nofm / groups).
  std::int64_t total_filter_size(std::int64_t word = 1) const noexcept {
    return nifm_ * nofm_ / groups_ * filter_size(word);
  }
  std::int64_t region_size() const noexcept { return nreg_ * win_.h * win_.w; }
  std::int64_t ops_per_neuron() const noexcept {
    if (is_conv_like()) return win_.h * win_.w * nifm_ / groups_;
    if (is_local_region()) return region_size();
    return 0;
  }
  std::int64_t total_ops(std::int64_t batch = 1) const noexcept {
    return total_ofmap_size() * ops_per_neuron() * batch;
  }

  /// Whether a stored producer output of h x w can feed this layer, allowing padding
  /// (Layer.is_valid_padding_sifm).
  bool is_valid_padding_sifm(std::int64_t h, std::int64_t w) const noexcept {
    const auto within = [](std::int64_t v, std::int64_t a, std::int64_t b) {
      return (a < b ? a : b) <= v && v <= (a < b ? b : a);
    };
    return within(h, ofm_.h * strd_.h, ifm_.h) && within(w, ofm_.w * strd_.w, ifm_.w);
  }

  /// Python's repr of the Tangram layer, e.g. "ConvLayer(nifm=3, nofm=64, sofm=(112, 112), ...)".
  std::string repr() const {
    const auto pair = [](std::int64_t a, std::int64_t b) { return tuple_repr(a, b); };
    const auto n = [](std::int64_t v) { return std::to_string(v); };
    const std::string name(to_string(kind_));
    switch (kind_) {
      case layer_kind::input:
        return name + "(nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) +
               ", strd=" + pair(strd_.h, strd_.w) + ")";
      case layer_kind::conv:
        return name + "(nifm=" + n(nifm_) + ", nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) +
               ", sfil=" + pair(win_.h, win_.w) + ", strd=" + pair(strd_.h, strd_.w) + ")";
      case layer_kind::fc:
        return name + "(nifm=" + n(nifm_) + ", nofm=" + n(nofm_) + ", sfil=" + pair(win_.h, win_.w) +
               ")";
      case layer_kind::local_region:
        return name + "(nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) + ", nreg=" +
               n(nreg_) + ", sreg=" + pair(win_.h, win_.w) + ", ntrd=" + n(ntrd_) +
               ", strd=" + pair(strd_.h, strd_.w) + ")";
      case layer_kind::pooling:
        return name + "(nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) +
               ", sreg=" + pair(win_.h, win_.w) + ", strd=" + pair(strd_.h, strd_.w) + ")";
      case layer_kind::eltwise:
        return name + "(nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) + ", nreg=" +
               n(nreg_) + ")";
      case layer_kind::matmul:
        return name + "(nifm=" + n(nifm_) + ", nofm=" + n(nofm_) + ", sofm=" + pair(ofm_.h, ofm_.w) +
               ", groups=" + n(groups_) + ")";
    }
    return name;
  }

  friend bool operator==(const layer&, const layer&) = default;

 private:
  // Conv-like: ifmap derived from the filter window and stride.
  layer(layer_kind kind, std::int64_t nifm, std::int64_t nofm, size2 sofm, size2 sfil, size2 strd)
      : kind_(kind), nofm_(nofm), ofm_(sofm), strd_(strd), win_(sfil), nifm_(nifm) {
    const char* cls = to_string(kind_).data();
    check_output(cls);
    if (nifm_ <= 0) fail(cls, "nifm", nifm_, "must be > 0");
    if (win_.h <= 0) fail(cls, "hfil", win_.h, "must be > 0");
    if (win_.w <= 0) fail(cls, "wfil", win_.w, "must be > 0");
    ifm_ = {derived_extent(cls, "hifm", win_.h, ofm_.h, strd_.h),
            derived_extent(cls, "wifm", win_.w, ofm_.w, strd_.w)};
    check_volume(cls);
  }

  // Local region: nifm = nofm * ntrd (all-zero padding channels ignored, as Tangram does).
  layer(layer_kind kind, std::int64_t nofm, size2 sofm, std::int64_t nreg, size2 sreg,
        std::int64_t ntrd, size2 strd)
      : kind_(kind), nofm_(nofm), ofm_(sofm), strd_(strd), win_(sreg), nreg_(nreg), ntrd_(ntrd) {
    const char* cls = to_string(kind_).data();
    check_output(cls);
    if (nreg_ <= 0) fail(cls, "nreg", nreg_, "must be > 0");
    if (ntrd_ <= 0) fail(cls, "ntrd", ntrd_, "must be > 0");
    if (win_.h <= 0) fail(cls, "hreg", win_.h, "must be > 0");
    if (win_.w <= 0) fail(cls, "wreg", win_.w, "must be > 0");
    if (nreg_ > 1 && win_.h * win_.w > 1)
      throw invalid_layer("LocalRegionLayer: local region cannot be a mix of both n (" +
                          std::to_string(nreg_) + ") and h & w (" + std::to_string(win_.h) +
                          ", " + std::to_string(win_.w) + ")");
    const auto nifm = checked_mul(nofm_, ntrd_);
    if (!nifm) fail(cls, "ntrd", ntrd_, "makes nofm * ntrd overflow int64");
    nifm_ = *nifm;
    ifm_ = {derived_extent(cls, "hifm", win_.h, ofm_.h, strd_.h),
            derived_extent(cls, "wifm", win_.w, ofm_.w, strd_.w)};
    check_volume(cls);
  }

  void check_output(const char* cls) const {
    if (nofm_ <= 0) fail(cls, "nofm", nofm_, "must be > 0");
    if (ofm_.h <= 0) fail(cls, "hofm", ofm_.h, "must be > 0");
    if (ofm_.w <= 0) fail(cls, "wofm", ofm_.w, "must be > 0");
    if (strd_.h <= 0) fail(cls, "htrd", strd_.h, "must be > 0");
    if (strd_.w <= 0) fail(cls, "wtrd", strd_.w, "must be > 0");
  }

  // window + (out - 1) * stride, refusing values that overflow int64.
  static std::int64_t derived_extent(const char* cls, const char* field, std::int64_t window,
                                     std::int64_t out, std::int64_t stride) {
    const auto span = checked_mul(out - 1, stride);
    std::int64_t v = 0;
    if (!span || __builtin_add_overflow(window, *span, &v))
      fail(cls, field, out, "overflows int64 (window + (out - 1) * stride)");
    return v;
  }

  // Reject shapes whose total sizes or op counts cannot be represented (batch is checked by the
  // scheduler): nofm * hofm * wofm * ops_per_neuron and nifm * hifm * wifm must fit in int64.
  void check_volume(const char* cls) const {
    auto v = checked_mul(nofm_, ofm_.h);
    if (v) v = checked_mul(*v, ofm_.w);
    auto ops = checked_mul(win_.h, win_.w);
    if (ops) ops = checked_mul(*ops, std::max(nifm_, nreg_));
    if (v && ops) v = checked_mul(*v, *ops);
    auto in = checked_mul(nifm_, ifm_.h);
    if (in) in = checked_mul(*in, ifm_.w);
    if (!v || !in) fail(cls, "nofm", nofm_, "makes the layer's total size or ops overflow int64");
  }

  [[noreturn]] static void fail(const char* cls, const char* field, std::int64_t value,
                                const char* rule) {
    throw invalid_layer(std::string(cls) + ": " + field + " = " + std::to_string(value) + " " +
                        rule);
  }

  layer_kind kind_;
  std::int64_t nofm_ = 0;
  size2 ofm_;
  size2 strd_ = 1;
  size2 win_ = 0;  // filter (conv-like) or region (local-region) h x w
  std::int64_t nreg_ = 1;
  std::int64_t ntrd_ = 1;
  std::int64_t groups_ = 1;
  std::int64_t nifm_ = 0;
  size2 ifm_ = 0;
};

}  // namespace bp
