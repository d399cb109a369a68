// torchvision's VGG16 (configuration D), optionally with batch-norm (torchvision's vgg16_bn),
// parameters named as torchvision's Sequential indices so ImageNet weights map by name. At
// 48x48 the five poolings leave 1x1x512, so torchvision's 7x7 average pool and its
// 25088-input first classifier layer become a 1x1 pool and a 512-input layer; the rest of the
// classifier (4096, 4096, classes, with dropout) is torchvision's.
#include <vector>

#include "emotrace/script_builder.h"
#include "zoo_builders.h"

namespace emotrace::nets {

namespace {

constexpr int kPool = 0;
// Configuration D: filters per conv layer, kPool for a 2x2 max-pool.
const std::vector<int> kConfigD{64,    64,  kPool, 128, 128,   kPool, 256, 256, 256,
                                kPool, 512, 512,   512, kPool, 512,   512, 512, kPool};

std::string index(int i) {
    return "features_" + std::to_string(i);
}

}  // namespace

std::vector<std::string> vgg16LastBlockPrefixes(bool batch_norm) {
    // The index of each layer in torchvision's `features` Sequential: conv, [bn,] relu, or pool.
    const int per_conv = batch_norm ? 3 : 2;
    int position = 0;
    std::vector<int> conv_positions;
    for (int entry : kConfigD) {
        if (entry == kPool) {
            ++position;
            continue;
        }
        conv_positions.push_back(position);
        position += per_conv;
    }
    std::vector<std::string> prefixes;
    for (auto it = conv_positions.end() - 3; it != conv_positions.end(); ++it) {
        prefixes.push_back(index(*it) + "_");
        if (batch_norm)
            prefixes.push_back(index(*it + 1) + "_");
    }
    prefixes.push_back("classifier_");
    return prefixes;
}

torch::jit::Module makeVgg16(int num_classes, const ModelOptions& options, bool batch_norm) {
    requireInputSize(batch_norm ? "vgg16_bn" : "vgg16", options, 5);
    ScriptModuleBuilder b(batch_norm ? "Vgg16Bn" : "Vgg16");
    int in = options.in_channels;
    int position = 0;
    for (int entry : kConfigD) {
        if (entry == kPool) {
            b.statement("x = torch.max_pool2d(x, [2, 2], [2, 2])");
            ++position;
            continue;
        }
        auto layer = b.conv2d("x", index(position), in, entry, 3, 1, 1, true);
        if (batch_norm)
            layer = b.batchNorm2d(layer, index(position + 1), entry);
        b.statement("x = torch.relu(" + layer + ")");
        in = entry;
        position += batch_norm ? 3 : 2;
    }
    b.statement("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
    b.statement("x = torch.relu(" + b.linear("x", "classifier_0", 512, 4096) + ")");
    b.statement("x = " + ScriptModuleBuilder::dropout("x", 0.5));
    b.statement("x = torch.relu(" + b.linear("x", "classifier_3", 4096, 4096) + ")");
    b.statement("x = " + ScriptModuleBuilder::dropout("x", 0.5));
    return b.build(b.linear("x", "classifier_6", 4096, num_classes));
}

}  // namespace emotrace::nets
