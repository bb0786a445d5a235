// bufferprospector/workload/zoo/extra.hpp -- networks beyond Tangram's: Inception-ResNet-v1,
// DenseNet-121 and transformers (model note section 7.2), each also as one representative block
// ("<name>_block").
#pragma once

#include <vector>  // std::vector

#include <bufferprospector/workload/zoo/densenet121.hpp>          // densenet121[_block]
#include <bufferprospector/workload/zoo/entry.hpp>                // bp::zoo::entry
#include <bufferprospector/workload/zoo/inception_resnet_v1.hpp>  // inception_resnet_v1[_block]
#include <bufferprospector/workload/zoo/transformer.hpp>          // bert_base, gpt2_*, ...

namespace bp::zoo {

/// The extra networks, alphabetical (as Tangram's list).
inline std::vector<entry> extra_entries() {
  return {
      {"bert_base", bert_base},
      {"bert_base_block", bert_base_block},
      {"bert_large", bert_large},
      {"bert_large_block", bert_large_block},
      {"densenet121", densenet121},
      {"densenet121_block", densenet121_block},
      {"gpt2_small_prefill", gpt2_small_prefill},
      {"gpt2_small_prefill_block", gpt2_small_prefill_block},
      {"gpt2_xl_decode", gpt2_xl_decode},
      {"gpt2_xl_decode_block", gpt2_xl_decode_block},
      {"gpt2_xl_prefill", gpt2_xl_prefill},
      {"gpt2_xl_prefill_block", gpt2_xl_prefill_block},
      {"inception_resnet_v1", inception_resnet_v1},
      {"inception_resnet_v1_block", inception_resnet_v1_block},
  };
}

}  // namespace bp::zoo
