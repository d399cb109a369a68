// What both analysis paths of emotrace-analyze (direct and into the session store) share: loading
// the model and the detector, the thread budget, and turning what went wrong into the exit
// code that names the culprit.
#pragma once

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

#include "analyze_options.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/frame_source.h"

namespace emotrace::analyze {

inline constexpr const char* kPrefix = "emotrace-analyze: ";

// Ends a recording's run before any frame is analysed, with the exit code that names the culprit.
class SetupFailure : public std::runtime_error {
  public:
    SetupFailure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

// Each throws SetupFailure with the matching exit code.
std::unique_ptr<FrameSource> openVideo(const std::filesystem::path& video);
std::unique_ptr<EmotionClassifier> loadModel(const std::optional<std::filesystem::path>& model,
                                             std::ostream& err);
std::unique_ptr<FaceDetector> loadDetector(DetectorKind kind);
// Fails before a long run rather than after it. The file is overwritten at the end.
void checkWritable(const std::filesystem::path& path);

void setThreads(int requested);

// The exit status and message for the exception that ended an analysis.
std::pair<int, std::string> exitStatusOf(const std::exception_ptr& failure);

}  // namespace emotrace::analyze
