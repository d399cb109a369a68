// Face detectors compared on the shared clips, each frame scaled and padded to 640x480 as a
// webcam would give it: detect time per frame and the share of frames where a face was found
// (every clip has one face throughout, so a frame without one is a miss). Backs the choice of
// the default detector and of DetectorOptions::max_input_side with numbers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bench_common.h"
#include "emotrace/face_detector.h"

namespace emotrace::bench {

struct DetectorBenchOptions {
    std::filesystem::path videos;  // the shared videos/ folder
    int frames_per_clip = 60;      // sampled evenly over each clip
    // Detector kinds x max input sides to compare; every configuration sees the same frames,
    // interleaved, so machine load affects them alike.
    std::vector<DetectorOptions> configurations;
};

// The three kinds at the default max input side (320), plus the full frame and YuNet 2023 at 160.
std::vector<DetectorOptions> defaultDetectorConfigurations();

struct DetectorResult {
    DetectorOptions options;
    std::string label;  // "yunet2023 @320"
    Summary detect_ms;
    std::int64_t frames = 0;
    std::int64_t frames_with_face = 0;
    std::int64_t frames_with_extra_faces = 0;  // more than one face: a false positive
    std::vector<double> found_share_per_clip;  // in DetectorReport::clips order
};

struct DetectorReport {
    std::vector<std::string> clips;
    std::vector<DetectorResult> results;
    int cv_threads = 0;  // cv::getNumThreads() during the run
};

DetectorReport runDetectorBench(const DetectorBenchOptions& options);
std::string detectorMarkdown(const DetectorReport& report);

}  // namespace emotrace::bench
