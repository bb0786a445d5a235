// bufferprospector/intra/layer_scheduler.hpp -- schedules one layer on a region of nodes
// (Tangram's Scheduling.schedule_search, nn_dataflow/core/scheduling.py).
//
//   bp::layer_scheduler<> sched(conv, /*batch=*/16, bp::cost_values{});
//   bp::scheduling_condition cond{resource, bp::scheduling_constraint{}, ifmap_layout, {}};
//   std::vector<bp::layer_schedule> tops = sched.schedule_search(cond, opt);   // best first
//
// The search, in Tangram's generation order (which decides exact ties):
//   for every partitioning of the layer over the processing region (intra/partition.hpp),
//     for every Eyeriss array mapping of the per-node layer (intra/map_strategy.hpp),
//       for every loop blocking the loop-blocking search keeps (intra/loop_blocking.hpp),
//         one result = that loop blocking's accesses + the partition's NoC hops;
//   then a stable sort by the goal's key (e: cost, time; d: time, cost; ed: cost * time) and
//   the first `ntops` results.
// Results are memoised, as Tangram memoises schedule_search and schedule_search_per_node, in a
// layer_schedule_cache that several schedulers (and, with the quirks off, several runs) share.
//
// A matmul layer (not in Tangram) goes through the same search as a ConvLayer whose filter
// nodes are the DRAM nodes: its second operand is read from DRAM once per top-level fetch and
// charged as DRAM accesses (intra/matmul.hpp has the model).
#pragma once

#include <algorithm>      // std::stable_sort, std::max, std::find
#include <array>          // std::array
#include <cmath>          // std::isnan
#include <cstddef>        // std::size_t
#include <cstdint>        // std::int64_t
#include <exception>      // std::exception_ptr, std::rethrow_exception
#include <memory>         // std::shared_ptr, std::make_shared
#include <mutex>          // std::mutex, std::lock_guard
#include <optional>       // std::optional
#include <span>           // std::span
#include <string>         // std::string
#include <typeindex>      // std::type_index (which loop-blocking search produced an entry)
#include <utility>        // std::move
#include <vector>         // std::vector

#include <bufferprospector/arch/cost_table.hpp>              // bp::cost_values
#include <bufferprospector/arch/node_region.hpp>             // bp::node_region
#include <bufferprospector/arch/resource.hpp>                // bp::resource
#include <bufferprospector/config.hpp>                       // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                   // bp::per_data, bp::per_level
#include <bufferprospector/core/error.hpp>                   // bp::tangram_assertion
#include <bufferprospector/core/fmap_range.hpp>              // bp::fmap_range
#include <bufferprospector/core/math.hpp>                    // bp::isclose, bp::checked_mul
#include <bufferprospector/detail/task_pool.hpp>             // bp::detail::parallel_for
#include <bufferprospector/intra/data_layout.hpp>            // bp::data_layout
#include <bufferprospector/intra/detail/schedule_memo.hpp>   // detail::sched_memo::lru_table, keys
#include <bufferprospector/intra/loop_blocking.hpp>          // bp::loop_blocking_search, tangram_loop_blocking
#include <bufferprospector/intra/loop_blocking_scheme.hpp>   // bp::loop_blocking_scheme
#include <bufferprospector/intra/map_strategy.hpp>           // bp::eyeriss_mapping
#include <bufferprospector/intra/partition.hpp>              // bp::for_each_partition, unit_nhops_to_proc_region
#include <bufferprospector/intra/partition_scheme.hpp>       // bp::partition_scheme
#include <bufferprospector/intra/scheduling_constraint.hpp>  // bp::scheduling_constraint
#include <bufferprospector/intra/tangram_nhops_memo.hpp>     // bp::tangram_nhops_memo
#include <bufferprospector/options.hpp>                      // bp::options
#include <bufferprospector/workload/layer.hpp>               // bp::layer
#include <bufferprospector/workload/schedulable.hpp>         // bp::check_schedulable

namespace bp {

//
// Inputs and results
//

/// Where a layer sits in the whole-network schedule: (segment, spatial, temporal) indices.
struct sched_seq {
  std::int64_t segment = 0;
  std::int64_t spatial = 0;
  std::int64_t temporal = 0;
  friend constexpr bool operator==(const sched_seq&, const sched_seq&) = default;
};

/// Why a search found nothing, for messages: what the per-node search saw over all partitions.
struct search_diagnosis {
  std::int64_t partitions = 0;              ///< partitionings of the layer over the region
  std::int64_t mappings = 0;                ///< Eyeriss array mappings of the per-node layers
  std::int64_t low_utilization_mappings = 0;  ///< of those, below 50% of the PE array
  std::int64_t blockings = 0;               ///< loop blockings the loop-blocking search kept
  std::int64_t valid_blockings = 0;         ///< of those, fitting the buffers and data rules
};

/// What a layer is scheduled under (Tangram's SchedulingCondition).
struct scheduling_condition {
  resource res;                      ///< processing region, data regions, buffers, bandwidths
  scheduling_constraint constraint;  ///< top-level blocking constraints of a layer pipeline
  data_layout ifmap_layout;          ///< where the ifmaps are (DRAM or on-chip producers)
  sched_seq seq;                     ///< copied into the results
};

/// One schedule of a layer (Tangram's SchedulingResult): the `scheme` record, field for field and
/// in Tangram's key order, with Python's types (an int is std::int64_t, a float is double; see
/// `access_is_int` for the few Python ints among float arrays), then the ofmap layout and seq.
/// Blocking levels of the 2-element arrays are [GBUF, REGF]; tvals has a third level, inside
/// a PE. Not default-constructible (a partition and a layout are always given).
struct layer_schedule {
  double cost = 0;                      ///< cost_op + cost_access + cost_noc + cost_static
  std::int64_t time = 0;                ///< max(proc_time, bus_time, dram_time)
  double ops = 0;
  std::int64_t node_count = 0;          ///< scheme['num_nodes'] (num_nodes() returns it)
  std::array<bool, 2> is_dram{};        ///< (src is DRAM, dst is DRAM)
  double cost_op = 0;
  double cost_access = 0;
  double cost_noc = 0;
  double cost_static = 0;               ///< idle cost * time (an int in Python's JSON when the
                                        ///< idle cost is one: report::tangram_cost says)
  std::int64_t proc_time = 0;
  std::int64_t bus_time = 0;
  std::int64_t dram_time = 0;
  per_level<per_data<double>> access{};  ///< [DRAM, GBUF, ITCN, REGF][FIL, IFM, OFM]
  per_data<double> remote_gbuf_access{};
  per_data<double> total_nhops{};        ///< node_nhops + mem_nhops
  std::array<per_data<std::int64_t>, 2> fetch{};
  std::array<std::int64_t, 3> ti{};      ///< IFM blocking factor per level (tvals transposed)
  std::array<std::int64_t, 3> to{};
  std::array<std::int64_t, 3> tb{};
  std::array<per_loop<std::int64_t>, 3> tvals{};
  std::array<per_loop<std::int64_t>, 2> orders{};  ///< position of each loop, smaller = inner
  std::array<per_data<std::int64_t>, 2> size{};
  std::array<per_data<std::int64_t>, 2> unit_size{};
  std::array<per_data<std::int64_t>, 2> unit_cnt{};
  per_data<std::int64_t> accfwd_reduction{};
  per_data<std::int64_t> bufshr_grp_size{};
  per_data<std::int64_t> bufshr_subgrp_size{};
  per_loop<std::int64_t> bufshr_bs_t{};
  per_loop<std::int64_t> bufshr_bs_ord{};
  per_data<double> bufshr_rot_fetch{};
  per_data<std::int64_t> bufshr_rot_round_cnt{};
  per_data<std::int64_t> bufshr_rot_unit_cnt{};
  per_data<double> bufshr_wide_fetch{};
  per_data<double> bufshr_wide_fetch_width{};
  partition_scheme part;
  per_data<std::int64_t> mem_nhops{};    ///< unit_nhops * top-level fetch
  per_data<double> node_nhops{};         ///< forwarding/rotation hops between nodes
  per_data<std::int64_t> unit_nhops{};   ///< hops to bring each data category in once
  /// Which `access` entries Python holds as ints (exact zeros): FIL at GBUF/ITCN of local-region
  /// layers; IFM (OFM) at DRAM when the source (destination) is on chip. Only the JSON text
  /// depends on it.
  per_level<per_data<bool>> access_is_int{};

  data_layout ofmap_layout;
  sched_seq seq;

  // -- SchedulingResult's properties ---------------------------------------------------------
  double total_cost() const noexcept { return cost; }
  std::int64_t total_time() const noexcept { return time; }
  std::int64_t total_node_time() const noexcept { return std::max(proc_time, bus_time); }
  std::int64_t total_dram_time() const noexcept { return dram_time; }
  std::int64_t total_proc_time() const noexcept { return proc_time; }
  double total_ops() const noexcept { return ops; }
  /// Accesses per level summed over data categories; remote gbuf accesses count as GBUF.
  per_level<double> total_accesses() const noexcept {
    per_level<double> out{};
    for (auto m : all<mem_level>) out[m] = sum3(access[m]);
    out[mem_level::gbuf] += sum3(remote_gbuf_access);
    return out;
  }
  double total_noc_hops() const noexcept { return sum3(total_nhops); }
  std::int64_t num_nodes() const noexcept { return node_count; }

 private:
  // Python's sum(): ((0 + a) + b) + c, the same rounding.
  static double sum3(const per_data<double>& v) noexcept { return (v[0] + v[1]) + v[2]; }
};

//
// Memo cache
//

namespace detail {

/// The part of a result that depends only on the per-node loop blocking (Tangram's
/// schedule_search_per_node returns the loop-blocking schemes themselves; we keep the numbers).
struct node_schedule {
  double cost_access = 0;
  std::int64_t time = 0;
  double ops = 0;
  std::int64_t node_count = 0;
  std::array<bool, 2> is_dram{};
  std::int64_t proc_time = 0, bus_time = 0, dram_time = 0;
  per_level<per_data<double>> access{};
  per_data<double> remote_gbuf_access{};
  per_data<double> noc_access{};
  std::array<per_data<std::int64_t>, 2> fetch{};
  std::array<per_loop<std::int64_t>, 3> tvals{};
  std::array<per_loop<std::int64_t>, 2> orders{};
  std::array<per_data<std::int64_t>, 2> size{};
  std::array<per_data<std::int64_t>, 2> unit_size{};
  std::array<per_data<std::int64_t>, 2> unit_cnt{};
  per_data<std::int64_t> accfwd_reduction{};
  per_data<std::int64_t> bufshr_grp_size{}, bufshr_subgrp_size{};
  per_loop<std::int64_t> bufshr_bs_t{}, bufshr_bs_ord{};
  per_data<double> bufshr_rot_fetch{};
  per_data<std::int64_t> bufshr_rot_round_cnt{}, bufshr_rot_unit_cnt{};
  per_data<double> bufshr_wide_fetch{}, bufshr_wide_fetch_width{};
};

}  // namespace detail

namespace detail::sched_memo {

/// What every memo entry shares: the scheduler's layer, batch, costs and search type (Tangram:
/// the Scheduling instance, one per distinct layer).
struct scheduler_key {
  layer l;
  std::int64_t batch;
  cost_values costs;
  std::type_index search;
  bool operator==(const scheduler_key& o) const {
    return same_layer(l, o.l) && batch == o.batch && costs == o.costs && search == o.search;
  }
};
inline void hash_add(std::size_t& seed, const scheduler_key& k) noexcept {
  hash_add_layer(seed, k.l);
  hash_add(seed, k.batch);
  hash_add(seed, k.costs);
  hash_mix(seed, k.search.hash_code());
}

/// Key of Scheduling.schedule_search: (scheduler, condition, options), the condition being
/// (resource, constraint, ifmap layout, sched_seq).
struct search_key {
  scheduler_key sched;
  resource res;
  scheduling_constraint constraint;
  data_layout ifmap_layout;
  sched_seq seq;
  options opt;
  bool operator==(const search_key& o) const {
    return sched == o.sched && res == o.res && same_constraint(constraint, o.constraint) &&
           ifmap_layout == o.ifmap_layout && seq == o.seq && same_options(opt, o.opt);
  }
  std::size_t hash() const {
    std::size_t h = 0;
    hash_add(h, sched);
    hash_add(h, res);
    hash_add(h, constraint);
    hash_mix(h, ifmap_layout.hash());
    hash_add(h, seq.segment);
    hash_add(h, seq.spatial);
    hash_add(h, seq.temporal);
    hash_add(h, opt);
    return h;
  }
};

/// Key of Scheduling.schedule_search_per_node: (scheduler, partition, resource, constraint, options).
struct node_key {
  scheduler_key sched;
  partition_scheme part;
  resource res;
  scheduling_constraint constraint;
  options opt;
  bool operator==(const node_key& o) const {
    return sched == o.sched && part == o.part && res == o.res && same_constraint(constraint, o.constraint) &&
           same_options(opt, o.opt);
  }
  std::size_t hash() const {
    std::size_t h = 0;
    hash_add(h, sched);
    hash_add(h, part);
    hash_add(h, res);
    hash_add(h, constraint);
    hash_add(h, opt);
    return h;
  }
};

}  // namespace detail::sched_memo

template <loop_blocking_search LBS = tangram_loop_blocking>
class layer_scheduler;

/// Hit/miss counts of a memo table.
struct cache_stats {
  std::int64_t hits = 0;
  std::int64_t misses = 0;
};

/// The memo of layer schedules, shared by any number of layer_schedulers (the layer, batch,
/// cost table and loop-blocking search are part of every key). Thread-safe.
///
/// One cache per whole-network run gives Tangram's results exactly: with tangram_quirks on the
/// results depend on what Tangram's memos held before (see intra/detail/schedule_memo.hpp), so
/// the tables keep Tangram's sizes and LRU order by default. With the quirks off results never
/// depend on the cache, and one cache may serve many runs (e.g. the points of a design-space
/// sweep that repeat layer shapes); give it larger tables then.
///
///   auto cache = std::make_shared<bp::layer_schedule_cache>();
///   bp::layer_scheduler<> a(conv1, 16, costs, cache), b(conv1, 16, costs, cache);  // b reuses a's work
class layer_schedule_cache {
 public:
  /// Table sizes (entries). Tangram: 1024 each.
  struct capacities {
    std::size_t searches = 1024;          ///< schedule_search results
    std::size_t node_searches = 1u << 14;  ///< per-node loop-blocking searches (never changes results)
    std::size_t nhops = 1024;             ///< each of Tangram's three unit-nhops memos (quirks only)
  };

  layer_schedule_cache() : layer_schedule_cache(capacities{}) {}
  explicit layer_schedule_cache(const capacities& c)
      : searches_(c.searches), nodes_(c.node_searches), nhops_(c.nhops) {}
  layer_schedule_cache(const layer_schedule_cache&) = delete;
  layer_schedule_cache& operator=(const layer_schedule_cache&) = delete;

  /// Hits and misses of the per-node search memo: what Tangram reports as "cache_stats".
  cache_stats node_stats() const { return {nodes_.hits(), nodes_.misses()}; }
  /// Hits and misses of the schedule_search memo.
  cache_stats search_stats() const { return {searches_.hits(), searches_.misses()}; }
  void clear() {
    searches_.clear();
    nodes_.clear();
    std::lock_guard<std::mutex> lock(nhops_mutex_);
    nhops_.clear();
  }

 private:
  template <loop_blocking_search>
  friend class layer_scheduler;
  detail::sched_memo::lru_table<detail::sched_memo::search_key, std::vector<layer_schedule>> searches_;
  detail::sched_memo::lru_table<detail::sched_memo::node_key, std::vector<detail::node_schedule>> nodes_;
  std::mutex nhops_mutex_;  // tangram_nhops_memo is not thread-safe (and only exact sequentially)
  tangram_nhops_memo nhops_;
};

//
// The scheduler
//

/// Schedules one layer with one batch size and cost table (Tangram's Scheduling with
/// MapStrategyEyeriss). `LBS` is the loop-blocking search (default: Tangram's dispatch between
/// the exhaustive sweep and the analytical solver, per options.sw_solve_loopblocking).
template <loop_blocking_search LBS>
class layer_scheduler {
 public:
  /// With a private cache.
  layer_scheduler(const layer& l, std::int64_t batch, const cost_values& costs)
      : layer_scheduler(l, batch, costs, std::make_shared<layer_schedule_cache>()) {}

  /// With a cache shared with other schedulers; `cache` must not be null.
  layer_scheduler(const layer& l, std::int64_t batch, const cost_values& costs,
                  std::shared_ptr<layer_schedule_cache> cache)
      : key_{l, batch, costs, std::type_index(typeid(LBS))}, cache_(std::move(cache)) {
    if (l.is_input()) throw invalid_layer("Scheduling: cannot schedule an InputLayer.");
    if (batch <= 0)
      throw invalid_option("Scheduling: batch = " + std::to_string(batch) + " must be > 0.");
    auto ops = checked_mul(l.total_ofmap_size(), l.ops_per_neuron());
    if (ops) ops = checked_mul(*ops, batch);
    const auto ifm = checked_mul(l.total_ifmap_size(), batch);
    if (!ops || !ifm)
      throw invalid_option("Scheduling: batch = " + std::to_string(batch) +
                           " makes the layer's total size or ops overflow int64.");
    if (!cache_) throw invalid_option("Scheduling: the schedule cache must not be null.");
    check_schedulable(l, batch);  // the scheduler's size limits (core/limits.hpp)
  }

  const layer& scheduled_layer() const noexcept { return key_.l; }
  std::int64_t batch() const noexcept { return key_.batch; }
  const cost_values& costs() const noexcept { return key_.costs; }
  const std::shared_ptr<layer_schedule_cache>& cache() const noexcept { return cache_; }

  /// Redoes the per-node search of every partition, uncached, counting what it finds: for
  /// explaining an empty schedule_search (e.g. "every mapping uses < 50% of the PE array",
  /// "no loop blocking fits the buffers"). Never throws tangram_assertion.
  search_diagnosis diagnose(const resource& res, const scheduling_constraint& constraint, const options& opt) const {
    search_diagnosis d;
    const LBS lbs_search{};
    std::vector<loop_blocking_scheme> schemes;
    for_each_partition(layer_(), batch_(), res.proc_region.dim(), opt, /*guaranteed=*/true,
                       [&](const partition_scheme& part) {
                         ++d.partitions;
                         const partitioned_layer pl = part.part_layer(layer_(), batch_(), !opt.tangram_quirks);
                         const eyeriss_mapping mapping(pl.l, pl.batch, pl.occupancy, res.dim_array);
                         ++d.mappings;
                         if (mapping.below_half_utilization()) {
                           ++d.low_utilization_mappings;
                           return;
                         }
                         for (const nested_loop_desc& nld : mapping.nested_loop_descs()) {
                           schemes.clear();
                           lbs_search.search({nld, res, part, constraint, key_.costs, opt, outp_splits_groups()},
                                             schemes);
                           d.blockings += static_cast<std::int64_t>(schemes.size());
                           for (const auto& lbs : schemes) d.valid_blockings += lbs.is_valid() ? 1 : 0;
                         }
                       });
    return d;
  }

  /// The best `opt.ntops` schedules, best first; empty when no partitioning, mapping and loop
  /// blocking fits. Throws invalid_network when the ifmap layout is not in the source data
  /// region (or the processing region) or does not match the layer, and tangram_assertion
  /// (with opt.tangram_quirks) where Tangram v2.1 dies on its Eyeriss utilization assertion.
  std::vector<layer_schedule> schedule_search(const scheduling_condition& cond, const options& opt) {
    detail::sched_memo::search_key key{key_, cond.res, cond.constraint, cond.ifmap_layout, cond.seq, opt};
    const std::size_t h = key.hash();
    auto& memo = cache_->searches_;
    std::vector<layer_schedule> tops;
    if (!memo.find(key, h, tops)) {
      tops = search(cond, opt);
      memo.insert(std::move(key), h, tops);
    }
    for (auto& t : tops) t.seq = cond.seq;
    return tops;
  }

 private:
  const layer& layer_() const noexcept { return key_.l; }
  std::int64_t batch_() const noexcept { return key_.batch; }
  /// A grouped matmul's output-channel nodes hold different groups (intra/matmul.hpp).
  bool outp_splits_groups() const noexcept { return layer_().groups() > 1; }

  /// What one partition of a search needs computed, done ahead on the worker threads: the
  /// per-node search if its memo lacks it, the ofmap layout, and the hop counts (with the
  /// quirks, only the memo-independent part, and only if Tangram's memo lacks the call). Every
  /// piece is a pure function of its inputs, so it equals what the sequential search computes.
  struct work_ahead {
    std::optional<detail::sched_memo::node_key> node_key;     ///< the per-node memo's key ...
    std::size_t node_hash = 0;                                ///< ... and its hash
    std::optional<std::vector<detail::node_schedule>> nodes;  ///< computed per-node results
    std::exception_ptr node_error;                            ///< or what computing them threw
    std::optional<data_layout> ofmap_layout;
    std::optional<tangram_nhops_memo::prepared> nhops_inputs;  ///< quirks on
    std::optional<per_data<std::int64_t>> true_nhops;           ///< quirks off
  };

  std::vector<layer_schedule> search(const scheduling_condition& cond, const options& opt) {
    const resource& res = cond.res;
    res.validate();  // user input: checked once per memo miss
    opt.validate();
    check_ifmap_layout(cond);
    // A top-level IFM/OFM block of a grouped matmul is a slice of every group, not a channel
    // range a pipeline could forward: only whole-fmap forwarding (intra/matmul.hpp).
    if (outp_splits_groups() && (cond.constraint.topifm > 1 || cond.constraint.topofm > 1)) return {};

    // Filters can be read from any memory node; a set, as Tangram deduplicates them.
    std::vector<phy_dim2> filter_nodes;
    res.dram_region.for_each_node([&](phy_dim2 c) {
      if (std::find(filter_nodes.begin(), filter_nodes.end(), c) == filter_nodes.end()) filter_nodes.push_back(c);
    });

    const fmap_range ofmap_range{{0, 0, 0, 0}, {batch_(), layer_().nofm(), layer_().hofm(), layer_().wofm()}};
    // The ofmaps go to the destination region, laid out like the partition.
    const auto ofmap_layout_of = [&](const partition_scheme& part) {
      const node_region& dst = res.dst_data_region;
      return data_layout({data_layout::piece{ofmap_range, dst, part.projection(dst, true)}});
    };

    std::vector<partition_scheme> parts;
    for_each_partition(layer_(), batch_(), res.proc_region.dim(), opt, /*guaranteed=*/true,
                       [&](const partition_scheme& part) { parts.push_back(part); });
    // With threads, what the partitions need computed is computed first, in parallel; the loop
    // below then queries the memos in Tangram's order exactly as without threads.
    std::vector<work_ahead> ahead =
        opt.nprocesses > 1 ? compute_ahead(parts, cond, filter_nodes, ofmap_layout_of, opt) : std::vector<work_ahead>{};

    std::vector<layer_schedule> tops;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const partition_scheme& part = parts[i];
      work_ahead* pre = ahead.empty() ? nullptr : &ahead[i];
      const std::vector<detail::node_schedule> nodes = per_node(part, res, cond.constraint, opt, pre);
      if (nodes.empty()) continue;
      // Tangram's AssertionError (intra/partition.hpp unequal_node_groups): it stops the whole
      // run with the quirks; without them, the partition is skipped.
      if (const auto unequal = detail::unequal_node_groups(layer_(), batch_(), res.proc_region, part)) {
        if (opt.tangram_quirks) throw tangram_assertion(*unequal);
        continue;
      }
      const data_layout ofmap_layout = pre && pre->ofmap_layout ? std::move(*pre->ofmap_layout) : ofmap_layout_of(part);
      const per_data<std::int64_t> unit_nhops =
          hops_to_proc_region(part, res, filter_nodes, cond.ifmap_layout, ofmap_layout, opt, pre);
      for (const auto& n : nodes) tops.push_back(make_result(n, part, ofmap_layout, unit_nhops));
    }

    rank(tops, opt.goal);
    if (tops.size() > static_cast<std::size_t>(opt.ntops))
      tops.erase(tops.begin() + opt.ntops, tops.end());

    for ([[maybe_unused]] const auto& t : tops) {
      BP_ASSERT(isclose(static_cast<double>(layer_().total_ops(batch_())), t.total_ops(), 1e-4));
      BP_ASSERT(t.ofmap_layout.complete_fmap_range() == ofmap_range);
    }
    return tops;
  }

  /// Word-hops to bring each data category once to the nodes (unit_nhops_to_proc_region). With
  /// the quirks on, what Tangram's memos answer at this point of the run: sometimes another
  /// partition's count (intra/tangram_nhops_memo.hpp).
  per_data<std::int64_t> hops_to_proc_region(const partition_scheme& part, const resource& res,
                                             const std::vector<phy_dim2>& filter_nodes, const data_layout& ifmap_layout,
                                             const data_layout& ofmap_layout, const options& opt,
                                             work_ahead* pre = nullptr) {
    const std::span<const phy_dim2> fnodes(filter_nodes);
    if (!opt.tangram_quirks) {
      if (pre && pre->true_nhops) return *pre->true_nhops;
      return unit_nhops_to_proc_region(layer_(), batch_(), res.proc_region, part, fnodes, ifmap_layout, ofmap_layout,
                                       opt);
    }
    std::lock_guard<std::mutex> lock(cache_->nhops_mutex_);
    return cache_->nhops_.unit_nhops_to_proc_region(layer_(), batch_(), res.proc_region, part, fnodes, ifmap_layout,
                                                    ofmap_layout, opt,
                                                    pre && pre->nhops_inputs ? &*pre->nhops_inputs : nullptr);
  }

  template <class OfmapLayoutOf>
  std::vector<work_ahead> compute_ahead(const std::vector<partition_scheme>& parts, const scheduling_condition& cond,
                                        const std::vector<phy_dim2>& filter_nodes, const OfmapLayoutOf& ofmap_layout_of,
                                        const options& opt) {
    const resource& res = cond.res;
    std::vector<work_ahead> ahead(parts.size());
    detail::parallel_for(parts.size(), static_cast<std::size_t>(opt.nprocesses), [&](std::size_t i) {
      const partition_scheme& part = parts[i];
      work_ahead& w = ahead[i];
      const detail::sched_memo::node_key& key =
          w.node_key.emplace(detail::sched_memo::node_key{key_, part, res, cond.constraint, opt});
      w.node_hash = key.hash();
      bool has_nodes = false;
      if (!cache_->nodes_.peek(key, w.node_hash, [&](const auto& nodes) { has_nodes = !nodes.empty(); })) {
        try {
          w.nodes = compute_per_node(part, res, cond.constraint, opt);
          has_nodes = !w.nodes->empty();
        } catch (...) {
          w.node_error = std::current_exception();
          return;
        }
      }
      if (!has_nodes) return;  // the search skips the hops of a partition without schedules
      if (detail::unequal_node_groups(layer_(), batch_(), res.proc_region, part)) return;  // ... and of these
      w.ofmap_layout = ofmap_layout_of(part);
      const std::span<const phy_dim2> fnodes(filter_nodes);
      if (!opt.tangram_quirks) {
        w.true_nhops = unit_nhops_to_proc_region(layer_(), batch_(), res.proc_region, part, fnodes, cond.ifmap_layout,
                                                 *w.ofmap_layout, opt);
        return;
      }
      bool memoised = false;
      {
        std::lock_guard<std::mutex> lock(cache_->nhops_mutex_);
        memoised = cache_->nhops_.contains(layer_(), batch_(), res.proc_region, part, fnodes, cond.ifmap_layout,
                                           *w.ofmap_layout, opt);
      }
      if (!memoised)
        w.nhops_inputs = tangram_nhops_memo::prepare(layer_(), batch_(), res.proc_region, part, fnodes,
                                                     cond.ifmap_layout, *w.ofmap_layout, opt);
    });
    return ahead;
  }

  /// Tangram's checks of the ifmap layout against the resource and the layer (same messages).
  void check_ifmap_layout(const scheduling_condition& cond) const {
    const std::array<node_region, 2> allowed{cond.res.src_data_region, cond.res.proc_region};
    if (!cond.ifmap_layout.is_in(std::span<const node_region>(allowed)))
      throw invalid_network("Scheduling: ifmap layout is not contained in source data region.");
    const fmap_range ifrng = cond.ifmap_layout.complete_fmap_range();
    if (batch_() != ifrng.b().size() || layer_().nifm() != ifrng.n().size() ||
        !layer_().is_valid_padding_sifm(ifrng.h().size(), ifrng.w().size()))
      throw invalid_network("Scheduling: ifmap layout does not match input layer.");
  }

  /// Stable sort by the goal's key: on exact ties the first generated result stays first.
  static void rank(std::vector<layer_schedule>& tops, opt_goal goal) {
    const auto before = [goal](const layer_schedule& a, const layer_schedule& b) {
      switch (goal) {
        case opt_goal::ed:
          return a.cost * static_cast<double>(a.time) < b.cost * static_cast<double>(b.time);
        case opt_goal::d:
          return a.time != b.time ? a.time < b.time : a.cost < b.cost;
        case opt_goal::e: break;
      }
      return a.cost != b.cost ? a.cost < b.cost : a.time < b.time;
    };
    std::stable_sort(tops.begin(), tops.end(), before);
  }

  /// The valid loop-blocking schemes of every array mapping of the per-node layer, memoised
  /// (Tangram's schedule_search_per_node).
  std::vector<detail::node_schedule> per_node(const partition_scheme& part, const resource& res,
                                              const scheduling_constraint& constraint, const options& opt,
                                              work_ahead* pre = nullptr) {
    detail::sched_memo::node_key key = pre && pre->node_key ? std::move(*pre->node_key)
                                                            : detail::sched_memo::node_key{key_, part, res, constraint, opt};
    const std::size_t h = pre && pre->node_key ? pre->node_hash : key.hash();
    auto& memo = cache_->nodes_;
    std::vector<detail::node_schedule> out;
    if (memo.find(key, h, out)) return out;
    if (pre && pre->node_error) std::rethrow_exception(pre->node_error);
    out = pre && pre->nodes ? std::move(*pre->nodes) : compute_per_node(part, res, constraint, opt);
    memo.insert(std::move(key), h, out);
    return out;
  }

  /// The per-node search itself (memo-independent; may throw tangram_assertion).
  std::vector<detail::node_schedule> compute_per_node(const partition_scheme& part, const resource& res,
                                                      const scheduling_constraint& constraint,
                                                      const options& opt) const {
    std::vector<detail::node_schedule> out;
    // With the quirks fixed, an N-input eltwise is charged all N operands (model note 2.8).
    const partitioned_layer pl = part.part_layer(layer_(), batch_(), /*full_eltwise_inputs=*/!opt.tangram_quirks);
    const eyeriss_mapping mapping(pl.l, pl.batch, pl.occupancy, res.dim_array);
    if (mapping.below_half_utilization()) {
      // Tangram v2.1 asserts here and the whole run dies; without the quirks the mapping is
      // merely not a candidate.
      if (opt.tangram_quirks) throw tangram_assertion(mapping.low_utilization_message());
    } else {
      const LBS lbs_search{};
      std::vector<loop_blocking_scheme> schemes;
      for (const nested_loop_desc& nld : mapping.nested_loop_descs()) {
        schemes.clear();
        const loop_blocking_problem problem{nld, res, part, constraint, key_.costs, opt, outp_splits_groups()};
        lbs_search.search(problem, schemes);
        for (const auto& lbs : schemes)
          if (lbs.is_valid()) out.push_back(node_result(lbs));
      }
    }
    return out;
  }

  /// The per-node numbers of one valid loop-blocking scheme.
  detail::node_schedule node_result(const loop_blocking_scheme& lbs) const {
    detail::node_schedule n;
    n.cost_access = lbs.access_cost(key_.costs);
    n.time = lbs.time();
    n.ops = lbs.ops();
    n.node_count = lbs.num_nodes();
    n.is_dram = {lbs.src_is_dram(), lbs.dst_is_dram()};
    n.proc_time = lbs.proc_time();
    n.bus_time = lbs.bus_time();
    n.dram_time = lbs.dram_time();
    n.access = lbs.access();
    n.remote_gbuf_access = lbs.remote_gbuf_access();
    n.noc_access = lbs.noc_access();
    for (std::size_t bl = 0; bl < 2; ++bl) {
      for (auto d : all<data_category>) {
        n.fetch[bl][d] = lbs.fetch()[bl][d];
        n.size[bl][d] = lbs.data_size(static_cast<blocking_level>(bl), d);
        n.unit_size[bl][d] = lbs.unit_size()[bl][d];
        n.unit_cnt[bl][d] = lbs.unit_cnt()[bl][d];
      }
      for (auto l : all<loop_dim>) n.orders[bl][l] = lbs.bl_ords()[bl][l];
    }
    for (std::size_t lvl = 0; lvl < 3; ++lvl)
      for (auto l : all<loop_dim>) n.tvals[lvl][l] = lbs.bl_ts()[lvl][l];
    for (auto d : all<data_category>) {
      n.accfwd_reduction[d] = lbs.accfwd_reduction()[d];
      n.bufshr_grp_size[d] = lbs.bufshr_grp_size()[d];
      n.bufshr_subgrp_size[d] = lbs.bufshr_subgrp_size()[d];
      n.bufshr_rot_fetch[d] = lbs.bufshr_rot_fetch()[d];
      n.bufshr_rot_round_cnt[d] = lbs.bufshr_rot_round_cnt()[d];
      n.bufshr_rot_unit_cnt[d] = lbs.bufshr_rot_unit_cnt()[d];
      n.bufshr_wide_fetch[d] = lbs.bufshr_wide_fetch()[d];
      n.bufshr_wide_fetch_width[d] = lbs.bufshr_wide_fetch_width()[d];
    }
    for (auto l : all<loop_dim>) {
      n.bufshr_bs_t[l] = lbs.bufshr_bs_t()[l];
      n.bufshr_bs_ord[l] = lbs.bufshr_bs_ord()[l];
    }
    return n;
  }

  /// Tangram's Scheduling._get_result: costs and hops of one (partition, loop blocking) pair.
  layer_schedule make_result(const detail::node_schedule& n, const partition_scheme& part,
                             const data_layout& ofmap_layout, const per_data<std::int64_t>& unit_nhops) const {
    const cost_values& c = key_.costs;
    layer_schedule s{.part = part, .ofmap_layout = ofmap_layout, .seq = {}};

    for (auto d : all<data_category>) {
      s.mem_nhops[d] = unit_nhops[d] * n.fetch[0][d];  // the top-level (DRAM -> GBUF) fetches
      s.total_nhops[d] = n.noc_access[d] + static_cast<double>(s.mem_nhops[d]);
    }
    s.cost_access = n.cost_access;
    s.cost_noc = c.noc_hop() * ((s.total_nhops[0] + s.total_nhops[1]) + s.total_nhops[2]);
    s.cost_op = c.mac_op() * n.ops;
    s.cost_static = c.idle_unit() * static_cast<double>(n.time);
    BP_ASSERT(!std::isnan(s.cost_op + s.cost_access + s.cost_noc + s.cost_static));

    s.cost = ((s.cost_op + s.cost_access) + s.cost_noc) + s.cost_static;
    s.time = n.time;
    s.ops = n.ops;
    s.node_count = n.node_count;
    s.is_dram = n.is_dram;
    s.proc_time = n.proc_time;
    s.bus_time = n.bus_time;
    s.dram_time = n.dram_time;
    s.access = n.access;
    s.remote_gbuf_access = n.remote_gbuf_access;
    s.fetch = n.fetch;
    for (std::size_t lvl = 0; lvl < 3; ++lvl) {
      s.ti[lvl] = n.tvals[lvl][loop_dim::ifm];
      s.to[lvl] = n.tvals[lvl][loop_dim::ofm];
      s.tb[lvl] = n.tvals[lvl][loop_dim::bat];
    }
    s.tvals = n.tvals;
    s.orders = n.orders;
    s.size = n.size;
    s.unit_size = n.unit_size;
    s.unit_cnt = n.unit_cnt;
    s.accfwd_reduction = n.accfwd_reduction;
    s.bufshr_grp_size = n.bufshr_grp_size;
    s.bufshr_subgrp_size = n.bufshr_subgrp_size;
    s.bufshr_bs_t = n.bufshr_bs_t;
    s.bufshr_bs_ord = n.bufshr_bs_ord;
    s.bufshr_rot_fetch = n.bufshr_rot_fetch;
    s.bufshr_rot_round_cnt = n.bufshr_rot_round_cnt;
    s.bufshr_rot_unit_cnt = n.bufshr_rot_unit_cnt;
    s.bufshr_wide_fetch = n.bufshr_wide_fetch;
    s.bufshr_wide_fetch_width = n.bufshr_wide_fetch_width;
    s.node_nhops = n.noc_access;
    s.unit_nhops = unit_nhops;

    // Python's ints among the float accesses: the filters of a local-region layer are never
    // read through the gbuf or the array (0 * int factors), and an on-chip source/destination
    // has its DRAM access set to the int 0.
    if (layer_().is_local_region()) {
      s.access_is_int[mem_level::gbuf][data_category::fil] = true;
      s.access_is_int[mem_level::itcn][data_category::fil] = true;
    }
    if (!n.is_dram[0]) s.access_is_int[mem_level::dram][data_category::ifm] = true;
    if (!n.is_dram[1]) s.access_is_int[mem_level::dram][data_category::ofm] = true;
    return s;
  }

  detail::sched_memo::scheduler_key key_;
  std::shared_ptr<layer_schedule_cache> cache_;
};

}  // namespace bp
