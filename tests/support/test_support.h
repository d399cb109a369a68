// Helpers shared by the test executables: where the shared data lives, temporary folders, and
// small generated inputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace emotrace::test {

// ../shared/data (or $EMOTRACE_DATA). nullopt when the folder or the file below it is absent;
// tests then GTEST_SKIP() with the path in the reason.
std::optional<std::filesystem::path> sharedData(const std::string& relative = "");
std::string missingDataReason(const std::string& relative);

// The first frame of a video (empty when it cannot be read).
cv::Mat firstFrame(const std::filesystem::path& clip);

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

}  // namespace emotrace::test
