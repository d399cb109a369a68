#include "emotrace/nets.h"

#include <array>

#include "emotrace/script_builder.h"

namespace emotrace::nets {

namespace {

// conv -> batch-norm, the unit ResNet is made of.
std::string convBn(ScriptModuleBuilder& b, const std::string& input, const std::string& conv,
                   const std::string& bn, int in, int out, int kernel, int stride, int padding) {
    return b.batchNorm2d(b.conv2d(input, conv, in, out, kernel, stride, padding), bn, out);
}

void basicBlock(ScriptModuleBuilder& b, const std::string& prefix, int in, int out, int stride) {
    std::string identity = "x";
    if (stride != 1 || in != out) {
        b.statement("identity = " + convBn(b, "x", prefix + "downsample_0", prefix + "downsample_1",
                                           in, out, 1, stride, 0));
        identity = "identity";
    }
    b.statement("y = torch.relu(" +
                convBn(b, "x", prefix + "conv1", prefix + "bn1", in, out, 3, stride, 1) + ")");
    b.statement("y = " + convBn(b, "y", prefix + "conv2", prefix + "bn2", out, out, 3, 1, 1));
    b.statement("x = torch.relu(y + " + identity + ")");
}

}  // namespace

torch::jit::Module makeResNet18(int num_classes, int in_channels, ResNetStem stem) {
    ScriptModuleBuilder b("ResNet18");
    if (stem == ResNetStem::Standard) {
        b.statement("x = torch.relu(" + convBn(b, "x", "conv1", "bn1", in_channels, 64, 7, 2, 3) +
                    ")");
        b.statement("x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])");
    } else {
        b.statement("x = torch.relu(" + convBn(b, "x", "conv1", "bn1", in_channels, 64, 3, 1, 1) +
                    ")");
    }
    constexpr std::array<int, 4> widths{64, 128, 256, 512};
    int in = 64;
    for (int stage = 0; stage < 4; ++stage) {
        for (int block = 0; block < 2; ++block) {
            const int stride = (stage > 0 && block == 0) ? 2 : 1;
            const auto prefix =
                "layer" + std::to_string(stage + 1) + "_" + std::to_string(block) + "_";
            basicBlock(b, prefix, in, widths[stage], stride);
            in = widths[stage];
        }
    }
    b.statement("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
    return b.build(b.linear("x", "fc", 512, num_classes));
}

}  // namespace emotrace::nets
