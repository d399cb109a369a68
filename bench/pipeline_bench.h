// The live pipeline as a user runs it: a 640x480 clip played at its own 30 fps
// (Pacing::RealTime) through the real Pipeline with the latest-frame-wins slot, the default
// detector and a ResNet18 classifier. Measures what the worker keeps up with, what it drops,
// and capture-to-result latency; the soak variant loops the clip and watches resident memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_common.h"
#include "emotrace/face_detector.h"

namespace emotrace::bench {

struct PipelineBenchOptions {
    std::filesystem::path clip;   // see makeTestClip
    std::filesystem::path model;  // an emotrace model file
    int faces = 1;                // faces in the clip, for the report
    double seconds = 20.0;        // measured time, after the warm-up
    double warmup_seconds = 2.0;  // first frames pay for lazy initialisation; not measured
    int torch_threads = 2;
    int cv_threads = -1;  // cv::setNumThreads: -1 leaves OpenCV's default, 0 runs sequentially
    DetectorOptions detector;
};

struct PipelineReport {
    PipelineBenchOptions options;
    std::string detector_name;
    // Over the measured window (after the warm-up):
    double captured_fps = 0.0;   // frames the source delivered per second
    double processed_fps = 0.0;  // results per second
    std::int64_t frames_captured = 0;
    std::int64_t frames_processed = 0;
    std::int64_t frames_dropped = 0;  // replaced in the slot before the worker took them
    std::int64_t dropped_total = 0;   // including the warm-up
    Summary latency_ms;               // capture to result
    Summary detect_ms;                // FaceDetector::detect per frame
    Summary classify_ms;              // EmotionClassifier::classify per frame with faces
    double mean_faces = 0.0;
    double face_found_share = 0.0;  // frames with at least one face
    std::string error;              // set when the pipeline stopped early
};

PipelineReport runPipelineBench(const PipelineBenchOptions& options);

struct SoakOptions {
    PipelineBenchOptions pipeline;  // pipeline.seconds is the whole soak
    double sample_seconds = 10.0;
    double warmup_seconds = 60.0;  // memory growth is measured from here
};

struct RssSample {
    double seconds = 0.0;
    std::int64_t bytes = 0;
};

struct SoakReport {
    PipelineReport pipeline;
    double sample_seconds = 0.0;
    double warmup_seconds = 0.0;
    std::vector<RssSample> samples;
    std::int64_t baseline_bytes = 0;  // first sample at or after the warm-up
    std::int64_t final_bytes = 0;
    std::int64_t peak_bytes = 0;  // after the warm-up
    double growth_percent = 0.0;  // final against baseline
    double peak_growth_percent = 0.0;
};

// Loops the clip for options.pipeline.seconds, sampling RSS (/proc/self/statm).
SoakReport runSoak(const SoakOptions& options);

std::string pipelineMarkdown(const std::vector<PipelineReport>& runs);
std::string soakMarkdown(const SoakReport& report);

}  // namespace emotrace::bench
