// The command line of emotrace-analyze as a plain struct, and the exit codes scripts rely on
// (documented in --help and docs/csv-schema.md).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "emotrace/face_detector.h"

namespace emotrace::analyze {

enum ExitCode : int {
    kExitOk = 0,
    kExitUnexpected = 1,  // a bug or an error none of the codes below describes
    kExitUsage = 2,
    kExitVideo = 3,  // video missing or unreadable
    kExitModel = 4,
    kExitDetector = 5,
    kExitOutput = 6,      // CSV or JSON cannot be written
    kExitVideoBroke = 7,  // the video broke midway; results up to there are written and valid
};

struct AnalyzeOptions {
    std::filesystem::path video;
    std::optional<std::filesystem::path> model;
    DetectorKind detector = DetectorKind::YuNet2023;
    std::filesystem::path csv;   // default: ./<video stem>.emotions.csv
    std::filesystem::path json;  // default: ./<video stem>.summary.json
    int threads = 0;             // 0: one per core
    bool progress = true;
    bool help = false;
};

// A command line that cannot be understood; the message says what was wrong.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// args excludes the program name. Throws UsageError.
AnalyzeOptions parseAnalyzeOptions(const std::vector<std::string>& args);

std::string usageText();

}  // namespace emotrace::analyze
