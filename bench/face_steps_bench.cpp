#include "face_steps_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include <opencv2/videoio.hpp>

#include "bench_common.h"
#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "emotrace/face_quality.h"
#include "emotrace/preprocess.h"
#include "test_clip.h"

namespace emotrace::bench {

namespace fs = std::filesystem;

namespace {

double microsecondsOf(const std::function<void()>& step) {
    const auto start = std::chrono::steady_clock::now();
    step();
    return 1000.0 * millisecondsBetween(start, std::chrono::steady_clock::now());
}

struct Steps {
    std::vector<double> plain_crop_us;
    std::vector<double> levelled_crop_us;
    std::vector<double> fully_levelled_crop_us;
    std::vector<double> quality_us;
    std::vector<double> roll_degrees;  // |roll| of each face, to say how much levelling turns
    std::int64_t faces = 0;
};

void runClip(const fs::path& clip, const FaceStepsBenchOptions& options, FaceDetector& detector,
             Steps& steps) {
    cv::VideoCapture capture(clip.string(), cv::CAP_FFMPEG);
    if (!capture.isOpened())
        throw SourceError("cannot open the clip " + clip.string());
    const double count = capture.get(cv::CAP_PROP_FRAME_COUNT);
    const auto step = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::floor(count / std::max(options.frames_per_clip, 1))));
    CropOptions plain;
    plain.level_eyes = false;
    const CropOptions levelled;
    CropOptions fully;  // every face turned, as a tilted one is
    fully.level_beyond_degrees = 0.0f;
    cv::Mat frame;
    for (std::int64_t index = 0; capture.read(frame) && !frame.empty(); ++index) {
        if (index % step != 0)
            continue;
        const cv::Mat webcam = letterbox(frame, {kClipWidth, kClipHeight});
        for (const auto& face : detector.detect(webcam)) {
            ++steps.faces;
            steps.roll_degrees.push_back(std::abs(eyeLineAngle(face.landmarks)));
            // Interleaved, so the machine's load falls on the three alike.
            for (int repeat = 0; repeat < options.repeats; ++repeat) {
                cv::Mat crop;
                steps.plain_crop_us.push_back(
                    microsecondsOf([&] { crop = cropFace(webcam, face.box, plain); }));
                steps.levelled_crop_us.push_back(microsecondsOf(
                    [&] { crop = cropFace(webcam, face.box, levelled, face.landmarks); }));
                steps.fully_levelled_crop_us.push_back(microsecondsOf(
                    [&] { crop = cropFace(webcam, face.box, fully, face.landmarks); }));
                ReadingQuality quality;
                steps.quality_us.push_back(microsecondsOf(
                    [&] { quality = assessReading(webcam, face.box, face.landmarks); }));
            }
        }
    }
}

std::string row(const std::string& step, const Summary& summary, const Summary& baseline) {
    return "| " + step + " | " + fixed(summary.p50, 0) + " | " + fixed(summary.p95, 0) + " | " +
           fixed(summary.p99, 0) + " | " + fixed(summary.p50 / baseline.p50, 2) + " |\n";
}

}  // namespace

std::string runFaceStepsBench(const FaceStepsBenchOptions& options) {
    auto detector = createFaceDetector({});
    Steps steps;
    const auto clips = sharedClips(options.videos);
    for (const auto& clip : clips) {
        std::cerr << "face-steps: " << clip.filename().string() << "\n";
        runClip(clip, options, *detector, steps);
    }
    const auto plain = summarize(steps.plain_crop_us);
    const auto levelled = summarize(steps.levelled_crop_us);
    const auto fully = summarize(steps.fully_levelled_crop_us);
    const auto quality = summarize(steps.quality_us);
    const auto roll = summarize(steps.roll_degrees);
    std::ostringstream out;
    out << "### Per-face steps after detection on the " << clips.size()
        << " shared clips, 640x480\n\n"
        << steps.faces << " faces (" << options.frames_per_clip
        << " frames sampled per clip, YuNet 2023mar), each step timed " << options.repeats
        << " times per face, interleaved; microseconds. |roll| of the faces: median "
        << fixed(roll.p50, 1) << "°, p95 " << fixed(roll.p95, 1) << "°.\n\n"
        << "| step | p50 µs | p95 µs | p99 µs | p50 ratio to the plain crop |\n"
        << "|---|---|---|---|---|\n"
        << row("crop of the box (before issue 21)", plain, plain)
        << row("crop as the app makes it (levelled beyond 10°)", levelled, plain)
        << row("crop turned to level the eyes (every face)", fully, plain)
        << row("reading quality (pose, size, sharpness, exposure)", quality, plain);
    return out.str();
}

}  // namespace emotrace::bench
