#include "emotrace/script_builder.h"

#include <cmath>

#include <torch/torch.h>

namespace emotrace::nets {

namespace {

std::string pair(int value) {
    return "[" + std::to_string(value) + ", " + std::to_string(value) + "]";
}

}  // namespace

ScriptModuleBuilder::ScriptModuleBuilder(const std::string& class_name) : module_(class_name) {
    // Module::train() and eval() flip this attribute; modules made in C++ lack it.
    module_.register_attribute("training", c10::BoolType::get(), true);
}

std::string ScriptModuleBuilder::conv2d(const std::string& input, const std::string& name,
                                        int in_channels, int out_channels, int kernel, int stride,
                                        int padding, bool bias) {
    torch::NoGradGuard no_grad;
    auto weight = torch::empty({out_channels, in_channels, kernel, kernel});
    torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
    module_.register_parameter(name + "_weight", weight, false);
    std::string bias_expr = "None";
    if (bias) {
        module_.register_parameter(name + "_bias", torch::zeros({out_channels}), false);
        bias_expr = "self." + name + "_bias";
    }
    return "torch.conv2d(" + input + ", self." + name + "_weight, " + bias_expr + ", " +
           pair(stride) + ", " + pair(padding) + ")";
}

std::string ScriptModuleBuilder::batchNorm2d(const std::string& input, const std::string& name,
                                             int channels) {
    module_.register_parameter(name + "_weight", torch::ones({channels}), false);
    module_.register_parameter(name + "_bias", torch::zeros({channels}), false);
    module_.register_buffer(name + "_running_mean", torch::zeros({channels}));
    module_.register_buffer(name + "_running_var", torch::ones({channels}));
    return "torch.batch_norm(" + input + ", self." + name + "_weight, self." + name +
           "_bias, self." + name + "_running_mean, self." + name +
           "_running_var, self.training, 0.1, 1e-05, True)";
}

std::string ScriptModuleBuilder::batchNorm1d(const std::string& input, const std::string& name,
                                             int features) {
    return batchNorm2d(input, name, features);  // aten::batch_norm handles (N, C) as well
}

std::string ScriptModuleBuilder::linear(const std::string& input, const std::string& name,
                                        int in_features, int out_features) {
    torch::NoGradGuard no_grad;
    // torch.nn.Linear's default: uniform in +-1/sqrt(fan_in) for weight and bias.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    module_.register_parameter(
        name + "_weight", torch::empty({out_features, in_features}).uniform_(-bound, bound), false);
    module_.register_parameter(name + "_bias", torch::empty({out_features}).uniform_(-bound, bound),
                               false);
    return "torch.addmm(self." + name + "_bias, " + input + ", self." + name + "_weight.t())";
}

std::string ScriptModuleBuilder::dropout(const std::string& input, double p) {
    return "torch.dropout(" + input + ", " + std::to_string(p) + ", self.training)";
}

void ScriptModuleBuilder::statement(const std::string& code) {
    body_ << "    " << code << "\n";
}

torch::jit::Module ScriptModuleBuilder::build(const std::string& result) {
    TORCH_CHECK(!built_, "ScriptModuleBuilder::build called twice");
    built_ = true;
    module_.define("def forward(self, x):\n" + body_.str() + "    return " + result + "\n");
    return module_;
}

}  // namespace emotrace::nets
