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
    kExitBusy = 8,        // another process is analysing this recording into the same store
};

struct AnalyzeOptions {
    std::vector<std::filesystem::path> videos;
    std::optional<std::filesystem::path> model;
    // Neither --model nor --no-model: the shipped model (defaultEmotionModelPath) when present.
    bool default_model = true;
    DetectorKind detector = DetectorKind::YuNet2023;
    // Only with a single video; otherwise ./<video stem>.emotions.csv and .summary.json.
    std::optional<std::filesystem::path> csv;
    std::optional<std::filesystem::path> json;
    int threads = 0;  // 0: 1 with the store, one per core without
    bool progress = true;
    bool help = false;
    bool version = false;
    // The session store (default: defaultStorePath()); use_store false is the direct per-frame
    // analysis into the CSV and JSON only, as before the store existed.
    bool use_store = true;
    std::optional<std::filesystem::path> store;
    int detect_every = 5;  // store only: detector on every n-th frame, tracked in between
    std::optional<std::filesystem::path> export_dir;
    // Store only: each session's first N seconds as the resting face of its client (the track
    // the exports describe), unless one was taken before; 0: off.
    double resting_face_first_seconds = 0.0;
    // Another process analysing the same recording into the store: wait for it (true) or exit
    // with kExitBusy at once, writing nothing.
    bool wait_for_other_analysis = false;
    unsigned output_mode = 0600;  // every file written: owner-only unless --output-mode
};

// One recording of the batch and where its CSV and summary go.
struct RecordingJob {
    std::filesystem::path video;
    std::filesystem::path csv;
    std::filesystem::path json;
};
std::vector<RecordingJob> recordingJobs(const AnalyzeOptions& options);

// A command line that cannot be understood; the message says what was wrong.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// args excludes the program name. Throws UsageError.
AnalyzeOptions parseAnalyzeOptions(const std::vector<std::string>& args);

std::string usageText();

}  // namespace emotrace::analyze
