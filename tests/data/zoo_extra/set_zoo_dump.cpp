// set_zoo_dump.cpp -- prints SET's networks (SET-Scheduling-Project/SET-ISCA2023, src/nns/) one
// layer per line: name nofm hofm wofm nifm hifm wifm ops weight_size prevs wgt_prevs (the ifmap
// is the unpadded one; '-' when a list is empty; prevs are in layer-id order, SET keeps them as a
// bitset).
#include "network.h"
#include "nns/nns.h"
#include <cstdio>
#include <cstring>
static void list(const Network& n, const Bitset& b) {
  bool any = false;
  for (lid_t j = 0; j < n.len(); ++j)
    if (b.contains(j)) { std::printf("%s%s", any ? "," : "", n[j].name().c_str()); any = true; }
  std::printf(any ? " " : "- ");
}
int main(int argc, char** argv) {
  const Network& n = (argc > 1 && std::strcmp(argv[1], "dense") == 0) ? densenet
                   : (argc > 1 && std::strcmp(argv[1], "bert") == 0) ? BERT_block
                   : (argc > 1 && std::strcmp(argv[1], "gpt_decode") == 0) ? GPT2_decode_block
                   : inception_resnet_v1;
  for (lid_t i = 0; i < n.len(); ++i) {
    const Layer& l = n[i].layer();
    const auto& o = l.ofmap_shape();
    const auto& in = l.tot_ifmap_shape();
    std::printf("%s %lld %lld %lld %lld %lld %lld %lld %lld ", n[i].name().c_str(), (long long)o.c,
                (long long)o.h, (long long)o.w, (long long)in.c, (long long)in.h, (long long)in.w,
                (long long)l.get_num_op(), (long long)l.weight_size());
    list(n, n[i].getIfmPrevs());
    list(n, n[i].getWgtPrevs());
    std::printf("\n");
  }
}
