// The five-convolution CNN of Ma et al. (2024) as the paper compares it. The paper names only
// the depth; widths, pooling and head are our choice (docs/model-zoo.md): conv1 works at full
// resolution for fine texture, conv2..conv5 each end in a 2x2 max-pool (48 -> 3).
#include <array>

#include "emotrace/script_builder.h"
#include "zoo_builders.h"

namespace emotrace::nets {

torch::jit::Module makeMa2024(int num_classes, const ModelOptions& options) {
    constexpr std::array<int, 5> widths{32, 64, 128, 256, 256};
    requireInputSize("ma2024", options, 4);
    ScriptModuleBuilder b("Ma2024Cnn");
    int in = options.in_channels;
    for (std::size_t i = 0; i < widths.size(); ++i) {
        const auto index = std::to_string(i + 1);
        b.statement("x = torch.relu(" +
                    b.batchNorm2d(b.conv2d("x", "conv" + index, in, widths[i], 3, 1, 1),
                                  "bn" + index, widths[i]) +
                    ")");
        if (i > 0)
            b.statement("x = torch.max_pool2d(x, [2, 2])");
        in = widths[i];
    }
    b.statement("x = torch.flatten(x, 1)");
    const int side = options.input_size >> 4;
    b.statement("x = torch.relu(" + b.linear("x", "fc1", in * side * side, 256) + ")");
    b.statement("x = " + ScriptModuleBuilder::dropout("x", 0.5));
    return b.build(b.linear("x", "fc2", 256, num_classes));
}

}  // namespace emotrace::nets
