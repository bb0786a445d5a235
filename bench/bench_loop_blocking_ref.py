#!/usr/bin/env python3
"""Times Tangram's exhaustive loop-blocking search on bench_loop_blocking.cpp's inputs.

For each distinct AlexNet layer on the small configuration (2x2 nodes, 8x8 PEs, 32-word regf,
16384-word gbuf, batch 16, hybrid partitioning, goal e, one top, one process): every partitioning
(gen_partition, guaranteed), every Eyeriss mapping, list(gen_loopblocking(...)). Partitioning and
mapping are done before the clock starts, as in the C++ benchmark.

    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 bench/bench_loop_blocking_ref.py [--bufshr] [layer ...]
"""

import sys
import time

from nn_dataflow.core import (ConvLayer, Cost, FCLayer, MapStrategyEyeriss, NodeRegion, Option, PhyDim2,
                              PoolingLayer, Resource, SchedulingConstraint)
from nn_dataflow.core import loop_blocking
from nn_dataflow.core import partition

LAYERS = [
    ('conv1', ConvLayer(3, 48, 55, 11, 4)),
    ('pool1', PoolingLayer(48, 27, 3, strd=2)),
    ('conv2', ConvLayer(48, 128, 27, 5)),
    ('pool2', PoolingLayer(128, 13, 3, strd=2)),
    ('conv3', ConvLayer(256, 192, 13, 3)),
    ('conv4', ConvLayer(192, 192, 13, 3)),
    ('conv5', ConvLayer(192, 128, 13, 3)),
    ('pool3', PoolingLayer(128, 6, 3, strd=2)),
    ('fc1', FCLayer(256, 4096, 6)),
    ('fc2', FCLayer(4096, 4096)),
    ('fc3', FCLayer(4096, 1000)),
]


def main():
    args = sys.argv[1:]
    bufshr = '--bufshr' in args
    names = [a for a in args if not a.startswith('--')]
    nodes = PhyDim2(2, 2)
    proc = NodeRegion(dim=nodes, origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    dram = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=nodes - PhyDim2(1, 1), type=NodeRegion.DRAM)
    res = Resource(proc_region=proc, dram_region=dram, src_data_region=dram, dst_data_region=dram,
                   dim_array=PhyDim2(8, 8), size_gbuf=32768 // 2, size_regf=64 // 2,
                   array_bus_width=float('inf'), dram_bandwidth=float('inf'), no_time_mux=False)
    cost = Cost(mac_op=1, mem_hier=(200, 6, 2, 1), noc_hop=10, idl_unit=0)
    opt = Option(sw_gbuf_bypass=(True, True, True), hw_gbuf_sharing=bufshr, partition_hybrid=True,
                 opt_goal='e', ntops=1, nprocesses=1)
    total = total_cpu = 0.
    for name, layer in LAYERS:
        if names and name not in names:
            continue
        work = []
        for part in partition.gen_partition(layer, 16, nodes, opt, guaranteed=True):
            pl, pb, pocc = part.part_layer(layer, 16)
            for nld in MapStrategyEyeriss(pl, pb, pocc, res.dim_array).gen_nested_loop_desc():
                work.append((part, nld))
        start = time.perf_counter()
        cpu_start = time.process_time()
        ntops = 0
        for part, nld in work:
            ntops += len(list(loop_blocking.gen_loopblocking(nld, res, part, SchedulingConstraint(), cost, opt)))
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        total += elapsed
        total_cpu += cpu
        print('{:6s} nested_loops={:3d} tops={:3d} wall {:9.3f} s  cpu {:9.3f} s'.format(
            name, len(work), ntops, elapsed, cpu), flush=True)
    print('total wall {:.3f} s  cpu {:.3f} s'.format(total, total_cpu))


if __name__ == '__main__':
    main()
