#!/usr/bin/env python3
"""Reference data for tests/prospector (tests/data/prospector/reference.txt).

Provenance only; not run by the tests. Regenerate with
    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 tests/data/gen/gen_prospector.py > tests/data/prospector/reference.txt

Two kinds of records (space separated ints):

1. The forwarding hop count F(x, S) of the buffer allocator's kappa is Tangram's
   DataLayout.nhops_to for one word stored on the single node x (random cases, seed 20250625):
       f <forwarding 0|1> <x h w> <k> <dest h w> x k <nhops>

2. Held-edge requirements on real per-node ranges: Tangram's partition.proc_data_range for every
   node (gen_pidx order) of a producer and of its held consumer(s), placed on the stages that
   NodeRegion.allocate gives the model note's section 3.3 segment (8x8 mesh, 28/7/15/7/7 nodes).
   The expected pieces follow the model note's section 3.2, computed here with exact fractions:
   N_live = min(B, ceil((td_xb - ts_xb) / C)); replicas of one ofmap range (INPP) count once, for
   the first node listing them; r_n = N_live * |ofrng_n| / B apportioned by largest remainder
   (ties to the earlier node); S = consumer nodes whose ifmap range overlaps the piece shifted by
   the producer's channel offset; F(n, S) without and with forwarding by DataLayout.nhops_to.
       case <name>
       batching <B> <C> <ts_xb>
       producer <n>            then n lines: r <node h w> <frng 8>
       consumer <td_xb> <channel offset> <n>   then n lines: r <node h w> <frng 8>   (repeated)
       expect <N_live> <V> <R> <npieces>
       piece <node h w> <words> <k> <consumer h w> x k <F nofwd> <F fwd>   (npieces lines, input order)
"""
import math
import random
from fractions import Fraction

from nn_dataflow.core import (ConvLayer, EltwiseLayer, PartitionScheme, PhyDim2, NodeRegion,
                              DataLayout, FmapRange)
from nn_dataflow.core import partition
from nn_dataflow.core import ParallelEnum as pe


def ints(vals):
    return ' '.join(str(v) for v in vals)


def one_word_layout(node):
    region = NodeRegion(dim=PhyDim2(1, 1), origin=node, type=NodeRegion.PROC)
    part = PartitionScheme(order=range(pe.NUM), pdims=[PhyDim2(1, 1)] * pe.NUM)
    frng = FmapRange((0, 0, 0, 0), (1, 1, 1, 1))
    return DataLayout(frngs=(frng,), regions=(region,), parts=(part,)), frng


def nhops(node, dests, fwd):
    layout, frng = one_word_layout(node)
    return layout.nhops_to(frng, *dests, forwarding=fwd)


def gen_forwarding(rng):
    for _ in range(300):
        mh, mw = rng.randint(1, 16), rng.randint(1, 16)
        fwd = rng.random() < 0.5
        k = rng.randint(1 if fwd else 0, 12)
        x = PhyDim2(rng.randrange(mh), rng.randrange(mw))
        dests = [PhyDim2(rng.randrange(mh), rng.randrange(mw)) for _ in range(k)]
        if k >= 2 and rng.random() < 0.3:
            dests.append(dests[0])  # a duplicate destination
        vals = [int(fwd), x.h, x.w, len(dests)]
        for d in dests:
            vals += [d.h, d.w]
        vals.append(nhops(x, dests, fwd))
        print('f ' + ints(vals))


def part_of(order, **dims):
    pdims = [PhyDim2(1, 1)] * pe.NUM
    for name, d in dims.items():
        pdims[getattr(pe, name)] = PhyDim2(*d)
    return PartitionScheme(order=order, pdims=pdims)


def node_ranges(layer, batch, part, region, want):
    out = []
    for pidx in part.gen_pidx():
        coord = part.coordinate(region, pidx)
        _, ifrng, ofrng = partition.proc_data_range(layer, batch, part, pidx)
        out.append((coord, ofrng if want == 'ofm' else ifrng))
    return out


def frng_str(f):
    return ints(list(f.fp_beg) + list(f.fp_end))


def apportion(sizes, live, groups):
    exact = [Fraction(live * s, groups) for s in sizes]
    words = [math.floor(x) for x in exact]
    left = math.floor(Fraction(live * sum(sizes), groups)) - sum(words)
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - words[i]), i))
    for i in order[:left]:
        words[i] += 1
    return words


def emit_case(name, batching, producer, consumers):
    groups, crit, ts_xb = batching
    print('case ' + name)
    print('batching {} {} {}'.format(groups, crit, ts_xb))
    print('producer {}'.format(len(producer)))
    for node, frng in producer:
        print('r {} {} {}'.format(node.h, node.w, frng_str(frng)))
    for td_xb, offset, ranges in consumers:
        print('consumer {} {} {}'.format(td_xb, offset, len(ranges)))
        for node, frng in ranges:
            print('r {} {} {}'.format(node.h, node.w, frng_str(frng)))

    live = min(groups, -(-(max(c[0] for c in consumers) - ts_xb) // crit))
    distinct = []
    for node, frng in producer:
        if frng.size() > 0 and all(frng != f for _, f in distinct):
            distinct.append((node, frng))
    sizes = [f.size() for _, f in distinct]
    words = apportion(sizes, live, groups)
    total = sum(sizes)
    pieces = []
    for (node, frng), w in zip(distinct, words):
        if w == 0:
            continue
        dests = set()
        for _, offset, ranges in consumers:
            shifted = FmapRange((frng.fp_beg.b, frng.fp_beg.n + offset, frng.fp_beg.h, frng.fp_beg.w),
                                (frng.fp_end.b, frng.fp_end.n + offset, frng.fp_end.h, frng.fp_end.w))
            for cnode, cfrng in ranges:
                if cfrng.overlap_size(shifted) > 0:
                    dests.add(cnode)
        dests = sorted(dests)
        vals = [node.h, node.w, w, len(dests)]
        for d in dests:
            vals += [d.h, d.w]
        vals += [nhops(node, dests, False), nhops(node, dests, True) if dests else 0]
        pieces.append('piece ' + ints(vals))
    print('expect {} {} {} {}'.format(live, total, sum(words), len(pieces)))
    for p in pieces:
        print(p)


def gen_cases():
    mesh = NodeRegion(dim=PhyDim2(8, 8), origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    st_p, st_a, st_b, st_cres, st_q = mesh.allocate([28, 7, 15, 7, 7])
    p = ConvLayer(256, 256, 14, 1)
    res = EltwiseLayer(256, 14, 2)
    p_part = part_of([pe.OUTP, pe.OFMP, pe.BATP, pe.INPP], OUTP=(1, 4), OFMP=(1, 7))
    res_part = part_of([pe.OFMP, pe.OUTP, pe.BATP, pe.INPP], OFMP=(1, 7))

    # Section 3.3: p -> res held, batch 4 (B = 2) and batch 16 (B = 8); p is res's first prev.
    for batch, groups, crit, td_xb in [(4, 2, 11520, 37968), (16, 8, 46080, 151872)]:
        emit_case('residual_b{}'.format(batch), (groups, crit, 0),
                  node_ranges(p, batch, p_part, st_p, 'ofm'),
                  [(td_xb, 0, node_ranges(res, batch, res_part, st_cres, 'ifm'))])

    # INPP replicas on the producer, two held consumers sharing one hold, uneven shares: producer
    # c = Conv 64->256 3x3 on the 1x15 stage, OUTP 1x5 and INPP 1x3 (each ofmap range on 3
    # nodes). Consumers, both reading c at channel offset 256 of their concatenated ifmap: res
    # (Tangram's LR window of an N-input eltwise covers only channels [0, 257) of the 512, so only
    # the piece holding c's channel 0 reaches res) and q = Conv 512->64 1x1 with INPP 1x7.
    c = ConvLayer(64, 256, 14, 3)
    c_part = part_of([pe.OUTP, pe.INPP, pe.OFMP, pe.BATP], OUTP=(1, 5), INPP=(1, 3))
    q = ConvLayer(512, 64, 14, 1)
    q_part = part_of([pe.INPP, pe.OUTP, pe.OFMP, pe.BATP], INPP=(1, 7))
    for batch, groups, crit, ts_xb, tds in [(3, 3, 1000, 200, (1700, 2300)), (8, 4, 700, 0, (2000, 900))]:
        emit_case('inpp_two_consumers_b{}'.format(batch), (groups, crit, ts_xb),
                  node_ranges(c, batch, c_part, st_b, 'ofm'),
                  [(tds[0], 256, node_ranges(res, batch, res_part, st_cres, 'ifm')),
                   (tds[1], 256, node_ranges(q, batch, q_part, st_q, 'ifm'))])


def main():
    rng = random.Random(20250625)
    gen_forwarding(rng)
    gen_cases()


if __name__ == '__main__':
    main()
