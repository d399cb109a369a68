#include "test_clip.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/error.h"

namespace emotrace::bench {

namespace fs = std::filesystem;

namespace {

// Reads a video over and over, so a short source can fill a long clip.
class LoopingReader {
  public:
    explicit LoopingReader(fs::path path) : path_(std::move(path)) { open(); }

    cv::Mat next() {
        cv::Mat frame;
        if (capture_.read(frame) && !frame.empty())
            return frame;
        open();
        if (!capture_.read(frame) || frame.empty())
            throw SourceError("the clip source " + path_.string() + " has no readable frame");
        return frame;
    }

  private:
    void open() {
        std::error_code error;
        if (!fs::is_regular_file(path_, error))
            throw SourceError("clip source not found: " + path_.string());
        if (!capture_.open(path_.string(), cv::CAP_FFMPEG)) {
            throw SourceError("cannot open the clip source " + path_.string() +
                              " (expected a video OpenCV's ffmpeg back end reads)");
        }
    }

    fs::path path_;
    cv::VideoCapture capture_;
};

std::string clipName(const TestClipRequest& request) {
    std::string name = "clip-" + std::to_string(request.faces) + "faces-" +
                       std::to_string(static_cast<int>(std::ceil(request.seconds))) + "s";
    if (request.video)
        name += "-" + request.video->stem().string();
    return name + ".avi";
}

cv::Mat composeFrame(std::vector<LoopingReader>& readers) {
    const cv::Size full(kClipWidth, kClipHeight);
    if (readers.size() == 1)
        return letterbox(readers.front().next(), full);
    cv::Mat frame(full, CV_8UC3, cv::Scalar::all(0));
    const cv::Size cell(kClipWidth / 2, kClipHeight / 2);
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const cv::Rect where(static_cast<int>(i % 2) * cell.width,
                             static_cast<int>(i / 2) * cell.height, cell.width, cell.height);
        letterbox(readers[i].next(), cell).copyTo(frame(where));
    }
    return frame;
}

}  // namespace

std::vector<fs::path> sharedClips(const fs::path& videos) {
    std::vector<fs::path> clips;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(videos, error)) {
        if (entry.path().extension() == ".mp4")
            clips.push_back(entry.path());
    }
    if (error || clips.empty()) {
        throw SourceError("no .mp4 clips found in " + videos.string() +
                          " (expected the shared face videos)");
    }
    std::sort(clips.begin(), clips.end());
    return clips;
}

cv::Mat letterbox(const cv::Mat& image, cv::Size size) {
    const double scale = std::min(static_cast<double>(size.width) / image.cols,
                                  static_cast<double>(size.height) / image.rows);
    const cv::Size scaled(std::max(1, static_cast<int>(std::lround(image.cols * scale))),
                          std::max(1, static_cast<int>(std::lround(image.rows * scale))));
    cv::Mat result(size, image.type(), cv::Scalar::all(0));
    const cv::Rect where((size.width - scaled.width) / 2, (size.height - scaled.height) / 2,
                         scaled.width, scaled.height);
    cv::resize(image, result(where), scaled, 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return result;
}

std::vector<fs::path> defaultClipSources(const fs::path& data, int faces) {
    const fs::path videos = data / "videos";
    if (faces == 1)
        return {videos / "liveportrait_d6.mp4"};
    return {videos / "liveportrait_d6.mp4", videos / "liveportrait_d10.mp4",
            videos / "liveportrait_d14.mp4", videos / "liveportrait_d3.mp4"};
}

fs::path makeTestClip(const fs::path& data, const fs::path& folder,
                      const TestClipRequest& request) {
    if (request.faces != 1 && request.faces != 4)
        throw Error("a test clip has 1 or 4 faces, got " + std::to_string(request.faces));
    const fs::path path = folder / clipName(request);
    std::error_code error;
    if (fs::is_regular_file(path, error))
        return path;

    std::vector<LoopingReader> readers;
    for (auto source : defaultClipSources(data, request.faces))
        readers.emplace_back(request.video ? *request.video : source);

    // Written under a temporary name, so an interrupted run never leaves a short clip behind
    // that a later run would reuse.
    fs::path partial = path;
    partial += ".partial.avi";
    cv::VideoWriter writer(partial.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), kClipFps,
                           cv::Size(kClipWidth, kClipHeight));
    if (!writer.isOpened())
        throw OutputError("cannot write the test clip " + partial.string() + " (MJPEG in AVI)");
    const auto frames = static_cast<int>(std::ceil(request.seconds * kClipFps));
    std::cerr << "making " << path.filename().string() << " (" << frames << " frames)\n";
    for (int i = 0; i < frames; ++i)
        writer.write(composeFrame(readers));
    writer.release();
    fs::rename(partial, path, error);
    if (error) {
        throw OutputError("cannot move the test clip into place at " + path.string() + ": " +
                          error.message());
    }
    return path;
}

}  // namespace emotrace::bench
