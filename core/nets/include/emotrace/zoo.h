// The model zoo: every network of the paper built by name as a trainable TorchScript module
// (see script_builder.h), freezing all but the last block for fine-tuning, and ImageNet
// weights from a file the user supplies. Layers, parameter counts and the "last block" of
// each architecture are documented in docs/model-zoo.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <torch/script.h>

namespace emotrace::nets {

struct ModelOptions {
    int in_channels = 1;  // 1: grey faces; 3: the grey face repeated, for RGB-shaped weights
    int input_size = 48;  // square input side; sizes the flattening classifiers of the CNNs
};

// Names makeModel accepts, in the order of the paper's table (plus variants).
std::vector<std::string> modelNames();

// Builds `name` with `num_classes` logits, in training mode, freshly initialised, every
// parameter requiring grad. Evaluate a module that has trained in this process under
// torch::NoGradGuard, not InferenceMode: LibTorch 1.13's TorchScript autodiff then fails with
// "Inference tensors cannot be saved for backward" on networks that concatenate (two_branch,
// densenet121). Saved files loaded by loadEmotionClassifier are frozen and unaffected.
// Throws emotrace::Error listing the known names for an unknown one, or naming the limit for
// options a network cannot take (e.g. an input too small for its pooling).
torch::jit::Module makeModel(const std::string& name, int num_classes,
                             const ModelOptions& options = {});

// Parameter-name prefixes that count as the last block plus classifier of `name`.
std::vector<std::string> lastBlockPrefixes(const std::string& name);

// Sets requires_grad=false on every parameter of `module` (built as `name`) outside its last
// block and classifier, and returns the parameters left trainable, for the optimiser.
std::vector<torch::Tensor> freezeAllButLastBlock(torch::jit::Module& module,
                                                 const std::string& name);
// The parameters with requires_grad set, in registration order.
std::vector<torch::Tensor> trainableParameters(const torch::jit::Module& module);

// Moves every 4-D parameter of `module` (the convolution weights) into `format` in place: the
// same values in the same tensors, so an optimiser that holds them keeps working.
void setConvolutionLayout(torch::jit::Module& module, at::MemoryFormat format);

struct SkippedTensor {
    std::string name;  // as in the file, e.g. "fc.weight"
    std::string reason;
};
struct PretrainedReport {
    std::vector<std::string> loaded;       // model names that took the file's values
    std::vector<SkippedTensor> skipped;    // file tensors not used, with why
    std::vector<std::string> not_in_file;  // model tensors left at their initialisation
    std::string summary() const;           // counts plus every skipped and missing name
};

// Copies the matching tensors of a PyTorch state dict into `module`. The file must be a
// torch.save() of a plain dict of tensors (LibTorch 1.13 cannot read the OrderedDict that
// state_dict() returns, pytorch#100741; the error names the one-line conversion). Names map
// with '.' -> '_'; a 3-channel first convolution is summed into a 1-channel one; tensors
// whose shapes differ (a classifier of other classes) are skipped. Throws ModelError.
PretrainedReport loadPretrainedWeights(torch::jit::Module& module,
                                       const std::filesystem::path& file);

// The python3 command that converts a torchvision state-dict file into what
// loadPretrainedWeights reads.
std::string stateDictConversionCommand(const std::string& input, const std::string& output);

}  // namespace emotrace::nets
