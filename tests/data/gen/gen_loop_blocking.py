#!/usr/bin/env python3
"""Reference data for tests/loop_blocking (not run by the tests).

Prints Tangram's (nn_dataflow v2.1) BufShrScheme, LoopBlockingScheme and gen_loopblocking
results, plus the CPython set / heapq orders the C++ emulates, as plain token lines.

Usage (from the repository root; writes tests/data/loop_blocking/*.txt):

    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 tests/data/gen/gen_loop_blocking.py tests/data/loop_blocking

Produced with CPython 3.11.7 (the interpreter of the reference goldens).

Format: one record per line, whitespace-separated tokens; floats are Python repr (inf/nan
included); booleans 0/1. Encodings:
  region   = dim.h dim.w origin.h origin.w dist.h dist.w type wtot wbeg
  part     = order[4] pdims[8] (h w per ParallelEnum)
  loops    = 3 masks (bit l set if the data category is indexed by LoopEnum l)
  nld      = loopcnt[3] usize_gbuf[3] usize_regf[3] unit_access[4x3] unit_ops unit_time loops
  resource = proc dram src dst (regions) array.h array.w size_gbuf size_regf bus_width dram_bw no_time_mux
  options  = bypass[3] solve accfwd sharing goal ntops
  cost     = mem_hier[4]
  cstr     = topbat topifm topofm fbifm fbofm layer_pipeline
  scheme   = bl_ts[3x3] bl_ords[2x3] valid, then for a valid scheme:
             ops time proc_time bus_time dram_time num_nodes src_is_dram dst_is_dram filter_pinned
             access[4x3] remote[3] noc[3] fetch[2x3] bl_ords_out[2x3] size[2x3] unit_size[2x3]
             unit_cnt[2x3] accfwd[3] grp[3] subgrp[3] bs_t[3] bs_ord[3] rot_fetch[3] rot_rnd[3]
             rot_unit[3] wide_fetch[3] wide_width[3] access_cost
"""

import heapq
import itertools
import os
import random
import sys

from nn_dataflow import util
from nn_dataflow.core import (BufShrScheme, ConvLayer, Cost, DataDimLoops, EltwiseLayer, FCLayer,
                              LocalRegionLayer, LoopBlockingScheme, MapStrategyEyeriss, NodeRegion,
                              Option, PartitionScheme, PhyDim2, PoolingLayer, Resource,
                              SchedulingConstraint, SchedulingConstraintLayerPipeline)
from nn_dataflow.core import loop_blocking
from nn_dataflow.core import partition
from nn_dataflow.core import DataCategoryEnum as de
from nn_dataflow.core import LoopEnum as le
from nn_dataflow.core import MemHierEnum as me

INF = float('inf')


def f(x):
    return repr(float(x))


def i(x):
    assert int(x) == x, x
    return str(int(x))


def b(x):
    return '1' if x else '0'


def enc_region(r):
    return ' '.join(i(v) for v in (r.dim.h, r.dim.w, r.origin.h, r.origin.w, r.dist.h, r.dist.w,
                                   r.type, r.wtot, r.wbeg))


def enc_part(p):
    return ' '.join([i(o) for o in p.order] + [i(v) for pd in p.pdims for v in (pd.h, pd.w)])


def enc_loops(dls):
    return ' '.join(i(sum(1 << l for l in dl.loops())) for dl in dls)


def enc_nld(n):
    toks = [i(v) for v in n.loopcnt] + [i(v) for v in n.usize_gbuf] + [i(v) for v in n.usize_regf]
    toks += [f(v) for ua in n.unit_access for v in ua]
    toks += [f(n.unit_ops), i(n.unit_time), enc_loops(n.data_loops)]
    return ' '.join(toks)


def enc_resource(r):
    return ' '.join([enc_region(r.proc_region), enc_region(r.dram_region), enc_region(r.src_data_region),
                     enc_region(r.dst_data_region), i(r.dim_array.h), i(r.dim_array.w), i(r.size_gbuf),
                     i(r.size_regf), f(r.array_bus_width), f(r.dram_bandwidth), b(r.no_time_mux)])


def enc_options(o):
    return ' '.join([b(v) for v in o.sw_gbuf_bypass] + [b(o.sw_solve_loopblocking), b(o.hw_access_forwarding),
                                                         b(o.hw_gbuf_sharing), o.opt_goal, i(o.ntops)])


def enc_cost(c):
    return ' '.join(f(v) for v in c.mem_hier)


def enc_cstr(c):
    lp = isinstance(c, SchedulingConstraintLayerPipeline)
    return ' '.join([i(c.topbat), i(c.topifm), i(c.topofm), b(getattr(c, 'fbifm', False)),
                     b(getattr(c, 'fbofm', False)), b(lp)])


def enc_scheme(lbs, bl_ts, bl_ords, cost):
    toks = [i(t) for lv in bl_ts for t in lv] + [i(o) for lv in bl_ords for o in lv] + [b(lbs.is_valid())]
    if not lbs.is_valid():
        return ' '.join(toks)
    acc = lbs.get_access()  # computes the lazy stats
    toks += [f(lbs.ops), i(lbs.time), i(lbs.proc_time), i(lbs.bus_time), i(lbs.dram_time), i(lbs.num_nodes),
             b(lbs.src_is_dram), b(lbs.dst_is_dram), b(lbs.filter_pinned)]
    toks += [f(v) for row in acc for v in row]
    toks += [f(v) for v in lbs.remote_gbuf_access]
    toks += [f(v) for v in lbs.get_noc_access()]
    toks += [i(v) for row in lbs.fetch for v in row]
    toks += [i(v) for row in lbs.bl_ords for v in row]
    toks += [i(lbs.data_size(bl, d)) for bl in range(2) for d in range(de.NUM)]
    toks += [i(v) for row in lbs.unit_size for v in row]
    toks += [i(v) for row in lbs.unit_cnt for v in row]
    toks += [i(v) for v in lbs.accfwd_reduction]
    toks += [i(v) for v in lbs.bufshr_grp_size]
    toks += [i(v) for v in lbs.bufshr_subgrp_size]
    toks += [i(v) for v in lbs.bufshr_bs_t]
    toks += [i(v) for v in lbs.bufshr_bs_ord]
    toks += [f(v) for v in lbs.bufshr_rot_fetch]
    toks += [i(v) for v in lbs.bufshr_rot_round_cnt]
    toks += [i(v) for v in lbs.bufshr_rot_unit_cnt]
    toks += [f(v) for v in lbs.bufshr_wide_fetch]
    toks += [f(v) for v in lbs.bufshr_wide_fetch_width]
    toks += [f(lbs.get_access_cost(cost))]
    return ' '.join(toks)


# ------------------------------------------------------------------------------------------------
# Setups
# ------------------------------------------------------------------------------------------------

COST = Cost(mac_op=1, mem_hier=(200, 6, 2, 1), noc_hop=10, idl_unit=0)
COST2 = Cost(mac_op=2, mem_hier=(300.0, 7.5, 2.0, 1.25), noc_hop=50, idl_unit=0)


def proc_region(dim, origin=(0, 0)):
    return NodeRegion(dim=PhyDim2(*dim), origin=PhyDim2(*origin), type=NodeRegion.PROC)


def dram_region(nodes):
    return NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=PhyDim2(*nodes) - PhyDim2(1, 1),
                      type=NodeRegion.DRAM)


def make_resource(nodes, array, gbuf, regf, src='dram', dst='dram', bus=INF, dram_bw=INF,
                  no_time_mux=False):
    proc = proc_region(nodes)
    dram = dram_region(nodes)
    other = proc_region((1, 1), (nodes[0], 0))  # a neighbor region below the processing region

    def region(kind):
        return {'dram': dram, 'proc': proc, 'other': other}[kind]

    return Resource(proc_region=proc, dram_region=dram, src_data_region=region(src),
                    dst_data_region=region(dst), dim_array=PhyDim2(*array), size_gbuf=gbuf, size_regf=regf,
                    array_bus_width=bus, dram_bandwidth=dram_bw, no_time_mux=no_time_mux)


def make_options(bypass=(True, True, True), solve=False, accfwd=False, sharing=False, goal='e', ntops=1):
    return Option(sw_gbuf_bypass=tuple(bypass), sw_solve_loopblocking=solve, hw_access_forwarding=accfwd,
                  hw_gbuf_sharing=sharing, partition_hybrid=True, partition_batch=True, partition_ifmaps=True,
                  opt_goal=goal, ntops=ntops, nprocesses=1)


def pick_parts(layer, batch, nodes, count, seed):
    opt = make_options()
    parts = list(partition.gen_partition(layer, batch, PhyDim2(*nodes), opt))
    rnd = random.Random(seed)
    # Prefer parts with several kinds of sharing groups.
    rnd.shuffle(parts)
    parts.sort(key=lambda p: -sum(1 for pd in p.pdims if pd.size() > 1))
    return parts[:count]


def nlds_of(layer, batch, part, array):
    pl, pb, pocc = part.part_layer(layer, batch)
    return list(MapStrategyEyeriss(pl, pb, pocc, PhyDim2(*array)).gen_nested_loop_desc())


# Each setup: (name, layer, batch, nodes, array, part count, resource kwargs, options kwargs).
SETUPS = [
    ('conv_base', ConvLayer(64, 128, 14, 3), 8, (2, 2), (8, 8), 3, dict(gbuf=16384, regf=32), dict()),
    ('conv_share', ConvLayer(64, 128, 14, 3), 8, (2, 2), (8, 8), 4, dict(gbuf=16384, regf=32),
     dict(sharing=True)),
    ('conv_share4', ConvLayer(96, 256, 13, 3), 16, (4, 4), (8, 8), 4, dict(gbuf=8192, regf=32),
     dict(sharing=True)),
    ('conv_accfwd', ConvLayer(96, 256, 13, 3), 16, (4, 4), (8, 8), 3, dict(gbuf=8192, regf=32),
     dict(accfwd=True)),
    ('conv_local', ConvLayer(32, 64, 14, 3), 4, (2, 2), (8, 8), 2,
     dict(gbuf=65536, regf=64, src='proc', dst='other', no_time_mux=True), dict()),
    ('conv_local2', ConvLayer(32, 64, 14, 3), 4, (2, 2), (8, 8), 2,
     dict(gbuf=65536, regf=64, src='other', dst='proc'), dict(sharing=True)),
    ('conv_bw', ConvLayer(64, 64, 28, 3), 8, (2, 2), (16, 16), 2,
     dict(gbuf=32768, regf=256, bus=4, dram_bw=8.0), dict(bypass=(False, True, True))),
    ('conv_nobypass', ConvLayer(64, 64, 28, 3), 8, (2, 2), (16, 16), 2,
     dict(gbuf=65536, regf=256, bus=16, dram_bw=3.5), dict(bypass=(False, False, False))),
    ('fc', FCLayer(1024, 512), 16, (2, 2), (8, 8), 3, dict(gbuf=16384, regf=32), dict(sharing=True)),
    ('fc_pin', FCLayer(512, 256, sfil=2), 8, (2, 2), (8, 8), 2, dict(gbuf=32768, regf=32, no_time_mux=True),
     dict(accfwd=True)),
    ('pool', PoolingLayer(64, 28, 2), 8, (2, 2), (8, 8), 2, dict(gbuf=16384, regf=32), dict(sharing=True)),
    ('eltwise', EltwiseLayer(128, 14, 2), 8, (2, 2), (8, 8), 2, dict(gbuf=8192, regf=32, no_time_mux=True),
     dict()),
    ('lr', LocalRegionLayer(96, 27, 5, 1), 4, (2, 2), (16, 16), 1, dict(gbuf=16384, regf=64, dst='proc'),
     dict()),
    ('conv_tiny', ConvLayer(16, 32, 7, 3), 4, (2, 2), (8, 8), 2, dict(gbuf=600, regf=8), dict(sharing=True)),
]


def gen_setups():
    for name, layer, batch, nodes, array, nparts, rkw, okw in SETUPS:
        res = make_resource(nodes, array, **rkw)
        opt = make_options(**okw)
        for pi, part in enumerate(pick_parts(layer, batch, nodes, nparts, name)):
            for ni, nld in enumerate(nlds_of(layer, batch, part, array)[:2]):
                yield '{}.p{}.n{}'.format(name, pi, ni), nld, res, part, opt


def random_blocking(nld, rnd):
    facts = [list(util.factorize(nld.loopcnt[l], 3)) for l in range(le.NUM)]
    lp_ts = [rnd.choice(fs) for fs in facts]
    bl_ts = tuple(zip(*lp_ts))
    perms = list(itertools.permutations(range(le.NUM)))
    return bl_ts, (rnd.choice(perms), rnd.choice(perms))


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------

def write_bufshr(out):
    """BufShrScheme of many partitionings: dims, neighbor distances, rotation and wide fetch hops."""
    rnd = random.Random(7)
    cases = []
    for nodes in [(2, 2), (4, 4), (2, 4), (4, 8), (8, 8), (3, 6)]:
        layer = ConvLayer(96, 240, 24, 3)
        parts = list(partition.gen_partition(layer, 16, PhyDim2(*nodes), make_options()))
        rnd.shuffle(parts)
        cases += [(nodes, p) for p in parts[:12]]
    dls_list = [ConvLayer.data_loops(), LocalRegionLayer.data_loops(),
                (DataDimLoops(le.IFM, le.OFM, le.BAT), DataDimLoops(le.IFM, le.BAT), DataDimLoops(le.OFM, le.BAT))]
    n = 0
    for nodes, part in cases:
        region = proc_region(nodes, (1, 0))
        for dls in dls_list:
            bs = BufShrScheme(region, part, dls)
            out.write('B {} {} {}\n'.format(enc_region(region), enc_part(part), enc_loops(dls)))
            for d in range(de.NUM):
                dim, nd = bs.dim(d), bs.nbr_dists[d]
                out.write('D {} {} {} {} {}\n'.format(d, i(dim.h), i(dim.w), f(nd.h), f(nd.w)))
                size = bs.size(d)
                for s in range(1, size + 1):
                    toks = [f(bs.nhops_rotate_all(d, s))]
                    toks += [f(bs.nhops_rotate_all(d, s, u)) for u in range(1, size + 1)]
                    out.write('R {} {} {}\n'.format(d, s, ' '.join(toks)))
                    for w in sorted(set([1.0, 1.5, s / 3., s / 2., s * 0.75, float(s)])):
                        if w > s:
                            continue
                        out.write('W {} {} {} {}\n'.format(d, s, f(w), f(bs.nhops_wide_fetch_once(d, s, w))))
            n += 1
    out.write('END\n')
    return n


# Blockings whose buffer-sharing result depends on the iteration order of Tangram's Python set of
# subgroup-size candidates (equal NoC costs; found by comparing the C++ with that order against
# plain insertion order over all blockings of the sharing setups): "setup bl_ts[9] bl_ords[6]".
SET_ORDER_BLOCKINGS = """
    conv_share.p1.n0 S 2 4 4 4 16 2 4 1 1 1 2 0 1 2 0
    conv_share.p1.n0 S 2 4 4 16 4 2 1 4 1 1 2 0 2 1 0
    conv_share.p1.n0 S 8 4 2 2 8 2 2 2 2 2 1 0 1 2 0
    conv_share.p1.n0 S 8 4 2 2 16 4 2 1 1 2 1 0 2 1 0
    conv_share.p1.n0 S 8 4 2 4 8 4 1 2 1 1 2 0 1 2 0
    conv_share.p2.n0 S 1 8 4 8 16 2 4 1 1 0 1 2 1 0 2
    conv_share.p2.n0 S 1 8 4 16 16 2 2 1 1 0 1 2 2 0 1
    conv_share.p2.n0 S 1 8 4 32 8 2 1 2 1 1 0 2 1 0 2
    conv_share4.p0.n0 S 3 8 4 4 8 2 4 1 1 1 2 0 1 2 0
    conv_share4.p0.n0 S 3 8 4 16 2 2 1 4 1 1 2 0 2 1 0
    conv_share4.p0.n0 S 4 32 2 3 2 4 4 1 1 1 2 0 1 2 0
    conv_share4.p0.n0 S 4 32 2 4 2 2 3 1 2 2 1 0 2 1 0
    conv_share4.p0.n0 S 4 32 2 6 2 2 2 1 2 2 0 1 1 0 2
    conv_share4.p0.n0 S 4 32 2 12 2 2 1 1 2 1 0 2 2 0 1
    conv_share4.p0.n0 S 4 32 2 12 2 4 1 1 1 2 1 0 1 2 0
    conv_share4.p0.n0 S 12 8 2 2 8 2 2 1 2 2 1 0 2 1 0
    conv_share4.p0.n1 S 3 8 4 2 16 2 4 1 1 1 2 0 1 2 0
    conv_share4.p0.n1 S 3 8 4 8 4 2 1 4 1 1 2 0 2 1 0
    conv_share4.p0.n1 S 4 32 2 2 2 4 3 2 1 1 2 0 1 2 0
    conv_share4.p0.n1 S 4 32 2 2 4 2 3 1 2 2 1 0 2 1 0
    conv_share4.p0.n1 S 4 32 2 3 2 2 2 2 2 2 0 1 1 0 2
    conv_share4.p0.n1 S 4 32 2 3 4 2 2 1 2 1 0 2 2 0 1
    conv_share4.p0.n1 S 4 32 2 3 4 4 2 1 1 2 1 0 1 2 0
    conv_share4.p0.n1 S 4 32 2 6 2 4 1 2 1 1 2 0 2 1 0
    conv_share4.p1.n0 S 3 8 4 4 8 2 4 1 1 1 2 0 1 2 0
    conv_share4.p1.n0 S 3 8 4 16 2 2 1 4 1 1 2 0 2 1 0
    conv_share4.p1.n0 S 4 32 2 3 2 4 4 1 1 1 2 0 1 2 0
    conv_share4.p1.n0 S 4 32 2 4 2 2 3 1 2 2 1 0 2 1 0
    conv_share4.p1.n0 S 4 32 2 6 2 2 2 1 2 2 0 1 1 0 2
    conv_share4.p1.n0 S 4 32 2 12 2 2 1 1 2 1 0 2 2 0 1
    conv_share4.p1.n0 S 4 32 2 12 2 4 1 1 1 2 1 0 1 2 0
    conv_share4.p1.n0 S 12 8 2 2 8 2 2 1 2 2 1 0 2 1 0
    conv_share4.p1.n1 S 3 8 4 2 16 2 4 1 1 1 2 0 1 2 0
    conv_share4.p1.n1 S 3 8 4 8 4 2 1 4 1 1 2 0 2 1 0
    conv_share4.p1.n1 S 4 32 2 2 2 4 3 2 1 1 2 0 1 2 0
    conv_share4.p1.n1 S 4 32 2 2 4 2 3 1 2 2 1 0 2 1 0
    conv_share4.p1.n1 S 4 32 2 3 2 2 2 2 2 2 0 1 1 0 2
    conv_share4.p1.n1 S 4 32 2 3 4 2 2 1 2 1 0 2 2 0 1
    conv_share4.p1.n1 S 4 32 2 3 4 4 2 1 1 2 1 0 1 2 0
    conv_share4.p1.n1 S 4 32 2 6 2 4 1 2 1 1 2 0 2 1 0
    conv_share4.p2.n0 S 3 8 4 4 16 2 4 1 1 1 0 2 1 0 2
    conv_share4.p2.n0 S 3 8 4 8 8 2 2 2 1 2 0 1 2 0 1
    conv_share4.p2.n0 S 3 8 4 16 4 2 1 4 1 1 2 0 1 2 0
    conv_share4.p2.n0 S 3 8 4 16 8 2 1 2 1 2 1 0 2 1 0
    conv_share4.p2.n0 S 4 32 2 3 4 4 4 1 1 2 0 1 1 0 2
    conv_share4.p2.n0 S 4 32 2 4 4 2 3 1 2 1 0 2 2 0 1
    conv_share4.p2.n0 S 4 32 2 4 4 4 3 1 1 2 1 0 1 2 0
    conv_share4.p2.n0 S 4 32 2 6 2 4 2 2 1 1 2 0 2 1 0
    conv_share4.p3.n0 S 3 8 4 4 16 2 4 1 1 1 0 2 1 0 2
    conv_share4.p3.n0 S 3 8 4 8 8 2 2 2 1 2 0 1 2 0 1
    conv_share4.p3.n0 S 3 8 4 16 4 2 1 4 1 1 2 0 1 2 0
    conv_share4.p3.n0 S 3 8 4 16 8 2 1 2 1 2 1 0 2 1 0
    conv_share4.p3.n0 S 4 32 2 3 4 4 4 1 1 2 0 1 1 0 2
    conv_share4.p3.n0 S 4 32 2 4 4 2 3 1 2 1 0 2 2 0 1
    conv_share4.p3.n0 S 4 32 2 4 4 4 3 1 1 2 1 0 1 2 0
    conv_share4.p3.n0 S 4 32 2 6 2 4 2 2 1 1 2 0 2 1 0
"""


def extra_blockings(name):
    for line in SET_ORDER_BLOCKINGS.strip().split('\n'):
        toks = line.split()
        if toks[0] != name:
            continue
        v = [int(x) for x in toks[2:]]
        yield (tuple(v[0:3]), tuple(v[3:6]), tuple(v[6:9])), (tuple(v[9:12]), tuple(v[12:15]))


def write_schemes(out, per_setup=160):
    """Every LoopBlockingScheme field for random (bl_ts, bl_ords), about 3/4 of them valid."""
    count = 0
    for name, nld, res, part, opt in gen_setups():
        rnd = random.Random(name)
        bufshr = BufShrScheme(res.proc_region, part, nld.data_loops)
        out.write('SETUP {}\n'.format(name))
        out.write('NLD {}\nRES {}\nPART {}\nOPT {}\nCOST {}\n'.format(
            enc_nld(nld), enc_resource(res), enc_part(part), enc_options(opt), enc_cost(COST)))
        nvalid = ninvalid = tries = 0
        while nvalid + ninvalid < per_setup and tries < 200000:
            tries += 1
            bl_ts, bl_ords = random_blocking(nld, rnd)
            lbs = LoopBlockingScheme(nld, bl_ts, bl_ords, res, bufshr, opt)
            if lbs.is_valid():
                if nvalid >= per_setup * 3 // 4:
                    continue
                nvalid += 1
            else:
                if ninvalid >= per_setup // 4:
                    continue
                ninvalid += 1
            out.write('S {}\n'.format(enc_scheme(lbs, bl_ts, bl_ords, COST)))
            count += 1
        for bl_ts, bl_ords in extra_blockings(name):
            lbs = LoopBlockingScheme(nld, bl_ts, bl_ords, res, bufshr, opt)
            out.write('S {}\n'.format(enc_scheme(lbs, bl_ts, bl_ords, COST)))
            count += 1
    out.write('END\n')
    return count


def fixed_goal_d_key(options, cost):
    """_loop_blocking_cmp_key with the goal-d quirk fixed (stats computed before reading time)."""
    if options.opt_goal == 'd':
        def key(lbs):
            c = lbs.get_access_cost(cost)
            return (lbs.time, c)
        return key
    return ORIG_KEY(options, cost)


ORIG_KEY = loop_blocking._loop_blocking_cmp_key


def run_search(nld, res, part, cstr, cost, opt, quirks):
    loop_blocking._loop_blocking_cmp_key = ORIG_KEY if quirks else fixed_goal_d_key
    try:
        return list(loop_blocking.gen_loopblocking(nld, res, part, cstr, cost, opt))
    finally:
        loop_blocking._loop_blocking_cmp_key = ORIG_KEY


def search_cases():
    """(label, nld, res, part, cstr, cost, opt, quirks) for gen_loopblocking."""
    plain = SchedulingConstraint()
    for name, nld, res, part, opt in gen_setups():
        if not name.endswith('.n0'):
            continue
        if util.prod(nld.loopcnt) > 40000:
            continue
        sharing = opt.hw_gbuf_sharing
        for goal in ['e', 'd', 'ed']:
            for ntops in [1, 3]:
                o = opt._replace(opt_goal=goal, ntops=ntops)
                yield name, nld, res, part, plain, COST, o, True
                if goal == 'd':
                    yield name, nld, res, part, plain, COST, o, False
        # Solver (not with sharing, as Option refuses it).
        if not sharing and nld.data_loops == ConvLayer.data_loops():
            for bypass in [(True, True, True), (False, True, True), (True, False, True), (True, True, False)]:
                o = opt._replace(sw_solve_loopblocking=True, sw_gbuf_bypass=bypass)
                yield name, nld, res, part, plain, COST, o, True
        # Constraints on the top factors and layer-pipeline orders.
        if name.startswith('conv_base') or name.startswith('fc.') or name.startswith('pool'):
            lc = nld.loopcnt
            cstrs = [SchedulingConstraint(topbat=2),
                     SchedulingConstraint(topofm=2 if lc[le.OFM] % 2 == 0 else 1),
                     SchedulingConstraintLayerPipeline(topbat=2, topofm=2 if lc[le.OFM] % 2 == 0 else 0),
                     SchedulingConstraintLayerPipeline(topbat=1, fbifm=True),
                     SchedulingConstraintLayerPipeline(topifm=2 if lc[le.IFM] % 2 == 0 else 0, fbofm=True)]
            for c in cstrs:
                for goal in ['e', 'd']:
                    o = opt._replace(opt_goal=goal, ntops=2)
                    yield name, nld, res, part, c, COST2, o, True
                if nld.data_loops == ConvLayer.data_loops() and not sharing:
                    o = opt._replace(sw_solve_loopblocking=True)
                    yield name, nld, res, part, c, COST2, o, True


def write_search(out):
    n = 0
    for name, nld, res, part, cstr, cost, opt, quirks in search_cases():
        res_list = run_search(nld, res, part, cstr, cost, opt, quirks)
        out.write('SEARCH {} {}\n'.format(name, b(quirks)))
        out.write('NLD {}\nRES {}\nPART {}\nOPT {}\nCOST {}\nCSTR {}\n'.format(
            enc_nld(nld), enc_resource(res), enc_part(part), enc_options(opt), enc_cost(cost), enc_cstr(cstr)))
        out.write('N {}\n'.format(len(res_list)))
        for lbs in res_list:
            # bl_ords as constructed is not kept by Tangram when sharing reorders; print the final.
            out.write('S {}\n'.format(enc_scheme(lbs, lbs.bl_ts, lbs.bl_ords, cost)))
        n += 1
    out.write('END\n')
    return n


def write_pyorder(out):
    """CPython orders the C++ emulates: set iteration order of int 3-tuples, and the order
    heapq.nsmallest returns its first n elements in when valid keys contain NaN."""
    rnd = random.Random(11)
    for _ in range(400):
        k = rnd.randint(1, 6)
        hi = rnd.choice([2, 4, 8, 16, 64])
        items = [tuple(rnd.randint(1, hi) for _ in range(3)) for _ in range(k)]
        got = list(set(items))
        out.write('SET {} {} {}\n'.format(k, ' '.join(i(v) for t in items for v in t),
                                          ' '.join(i(v) for t in got for v in t)))

    class Elem:
        def __init__(self, idx, valid):
            self.idx = idx
            self.valid = valid
            self.time = float('nan') if valid else INF

    for _ in range(400):
        n = rnd.randint(1, 12)
        valid = [rnd.random() < 0.5 for _ in range(n)]
        elems = [Elem(j, v) for j, v in enumerate(valid)]
        key = lambda e: (e.time, rnd_cost(e))  # noqa: E731
        got = heapq.nsmallest(n, iter(elems), key=key)
        out.write('NSMALLEST {} {} {}\n'.format(n, ' '.join(b(v) for v in valid), ' '.join(i(e.idx) for e in got)))

    # skip_conv for every pattern of non-trivial factors (bit 3 * level + loop) x order pair.
    perms = list(itertools.permutations(range(le.NUM)))
    for mask in range(512):
        bl_ts = [tuple(2 if (mask >> (3 * lv + l)) & 1 else 1 for l in range(le.NUM)) for lv in range(3)]
        bits = ''.join(b(loop_blocking.skip_conv(bl_ts, ords)) for ords in itertools.product(perms, perms))
        out.write('SKIP {} {}\n'.format(mask, bits))
    out.write('END\n')


def rnd_cost(e):
    return 1.0 + e.idx if e.valid else INF


def main():
    outdir = sys.argv[1]
    with open(os.path.join(outdir, 'pyorder.txt'), 'w') as out:
        out.write('# generated by tests/data/gen/gen_loop_blocking.py (CPython set / heapq orders)\n')
        write_pyorder(out)
    with open(os.path.join(outdir, 'bufshr.txt'), 'w') as out:
        out.write('# generated by tests/data/gen/gen_loop_blocking.py (BufShrScheme)\n')
        print('bufshr', write_bufshr(out), file=sys.stderr)
    with open(os.path.join(outdir, 'schemes.txt'), 'w') as out:
        out.write('# generated by tests/data/gen/gen_loop_blocking.py (LoopBlockingScheme)\n')
        print('schemes', write_schemes(out), file=sys.stderr)
    with open(os.path.join(outdir, 'search.txt'), 'w') as out:
        out.write('# generated by tests/data/gen/gen_loop_blocking.py (gen_loopblocking)\n')
        print('search', write_search(out), file=sys.stderr)


if __name__ == '__main__':
    main()
