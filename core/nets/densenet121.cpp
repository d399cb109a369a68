// torchvision's DenseNet121 (growth 32, blocks 6/12/24/16, bottleneck 4x, compression 0.5),
// parameters named as torchvision's. Adapted to 48x48 faces: the 7x7 stem convolution runs at
// stride 1 instead of 2 (same kernel, so ImageNet weights still fit), which puts dense block 1
// at 24x24 and block 4 at 3x3 instead of 12x12 and 1x1 (torchvision's at 224x224: 56, 7).
#include <array>

#include "emotrace/script_builder.h"
#include "zoo_builders.h"

namespace emotrace::nets {

namespace {

constexpr int kGrowth = 32;
constexpr int kBottleneck = 4 * kGrowth;

void denseLayer(ScriptModuleBuilder& b, const std::string& prefix, int in) {
    b.statement("y = torch.relu(" + b.batchNorm2d("x", prefix + "norm1", in) + ")");
    b.statement("y = " + b.conv2d("y", prefix + "conv1", in, kBottleneck, 1, 1, 0));
    b.statement("y = torch.relu(" + b.batchNorm2d("y", prefix + "norm2", kBottleneck) + ")");
    b.statement("y = " + b.conv2d("y", prefix + "conv2", kBottleneck, kGrowth, 3, 1, 1));
    b.statement("x = torch.cat([x, y], 1)");
}

void transition(ScriptModuleBuilder& b, const std::string& prefix, int in, int out) {
    b.statement("x = torch.relu(" + b.batchNorm2d("x", prefix + "norm", in) + ")");
    b.statement("x = " + b.conv2d("x", prefix + "conv", in, out, 1, 1, 0));
    b.statement("x = torch.avg_pool2d(x, [2, 2], [2, 2])");
}

}  // namespace

torch::jit::Module makeDenseNet121(int num_classes, const ModelOptions& options) {
    constexpr std::array<int, 4> layers_per_block{6, 12, 24, 16};
    requireInputSize("densenet121", options, 4);
    ScriptModuleBuilder b("DenseNet121");
    b.statement("x = " + b.conv2d("x", "features_conv0", options.in_channels, 64, 7, 1, 3));
    b.statement("x = torch.relu(" + b.batchNorm2d("x", "features_norm0", 64) + ")");
    b.statement("x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])");
    int channels = 64;
    for (std::size_t block = 0; block < layers_per_block.size(); ++block) {
        const auto block_name = std::to_string(block + 1);
        for (int layer = 1; layer <= layers_per_block[block]; ++layer) {
            denseLayer(
                b, "features_denseblock" + block_name + "_denselayer" + std::to_string(layer) + "_",
                channels);
            channels += kGrowth;
        }
        if (block + 1 < layers_per_block.size()) {
            transition(b, "features_transition" + block_name + "_", channels, channels / 2);
            channels /= 2;
        }
    }
    b.statement("x = torch.relu(" + b.batchNorm2d("x", "features_norm5", channels) + ")");
    b.statement("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
    return b.build(b.linear("x", "classifier", channels, num_classes));
}

}  // namespace emotrace::nets
