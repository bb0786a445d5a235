#!/usr/bin/env python3
"""Reference data for tests/prospector_search (tests/data/prospector_search/residual_block.txt).

Provenance only; not run by the tests. Regenerate with
    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 tests/data/gen/gen_prospector_search.py > tests/data/prospector_search/residual_block.txt

The model note's worked example (docs/bufferprospector-model.md 3.3): one residual block
    input 256x14x14; p Conv 256->256 1x1; a Conv 256->64 1x1 (after p); b Conv 64->64 3x3;
    c Conv 64->256 1x1; res Eltwise(256, 14, 2) with prevs (p, c); q Conv 256->64 1x1
on 8x8 nodes, 16x16 PEs, GBUF 64 KB, REGF 64 B, 16-bit words, 2D memory, default costs, options
solver + hybrid + access forwarding + interlayer, bypass allowed, goal e, ntops 4.

Records (one per line, space separated; lists of names are comma separated):
  vertices <v0> <v1> ...            each vertex as its comma-separated layers (_calc_sched_dag)
  ordered <l0,l1,...>               ordered_layer_list
  vseg <first> <count>              every range of _gen_vseg, in order
  tangram_valid <seg> <0|1>         PipelineSegment(...).valid with Tangram's _init_deps
  alloc_proc <n0> <n1> ...          _alloc_proc of the 5-stage segment (called directly: Tangram's
                                    constructor stops at _init_deps)
Then per configuration `config <batch> <dram_bw words/cycle or inf>`:
  tangram <cost> <time> <dram words> <segments as l,l|l,...>   NNDataflow.schedule_search's best
  tangram_layer <name> <dram fil> <dram ifm> <dram ofm>
  relaxed <variant> <cost> <time> <B> <C> <node_time> <dram_time> <dram words>
      the 5-stage segment scheduled by NNDataflow._segment_schedule_search from the input layouts,
      best of its tops, with a monkey-patched Tangram (below); variant `held` = the model note's
      section 3.1 typing (p -> res held: memory source of res, neither memory nor neighbor
      destination of p; res starts after td_xb(p); res reads p in p's virtual DRAM layout);
      variant `dram` = p -> res a memory edge on both sides (p also writes DRAM), same start rule
  relaxed_layer <variant> <name> <ts_xb> <td_xb> <gbuf words/node> <cost> <time> <dram_time>
      <dram fil> <dram ifm> <dram ofm> <remote gbuf ifm> <remote gbuf ofm> <unit_nhops ifm> <fetch gbuf ifm>
The patched Tangram is this script's own few lines (held_pairs, relaxed_init_deps, held_timing,
virtual_fmap_layout); nothing in nn_dataflow is modified.
"""
import sys

from nn_dataflow.core import (Network, InputLayer, ConvLayer, EltwiseLayer, NodeRegion, PhyDim2, Resource,
                              Cost, Option, NNDataflow, MapStrategyEyeriss, InterLayerPipeline, PipelineSegment,
                              DataLayout, NNDataflowScheme)
from nn_dataflow.core.pipeline_segment_timing import PipelineSegmentTiming


def network():
    n = Network('resblock')
    n.set_input_layer(InputLayer(256, 14))
    n.add('p', ConvLayer(256, 256, 14, 1))
    n.add('a', ConvLayer(256, 64, 14, 1), prevs=('p',))
    n.add('b', ConvLayer(64, 64, 14, 3))
    n.add('c', ConvLayer(64, 256, 14, 1))
    n.add('res', EltwiseLayer(256, 14, 2), prevs=('p', 'c'))
    n.add('q', ConvLayer(256, 64, 14, 1))
    return n


def resource(dram_bw_words=float('inf')):
    dim = PhyDim2(8, 8)
    proc = NodeRegion(dim=dim, origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    data = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=dim - PhyDim2(1, 1), type=NodeRegion.DRAM)
    return Resource(proc_region=proc, dram_region=data, src_data_region=data, dst_data_region=data,
                    dim_array=PhyDim2(16, 16), size_gbuf=65536 // 2, size_regf=64 // 2,
                    array_bus_width=float('inf'), dram_bandwidth=dram_bw_words, no_time_mux=False)


COST = Cost(mac_op=1, mem_hier=(200, 6, 2, 1), noc_hop=10, idl_unit=0)
OPTS = Option(sw_gbuf_bypass=(True, True, True), sw_solve_loopblocking=True, partition_hybrid=True,
              hw_access_forwarding=True, partition_interlayer=True, opt_goal='e', ntops=4)
SEG5 = (('p',), ('a',), ('b',), ('c', 'res'), ('q',))
LAYERS = ['p', 'a', 'b', 'c', 'res', 'q']

#
# The patches (active only while HELD / MEMORY are non-empty)
#

HELD = set()     # (producer, consumer) edges typed as held
MEMORY = set()   # (producer, consumer) edges typed as memory on both sides


def held_pairs(seg, net):
    '''Section 3.1: a single cross-stage source stays a neighbor edge if the layer has no memory
    source and its stage has no neighbor source yet; all other cross-stage sources are held.'''
    idx = {l: (sp, tm) for sp, st in enumerate(seg) for tm, l in enumerate(st)}
    out = set()
    for sp, st in enumerate(seg):
        stage_has_nbr = False
        for l in st:
            nbr = [p for p in net.prevs(l) if p in idx and idx[p][0] != sp]
            mem = [p for p in net.prevs(l) if p not in idx]
            if len(nbr) == 1 and not mem and not stage_has_nbr:
                stage_has_nbr = True
                continue
            out.update((p, l) for p in nbr)
    return out


orig_init_deps = PipelineSegment._init_deps


def relaxed_init_deps(self):
    if not HELD and not MEMORY:
        return orig_init_deps(self)
    net = self.network
    prevs, nexts = net.prevs, net.nexts
    # A held / memory producer is seen by its consumer as an outside layer.
    net.prevs = lambda l: tuple(('mem', p) if (p, l) in HELD | MEMORY else p for p in prevs(l))
    # Held: the producer does not see the consumer; memory: it sees an outside consumer.
    net.nexts = lambda l: tuple(('mem', n) if (l, n) in MEMORY else n for n in nexts(l) if (l, n) not in HELD)
    try:
        return orig_init_deps(self)
    finally:
        del net.prevs, net.nexts


PipelineSegment._init_deps = relaxed_init_deps

orig_timing = PipelineSegmentTiming._make_layer_timing


def held_timing(self, layer_name, sched_result):
    '''A held (or memory) edge inside the segment: start after the producer's td_xb.'''
    net = self.network
    waits = [p for p in net.prevs(layer_name) if (p, layer_name) in HELD | MEMORY and p in self.layer2idx]
    if not waits:
        return orig_timing(self, layer_name, sched_result)
    prevs = net.prevs
    net.prevs = lambda l: tuple(p for p in prevs(l) if (p, l) not in HELD | MEMORY)
    try:
        t = orig_timing(self, layer_name, sched_result)
    finally:
        del net.prevs
    ts = t.ts_xb
    for p in waits:
        sp, tm = self.layer2idx[p]
        ts = max(ts, self.timing_list[sp][tm].td_xb)
    return t._replace(ts_xb=ts, td_xb=max(t.td_xb, ts + t.time))


PipelineSegmentTiming._make_layer_timing = held_timing

CURRENT = [None, None]   # the layer being scheduled, the NNDataflow
orig_fmap_layout = NNDataflowScheme.fmap_layout


def virtual_fmap_layout(self, layers):
    '''A held operand is read in its producer's virtual DRAM layout.'''
    cons = CURRENT[0]
    if cons is None or not any((p, cons) in HELD for p in layers):
        return orig_fmap_layout(self, layers)
    parts = []
    dram = CURRENT[1].resource.dst_data_region
    for p in layers:
        if (p, cons) in HELD:
            r = self[p]
            parts.append(DataLayout(frngs=(r.ofmap_layout.complete_fmap_range(),), regions=(dram,),
                                    parts=(r.scheme['part'].projection(dram, appl2frng=True),)))
        else:
            parts.append(orig_fmap_layout(self, (p,)))
    return DataLayout.concat(*parts)


NNDataflowScheme.fmap_layout = virtual_fmap_layout
orig_lss = NNDataflow._layer_schedule_search


def lss(self, layer_name, *args):
    CURRENT[0], CURRENT[1] = layer_name, self
    try:
        return orig_lss(self, layer_name, *args)
    finally:
        CURRENT[0] = None


NNDataflow._layer_schedule_search = lss

#
# Output
#


def names(ls):
    return ','.join(ls)


def facts():
    net = network()
    ilp = InterLayerPipeline(net, 4, resource())
    print('vertices', ' '.join(names(v) for v in ilp.dag_vertex_list))
    print('ordered', names(ilp.ordered_layer_list()))
    for vseg in ilp._gen_vseg():
        print('vseg', vseg[0], len(vseg))
    for seg in [SEG5[:4], SEG5]:
        s = PipelineSegment(seg, net, 4, resource())
        print('tangram_valid', '|'.join(names(st) for st in seg), int(s.valid))
        if seg == SEG5:
            print('alloc_proc', ' '.join(str(r.dim.size()) for r in s._alloc_proc(0.05)))


def tangram_best(batch, bw):
    nnd = NNDataflow(network(), batch, resource(bw), COST, MapStrategyEyeriss)
    tops, _ = nnd.schedule_search(OPTS)
    best = tops[0]
    segs = {}
    for l in best:
        segs.setdefault(best[l].sched_seq[0], []).append(l)
    print('tangram', repr(best.total_cost), best.total_time, repr(best.total_accesses[0]),
          '|'.join(names(segs[k]) for k in sorted(segs)))
    for l in LAYERS:
        print('tangram_layer', l, ' '.join(repr(float(a)) for a in best[l].scheme['access'][0]))


def relaxed(variant, batch, bw):
    HELD.clear()
    MEMORY.clear()
    (HELD if variant == 'held' else MEMORY).update(held_pairs(SEG5, network()))
    net = network()
    nnd = NNDataflow(net, batch, resource(bw), COST, MapStrategyEyeriss)
    seg = PipelineSegment(SEG5, net, batch, resource(bw))
    assert seg.valid
    nnd.nndf_tops = {None: [NNDataflowScheme(net, il, el) for il, el in nnd._gen_input_layout(OPTS)]}
    best = nnd._segment_schedule_search(seg, OPTS)[0]
    t = best.segment_timing_list[0]
    print('relaxed', variant, repr(best.total_cost), best.total_time, t.bat_ngrp, t.critical_time, t.node_time,
          t.dram_time, repr(best.total_accesses[0]))
    flat = {l: tl for st, tls in zip(SEG5, t.timing_list) for l, tl in zip(st, tls)}
    for l in LAYERS:
        r = best[l]
        s = r.scheme
        print('relaxed_layer', variant, l, flat[l].ts_xb, flat[l].td_xb, sum(s['size'][0]), repr(r.total_cost),
              r.total_time, r.total_dram_time, ' '.join(repr(float(a)) for a in s['access'][0]),
              repr(float(s['remote_gbuf_access'][1])), repr(float(s['remote_gbuf_access'][2])),
              s['unit_nhops'][1], s['fetch'][0][1])
    HELD.clear()
    MEMORY.clear()


def main():
    facts()
    for batch, bw in [(4, float('inf')), (4, 2.0), (16, float('inf'))]:
        print('config', batch, bw)
        sys.stdout.flush()
        tangram_best(batch, bw)
        relaxed('held', batch, bw)
        relaxed('dram', batch, bw)


if __name__ == '__main__':
    main()
