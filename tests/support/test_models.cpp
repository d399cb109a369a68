#include "test_models.h"

#include <torch/torch.h>

#include "emotrace/nets.h"

namespace emotrace::test {

ModelInfo testModelInfo(const std::vector<std::string>& labels) {
    ModelInfo info;
    info.architecture = "mycnn_v1";
    info.labels = labels;
    info.description = "seeded test model, untrained";
    return info;
}

std::filesystem::path writeTestModel(const std::filesystem::path& path,
                                     const std::vector<std::string>& labels, std::uint64_t seed) {
    torch::manual_seed(seed);
    auto module = nets::makeMyCnnV1(static_cast<int>(labels.size()));
    module.eval();
    nets::saveModelFile(module, testModelInfo(labels), path);
    return path;
}

}  // namespace emotrace::test
