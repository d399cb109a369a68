// MyCNN v1..v6. The paper specifies v1 only (two conv layers of 32 and 64 filters, max-pooling,
// fc 128, softmax); v2..v6 are our progression: a third conv block, then batch-norm, then
// dropout per block, then two convolutions per block, then a fourth block and a normalised
// head. docs/model-zoo.md lists each version's layers.
#include <stdexcept>
#include <string>
#include <vector>

#include "emotrace/nets.h"
#include "emotrace/script_builder.h"
#include "zoo_builders.h"

namespace emotrace::nets {

namespace {

struct MyCnnSpec {
    std::vector<int> widths;  // conv filters per block; each block ends in a 2x2 max-pool
    int convs_per_block = 1;
    bool batch_norm = false;     // after every conv (which then has no bias)
    double block_dropout = 0.0;  // after every block's pooling
    int fc_width = 128;
    bool fc_batch_norm = false;
};

MyCnnSpec specOf(int version) {
    switch (version) {
        case 1:
            return {{32, 64}, 1, false, 0.0, 128, false};
        case 2:
            return {{32, 64, 128}, 1, false, 0.0, 128, false};
        case 3:
            return {{32, 64, 128}, 1, true, 0.0, 128, false};
        case 4:
            return {{32, 64, 128}, 1, true, 0.25, 256, false};
        case 5:
            return {{32, 64, 128}, 2, true, 0.25, 256, false};
        case 6:
            return {{32, 64, 128, 256}, 2, true, 0.25, 256, true};
        default:
            throw std::invalid_argument("MyCNN version " + std::to_string(version));
    }
}

// v1..v4 have one conv per block, named conv1..convN as the paper's v1; deeper blocks are
// named block<b>_conv<i>.
std::string convName(const MyCnnSpec& spec, int block, int conv, const std::string& kind) {
    if (spec.convs_per_block == 1)
        return kind + std::to_string(block);
    return "block" + std::to_string(block) + "_" + kind + std::to_string(conv);
}

torch::jit::Module buildMyCnn(int version, int num_classes, int in_channels, int input_size) {
    const auto spec = specOf(version);
    ScriptModuleBuilder b("MyCnnV" + std::to_string(version));
    int in = in_channels;
    for (std::size_t block = 1; block <= spec.widths.size(); ++block) {
        const int out = spec.widths[block - 1];
        for (int conv = 1; conv <= spec.convs_per_block; ++conv) {
            const auto index = static_cast<int>(block);
            auto layer = b.conv2d("x", convName(spec, index, conv, "conv"), in, out, 3, 1, 1,
                                  !spec.batch_norm);
            if (spec.batch_norm)
                layer = b.batchNorm2d(layer, convName(spec, index, conv, "bn"), out);
            b.statement("x = torch.relu(" + layer + ")");
            in = out;
        }
        b.statement("x = torch.max_pool2d(x, [2, 2])");
        if (spec.block_dropout > 0)
            b.statement("x = " + ScriptModuleBuilder::dropout("x", spec.block_dropout));
    }
    b.statement("x = torch.flatten(x, 1)");
    const int side = input_size >> spec.widths.size();
    auto hidden = b.linear("x", "fc1", in * side * side, spec.fc_width);
    if (spec.fc_batch_norm)
        hidden = b.batchNorm1d(hidden, "fc1_bn", spec.fc_width);
    b.statement("x = torch.relu(" + hidden + ")");
    b.statement("x = " + ScriptModuleBuilder::dropout("x", 0.5));
    return b.build(b.linear("x", "fc2", spec.fc_width, num_classes));
}

}  // namespace

torch::jit::Module makeMyCnn(int version, int num_classes, const ModelOptions& options) {
    requireInputSize("mycnn_v" + std::to_string(version), options,
                     static_cast<int>(specOf(version).widths.size()));
    return buildMyCnn(version, num_classes, options.in_channels, options.input_size);
}

torch::jit::Module makeMyCnnV1(int num_classes, int in_channels, int input_size) {
    return buildMyCnn(1, num_classes, in_channels, input_size);
}

}  // namespace emotrace::nets
