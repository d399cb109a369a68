// The recorded-session analysis benchmark: on a 640x480 30 fps one-face H.264 recording, the
// live path (FrameAnalyzer on every frame through the Pipeline, as emotrace-analyze --no-store
// and the dashboard do) against analyzeRecording() with the detector on every frame and on every
// n-th, in the same run: frames/s, and how close the tracked results stay to per-frame
// detection. Then a long recording (two hours by default) for peak memory and reopening time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace emotrace::bench {

struct AnalysisBenchOptions {
    std::filesystem::path data;
    std::filesystem::path work;
    std::filesystem::path model;
    int runs = 3;                 // timed runs per path; the median is reported
    double clip_seconds = 60.0;   // the recording the paths are compared on
    double long_minutes = 120.0;  // 0 skips the long recording
    int detect_every = 5;
    int torch_threads = 2;
};

struct PathFigures {
    std::string name = {};
    std::vector<double> frames_per_second = {};  // one per run
    std::int64_t frames = 0;
    double face_found_rate = 0.0;
    // Against the live path, over frames where both found a face (first face of each): mean
    // absolute difference of the probabilities and the share of frames with the same top class.
    double mean_abs_dp = 0.0;
    double top_class_agreement = 1.0;
};

struct LongFigures {
    double minutes = 0.0;
    std::int64_t frames = 0;
    double frames_per_second = 0.0;
    double rss_before_mib = 0.0;
    double peak_rss_mib = 0.0;    // VmHWM during the analysis (reset just before it)
    double reopen_ms = 0.0;       // open the store and read the session's facts
    double read_frames_ms = 0.0;  // read every stored frame
};

struct AnalysisReport {
    std::string clip_description;
    std::vector<PathFigures> paths;  // live first
    LongFigures long_run;
    bool long_run_done = false;
};

AnalysisReport runAnalysisBench(const AnalysisBenchOptions& options);
std::string analysisMarkdown(const AnalysisReport& report);

}  // namespace emotrace::bench
