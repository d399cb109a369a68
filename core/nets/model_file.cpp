#include <fstream>
#include <sstream>
#include <unistd.h>

#include "emotrace/error.h"
#include "emotrace/nets.h"

namespace emotrace::nets {

namespace {

constexpr const char* kMetadataEntry = "emotrace.json";

// c10::Error messages carry a C++ backtrace after the first line; users need only the first.
std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string readSidecar(const std::filesystem::path& path) {
    auto sidecar = path;
    sidecar += ".json";
    std::ifstream in(sidecar);
    if (!in)
        return {};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

void saveModelFile(torch::jit::Module module, const ModelInfo& info,
                   const std::filesystem::path& path) {
    validate(info);
    auto temporary = path;
    temporary += ".partial-" + std::to_string(::getpid());
    try {
        module.save(temporary.string(), {{kMetadataEntry, toJson(info)}});
    } catch (const c10::Error& e) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw OutputError("could not write model file " + temporary.string() + ": " +
                          firstLine(e.what()));
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw OutputError("could not move the model file into place at " + path.string() + ": " +
                          error.message());
    }
}

LoadedModel loadModelFile(const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path)) {
        throw ModelError("model file not found: " + path.string());
    }
    torch::jit::ExtraFilesMap extra{{kMetadataEntry, ""}};
    torch::jit::Module module;
    try {
        module = torch::jit::load(path.string(), torch::kCPU, extra);
    } catch (const c10::Error& e) {
        throw ModelError("'" + path.string() +
                         "' is not a TorchScript model archive (expected a file written by "
                         "emotrace or torch.jit.save): " +
                         firstLine(e.what()));
    }
    std::string metadata = extra[kMetadataEntry];
    if (metadata.empty())
        metadata = readSidecar(path);
    if (metadata.empty()) {
        throw ModelError("'" + path.string() + "' has no emotrace metadata: expected an '" +
                         kMetadataEntry + "' entry in the archive or a file " + path.string() +
                         ".json beside it (see docs/model-format.md)");
    }
    try {
        return {std::move(module), modelInfoFromJson(metadata)};
    } catch (const ModelError& e) {
        throw ModelError(path.string() + ": " + e.what());
    }
}

void checkOutputsMatchLabels(const LoadedModel& model, const std::filesystem::path& path) {
    const auto& info = model.info;
    torch::Tensor output;
    try {
        torch::InferenceMode inference;
        auto module = model.module;  // a handle: forward() on a copy runs the same weights
        module.eval();
        output =
            module
                .forward(
                    {torch::zeros({1, info.input_channels, info.input_height, info.input_width})})
                .toTensor();
    } catch (const std::exception& e) {
        throw ModelError(
            "model " + path.string() + " fails on a 1x" + std::to_string(info.input_channels) +
            "x" + std::to_string(info.input_height) + "x" + std::to_string(info.input_width) +
            " input (the shape its metadata gives): " + firstLine(e.what()));
    }
    const auto labels = static_cast<std::int64_t>(info.labels.size());
    if (output.dim() != 2 || output.size(1) != labels) {
        std::string names;
        for (const auto& label : info.labels)
            names += (names.empty() ? "" : ", ") + label;
        throw ModelError("model " + path.string() + " is inconsistent: its network outputs " +
                         (output.dim() == 2 ? std::to_string(output.size(1)) + " classes"
                                            : std::to_string(output.dim()) + "-d tensors") +
                         " but its metadata lists " + std::to_string(labels) + " labels (" + names +
                         "). The file's metadata does not belong to its network (edited, "
                         "or written for another model); nothing is wrong with the data");
    }
}

}  // namespace emotrace::nets
