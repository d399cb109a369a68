// Clips made with the ffmpeg program, as recordings really come: stored sideways with a display
// rotation (phones), at a variable frame rate (call recorders). ffmpeg's own reading of them is
// the reference the tests compare with. Callers skip when haveFfmpegTools() is false.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace::test {

// What a shell command printed on stdout.
std::string commandOutput(const std::string& command);

// Runs ffmpeg quietly with `arguments`; true when it succeeded.
bool runFfmpeg(const std::string& arguments);

// 160x120 black frames at 30 fps with a white box in the top-left corner: upright means the box
// is there (boxInTopLeft).
std::filesystem::path makeUprightClip(const std::filesystem::path& folder, int frames = 10);
// The upright clip stored turned, with the display rotation (90, 180 or 270) that shows it
// upright again in ffmpeg's players, as a phone writes it.
std::filesystem::path makeRotatedClip(const std::filesystem::path& folder, int rotation);
bool boxInTopLeft(const cv::Mat& image);

// A 4 s 160x120 clip at 30 fps for its first second, then at 5 fps: 45 frames, frame 30 at
// 1000 ms, frame 31 at 1200 ms, ..., frame 44 at 3800 ms.
std::filesystem::path makeVariableRateClip(const std::filesystem::path& folder);

// Every frame's presentation time as ffprobe gives it, from the stream's start, in ms.
std::vector<double> ffprobeFrameTimes(const std::filesystem::path& clip);

}  // namespace emotrace::test
