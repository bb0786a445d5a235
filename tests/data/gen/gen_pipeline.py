#!/usr/bin/env python3
"""Reference data for tests/pipeline (not run by the tests; documents where the numbers come from).

Run from anywhere:
  PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor \
      python3 tests/data/gen/gen_pipeline.py tests/data/pipeline

Writes, from Tangram v2.1 (nn_dataflow 198a527) objects:
  nets/<net>.txt      every layer of Tangram's 13 networks (a stand-in for bp::zoo in the tests)
  dag/<net>.txt       InterLayerPipeline: DAG vertices, ordered_layer_list, _gen_vseg ranges
  segments/<cfg>.txt  gen_segment(Option(...)) in order: per segment its dependencies, allocation,
                      constraint symbols and every gen_constraint() tuple with hints; plus the
                      validity of both shapes of every vertex range
  timing/<golden>.txt PipelineSegmentTiming replayed over a golden whole-network result
The resource is built as nn_dataflow_search.do_scheduling() does.
"""
import json, os, sys, itertools
from collections import OrderedDict

from nn_dataflow.core import (InterLayerPipeline, PipelineSegment, Resource, NodeRegion, PhyDim2,
                              Option, ConvLayer, FCLayer, PoolingLayer, EltwiseLayer,
                              LocalRegionLayer, InputLayer)
from nn_dataflow.core.pipeline_segment_timing import PipelineSegmentTiming
from nn_dataflow.core.scheduling import SchedulingResult
from nn_dataflow.core.data_layout import DataLayout
from nn_dataflow.core.fmap_range import FmapRange, FmapPosition
from nn_dataflow.nns import import_network, all_networks

OUT = sys.argv[1] if len(sys.argv) > 1 else 'tests/data/pipeline'
GOLDEN = '../shared/reference/golden'


def make_resource(nodes, array=(16, 16), regf=512, gbuf=131072, word=16, mem='2D',
                  bus_width=0, dram_bw=float('inf')):
    wb = (word + 7) // 8
    dim = PhyDim2(*nodes)
    proc = NodeRegion(dim=dim, origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    if mem == '2D':
        data = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=dim - PhyDim2(1, 1),
                          type=NodeRegion.DRAM)
    else:
        data = NodeRegion(dim=dim, origin=PhyDim2(0, 0), type=NodeRegion.DRAM)
    abw = bus_width // word or float('inf')
    return Resource(proc_region=proc, dram_region=data, src_data_region=data, dst_data_region=data,
                    dim_array=PhyDim2(*array), size_gbuf=gbuf // wb, size_regf=regf // wb,
                    array_bus_width=abw, dram_bandwidth=dram_bw / wb, no_time_mux=False)


def pair(v):
    return '%d %d' % (v[0], v[1]) if isinstance(v, (tuple, list)) else '%d %d' % (v, v)


def layer_line(name, l, prevs):
    if isinstance(l, FCLayer):
        d = 'fc %d %d %s' % (l.nifm, l.nofm, pair((l.hfil, l.wfil)))
    elif isinstance(l, ConvLayer):
        d = 'conv %d %d %s %s %s' % (l.nifm, l.nofm, pair((l.hofm, l.wofm)), pair((l.hfil, l.wfil)),
                                     pair((l.htrd, l.wtrd)))
    elif isinstance(l, PoolingLayer):
        d = 'pool %d %s %s %s' % (l.nofm, pair((l.hofm, l.wofm)), pair((l.hreg, l.wreg)),
                                  pair((l.htrd, l.wtrd)))
    elif isinstance(l, EltwiseLayer):
        d = 'eltwise %d %s %d' % (l.nofm, pair((l.hofm, l.wofm)), l.nreg)
    elif isinstance(l, LocalRegionLayer):
        d = 'lr %d %s %d %s %d %s' % (l.nofm, pair((l.hofm, l.wofm)), l.nreg, pair((l.hreg, l.wreg)),
                                      l.ntrd, pair((l.htrd, l.wtrd)))
    else:
        raise TypeError(l)
    return '%s %s | %s' % (name, d, ' '.join('__INPUT__' if p is None else p for p in prevs))


def write_net(net):
    nw = import_network(net)
    lines = ['name %s' % nw.net_name]
    il = nw.input_layer()
    lines.append('input %d %d %d' % (il.nofm, il.hofm, il.wofm))
    for e in nw.ext_layers():
        el = nw[e]
        lines.append('ext %s %d %d %d' % (e, el.nofm, el.hofm, el.wofm))
    for l in nw:
        lines.append('layer ' + layer_line(l, nw[l], nw.prevs(l)))
    write('nets/%s.txt' % net, lines)


def write(rel, lines):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def write_dag(net):
    nw = import_network(net)
    ilp = InterLayerPipeline(nw, 16, make_resource((4, 4)))
    lines = ['# InterLayerPipeline(%s).dag_vertex_list, ordered_layer_list(), _gen_vseg()' % net]
    for v in ilp.dag_vertex_list:
        lines.append('vertex ' + ' '.join(v))
    for v in range(len(ilp.dag_vertex_list)):
        lines.append('prevs %d %s' % (v, ' '.join(map(str, sorted(ilp.dag_prev_dict[v])))))
        lines.append('nexts %d %s' % (v, ' '.join(map(str, sorted(ilp.dag_next_dict[v])))))
    lines.append('order ' + ' '.join(ilp.ordered_layer_list()))
    for vseg in ilp._gen_vseg():
        lines.append('vseg ' + ' '.join(map(str, vseg)))
    write('dag/%s.txt' % net, lines)


def region(r):
    return '%d %d %d %d %d %d %d %d %d' % (r.dim.h, r.dim.w, r.origin.h, r.origin.w, r.dist.h,
                                           r.dist.w, r.type, r.wtot, r.wbeg)


def idx(i):
    return '%d,%d' % (i.sp_idx, i.tm_idx)


def seg_str(seg):
    return ' | '.join(' '.join(st) for st in seg)


def segment_lines(s, full):
    lines = ['segment ' + seg_str(s.seg)]
    if not full:
        return lines
    for sp, ltpl in enumerate(s.seg):
        for tm, l in enumerate(ltpl):
            src = s.src_dict[sp][tm]
            dst = s.dst_dict[sp][tm]
            lines.append('dep %d %d src %s dst %s' % (
                sp, tm, ' '.join('M' if x is None else idx(x) for x in src) or '-',
                ' '.join('M' if x is None else idx(x) for x in dst) or '-'))
    for prevs, lst in s.ifm_fwd_dict.items():
        lines.append('ifmfwd %s : %s' % (' '.join('__INPUT__' if p is None else p for p in prevs),
                                          ' '.join(idx(i) for i in lst)))
    for src, lst in s.ofm_fwd_dict.items():
        lines.append('ofmfwd %s : %s' % (idx(src), ' '.join(idx(i) for i in lst)))
    for sp, rtpl in enumerate(s.allocation()):
        for tm, r in enumerate(rtpl):
            lines.append('alloc %d %d proc %s src %s dst %s ntm %d' % (
                sp, tm, region(r.proc_region), region(r.src_data_region), region(r.dst_data_region),
                int(r.no_time_mux)))
    for sym, vals in s.cstr_symvals.items():
        lines.append('sym %s %s' % (sym, ' '.join('None' if v is None else str(int(v)) for v in vals)))
    lines.append('fbs %d topbat %s' % (s.cstr_num_sp_fbs,
                                       '-' if s.cstr_topbat_idx is None else s.cstr_topbat_idx))
    for ovhd in (float('inf'), 0.5):
        cnt = 0
        for cstr, hints in s.gen_constraint(ovhd):
            cnt += 1
            if ovhd != float('inf'):
                continue
            parts = []
            for ctpl in cstr:
                for c in ctpl:
                    upd = list(c.update_dict.keys())
                    parts.append('%d,%d,%d,%s' % (c.topbat, c.topifm, c.topofm, upd[0] if upd else '-'))
            lines.append('c %s ; %s' % (' '.join(map(str, hints)), ' '.join(parts)))
        lines.append('count %s %d' % ('inf' if ovhd == float('inf') else ovhd, cnt))
    return lines


def status(s):
    if s.valid:
        return 'valid'
    if not hasattr(s, 'alloc'):
        return 'deps'
    if not s.alloc:
        return 'alloc'
    return 'fb'


def write_segments(tag, net, batch, res, opt, full=True):
    nw = import_network(net)
    ilp = InterLayerPipeline(nw, batch, res)
    lines = ['# gen_segment of %s, batch %d, %s; resource %r; options %r' % (net, batch, tag, res, opt)]
    lines.append('config %s %d' % (net, batch))
    lines.append('resource proc %s dram %s array %d %d gbuf %d regf %d' % (
        region(res.proc_region), region(res.dram_region), res.dim_array.h, res.dim_array.w,
        res.size_gbuf, res.size_regf))
    lines.append('options interlayer %d swb %d maxdeg %s opt %d' % (
        int(opt.partition_interlayer), int(opt.hw_gbuf_save_writeback),
        opt.layer_pipeline_max_degree, int(opt.layer_pipeline_opt)))
    for s in ilp.gen_segment(opt):
        lines += segment_lines(s, full)
    if full:
        # Both shapes of every vertex range, valid or not, with why (deps / alloc / fb).
        kwargs = dict(network=nw, batch_size=batch, resource=res, max_util_drop=0.05,
                      with_opt=opt.layer_pipeline_opt)
        for vseg in ilp._gen_vseg():
            sp = tuple(ilp.dag_vertex_list[v] for v in vseg)
            tp = (tuple(itertools.chain.from_iterable(sp)),)
            for shape in ([sp] if sp == tp else [sp, tp]):
                lines.append('shape %s => %s' % (seg_str(shape), status(PipelineSegment(shape, **kwargs))))
    write('segments/%s.txt' % tag, lines)


def write_timing(golden):
    d = json.load(open(os.path.join(GOLDEN, golden)))
    res = d['result']
    net = import_network(res['net'])
    lines = ['# PipelineSegmentTiming replayed over the schedules of golden/%s' % golden]
    lines.append('config %s' % res['net'])
    timings = []
    cur = None
    for lname, (scheme, ofmap_layout, seq) in res['schedules'].items():
        seq = tuple(seq)
        if cur is None or seq[0] != cur.seg_idx:
            cur = PipelineSegmentTiming(net, seq[0])
            timings.append(cur)
        sch = OrderedDict(scheme)
        sch['tvals'] = [tuple(x) for x in sch['tvals']]
        sch['orders'] = [tuple(x) for x in sch['orders']]
        sr = type('SR', (), {})()
        sr.sched_seq = seq
        sr.scheme = sch
        sr.total_node_time = max(sch['proc_time'], sch['bus_time'])
        sr.total_dram_time = sch['dram_time']
        sr.total_time = sch['time']
        sr.num_nodes = sch['num_nodes']
        cur.add(lname, sr)
        lt = cur.timing_list[seq[1]][seq[2]]
        lines.append('layer %s %d %d %d tv %s ord %s t %d nt %d dt %d nn %d => ngrp %d ts %d td %d' % (
            lname, seq[0], seq[1], seq[2], ' '.join(map(str, sch['tvals'][0])),
            ' '.join(map(str, sch['orders'][0])), sch['time'], sr.total_node_time,
            sch['dram_time'], sch['num_nodes'], lt.ngrp, lt.ts_xb, lt.td_xb))
        lines.append('after %d %d %d %d %d %r' % (cur.time, cur.critical_time, cur.node_time,
                                                   cur.dram_time, cur.bat_ngrp, cur.time_overhead))
    write('timing/%s' % golden.replace('.json', '.txt'), lines)


def main():
    for net in all_networks():
        write_net(net)
        write_dag(net)
    tangram = dict(partition_interlayer=True, hw_access_forwarding=True, partition_hybrid=True,
                   sw_solve_loopblocking=True)
    cfgs = [
        ('resnet50_n4x4_b16', 'resnet50', 16, make_resource((4, 4)), Option(**tangram)),
        ('googlenet_n4x4_b16', 'googlenet', 16, make_resource((4, 4)), Option(**tangram)),
        ('googlenet_n16x16_b16', 'googlenet', 16, make_resource((16, 16), array=(8, 8), regf=64, gbuf=32768),
         Option(**tangram)),
        ('alex_net_n4x4_b16', 'alex_net', 16, make_resource((4, 4)), Option(**tangram)),
        ('alex_net_n4x4_b1', 'alex_net', 1, make_resource((4, 4)), Option(**tangram)),
        ('alex_net_n4x4_b64_maxdeg3', 'alex_net', 64, make_resource((4, 4)),
         Option(layer_pipeline_max_degree=3, **tangram)),
        ('alex_net_n4x4_b16_noopt', 'alex_net', 16, make_resource((4, 4)),
         Option(layer_pipeline_opt=False, **tangram)),
        ('vgg_net_n2x2_b16', 'vgg_net', 16, make_resource((2, 2), array=(8, 8), regf=64, gbuf=32768),
         Option(**tangram)),
        ('lstm_phoneme_n2x2_b16_swb', 'lstm_phoneme', 16,
         make_resource((2, 2), array=(8, 8), regf=64, gbuf=32768),
         Option(partition_interlayer=True, hw_access_forwarding=True, partition_hybrid=True,
                hw_gbuf_save_writeback=True)),
        ('lstm_gnmt_n4x4_b16', 'lstm_gnmt', 16, make_resource((4, 4)), Option(**tangram)),
        ('mlp_m_n4x4_b64', 'mlp_m', 64, make_resource((4, 4)), Option(**tangram)),
        ('zfnet_n4x4_b16_3d', 'zfnet', 16, make_resource((4, 4), mem='3D'), Option(**tangram)),
        ('resnet50_n4x4_b16_perlayer', 'resnet50', 16, make_resource((4, 4)),
         Option(partition_hybrid=True, sw_solve_loopblocking=True)),
        ('resnet152_n16x16_b16_list', 'resnet152', 16,
         make_resource((16, 16), array=(8, 8), regf=64, gbuf=32768), Option(**tangram)),
    ]
    for tag, net, batch, res, opt in cfgs:
        write_segments(tag, net, batch, res, opt, full=not tag.endswith('_list'))
    for g in ['alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge.json',
              'resnet50__n4x4_a16x16_r512_g128k__tangram_b64_ge.json',
              'googlenet__n4x4_a16x16_r512_g128k__tangram_b16_ge.json',
              'lstm_phoneme__n4x4_a16x16_r512_g128k__tangram_b16_ge.json',
              'mlp_m__n16x16_a8x8_r64_g32k__tangram_b16_ge.json',
              'zfnet__n4x4_a16x16_r512_g128k__tangram_b16_gd.json']:
        write_timing(g)


if __name__ == '__main__':
    main()
