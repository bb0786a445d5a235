#!/usr/bin/env python3
"""Reference data for tests/mapping (Eyeriss row-stationary mapping, MapStrategyEyeriss).

Provenance of tests/data/mapping/eyeriss.txt; not run by the tests. Regenerate with
    export PYTHONPATH=../shared/reference/tangram:../shared/reference/tangram/vendor
    python3 tests/data/gen/gen_mapping.py > tests/data/mapping/eyeriss.txt

For every case: the (partitioned) layer, batch, occupancy and PE array given to
MapStrategyEyeriss; its utilization; whether Tangram's "< 50%" assertion fires and its text;
the fold/replication geometry; and every NestedLoopDesc of gen_nested_loop_desc() in order.
When the assertion fires, util and the descriptions come from re-running this script with
`python3 -O` (asserts off), i.e. what Tangram would compute past the assertion.

Format (one item per line, fields separated by single spaces, floats as Python repr):
    case <name>
    layer conv <nifm> <nofm> <hofm> <wofm> <hfil> <wfil> <htrd> <wtrd>
    layer fc <nifm> <nofm> <hfil> <wfil>
    layer lr <nofm> <hofm> <wofm> <nreg> <hreg> <wreg> <ntrd> <htrd> <wtrd>
    layer pool <nofm> <hofm> <wofm> <hreg> <wreg> <htrd> <wtrd>
    layer eltwise <nofm> <hofm> <wofm> <nreg>
    setup <batch> <occupancy> <array_h> <array_w>
    util <utilization> <below_half 0|1>
    message <assertion text, or ->
    geom <lpeset h w> <fold h w> <repl h w> <flpeset h w> <ppeset h w> <ops_lpe>
    ndesc <n>
    desc <loopcnt x3> <usize_gbuf x3> <usize_regf x3> <unit_access DRAM x3, GBUF x3, ITCN x3,
         REGF x3> <unit_ops> <unit_time>
"""
import subprocess
import sys

from nn_dataflow.core import (ConvLayer, FCLayer, LocalRegionLayer, PoolingLayer,
                              EltwiseLayer, PartitionScheme, PhyDim2)
from nn_dataflow.core.map_strategy import MapStrategyEyeriss
from nn_dataflow.core import parallel_enum as pe


def part(order, pdims):
    return PartitionScheme(order=order, pdims=[PhyDim2(*d) for d in pdims])


def P(outp=(1, 1), ofmp=(1, 1), batp=(1, 1), inpp=(1, 1), order=(0, 1, 2, 3)):
    return part(order, [outp, ofmp, batp, inpp])


# (name, layer, batch, array, partition or None)
CASES = [
    ('alex_conv1_16x16', ConvLayer(3, 96, 55, 11, strd=4), 16, (16, 16), None),
    ('alex_conv1_8x12_ofmp', ConvLayer(3, 96, 55, 11, strd=4), 16, (8, 12), P(ofmp=(2, 2))),
    ('alex_conv1_8x12_ofmp7', ConvLayer(3, 96, 55, 11, strd=4), 16, (8, 12), P(ofmp=(7, 7))),
    ('alex_conv2_8x8', ConvLayer(48, 256, 27, 5), 16, (8, 8), None),
    ('alex_conv3_16x16_outp', ConvLayer(256, 384, 13, 3), 16, (16, 16), P(outp=(1, 4))),
    ('vgg_conv1_b1', ConvLayer(3, 64, 224, 3), 1, (16, 16), None),
    ('vgg_conv2_b3_ofmp', ConvLayer(64, 64, 224, 3), 3, (16, 16), P(ofmp=(4, 4))),
    ('vgg_conv5_12x14', ConvLayer(512, 512, 14, 3), 16, (12, 14), P(ofmp=(3, 5))),
    ('conv_rect_strd', ConvLayer(32, 48, (14, 28), (3, 5), strd=(1, 2)), 3, (8, 12), None),
    ('conv_rect_strd_part', ConvLayer(32, 48, (14, 28), (3, 5), strd=(1, 2)), 3, (8, 12),
     P(outp=(1, 3), ofmp=(3, 1))),
    ('conv_1x1_b64', ConvLayer(256, 64, 56, 1), 64, (16, 16), P(ofmp=(4, 4))),
    ('conv_1x1_strd2', ConvLayer(512, 1024, 14, 1, strd=2), 16, (16, 16), P(outp=(2, 2), ofmp=(1, 2))),
    ('conv_7x7_3x5', ConvLayer(3, 64, 112, 7, strd=2), 16, (3, 5), P(ofmp=(2, 2))),
    ('conv_fold_h_3x5', ConvLayer(16, 32, 20, 11), 3, (3, 5), None),
    ('conv_tall_fil_8x8', ConvLayer(8, 8, (6, 40), (9, 3)), 16, (8, 8), None),
    ('conv_inpp', ConvLayer(192, 384, 13, 3), 16, (16, 16), P(outp=(1, 2), inpp=(2, 1))),
    ('conv_odd_inpp_batp', ConvLayer(100, 70, 9, 3), 64, (12, 14),
     P(outp=(1, 3), ofmp=(2, 1), batp=(2, 1), inpp=(1, 3), order=(2, 0, 1, 3))),
    ('conv_small_nofm', ConvLayer(3, 2, 10, 3), 1, (16, 16), None),
    ('fc_4096_1000_b64', FCLayer(4096, 1000), 64, (16, 16), None),
    ('fc_9216_4096_sfil6_8x8', FCLayer(256, 4096, 6), 16, (8, 8), P(outp=(4, 4))),
    ('fc_outp_uneven', FCLayer(4096, 1000), 3, (12, 14), P(outp=(3, 5))),
    ('fc_inpp', FCLayer(1024, 512, 2), 16, (8, 12), P(outp=(2, 1), inpp=(1, 2))),
    ('pool_3x3_s2_12x14', PoolingLayer(64, 56, 3, strd=2), 16, (12, 14), None),
    ('pool_2x2_16x16', PoolingLayer(128, 112, 2), 3, (16, 16), P(ofmp=(4, 4))),
    ('pool_2x2_8x8_uneven', PoolingLayer(96, 27, 3, strd=2), 16, (8, 8), P(outp=(1, 2), ofmp=(3, 3))),
    ('pool_rect', PoolingLayer(32, (7, 14), (2, 3), strd=(2, 1)), 64, (3, 5), None),
    ('pool_global_7x7', PoolingLayer(2048, 1, 7), 16, (16, 16), None),
    ('eltwise_part_ntrd1', EltwiseLayer(256, 56, 2), 16, (16, 16), P(ofmp=(4, 4))),
    ('eltwise3_part_uneven', EltwiseLayer(100, 13, 3), 3, (8, 12), P(outp=(3, 1), ofmp=(1, 2))),
    ('lrn_5_16x16', LocalRegionLayer(96, 55, 5, 1), 16, (16, 16), None),
    ('lrn_5_part', LocalRegionLayer(96, 55, 5, 1), 64, (8, 8), P(ofmp=(2, 2), batp=(2, 1))),
    ('lr_hreg_ntrd', LocalRegionLayer(16, (9, 11), 1, (3, 2), ntrd=1, strd=(2, 1)), 1, (12, 14), None),
    ('lr_fold_h', LocalRegionLayer(8, 30, 1, (5, 3), strd=1), 3, (3, 5), None),
    ('lr_fold_w', LocalRegionLayer(8, (40, 6), 1, 2, strd=2), 16, (8, 8), None),
    ('conv_big_hofm_3x5', ConvLayer(4, 6, (100, 9), 3), 1, (3, 5), None),
    ('conv_lowutil_8x12', ConvLayer(3, 96, 55, 11, strd=4), 16, (8, 12), P(ofmp=(4, 4))),
]


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
    assert isinstance(l, LocalRegionLayer)
    return 'layer lr {} {} {} {} {} {} {} {} {}'.format(
        l.nofm, l.hofm, l.wofm, l.nreg, l.hreg, l.wreg, l.ntrd, l.htrd, l.wtrd)


def mapped_args(case):
    _, layer, batch, array, p = case
    if p is None:
        return layer, batch, 1., PhyDim2(*array)
    p_layer, p_batch, p_occ = p.part_layer(layer, batch)
    return p_layer, p_batch, p_occ, PhyDim2(*array)


def fmt(v):
    return repr(float(v)) if isinstance(v, float) else repr(v)


def desc_lines(ms):
    lines = ['geom {} {} {} {} {} {} {} {} {} {} {}'.format(
        *ms.dim_lpeset, *ms.fold, *ms.repl, *ms.dim_flpeset, *ms.dim_ppeset, ms.ops_lpe)]
    nlds = list(ms.gen_nested_loop_desc())
    lines.append('ndesc {}'.format(len(nlds)))
    for nld in nlds:
        vals = list(nld.loopcnt) + list(nld.usize_gbuf) + list(nld.usize_regf)
        for ua in nld.unit_access:
            vals += list(ua)
        vals += [nld.unit_ops, nld.unit_time]
        lines.append('desc ' + ' '.join(fmt(v) for v in vals))
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--past-assert':
        # Run with asserts off (python3 -O): what Tangram computes past a failed assertion.
        ms = MapStrategyEyeriss(*mapped_args(CASES[int(sys.argv[2])]))
        print('util {} 1'.format(fmt(ms.util)))
        print('\n'.join(desc_lines(ms)))
        return
    for idx, case in enumerate(CASES):
        args = mapped_args(case)
        print('case {}'.format(case[0]))
        print(layer_line(args[0]))
        print('setup {} {} {} {}'.format(args[1], fmt(args[2]), args[3].h, args[3].w))
        try:
            ms = MapStrategyEyeriss(*args)
        except AssertionError as e:
            if 'utilization < 50%' not in str(e):
                raise
            out = subprocess.run([sys.executable, '-O', __file__, '--past-assert', str(idx)],
                                 check=True, capture_output=True, text=True).stdout
            lines = out.strip().split('\n')
            print(lines[0])
            print('message {}'.format(str(e)))
            print('\n'.join(lines[1:]))
            continue
        print('util {} 0'.format(fmt(ms.util)))
        print('message -')
        print('\n'.join(desc_lines(ms)))


if __name__ == '__main__':
    main()
