#!/usr/bin/env python3
"""Generates tests/data/scheduler/cases/*__quirks_off.json: what the reference `layer` tool would
print if Tangram's Eyeriss "< 50% utilization" assertion skipped the mapping instead of killing
the run (bufferprospector's behaviour with tangram_quirks off). Run from the folder that contains
`shared/`:

    cd /work && python3 main/tests/data/scheduler/make_quirks_off.py main/tests/data/scheduler/cases

It loads shared/reference/tangram/layer as a module, patches MapStrategyEyeriss so that a mapping
below 50% utilization yields no nested loop, removes the memo of partition._unit_nhops_to_*, and runs the tool's main() with the argv recorded in
the file (plus --brief). "bp_tangram_quirks": false tells the test to run with the quirks off.
"""
import contextlib
import io
import json
import os
import runpy
import sys

LAYER = os.path.join('shared', 'reference', 'tangram', 'layer')

CASES = {
    'conv_c3_m96_o55_f11_s4__n4x4_a8x12__perlayer_b4_quirks_off':
        ['conv', '--nifm', '3', '--nofm', '96', '--sofm', '55', '--sfil', '11', '--strd', '4',
         '--batch', '4', '--nodes', '4', '4', '--array', '8', '12', '--regf', '64', '--gbuf',
         '32768', '--solve-loopblocking', '--hybrid-partition'],
    # Tangram's memo hands the OUTP-inner partitions the hop counts of the OUTP-outer ones.
    'pool_m64_o27_r3_s2__medium__perlayer_b4_quirks_off':
        ['pool', '--nofm', '64', '--sofm', '27', '--sreg', '3', '--strd', '2', '--batch', '4',
         '--nodes', '4', '4', '--array', '16', '16', '--regf', '512', '--gbuf', '131072',
         '--solve-loopblocking', '--hybrid-partition'],
}


def main():
    outdir = sys.argv[1]
    tool = runpy.run_path(LAYER, run_name='layer_tool')
    from nn_dataflow.core import map_strategy  # importable now: the tool set sys.path

    eyeriss = map_strategy.MapStrategyEyeriss
    orig_init = eyeriss.__init__
    orig_gen = eyeriss.gen_nested_loop_desc

    def init(self, *args, **kwargs):
        try:
            orig_init(self, *args, **kwargs)
            self._bp_skipped = False
        except AssertionError:
            if not (getattr(self, 'util', 1.) <= 0.5):
                raise
            self._bp_skipped = True

    def gen(self):
        if self._bp_skipped:
            return iter(())
        return orig_gen(self)

    eyeriss.__init__ = init
    eyeriss.gen_nested_loop_desc = gen

    # The other quirk that matters for a single conv layer: the hop-count memos keyed on
    # util.HashableDict (equal when only the sets of ranges and of node tuples are equal) may
    # answer with another partition's count. Without the quirks every count is computed.
    from nn_dataflow.core import partition
    for name in ('_unit_nhops_to_fil', '_unit_nhops_to_ifm', '_unit_nhops_to_ofm'):
        setattr(partition, name, getattr(partition, name).__wrapped__)

    for name, args in CASES.items():
        argv = args + ['--brief']
        sys.argv = [LAYER] + argv
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = tool['main']()
        result = json.loads(out.getvalue())
        doc = {'command': ['python3', 'main/tests/data/scheduler/make_quirks_off.py'] + argv,
               'exit_status': status, 'result': result, 'stderr_tail': '',
               'bp_tangram_quirks': False}
        with open(os.path.join(outdir, name + '.json'), 'w') as f:
            json.dump(doc, f, indent=1)
            f.write('\n')
        print(name, status, result.get('total_cost'))


if __name__ == '__main__':
    main()
