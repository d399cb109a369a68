// Where frames come from: a camera, a video file (paced or as fast as possible), or anything
// else that can hand out BGR frames, such as a region of the screen (see ui/).
#pragma once

#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "emotrace/types.h"

namespace emotrace {

struct SourceInfo {
    std::string description;  // "camera 0", "video.mp4"
    double fps = 0.0;         // nominal frame rate; 0 when unknown
    int width = 0;
    int height = 0;
    std::int64_t frame_count = -1;  // -1 for live sources
};

class FrameSource {
  public:
    virtual ~FrameSource() = default;
    // Blocks until the next frame is due. Returns nullopt at the end of the stream or when
    // stop is requested. Throws SourceError when the source breaks mid-stream.
    virtual std::optional<Frame> next(std::stop_token stop) = 0;
    virtual SourceInfo info() const = 0;
    // Why no frames come although the source is open (a minimised call window), for the user;
    // empty while frames flow. Any thread.
    virtual std::string pausedBecause() const { return {}; }
};

enum class Pacing {
    RealTime,  // a file played at its own frame rate, as a live session would see it
    AsFastAsPossible,
};

// Throws SourceError naming the camera and what was tried.
std::unique_ptr<FrameSource> openCamera(int index);
// Throws SourceError when the file is missing or no decoder can read it.
std::unique_ptr<FrameSource> openVideoFile(const std::string& path, Pacing pacing);

}  // namespace emotrace
