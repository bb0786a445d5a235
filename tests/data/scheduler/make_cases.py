#!/usr/bin/env python3
"""Generates tests/data/scheduler/cases/*.json: single-layer corner cases scheduled by the reference
Tangram `layer` tool (nn_dataflow v2.1). Run from the folder that contains `shared/` (the commands
are relative to it), e.g.

    cd /work && python3 main/tests/data/scheduler/make_cases.py main/tests/data/scheduler/cases

Each file is {"command": argv, "exit_status": N, "result": <the tool's JSON (with an "error" key
when no schedule exists) or null when it crashed>, "stderr_tail": <last stderr line>}; `command` re-run from that folder reproduces `result` (except
"elapsed").
"""
import json
import os
import subprocess
import sys

SMALL = ['--nodes', '2', '2', '--array', '8', '8', '--regf', '64', '--gbuf', '32768']
MEDIUM = ['--nodes', '4', '4', '--array', '16', '16', '--regf', '512', '--gbuf', '131072']
PERLAYER = ['--solve-loopblocking', '--hybrid-partition']
ACCFWD = PERLAYER + ['--enable-access-forwarding']

CASES = {
    'conv_c64_m128_o28_f3_s2__medium__accfwd_b16':
        ['conv', '--nifm', '64', '--nofm', '128', '--sofm', '28', '--sfil', '3', '--strd', '2',
         '--batch', '16'] + MEDIUM + ACCFWD,
    'fc_c2048_m1000__medium__perlayer_b1':
        ['fc', '--nifm', '2048', '--nofm', '1000', '--batch', '1'] + MEDIUM + PERLAYER,
    'conv_c64_m64_o56_f3__small__perlayer_b1':
        ['conv', '--nifm', '64', '--nofm', '64', '--sofm', '56', '--sfil', '3', '--batch', '1']
        + SMALL + PERLAYER,
    'conv_c32_m64_o28_f3__n3x5_a12x14__accfwd_b8':
        ['conv', '--nifm', '32', '--nofm', '64', '--sofm', '28', '--sfil', '3', '--batch', '8',
         '--nodes', '3', '5', '--array', '12', '14', '--regf', '512', '--gbuf', '131072'] + ACCFWD,
    'conv_c16_m32_o14_f3__n2x2_a3x5__perlayer_b4':
        ['conv', '--nifm', '16', '--nofm', '32', '--sofm', '14', '--sfil', '3', '--batch', '4',
         '--nodes', '2', '2', '--array', '3', '5', '--regf', '64', '--gbuf', '32768'] + PERLAYER,
    'conv_c3_m96_o55_f11_s4__n4x4_a8x12__perlayer_b4_assert':
        ['conv', '--nifm', '3', '--nofm', '96', '--sofm', '55', '--sfil', '11', '--strd', '4',
         '--batch', '4', '--nodes', '4', '4', '--array', '8', '12', '--regf', '64', '--gbuf',
         '32768'] + PERLAYER,
    'conv_c128_m128_o28_f3__medium__perlayer_b16_mem3D':
        ['conv', '--nifm', '128', '--nofm', '128', '--sofm', '28', '--sfil', '3', '--batch', '16']
        + MEDIUM + PERLAYER + ['--mem-type', '3D'],
    'conv_c128_m256_o28_f3__medium__accfwd_b16_dram2':
        ['conv', '--nifm', '128', '--nofm', '256', '--sofm', '28', '--sfil', '3', '--batch', '16']
        + MEDIUM + ACCFWD + ['--dram-bw', '2'],
    'conv_c64_m128_o28_f3__medium__perlayer_b16_bus64':
        ['conv', '--nifm', '64', '--nofm', '128', '--sofm', '28', '--sfil', '3', '--batch', '16']
        + MEDIUM + PERLAYER + ['--bus-width', '64'],
    'conv_c64_m64_o28_f3__small__perlayer_b8_word8':
        ['conv', '--nifm', '64', '--nofm', '64', '--sofm', '28', '--sfil', '3', '--batch', '8']
        + SMALL + PERLAYER + ['--word', '8'],
    'conv_c96_m256_o27_f5__medium__accfwd_b16_idle1000':
        ['conv', '--nifm', '96', '--nofm', '256', '--sofm', '27', '--sfil', '5', '--batch', '16']
        + MEDIUM + ACCFWD + ['--unit-idle-cost', '1000'],
    'conv_c96_m256_o27_f5__medium__accfwd_b16_costs':
        ['conv', '--nifm', '96', '--nofm', '256', '--sofm', '27', '--sfil', '5', '--batch', '16']
        + MEDIUM + ACCFWD + ['--op-cost', '2', '--hier-cost', '300', '6', '2', '1',
                             '--hop-cost', '50'],
    'conv_c16_m32_o14_f3__small__exh-perlayer_b4_gd':
        ['conv', '--nifm', '16', '--nofm', '32', '--sofm', '14', '--sfil', '3', '--batch', '4']
        + SMALL + ['--hybrid-partition', '-g', 'd'],
    'conv_c96_m256_o27_f5__medium__accfwd_b16_ged':
        ['conv', '--nifm', '96', '--nofm', '256', '--sofm', '27', '--sfil', '5', '--batch', '16']
        + MEDIUM + ACCFWD + ['-g', 'ed'],
    'conv_c256_m256_o14_f3__medium__perlayer_b16_top3':
        ['conv', '--nifm', '256', '--nofm', '256', '--sofm', '14', '--sfil', '3', '--batch', '16']
        + MEDIUM + PERLAYER + ['-t', '3'],
    'fc_c1024_m512__small__perlayer_b8_nobypass_i':
        ['fc', '--nifm', '1024', '--nofm', '512', '--batch', '8'] + SMALL + PERLAYER
        + ['--disable-bypass', 'i'],
    'conv_c256_m256_o14_f3__medium__accfwd_b16_batchp_ifmp':
        ['conv', '--nifm', '256', '--nofm', '256', '--sofm', '14', '--sfil', '3', '--batch', '16']
        + MEDIUM + ACCFWD + ['--batch-partition', '--ifmaps-partition'],
    'pool_m64_o27_r3_s2__medium__perlayer_b4':
        ['pool', '--nofm', '64', '--sofm', '27', '--sreg', '3', '--strd', '2', '--batch', '4']
        + MEDIUM + PERLAYER,
    'lr_m32_o14_r3_s2__small__perlayer_b4':
        ['lr', '--nofm', '32', '--sofm', '14', '--sreg', '3', '--strd', '2', '--batch', '4']
        + SMALL + PERLAYER,
    'eltwise_m64_o14_n3__small__accfwd_b8':
        ['eltwise', '--nofm', '64', '--sofm', '14', '--nreg', '3', '--batch', '8'] + SMALL + ACCFWD,
    'fc_c1024_m1024__medium__accfwd_b16_notimemux':
        ['fc', '--nifm', '1024', '--nofm', '1024', '--batch', '16'] + MEDIUM + ACCFWD
        + ['--no-time-mux'],
    'conv_c32_m64_o28_f3__small__exh-bufshr_b8':
        ['conv', '--nifm', '32', '--nofm', '64', '--sofm', '28', '--sfil', '3', '--batch', '8']
        + SMALL + ['--hybrid-partition', '--enable-gbuf-sharing'],
    'conv_c64_m128_o56_f3_in56__medium__perlayer_b16':
        ['conv', '--nifm', '64', '--nofm', '128', '--sofm', '56', '--sfil', '3', '--batch', '16']
        + MEDIUM + PERLAYER + ['--ifmap-sofm', '56'],
    'conv_c96_m128_o14_f3_prev2__medium__accfwd_b16':
        ['conv', '--nifm', '96', '--nofm', '128', '--sofm', '14', '--sfil', '3', '--batch', '16']
        + MEDIUM + ACCFWD + ['--ifmap-sofm', '14',
                             '--prev-part', '[[0,1,2,3],[[2,2],[2,2],[1,1],[1,1]]]',
                             '--prev-nofm', '64',
                             '--prev-part', '[[1,0,2,3],[[4,1],[1,4],[1,1],[1,1]]]',
                             '--prev-nofm', '32'],
    'fc_c512_m512__small__perlayer_b8_novalid':
        ['fc', '--nifm', '512', '--nofm', '512', '--batch', '8', '--nodes', '2', '2', '--array',
         '8', '8', '--regf', '64', '--gbuf', '2'] + PERLAYER + ['--disable-bypass', 'i', 'o', 'f'],
}


def main():
    outdir = sys.argv[1]
    only = set(sys.argv[2:])
    for name, args in CASES.items():
        if only and name not in only:
            continue
        argv = ['shared/reference/tangram/layer'] + args + ['--brief']
        proc = subprocess.run(argv, capture_output=True, text=True)
        try:
            result = json.loads(proc.stdout) if proc.stdout.strip() else None
        except ValueError:
            result = None
        tail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''
        out = {'command': argv, 'exit_status': proc.returncode, 'result': result,
               'stderr_tail': tail}
        with open(os.path.join(outdir, name + '.json'), 'w') as f:
            json.dump(out, f, indent=1)
            f.write('\n')
        print(name, proc.returncode, tail[:100], flush=True)


if __name__ == '__main__':
    main()
