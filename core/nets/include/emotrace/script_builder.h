// Builds trainable TorchScript modules from C++. C++ has no tracer, so a network is written
// as TorchScript source with its parameters registered flat on one module. The result trains
// like any module (autograd through forward), saves as a TorchScript archive that PyTorch and
// emotrace both load, and freezes for fast inference (conv+bn folding, oneDNN layouts).
// Parameter names are torchvision's with '.' replaced by '_' (layer1.0.conv1.weight ->
// layer1_0_conv1_weight), so pretrained weights map across by name.
#pragma once

#include <sstream>
#include <string>

#include <torch/script.h>

namespace emotrace::nets {

class ScriptModuleBuilder {
  public:
    explicit ScriptModuleBuilder(const std::string& class_name);

    // Each returns the TorchScript expression for the layer applied to `input`, registering
    // the layer's parameters (initialised as torchvision does) under `name`.
    std::string conv2d(const std::string& input, const std::string& name, int in_channels,
                       int out_channels, int kernel, int stride, int padding, bool bias = false);
    std::string batchNorm2d(const std::string& input, const std::string& name, int channels);
    std::string batchNorm1d(const std::string& input, const std::string& name, int features);
    std::string linear(const std::string& input, const std::string& name, int in_features,
                       int out_features);
    // Dropout that is active only in training mode.
    static std::string dropout(const std::string& input, double p);

    // Appends one statement to forward(), e.g. "x = torch.relu(" + ... + ")".
    void statement(const std::string& code);
    // Defines forward(self, x) returning `result` and hands over the module (in training mode).
    torch::jit::Module build(const std::string& result);

  private:
    torch::jit::Module module_;
    std::ostringstream body_;
    bool built_ = false;
};

}  // namespace emotrace::nets
