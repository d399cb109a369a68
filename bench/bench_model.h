// The model every benchmark runs: emotrace's own ResNet18 (standard stem, one grey channel,
// the paper's 8 classes), seeded and untrained. Weights do not change the cost of a forward
// pass, so an untrained network times the same as a trained one and needs no download.
#pragma once

#include <cstdint>
#include <filesystem>

namespace emotrace::bench {

// Builds the network with nets::makeResNet18 from `seed` and saves it as an emotrace model file
// (nets::saveModelFile) at `path`, so it is loaded exactly as a shipped model would be.
std::filesystem::path writeBenchmarkModel(const std::filesystem::path& path,
                                          std::uint64_t seed = 42);

}  // namespace emotrace::bench
