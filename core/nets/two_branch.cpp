// A two-branch CNN: a texture branch of small 3x3 kernels at full resolution (wrinkles, teeth,
// furrows) and a shape branch of large kernels on a 2x-downsampled face (the layout of brows,
// eyes and mouth), concatenated before the classifier. The texture features are globally
// averaged (where a texture occurs matters less than that it does); the shape features keep a
// 3x3 layout.
#include "emotrace/script_builder.h"
#include "zoo_builders.h"

namespace emotrace::nets {

namespace {

std::string convBnRelu(ScriptModuleBuilder& b, const std::string& input, const std::string& name,
                       int in, int out, int kernel) {
    return "torch.relu(" +
           b.batchNorm2d(b.conv2d(input, name + "_conv", in, out, kernel, 1, kernel / 2),
                         name + "_bn", out) +
           ")";
}

void textureBranch(ScriptModuleBuilder& b, int in_channels) {
    b.statement("t = " + convBnRelu(b, "x", "texture1", in_channels, 32, 3));
    b.statement("t = torch.max_pool2d(" + convBnRelu(b, "t", "texture2", 32, 32, 3) + ", [2, 2])");
    b.statement("t = torch.max_pool2d(" + convBnRelu(b, "t", "texture3", 32, 64, 3) + ", [2, 2])");
    b.statement("t = torch.max_pool2d(" + convBnRelu(b, "t", "texture4", 64, 128, 3) + ", [2, 2])");
    b.statement("t = torch.flatten(torch.adaptive_avg_pool2d(t, [1, 1]), 1)");
}

void shapeBranch(ScriptModuleBuilder& b, int in_channels) {
    b.statement("s = torch.avg_pool2d(x, [2, 2])");
    b.statement("s = torch.max_pool2d(" + convBnRelu(b, "s", "shape1", in_channels, 32, 7) +
                ", [2, 2])");
    b.statement("s = torch.max_pool2d(" + convBnRelu(b, "s", "shape2", 32, 64, 5) + ", [2, 2])");
    b.statement("s = " + convBnRelu(b, "s", "shape3", 64, 128, 5));
    b.statement("s = torch.flatten(torch.adaptive_avg_pool2d(s, [3, 3]), 1)");
}

}  // namespace

torch::jit::Module makeTwoBranch(int num_classes, const ModelOptions& options) {
    requireInputSize("two_branch", options, 3);
    ScriptModuleBuilder b("TwoBranchCnn");
    textureBranch(b, options.in_channels);
    shapeBranch(b, options.in_channels);
    b.statement("x = torch.cat([t, s], 1)");
    b.statement("x = torch.relu(" + b.linear("x", "fc1", 128 + 128 * 3 * 3, 256) + ")");
    b.statement("x = " + ScriptModuleBuilder::dropout("x", 0.5));
    return b.build(b.linear("x", "fc2", 256, num_classes));
}

}  // namespace emotrace::nets
