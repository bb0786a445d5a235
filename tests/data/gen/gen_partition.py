#!/usr/bin/env python3
"""Reference data for tests/partition (partition.py, data_layout.py, partition_scheme.py).

Provenance of tests/data/partition/{partitions,proc_data_range,data_layout,unit_nhops,
memo_sequence}.txt; not run by
the tests. Regenerate with
    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 tests/data/gen/gen_partition.py tests/data/partition

Serialisation (space separated ints):
    layer lines as in gen_mapping.py, plus `layer input <nofm> <hofm> <wofm>`
    part   = <order x4> <pdims OUTP h w, OFMP h w, BATP h w, INPP h w>        (12 ints)
    region = <dim h w> <origin h w> <dist h w> <type 0=PROC 1=DRAM> <wtot> <wbeg>  (9 ints)
    frng   = <beg b n h w> <end b n h w>                                         (8 ints)

partitions.txt: for each layer x node dims x option set, gen_partition(..., guaranteed=True):
    case <name> / layer ... / setup <batch> <nodes h> <nodes w> <hybrid> <batch_part> <ifmaps>
    count <n> / part ... (n lines, in generation order)
proc_data_range.txt: proc_data_range for every pidx (gen_pidx order):
    case / layer / setup <batch> / part ... / count <n> /
    r <pidx 8 ints> <fil ifm beg end> <fil ofm beg end> <ifrng 8> <ofrng 8>
data_layout.txt: DataLayout.nhops_to and is_in on the ifmap layouts of unit_nhops.txt:
    layout <name> <npieces> / piece ... /
    q <frng> <fwd 0|1> <k> <dest h w> x k <nhops>   (random queries, Python random seed 20240601)
    in <m> <region> x m <is_in 0|1>
memo_sequence.txt: one run of unit_nhops_to_proc_region calls through Tangram's warm LRU caches
    (tangram_nhops_memo): `pass <k>` then scenario blocks as in unit_nhops.txt whose `p` lines end
    with <cached nhops x3> <true nhops x3>; last line
    end <calls> <calls where cached != true> <hits misses currsize> x 4 caches
    (unit_nhops_to_proc_region, _unit_nhops_to_fil, _unit_nhops_to_ifm, _unit_nhops_to_ofm)
unit_nhops.txt: unit_nhops_to_proc_region for every partition of a layer on a region:
    scenario <name> / layer ... / setup <batch> <fwd 0|1> <hybrid> <batch_part> <ifmaps>
    proc <region> / filter_nodes <k> <h w> x k (sorted) /
    ifmap <npieces> / piece <frng> <region> <part> (npieces lines) /
    dst <region> / count <n> /
    p <part> <ofmap layout part = part.projection(dst, appl2frng=True)> <nhops FIL IFM OFM>
"""
import os
import random
import sys

from nn_dataflow.core import (ConvLayer, FCLayer, LocalRegionLayer, PoolingLayer, EltwiseLayer,
                              InputLayer, PartitionScheme, PhyDim2, NodeRegion, Option,
                              DataLayout, FmapRange, FmapPosition)
from nn_dataflow.core import partition


def layer_line(l):
    if isinstance(l, FCLayer):
        return 'layer fc {} {} {} {}'.format(l.nifm, l.nofm, l.hfil, l.wfil)
    if isinstance(l, ConvLayer):
        return 'layer conv {} {} {} {} {} {} {} {}'.format(
            l.nifm, l.nofm, l.hofm, l.wofm, l.hfil, l.wfil, l.htrd, l.wtrd)
    if isinstance(l, PoolingLayer):
        return 'layer pool {} {} {} {} {} {} {}'.format(
            l.nofm, l.hofm, l.wofm, l.hreg, l.wreg, l.htrd, l.wtrd)
    if isinstance(l, EltwiseLayer):
        return 'layer eltwise {} {} {} {}'.format(l.nofm, l.hofm, l.wofm, l.nreg)
    if isinstance(l, LocalRegionLayer):
        return 'layer lr {} {} {} {} {} {} {} {} {}'.format(
            l.nofm, l.hofm, l.wofm, l.nreg, l.hreg, l.wreg, l.ntrd, l.htrd, l.wtrd)
    assert isinstance(l, InputLayer)
    return 'layer input {} {} {}'.format(l.nofm, l.hofm, l.wofm)


def ints(vals):
    return ' '.join(str(v) for v in vals)


def part_str(p):
    vals = list(p.order)
    for d in p.pdims:
        vals += [d.h, d.w]
    return ints(vals)


def region_str(r):
    return ints([r.dim.h, r.dim.w, r.origin.h, r.origin.w, r.dist.h, r.dist.w, r.type,
                 r.wtot, r.wbeg])


def frng_str(f):
    return ints(list(f.fp_beg) + list(f.fp_end))


OPTION_SETS = {
    'naive': dict(),
    'hybrid': dict(partition_hybrid=True),
    'batch': dict(partition_batch=True),
    'hybrid_batch': dict(partition_hybrid=True, partition_batch=True),
    'ifmaps': dict(partition_hybrid=True, partition_ifmaps=True),
    'all': dict(partition_hybrid=True, partition_batch=True, partition_ifmaps=True),
}


def option_flags(opt):
    return '{} {} {}'.format(int(opt.partition_hybrid), int(opt.partition_batch),
                             int(opt.partition_ifmaps))


def gen_partitions(out):
    layers = [
        ('conv', ConvLayer(64, 128, 56, 3), 16),
        ('fc', FCLayer(4096, 1000), 64),
        ('pool', PoolingLayer(64, 56, 3, strd=2), 3),
        ('eltwise', EltwiseLayer(256, 14, 2), 1),
        ('lrn', LocalRegionLayer(96, 27, 5, 1), 16),
        ('input', InputLayer(3, 224), 16),
        ('small_conv', ConvLayer(3, 5, 7, 3), 1),
        ('rect_conv', ConvLayer(32, 48, (14, 28), 3, strd=(1, 2)), 3),
        ('fc_sfil', FCLayer(256, 4096, 6), 16),
    ]
    dims = [(2, 2), (4, 4), (3, 5), (16, 16), (1, 8)]
    for lname, layer, batch in layers:
        for dim in dims:
            for oname, kw in OPTION_SETS.items():
                opt = Option(**kw)
                parts = list(partition.gen_partition(layer, batch, PhyDim2(*dim), opt,
                                                     guaranteed=True))
                out.write('case {}_{}x{}_{}\n'.format(lname, dim[0], dim[1], oname))
                out.write(layer_line(layer) + '\n')
                out.write('setup {} {} {} {}\n'.format(batch, dim[0], dim[1], option_flags(opt)))
                out.write('count {}\n'.format(len(parts)))
                for p in parts:
                    out.write('part ' + part_str(p) + '\n')


def P(order, outp=(1, 1), ofmp=(1, 1), batp=(1, 1), inpp=(1, 1)):
    return PartitionScheme(order=order, pdims=[PhyDim2(*d) for d in (outp, ofmp, batp, inpp)])


def gen_proc_data_range(out):
    cases = [
        ('conv_ofmp_uneven', ConvLayer(64, 128, 55, 3, strd=2), 16, P((0, 1, 2, 3), ofmp=(3, 5))),
        ('conv_outp_inpp_batp', ConvLayer(30, 70, 9, 3), 6,
         P((2, 0, 1, 3), outp=(1, 3), ofmp=(2, 1), batp=(3, 1), inpp=(1, 2))),
        ('fc_outp_empty_ranges', FCLayer(5, 3, 2), 1, P((1, 2, 3, 0), outp=(2, 2))),
        ('lrn_window', LocalRegionLayer(10, 13, 5, 1), 4, P((0, 1, 2, 3), outp=(5, 1), ofmp=(1, 2))),
        ('eltwise_window', EltwiseLayer(6, 7, 3), 2, P((2, 1, 0, 3), outp=(1, 3), batp=(2, 1))),
        ('pool_rect', PoolingLayer(8, (7, 14), (2, 3), strd=(2, 1)), 3,
         P((1, 0, 2, 3), outp=(2, 1), ofmp=(2, 3))),
        ('batch_smaller_than_batp', ConvLayer(4, 4, 4, 1), 2, P((2, 0, 1, 3), batp=(1, 4))),
    ]
    for name, layer, batch, part in cases:
        out.write('case {}\n{}\nsetup {}\npart {}\n'.format(name, layer_line(layer), batch,
                                                            part_str(part)))
        pidxs = list(part.gen_pidx())
        out.write('count {}\n'.format(len(pidxs)))
        for pidx in pidxs:
            filrng, ifrng, ofrng = partition.proc_data_range(layer, batch, part, pidx)
            vals = []
            for d in pidx:
                vals += [d.h, d.w]
            vals += [filrng[0].beg, filrng[0].end, filrng[1].beg, filrng[1].end]
            out.write('r {} {} {} {}\n'.format(ints(vals), ' ', frng_str(ifrng), frng_str(ofrng))
                      .replace('  ', ' '))


def dram_2d(nodes):
    return NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0),
                      dist=PhyDim2(nodes[0] - 1, nodes[1] - 1), type=NodeRegion.DRAM)


def dram_3d(nodes):
    return NodeRegion(dim=PhyDim2(*nodes), origin=PhyDim2(0, 0), type=NodeRegion.DRAM)


def proc_at(dim, origin=(0, 0)):
    return NodeRegion(dim=PhyDim2(*dim), origin=PhyDim2(*origin), type=NodeRegion.PROC)


def full_frng(batch, n, h, w):
    return FmapRange(FmapPosition(0, 0, 0, 0), FmapPosition(batch, n, h, w))


def input_layouts(layer, batch, region, opt, sofm=None):
    ''' NNDataflow._gen_input_layout for an input of the layer's ifmap shape. '''
    h, w = sofm if sofm else (layer.hifm, layer.wifm)
    frng = full_frng(batch, layer.nifm, h, w)
    inl = InputLayer(layer.nifm, (h, w))
    for p in partition.gen_partition(inl, batch, region.dim, opt, guaranteed=True):
        yield DataLayout(frngs=(frng,), regions=(region,),
                         parts=(p.projection(region, appl2frng=True),))


def prev_part_layout(batch, region, parts_nofms, h, w):
    ''' The `layer --prev-part` layout: producers' parts projected on `region`, concatenated. '''
    layouts = [DataLayout(frngs=(full_frng(batch, nofm, h, w),), regions=(region,),
                          parts=(p.projection(region, appl2frng=True),))
               for p, nofm in parts_nofms]
    return DataLayout.concat(*layouts)


def scenarios():
    # (name, layer, batch, proc region, dram region, ifmap layout, dst region, option set, fwd)
    s = []
    conv = ConvLayer(64, 128, 56, 3)
    proc44 = proc_at((4, 4))
    d2 = dram_2d((4, 4))
    d3 = dram_3d((4, 4))
    hb = OPTION_SETS['hybrid_batch']
    ins = list(input_layouts(conv, 16, d2, Option(**hb)))
    for k in (0, 3, len(ins) - 1):
        for fwd in (False, True):
            s.append(('conv_in2d_{}_fwd{}'.format(k, int(fwd)), conv, 16, proc44, d2, ins[k], d2,
                      hb, fwd))
    ins3 = list(input_layouts(conv, 16, d3, Option(**hb), sofm=(56, 56)))
    for k in (0, len(ins3) // 2):
        for fwd in (False, True):
            s.append(('conv_in3d_{}_fwd{}'.format(k, int(fwd)), conv, 16, proc44, d3, ins3[k], d3,
                      hb, fwd))
    # Mid-network: `layer --prev-part` layouts, FC with INPP (partial ofmaps accumulate).
    fc = FCLayer(1024, 1000, 2)
    prev = prev_part_layout(16, d2, [(P((2, 3, 1, 0), outp=(1, 2), ofmp=(4, 2)), 1024)], 2, 2)
    for fwd in (False, True):
        s.append(('fc_prevpart_ifmaps_fwd{}'.format(int(fwd)), fc, 16, proc44, d2, prev, d2,
                  OPTION_SETS['all'], fwd))
    # Two producers concatenated (e.g. an inception merge), 3x5 nodes, 2D DRAM.
    cat = ConvLayer(96, 64, 14, 1)
    proc35 = proc_at((3, 5))
    d35 = dram_2d((3, 5))
    prev2 = prev_part_layout(3, d35, [(P((0, 1, 2, 3), ofmp=(3, 5)), 32),
                                      (P((1, 0, 2, 3), outp=(1, 5), ofmp=(3, 1)), 64)], 14, 14)
    for fwd in (False, True):
        s.append(('conv_concat_3x5_fwd{}'.format(int(fwd)), cat, 3, proc35, d35, prev2, d35,
                  OPTION_SETS['ifmaps'], fwd))
    # Pipelined: ifmaps from a neighbor's (folded) processing region, ofmaps stay local.
    mesh = proc_at((4, 8))
    subs = mesh.allocate([12, 12, 8])
    src, dst = subs[1], subs[0]
    pool = PoolingLayer(32, 28, 2)
    src_part = P((0, 1, 2, 3), ofmp=(src.dim.h, src.dim.w))
    neigh = DataLayout(frngs=(full_frng(16, 32, 56, 56),), regions=(src,),
                       parts=(src_part.projection(src, appl2frng=True),))
    for fwd in (False, True):
        s.append(('pool_neighbor_local_fwd{}'.format(int(fwd)), pool, 16, dst, d2, neigh, dst,
                  OPTION_SETS['hybrid_batch'], fwd))
    # A folded processing region receiving a conv with INPP from a neighbor; ofmaps local.
    conv2 = ConvLayer(32, 48, 28, 3)
    neigh2 = DataLayout(frngs=(full_frng(16, 32, 30, 30),), regions=(subs[0],),
                        parts=(P((1, 0, 2, 3), outp=(1, 2), ofmp=(4, 1))
                               .projection(subs[0], appl2frng=True),))
    for fwd in (False, True):
        s.append(('conv_folded_ifmaps_fwd{}'.format(int(fwd)), conv2, 16, subs[1], d2, neigh2,
                  subs[1], OPTION_SETS['all'], fwd))
    # LRN (overlapping channel windows), eltwise (ntrd inputs), 2D DRAM.
    lrn = LocalRegionLayer(96, 27, 5, 1)
    lins = list(input_layouts(lrn, 16, d2, Option(**hb)))
    for fwd in (False, True):
        s.append(('lrn_fwd{}'.format(int(fwd)), lrn, 16, proc44, d2, lins[1], d2, hb, fwd))
    elt = EltwiseLayer(64, 14, 2)
    proc18 = proc_at((1, 8), (3, 0))
    d18 = dram_2d((4, 8))
    eins = list(input_layouts(elt, 16, d18, Option(**hb)))
    for fwd in (False, True):
        s.append(('eltwise_1x8_fwd{}'.format(int(fwd)), elt, 16, proc18, d18, eins[-1], d18,
                  hb, fwd))
    # FC on 8x8 nodes: OUTP groups of 64 nodes (large forwarding trees).
    fc8 = FCLayer(512, 256)
    proc88 = proc_at((8, 8))
    d88 = dram_2d((8, 8))
    fins = list(input_layouts(fc8, 64, d88, Option(**OPTION_SETS['all'])))
    for fwd in (False, True):
        s.append(('fc_8x8_fwd{}'.format(int(fwd)), fc8, 64, proc88, d88, fins[0], d88,
                  OPTION_SETS['all'], fwd))
    # Rectangular strided conv, batch 3, 3D DRAM under a 2x4 region at an offset.
    rc = ConvLayer(16, 24, (14, 28), (3, 5), strd=(1, 2))
    procr = proc_at((2, 4), (1, 2))
    d3r = NodeRegion(dim=PhyDim2(2, 4), origin=PhyDim2(1, 2), type=NodeRegion.DRAM)
    rins = list(input_layouts(rc, 3, d3r, Option(**OPTION_SETS['all'])))
    for fwd in (False, True):
        s.append(('rect_conv_3d_fwd{}'.format(int(fwd)), rc, 3, procr, d3r, rins[-1], d3r,
                  OPTION_SETS['all'], fwd))
    return s


NHOPS_CACHED = (partition.unit_nhops_to_proc_region, partition._unit_nhops_to_fil,
                partition._unit_nhops_to_ifm, partition._unit_nhops_to_ofm)


def clear_nhops_caches():
    for f in NHOPS_CACHED:
        f.cache_clear()


def write_scenario_head(out, name, layer, batch, fwd, opt, proc, filter_nodes, ifl, dst):
    out.write('scenario {}\n{}\n'.format(name, layer_line(layer)))
    out.write('setup {} {} {}\n'.format(batch, int(fwd), option_flags(opt)))
    out.write('proc {}\n'.format(region_str(proc)))
    fnodes = sorted(filter_nodes)
    out.write('filter_nodes {} {}\n'.format(len(fnodes), ints([c for n in fnodes for c in n])))
    out.write('ifmap {}\n'.format(len(ifl.frngs)))
    for f, r, p in zip(ifl.frngs, ifl.regions, ifl.parts):
        out.write('piece {} {} {}\n'.format(frng_str(f), region_str(r), part_str(p)))
    out.write('dst {}\n'.format(region_str(dst)))


def gen_unit_nhops(out):
    for name, layer, batch, proc, dram, ifl, dst, kw, fwd in scenarios():
        opt = Option(hw_access_forwarding=fwd, **kw)
        filter_nodes = frozenset(dram.iter_node())
        write_scenario_head(out, name, layer, batch, fwd, opt, proc, filter_nodes, ifl, dst)
        parts = list(partition.gen_partition(layer, batch, proc.dim, opt, guaranteed=True))
        out.write('count {}\n'.format(len(parts)))
        ofrng = full_frng(batch, layer.nofm, layer.hofm, layer.wofm)
        for part in parts:
            oproj = part.projection(dst, appl2frng=True)
            ofl = DataLayout(frngs=(ofrng,), regions=(dst,), parts=(oproj,))
            # Tangram's memoised helpers key on HashableDicts that compare only the sets of keys
            # and of values, so a warm cache can answer for another partition; the cold caches
            # give the true hop counts (the memo emulation is tested separately).
            clear_nhops_caches()
            nh = partition.unit_nhops_to_proc_region(layer, batch, proc, part, filter_nodes,
                                                     ifl, ofl, opt)
            out.write('p {} {} {}\n'.format(part_str(part), part_str(oproj), ints(nh)))


def gen_data_layout(out):
    rnd = random.Random(20240601)
    layouts = {}
    for name, layer, batch, proc, dram, ifl, dst, kw, fwd in scenarios():
        if not fwd:
            layouts[name] = (ifl, proc, dram, dst)
    for name, (dl, proc, dram, dst) in layouts.items():
        out.write('layout {} {}\n'.format(name, len(dl.frngs)))
        for f, r, p in zip(dl.frngs, dl.regions, dl.parts):
            out.write('piece {} {} {}\n'.format(frng_str(f), region_str(r), part_str(p)))
        full = dl.complete_fmap_range()
        nodes = list(proc.iter_node()) + list(dram.iter_node()) + [PhyDim2(9, 9)]
        for _ in range(12):
            beg = [rnd.randrange(0, e) for e in full.fp_end]
            end = [rnd.randrange(b + 1, e + 1) for b, e in zip(beg, full.fp_end)]
            if rnd.random() < 0.15:
                beg, end = [0] * 4, list(full.fp_end)
            frng = FmapRange(FmapPosition(*beg), FmapPosition(*end))
            dests = [rnd.choice(nodes) for _ in range(rnd.choice([1, 2, 3, 5, 8, 13]))]
            for fwd in (False, True):
                out.write('q {} {} {} {} {}\n'.format(
                    frng_str(frng), int(fwd), len(dests), ints([c for d in dests for c in d]),
                    dl.nhops_to(frng, *dests, forwarding=fwd)))
        for regions in ([proc], [dram], [dst], [proc, dram], [proc, dst], [dram, dst],
                        [NodeRegion(dim=PhyDim2(8, 8), origin=PhyDim2(0, 0), type=NodeRegion.PROC)],
                        [NodeRegion(dim=PhyDim2(8, 8), origin=PhyDim2(0, 0), type=NodeRegion.DRAM)]):
            out.write('in {} {} {}\n'.format(len(regions), ' '.join(region_str(r) for r in regions),
                                             int(dl.is_in(*regions))))


def true_unit_nhops(*args):
    ''' unit_nhops_to_proc_region without touching any cache. '''
    saved = {n: getattr(partition, n) for n in ('_unit_nhops_to_fil', '_unit_nhops_to_ifm',
                                                 '_unit_nhops_to_ofm')}
    try:
        for n, f in saved.items():
            setattr(partition, n, f.__wrapped__)
        return partition.unit_nhops_to_proc_region.__wrapped__(*args)
    finally:
        for n, f in saved.items():
            setattr(partition, n, f)


def gen_memo_sequence(out):
    ''' One long run through Tangram's warm caches: the scenarios, the scenarios again with
    local ofmaps (new keys: more than 1024 entries, so the oldest are evicted), then the
    scenarios in reverse order. '''
    clear_nhops_caches()
    base = scenarios()
    passes = [base,
              [(n, l, b, proc, dram, ifl, proc, kw, fwd)
               for n, l, b, proc, dram, ifl, dst, kw, fwd in base],
              list(reversed(base))]
    ncalls = ndiff = 0
    for ipass, scns in enumerate(passes):
        out.write('pass {}\n'.format(ipass))
        for name, layer, batch, proc, dram, ifl, dst, kw, fwd in scns:
            opt = Option(hw_access_forwarding=fwd, **kw)
            filter_nodes = frozenset(dram.iter_node())
            write_scenario_head(out, name, layer, batch, fwd, opt, proc, filter_nodes, ifl, dst)
            parts = list(partition.gen_partition(layer, batch, proc.dim, opt, guaranteed=True))
            out.write('count {}\n'.format(len(parts)))
            ofrng = full_frng(batch, layer.nofm, layer.hofm, layer.wofm)
            for part in parts:
                oproj = part.projection(dst, appl2frng=True)
                ofl = DataLayout(frngs=(ofrng,), regions=(dst,), parts=(oproj,))
                args = (layer, batch, proc, part, filter_nodes, ifl, ofl, opt)
                cached = partition.unit_nhops_to_proc_region(*args)
                true = true_unit_nhops(*args)
                ncalls += 1
                ndiff += list(cached) != list(true)
                out.write('p {} {} {} {}\n'.format(part_str(part), part_str(oproj), ints(cached),
                                                   ints(true)))
    infos = [f.cache_info() for f in NHOPS_CACHED]
    out.write('end {} {} {}\n'.format(ncalls, ndiff,
                                      ' '.join('{} {} {}'.format(i.hits, i.misses, i.currsize)
                                               for i in infos)))


def main():
    outdir = sys.argv[1]
    with open(os.path.join(outdir, 'memo_sequence.txt'), 'w') as out:
        gen_memo_sequence(out)
    with open(os.path.join(outdir, 'data_layout.txt'), 'w') as out:
        gen_data_layout(out)
    with open(os.path.join(outdir, 'partitions.txt'), 'w') as out:
        gen_partitions(out)
    with open(os.path.join(outdir, 'proc_data_range.txt'), 'w') as out:
        gen_proc_data_range(out)
    with open(os.path.join(outdir, 'unit_nhops.txt'), 'w') as out:
        gen_unit_nhops(out)


if __name__ == '__main__':
    main()
