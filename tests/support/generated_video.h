// Small synthetic videos for tests that need a real file on disk: written with cv::VideoWriter
// through the same ffmpeg back end the frame sources read with. Header-only, so any test
// executable can use it without a build change.
#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace emotrace::test {

// Draws frame `index` into `frame`, which arrives black, BGR, of the video's size.
using FramePainter = std::function<void(cv::Mat& frame, int index)>;

// A flat grey whose level identifies the frame (modulo 32) and survives lossy codecs, with a
// white square moving across so the content changes as real video does.
inline int greyLevelOfFrame(int index) {
    return 16 + (index % 32) * 7;
}

inline void paintNumberedFrame(cv::Mat& frame, int index) {
    frame.setTo(cv::Scalar::all(greyLevelOfFrame(index)));
    const int side = std::max(4, frame.rows / 8);
    const int x = (index * 7) % std::max(1, frame.cols - side);
    cv::rectangle(frame, cv::Rect(x, frame.rows / 2 - side / 2, side, side), cv::Scalar::all(255),
                  cv::FILLED);
}

// Writes `frames` frames at `fps`. The codec follows the extension: .avi gets Motion JPEG (every
// frame a key frame, so a cut file still decodes up to the cut), anything else MPEG-4 part 2.
// Throws std::runtime_error when the writer cannot be opened.
inline void writeTestVideo(const std::filesystem::path& path, int frames, double fps, cv::Size size,
                           const FramePainter& paint = paintNumberedFrame) {
    const int fourcc = path.extension() == ".avi" ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G')
                                                  : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
    cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG, fourcc, fps, size);
    if (!writer.isOpened()) {
        throw std::runtime_error("test video writer could not open " + path.string());
    }
    for (int index = 0; index < frames; ++index) {
        cv::Mat frame(size, CV_8UC3, cv::Scalar::all(0));
        paint(frame, index);
        writer.write(frame);
    }
}

}  // namespace emotrace::test
