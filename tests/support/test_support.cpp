#include "test_support.h"

#include <cstdlib>
#include <random>

namespace emotrace::test {

std::optional<std::filesystem::path> sharedData(const std::string& relative) {
    const char* env = std::getenv("EMOTRACE_DATA");
    std::filesystem::path root = env ? env : EMOTRACE_TEST_DATA;
    auto path = relative.empty() ? root : root / relative;
    if (!std::filesystem::exists(path))
        return std::nullopt;
    return path;
}

std::string missingDataReason(const std::string& relative) {
    const char* env = std::getenv("EMOTRACE_DATA");
    std::filesystem::path root = env ? env : EMOTRACE_TEST_DATA;
    return "shared data not found: " + (root / relative).string() +
           " (set EMOTRACE_DATA to the folder with emotrace's data)";
}

TempDir::TempDir() {
    std::random_device random;
    auto base = std::filesystem::temp_directory_path();
    do {
        path_ = base / ("emotrace-test-" + std::to_string(random()));
    } while (std::filesystem::exists(path_));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace emotrace::test
