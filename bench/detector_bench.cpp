#include "detector_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "test_clip.h"

namespace emotrace::bench {

namespace fs = std::filesystem;

namespace {

std::string labelOf(const DetectorOptions& options) {
    return toString(options.kind) + " @" +
           (options.max_input_side == 0 ? std::string("full")
                                        : std::to_string(options.max_input_side));
}

struct Tally {
    std::unique_ptr<FaceDetector> detector;
    std::vector<double> times_ms;
    std::int64_t frames = 0;
    std::int64_t found = 0;
    std::int64_t extra = 0;  // frames with more than one face: at least one false positive
    std::int64_t clip_frames = 0;
    std::int64_t clip_found = 0;
};

// Feeds every sampled frame of one clip, as 640x480, to each detector in turn.
void runClip(const fs::path& clip, int frames_per_clip, std::vector<Tally>& tallies) {
    cv::VideoCapture capture(clip.string(), cv::CAP_FFMPEG);
    if (!capture.isOpened())
        throw SourceError("cannot open the clip " + clip.string());
    const double count = capture.get(cv::CAP_PROP_FRAME_COUNT);
    const auto step = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::floor(count / std::max(frames_per_clip, 1))));
    for (auto& tally : tallies)
        tally.clip_frames = tally.clip_found = 0;
    cv::Mat frame;
    for (std::int64_t index = 0; capture.read(frame) && !frame.empty(); ++index) {
        if (index % step != 0)
            continue;
        const cv::Mat webcam = letterbox(frame, {kClipWidth, kClipHeight});
        for (auto& tally : tallies) {
            const auto start = std::chrono::steady_clock::now();
            const auto faces = tally.detector->detect(webcam).size();
            tally.times_ms.push_back(millisecondsBetween(start, std::chrono::steady_clock::now()));
            ++tally.clip_frames;
            tally.clip_found += faces > 0 ? 1 : 0;
            tally.extra += faces > 1 ? 1 : 0;
        }
    }
}

double share(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

std::vector<DetectorOptions> defaultDetectorConfigurations() {
    std::vector<DetectorOptions> configurations;
    for (int side : {320, 0}) {
        for (auto kind : {DetectorKind::YuNet2023, DetectorKind::YuNet2022, DetectorKind::Haar}) {
            DetectorOptions options;
            options.kind = kind;
            options.max_input_side = side;
            configurations.push_back(options);
        }
    }
    DetectorOptions small;
    small.max_input_side = 160;
    configurations.push_back(small);
    return configurations;
}

DetectorReport runDetectorBench(const DetectorBenchOptions& options) {
    DetectorReport report;
    report.cv_threads = cv::getNumThreads();
    std::vector<Tally> tallies;
    for (const auto& configuration : options.configurations) {
        tallies.push_back({createFaceDetector(configuration), {}, 0, 0, 0, 0, 0});
        report.results.push_back({configuration, labelOf(configuration), {}, 0, 0, 0, {}});
    }
    for (const auto& clip : sharedClips(options.videos)) {
        std::cerr << "detectors: " << clip.filename().string() << "\n";
        runClip(clip, options.frames_per_clip, tallies);
        report.clips.push_back(clip.filename().string());
        for (std::size_t i = 0; i < tallies.size(); ++i) {
            auto& tally = tallies[i];
            tally.frames += tally.clip_frames;
            tally.found += tally.clip_found;
            report.results[i].found_share_per_clip.push_back(
                share(tally.clip_found, tally.clip_frames));
        }
    }
    for (std::size_t i = 0; i < tallies.size(); ++i) {
        report.results[i].detect_ms = summarize(std::move(tallies[i].times_ms));
        report.results[i].frames = tallies[i].frames;
        report.results[i].frames_with_face = tallies[i].found;
        report.results[i].frames_with_extra_faces = tallies[i].extra;
    }
    return report;
}

std::string detectorMarkdown(const DetectorReport& report) {
    std::ostringstream out;
    out << "### Face detectors on the " << report.clips.size()
        << " shared clips, each frame scaled and padded to 640x480\n\n"
        << "OpenCV threads: " << report.cv_threads
        << ". `@320`: the frame is downscaled so its longer side is 320 before detection "
           "(`DetectorOptions::max_input_side`, the default); `@full`: 640x480 as is. Every clip "
           "shows one face throughout, so found = at least one face reported, and a frame with "
           "more than "
           "one has a false positive.\n\n"
        << "| detector | frames | detect p50 / p95 / p99 ms | ratio to yunet2023 @320 | face "
           "found | more than one face |\n|---|---|---|---|---|---|\n";
    const double reference = report.results.empty() ? 0.0 : report.results.front().detect_ms.p50;
    for (const auto& result : report.results) {
        out << "| " << result.label << " | " << result.frames << " | "
            << fixed(result.detect_ms.p50, 2) << " / " << fixed(result.detect_ms.p95, 2) << " / "
            << fixed(result.detect_ms.p99, 2) << " | "
            << (reference > 0.0 ? fixed(result.detect_ms.p50 / reference, 2) : "—") << " | "
            << fixed(100.0 * share(result.frames_with_face, result.frames)) << " % | "
            << fixed(100.0 * share(result.frames_with_extra_faces, result.frames)) << " % |\n";
    }
    out << "\nFace found per clip (%):\n\n| clip |";
    for (const auto& result : report.results)
        out << " " << result.label << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < report.results.size(); ++i)
        out << "---|";
    out << "\n";
    for (std::size_t clip = 0; clip < report.clips.size(); ++clip) {
        out << "| " << report.clips[clip] << " |";
        for (const auto& result : report.results)
            out << " " << fixed(100.0 * result.found_share_per_clip[clip], 0) << " |";
        out << "\n";
    }
    return out.str();
}

}  // namespace emotrace::bench
