// ImageNet (or any PyTorch) weights from a state-dict file, or the weights of an emotrace model
// file, into a zoo module.
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>

#include <torch/script.h>
#include <torch/torch.h>

#include "emotrace/error.h"
#include "emotrace/zoo.h"

namespace emotrace::nets {

namespace {

std::string shapeText(at::IntArrayRef sizes) {
    std::string text;
    for (auto size : sizes)
        text += (text.empty() ? "" : "x") + std::to_string(size);
    return text;
}

std::vector<char> readBytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw ModelError("cannot open pretrained weights file " + file.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An emotrace model file (a TorchScript archive) is accepted too, so a second schedule can start
// from a trained model: its parameters and batch-norm statistics, by name.
std::optional<c10::Dict<c10::IValue, c10::IValue>> readModuleTensors(
    const std::filesystem::path& file) {
    torch::jit::Module module;
    try {
        module = torch::jit::load(file.string(), torch::kCPU);
    } catch (const c10::Error&) {
        return std::nullopt;  // not an archive of a module: read it as a state dict
    }
    c10::impl::GenericDict tensors(c10::StringType::get(), c10::TensorType::get());
    for (const auto& parameter : module.named_parameters())
        tensors.insert(parameter.name, parameter.value.detach());
    for (const auto& buffer : module.named_buffers())
        tensors.insert(buffer.name, buffer.value);
    return tensors;
}

c10::Dict<c10::IValue, c10::IValue> readStateDict(const std::filesystem::path& file) {
    if (auto tensors = readModuleTensors(file))
        return *tensors;
    const auto bytes = readBytes(file);
    const std::string convert =
        "; convert it once with: " + stateDictConversionCommand(file.string(), "weights.pt");
    c10::IValue value;
    try {
        value = torch::pickle_load(bytes);
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        if (what.find("Expected GenericDict but got None") != std::string::npos) {
            throw ModelError("'" + file.string() +
                             "' holds an OrderedDict (what model.state_dict() returns), which "
                             "LibTorch 1.13 cannot read" +
                             convert);
        }
        throw ModelError("'" + file.string() +
                         "' is not a zip-format torch.save() file (expected a dict of tensors "
                         "saved by PyTorch 1.6 or later)" +
                         convert);
    }
    if (!value.isGenericDict()) {
        throw ModelError("'" + file.string() + "' holds a " + value.tagKind() +
                         ", expected a dict of tensor names to tensors");
    }
    return value.toGenericDict();
}

// torchvision's state dict name -> our flat name. DenseNet's published weights still use the
// old "denselayer1.norm.1" spelling that torchvision itself renames to "norm1" on load.
std::string flatName(std::string name) {
    if (name.starts_with("module."))  // saved from nn.DataParallel
        name.erase(0, 7);
    static const std::regex old_densenet(R"((denselayer\d+\.(?:norm|relu|conv))\.([12])\.)");
    name = std::regex_replace(name, old_densenet, "$1$2.");
    std::replace(name.begin(), name.end(), '.', '_');
    return name;
}

bool isGreyFromRgbConv(const torch::Tensor& from_file, const torch::Tensor& in_model) {
    return from_file.dim() == 4 && in_model.dim() == 4 && from_file.size(1) == 3 &&
           in_model.size(1) == 1 && from_file.size(0) == in_model.size(0) &&
           from_file.size(2) == in_model.size(2) && from_file.size(3) == in_model.size(3);
}

std::map<std::string, torch::Tensor> modelTensors(const torch::jit::Module& module) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& parameter : module.named_parameters())
        tensors.emplace(parameter.name, parameter.value);
    for (const auto& buffer : module.named_buffers())
        tensors.emplace(buffer.name, buffer.value);
    return tensors;
}

}  // namespace

std::string stateDictConversionCommand(const std::string& input, const std::string& output) {
    return "python3 -c \"import sys, torch; torch.save(dict(torch.load(sys.argv[1], "
           "map_location='cpu', weights_only=True)), sys.argv[2])\" '" +
           input + "' '" + output + "'";
}

std::string PretrainedReport::summary() const {
    std::string text = "loaded " + std::to_string(loaded.size()) + " tensors";
    if (!skipped.empty()) {
        text += "; skipped " + std::to_string(skipped.size()) + " from the file:";
        for (const auto& skip : skipped)
            text += "\n  " + skip.name + " (" + skip.reason + ")";
    }
    if (!not_in_file.empty()) {
        text += "\n" + std::to_string(not_in_file.size()) +
                " model tensors not in the file kept their initialisation:";
        for (const auto& name : not_in_file)
            text += "\n  " + name;
    }
    return text;
}

PretrainedReport loadPretrainedWeights(torch::jit::Module& module,
                                       const std::filesystem::path& file) {
    const auto state = readStateDict(file);
    auto targets = modelTensors(module);
    PretrainedReport report;
    torch::NoGradGuard no_grad;
    for (const auto& entry : state) {
        const auto key = entry.key().isString() ? entry.key().toStringRef() : "<non-string key>";
        if (!entry.value().isTensor()) {
            report.skipped.push_back({key, "not a tensor"});
            continue;
        }
        const auto source = entry.value().toTensor();
        const auto name = flatName(key);
        auto target = targets.find(name);
        if (target == targets.end()) {
            report.skipped.push_back({key, key.ends_with("num_batches_tracked")
                                               ? "batch-norm step counter, unused"
                                               : "no tensor " + name + " in the model"});
            continue;
        }
        if (source.sizes() == target->second.sizes()) {
            target->second.copy_(source);
        } else if (isGreyFromRgbConv(source, target->second)) {
            // A grey face is an RGB image with equal channels; summing the kernels over the
            // channels gives the RGB network's response to that image.
            target->second.copy_(source.sum(1, true));
        } else {
            report.skipped.push_back({key, "shape " + shapeText(source.sizes()) + " in the file, " +
                                               shapeText(target->second.sizes()) +
                                               " in the model"});
            continue;
        }
        report.loaded.push_back(name);
        targets.erase(target);
    }
    if (report.loaded.empty()) {
        throw ModelError("none of the " + std::to_string(state.size()) + " tensors in '" +
                         file.string() +
                         "' matches the model's names or shapes: is it the same architecture?");
    }
    for (const auto& [name, tensor] : targets)
        report.not_in_file.push_back(name);
    return report;
}

}  // namespace emotrace::nets
