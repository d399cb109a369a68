// The 640x480, 30 fps clips the live benchmarks play: the shared face videos are not webcam
// sized, so a clip is scaled and padded (one face) or four clips are tiled 2x2 at 320x240 each
// (four faces). Written as MJPEG, which is what many webcams deliver at this size.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace::bench {

inline constexpr int kClipWidth = 640;
inline constexpr int kClipHeight = 480;
inline constexpr double kClipFps = 30.0;

// Scales `image` to fit `size` keeping its aspect ratio and pads the rest with black, centred.
cv::Mat letterbox(const cv::Mat& image, cv::Size size);

// Every .mp4 clip in the shared videos/ folder, sorted by name. Throws SourceError when there
// is none (or the folder cannot be read), saying the shared face videos were expected.
std::vector<std::filesystem::path> sharedClips(const std::filesystem::path& videos);

// The shared clips a test clip is made of, in the videos/ folder of the data: one for one face,
// four for four (all 30 fps clips with one face throughout).
std::vector<std::filesystem::path> defaultClipSources(const std::filesystem::path& data, int faces);

struct TestClipRequest {
    int faces = 1;  // 1 or 4
    double seconds = 20.0;
    // Overrides the default source for one face; for four faces it fills every cell.
    std::optional<std::filesystem::path> video;
};

// Writes the clip into `folder` (reused when a clip for the same request is already there)
// and returns its path. Sources shorter than the clip loop. Throws SourceError naming the
// source that cannot be read, OutputError when the clip cannot be written.
std::filesystem::path makeTestClip(const std::filesystem::path& data,
                                   const std::filesystem::path& folder,
                                   const TestClipRequest& request);

}  // namespace emotrace::bench
