// The builders behind makeModel (zoo.h), one file per family. Private to core/nets.
#pragma once

#include <string>
#include <vector>

#include <torch/script.h>

#include "emotrace/zoo.h"

namespace emotrace::nets {

// MyCNN v1..v6 (mycnn.cpp); v1 is makeMyCnnV1 of nets.h.
torch::jit::Module makeMyCnn(int version, int num_classes, const ModelOptions& options);
// Ma et al. 2024's five-layer CNN, and the two-branch texture/shape CNN (ma2024.cpp,
// two_branch.cpp).
torch::jit::Module makeMa2024(int num_classes, const ModelOptions& options);
torch::jit::Module makeTwoBranch(int num_classes, const ModelOptions& options);
// torchvision's VGG16 (configuration D), with or without batch-norm (vgg16.cpp).
torch::jit::Module makeVgg16(int num_classes, const ModelOptions& options, bool batch_norm);
// Its last conv block (three convs [and their batch-norms]) and the classifier.
std::vector<std::string> vgg16LastBlockPrefixes(bool batch_norm);
// torchvision's DenseNet121 with a stride-1 stem for 48x48 faces (densenet121.cpp).
torch::jit::Module makeDenseNet121(int num_classes, const ModelOptions& options);

// Throws emotrace::Error unless `options.input_size` keeps at least one pixel through
// `halvings` 2x poolings.
void requireInputSize(const std::string& model, const ModelOptions& options, int halvings);

}  // namespace emotrace::nets
