// Small, seeded emotion models for tests: real TorchScript model files, built in C++ in a
// fraction of a second, whose outputs are fixed by the seed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emotrace/model_info.h"

namespace emotrace::test {

// ModelInfo for MyCNNv1 at 48x48 grey with the given labels (the paper's 8 by default).
ModelInfo testModelInfo(const std::vector<std::string>& labels = paperLabels());

// Writes a MyCNNv1 with `labels.size()` outputs, initialised from `seed`, to `path`.
std::filesystem::path writeTestModel(const std::filesystem::path& path,
                                     const std::vector<std::string>& labels = paperLabels(),
                                     std::uint64_t seed = 7);

}  // namespace emotrace::test
