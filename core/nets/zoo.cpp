#include "emotrace/zoo.h"

#include <functional>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "zoo_builders.h"

namespace emotrace::nets {

namespace {

struct ZooEntry {
    std::string name;
    std::function<torch::jit::Module(int num_classes, const ModelOptions&)> build;
    // What fine-tuning keeps trainable: the last block of features and the classifier.
    std::vector<std::string> last_block;
};

ZooEntry myCnnEntry(int version) {
    const std::vector<std::vector<std::string>> last_blocks{
        {"conv2_", "fc"},         {"conv3_", "fc"},  {"conv3_", "bn3_", "fc"},
        {"conv3_", "bn3_", "fc"}, {"block3_", "fc"}, {"block4_", "fc"},
    };
    return {
        "mycnn_v" + std::to_string(version),
        [version](int classes, const ModelOptions& o) { return makeMyCnn(version, classes, o); },
        last_blocks[static_cast<std::size_t>(version - 1)]};
}

ZooEntry resNetEntry(const std::string& name, ResNetStem stem) {
    return {name,
            [name, stem](int classes, const ModelOptions& o) {
                requireInputSize(name, o, stem == ResNetStem::Standard ? 5 : 3);
                return makeResNet18(classes, o.in_channels, stem);
            },
            {"layer4_", "fc_"}};
}

ZooEntry vggEntry(bool batch_norm) {
    return {batch_norm ? "vgg16_bn" : "vgg16",
            [batch_norm](int classes, const ModelOptions& o) {
                return makeVgg16(classes, o, batch_norm);
            },
            vgg16LastBlockPrefixes(batch_norm)};
}

std::vector<ZooEntry> zoo() {
    std::vector<ZooEntry> entries;
    for (int version = 1; version <= 6; ++version)
        entries.push_back(myCnnEntry(version));
    entries.push_back({"ma2024", makeMa2024, {"conv5_", "bn5_", "fc"}});
    entries.push_back({"two_branch", makeTwoBranch, {"texture4_", "shape3_", "fc"}});
    entries.push_back(resNetEntry("resnet18", ResNetStem::Standard));
    entries.push_back(resNetEntry("resnet18_cifar", ResNetStem::Cifar));
    entries.push_back(vggEntry(false));
    entries.push_back(vggEntry(true));
    entries.push_back({"densenet121",
                       makeDenseNet121,
                       {"features_denseblock4_", "features_norm5_", "classifier_"}});
    return entries;
}

ZooEntry entryNamed(const std::string& name) {
    auto entries = zoo();
    for (auto& entry : entries) {
        if (entry.name == name)
            return entry;
    }
    std::string known;
    for (const auto& entry : entries)
        known += (known.empty() ? "" : ", ") + entry.name;
    throw Error("unknown model '" + name + "': expected one of " + known);
}

bool startsWithAny(const std::string& text, const std::vector<std::string>& prefixes) {
    for (const auto& prefix : prefixes) {
        if (text.starts_with(prefix))
            return true;
    }
    return false;
}

}  // namespace

void requireInputSize(const std::string& model, const ModelOptions& options, int halvings) {
    if ((options.input_size >> halvings) < 1) {
        throw Error(model + " halves its input " + std::to_string(halvings) +
                    " times: expected an input size of at least " + std::to_string(1 << halvings) +
                    ", found " + std::to_string(options.input_size));
    }
}

std::vector<std::string> modelNames() {
    std::vector<std::string> names;
    for (const auto& entry : zoo())
        names.push_back(entry.name);
    return names;
}

torch::jit::Module makeModel(const std::string& name, int num_classes,
                             const ModelOptions& options) {
    auto entry = entryNamed(name);
    if (num_classes < 1 || options.in_channels < 1) {
        throw Error("model " + name +
                    ": expected at least one class and one input channel, found " +
                    std::to_string(num_classes) + " classes and " +
                    std::to_string(options.in_channels) + " channels");
    }
    auto module = entry.build(num_classes, options);
    // The builder registers plain tensors, which do not require grad as nn.Parameter does.
    for (const auto& parameter : module.parameters()) {
        auto tensor = parameter;
        tensor.requires_grad_(true);
    }
    return module;
}

std::vector<std::string> lastBlockPrefixes(const std::string& name) {
    return entryNamed(name).last_block;
}

std::vector<torch::Tensor> freezeAllButLastBlock(torch::jit::Module& module,
                                                 const std::string& name) {
    const auto prefixes = lastBlockPrefixes(name);
    for (const auto& parameter : module.named_parameters()) {
        auto tensor = parameter.value;
        tensor.requires_grad_(startsWithAny(parameter.name, prefixes));
    }
    auto trainable = trainableParameters(module);
    if (trainable.empty()) {
        throw Error("freezing " + name + " left nothing trainable: is the module a " + name + "?");
    }
    return trainable;
}

std::vector<torch::Tensor> trainableParameters(const torch::jit::Module& module) {
    std::vector<torch::Tensor> trainable;
    for (const auto& parameter : module.parameters()) {
        if (parameter.requires_grad())
            trainable.push_back(parameter);
    }
    return trainable;
}

void setConvolutionLayout(torch::jit::Module& module, at::MemoryFormat format) {
    torch::NoGradGuard no_grad;
    for (auto parameter : module.parameters()) {
        if (parameter.dim() == 4)
            parameter.set_data(parameter.contiguous(format));
    }
}

}  // namespace emotrace::nets
