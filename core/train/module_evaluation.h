// Private to emotrace_train: evaluating a module in memory (the trainer's validation).
#pragma once

#include <torch/torch.h>

#include "emotrace/train/evaluation.h"

namespace emotrace::train {

// Runs `module` in eval mode over `data` (restoring its previous mode), with inputs normalised
// by mean/std after scaling to [0,1].
Evaluation evaluateModule(torch::jit::Module& module, const Dataset& data, const ModelInfo& info,
                          const EvaluationOptions& options);

}  // namespace emotrace::train
