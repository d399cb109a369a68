// The only bench file that includes torch: building the network needs LibTorch, timing it
// goes through the EmotionClassifier interface like the app does.
#include <torch/torch.h>

#include "bench_model.h"
#include "emotrace/model_info.h"
#include "emotrace/nets.h"

namespace emotrace::bench {

std::filesystem::path writeBenchmarkModel(const std::filesystem::path& path, std::uint64_t seed) {
    torch::manual_seed(seed);
    auto module = nets::makeResNet18(static_cast<int>(paperLabels().size()));
    module.eval();
    ModelInfo info;
    info.architecture = "resnet18";
    info.labels = paperLabels();
    info.description =
        "seeded untrained ResNet18 (standard stem) written by emotrace-bench; same cost as a "
        "trained one";
    nets::saveModelFile(module, info, path);
    return path;
}

}  // namespace emotrace::bench
