// The networks emotrace builds in C++ (see script_builder.h for how), and the model file:
// a TorchScript archive with the metadata (ModelInfo) as its extra file "emotrace.json".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <torch/script.h>

#include "emotrace/model_info.h"

namespace emotrace::nets {

enum class ResNetStem {
    Standard,  // 7x7 stride 2 + max-pool, as torchvision (48x48 input -> 12x12 after the stem)
    Cifar,     // 3x3 stride 1, no max-pool: ~10x the compute, keeps 48x48 in stage 1
};

// ResNet18 with a one-channel first convolution (by default) and `num_classes` outputs.
torch::jit::Module makeResNet18(int num_classes, int in_channels = 1,
                                ResNetStem stem = ResNetStem::Standard);
// The paper's MyCNNv1: two conv layers (32, 64 filters) with max-pooling, fc 128, classifier.
// Small and fast: also the model the tests build.
torch::jit::Module makeMyCnnV1(int num_classes, int in_channels = 1, int input_size = 48);

// Writes the module with `info` as emotrace.json, atomically: the file at `path` is either the
// old one or the complete new one, never a torn write. Throws OutputError.
void saveModelFile(torch::jit::Module module, const ModelInfo& info,
                   const std::filesystem::path& path);

struct LoadedModel {
    torch::jit::Module module;
    ModelInfo info;
};
// Reads an emotrace model file, or a TorchScript file with FILE.json beside it.
// Throws ModelError saying what was expected and what was found.
LoadedModel loadModelFile(const std::filesystem::path& path);
// Runs the module once on a blank input of the metadata's shape and throws ModelError naming the
// file when it fails or its class count differs from the metadata's labels: the model file is
// inconsistent, whatever data it is then used on.
void checkOutputsMatchLabels(const LoadedModel& model, const std::filesystem::path& path);

// The element-wise mean of the weights of models that share an architecture (parameters and
// floating-point buffers, BatchNorm's running statistics included; integer buffers from the
// first): a "model soup" (Wortsman et al., ICML 2022). Models fine-tuned from one starting point
// lie in one basin of the loss, and their mean often generalises better than each of them. The
// result is a new module with the first model's metadata. Throws ModelError naming the first
// difference (labels, input, a weight's name or shape) or for fewer than two models.
LoadedModel averageModels(const std::vector<LoadedModel>& models);

}  // namespace emotrace::nets
