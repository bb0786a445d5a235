"""Writes <net>.txt for each of Tangram's networks: the network name, the input and external
layers, and every layer in definition order with its repr and prevs (None = the network input),
then firsts and lasts. Run from ../shared/reference/tangram (see README.md)."""
import sys

from nn_dataflow.nns import all_networks, import_network


def dump(nn):
    lines = ['network {}'.format(nn.net_name),
             'input {!r}'.format(nn.input_layer())]
    for e in nn.ext_layers():
        lines.append('ext {} {!r}'.format(e, nn[e]))
    for name in nn:
        prevs = ' | '.join('None' if p is None else p for p in nn.prevs(name))
        lines.append('layer {} <- {} : {!r}'.format(name, prevs, nn[name]))
    lines.append('firsts {}'.format(' '.join(nn.firsts())))
    lines.append('lasts {}'.format(' '.join(nn.lasts())))
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    outdir = sys.argv[1]
    for name in all_networks():
        with open('{}/{}.txt'.format(outdir, name), 'w') as f:
            f.write(dump(import_network(name)))
