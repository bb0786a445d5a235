// bufferprospector/bufferprospector.hpp -- umbrella header: every public header of the library.
#pragma once

#include <bufferprospector/config.hpp>

#include <bufferprospector/core/enums.hpp>
#include <bufferprospector/core/error.hpp>
#include <bufferprospector/core/extents.hpp>
#include <bufferprospector/core/fmap_range.hpp>
#include <bufferprospector/core/format.hpp>
#include <bufferprospector/core/math.hpp>
#include <bufferprospector/core/phy_dim2.hpp>

#include <bufferprospector/workload/data_loops.hpp>
#include <bufferprospector/workload/layer.hpp>
#include <bufferprospector/workload/network.hpp>

#include <bufferprospector/arch/cost_table.hpp>
#include <bufferprospector/arch/grid.hpp>
#include <bufferprospector/arch/memory.hpp>
#include <bufferprospector/arch/node_region.hpp>
#include <bufferprospector/arch/resource.hpp>
#include <bufferprospector/arch/spec.hpp>

#include <bufferprospector/workload/zoo.hpp>

#include <bufferprospector/report/csv.hpp>
#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/layer_stats.hpp>
#include <bufferprospector/report/metrics.hpp>
#include <bufferprospector/report/prospector_json.hpp>
#include <bufferprospector/report/results_table.hpp>
#include <bufferprospector/report/run_naming.hpp>
#include <bufferprospector/report/run_report.hpp>
#include <bufferprospector/report/scheme_io.hpp>
#include <bufferprospector/report/scheme_segments.hpp>
#include <bufferprospector/report/search_json.hpp>
#include <bufferprospector/report/svg.hpp>
#include <bufferprospector/report/tangram_json.hpp>

#include <bufferprospector/intra/data_layout.hpp>
#include <bufferprospector/intra/input_layout.hpp>
#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/intra/map_strategy.hpp>
#include <bufferprospector/intra/matmul.hpp>
#include <bufferprospector/intra/nested_loop.hpp>
#include <bufferprospector/intra/partition.hpp>
#include <bufferprospector/intra/partition_scheme.hpp>
#include <bufferprospector/intra/tangram_nhops_memo.hpp>
#include <bufferprospector/intra/scheduling_constraint.hpp>

#include <bufferprospector/options.hpp>

#include <bufferprospector/pipeline/inter_layer_pipeline.hpp>
#include <bufferprospector/pipeline/pipeline_segment.hpp>
#include <bufferprospector/pipeline/scheduling_dag.hpp>
#include <bufferprospector/pipeline/segment_timing.hpp>

#include <bufferprospector/prospector/allocator.hpp>
#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/prospector/prospector_options.hpp>
#include <bufferprospector/prospector/requirements.hpp>
#include <bufferprospector/prospector/spare_buffer.hpp>

#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/cross_segment_holds.hpp>
#include <bufferprospector/search/dp_search.hpp>
#include <bufferprospector/search/methods.hpp>
#include <bufferprospector/search/network_scheme.hpp>
#include <bufferprospector/search/prospector_search.hpp>
#include <bufferprospector/search/scheduler.hpp>
#include <bufferprospector/search/segment_evaluator.hpp>
#include <bufferprospector/search/segment_prospector.hpp>
#include <bufferprospector/search/segment_search.hpp>
